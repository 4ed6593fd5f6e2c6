"""The start of the year in the pages: the programme's set-up and its orders (the coordinator
prepares, the director approves), classes with their curators, a class's page, the papers a
class returned in one submit, a parent's consent online, the participants found by any order
of their names with filters, and a curator's campaign for its own class."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Role
from schools.participants import api as participants
from schools.participants import selectors as participant_selectors
from schools.programmes.selectors import programme_current
from tests import builders
from tests.conftest import SETUP, make_user
from tests.web.conftest import page_client


def born(years: int, days: int = 40) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - datetime.timedelta(days=days)


@pytest.fixture
def people(tenant_a) -> dict[str, Any]:
    schema = tenant_a.schema_name
    users: dict[str, Any] = {
        str(role): make_user(schema, role, f"ys-{role}", first_name="Анна", last_name="Ролева")
        for role in (Role.COORDINATOR, Role.DIRECTOR, Role.CURATOR, Role.DEPUTY)
    }
    users["other_curator"] = make_user(schema, Role.CURATOR, "ys-curator-2")
    with schema_context(schema):
        groups = participants.study_groups_ensure(
            names=["7А", "8Б"],
            curators_by_name={"7А": users[Role.CURATOR].pk, "8Б": users["other_curator"].pk},
            actor=SETUP,
        )
        roman = builders.person(
            names="Васильев Роман Семёнович",
            category="pupil",
            born=born(13),
            study_group_id=groups["7А"],
            consent=False,
        )
        olga = builders.person(
            names="Ершова Ольга Петровна",
            category="pupil",
            born=born(15),
            study_group_id=groups["7А"],
            consent=False,
        )
        ivan = builders.person(
            names="Котов Иван",
            category="pupil",
            born=born(12),
            study_group_id=groups["8Б"],
            guardian="Котова Мария",
        )
        participants.mentee_profile_upsert(
            participant_id=roman.pk, request="Олимпиады", actor=SETUP
        )
    return {
        "users": users,
        "groups": groups,
        "roman": roman.pk,
        "olga": olga.pk,
        "ivan": ivan.pk,
    }


def client(tenant, user, language: str = "en"):
    return page_client(tenant.host, user, tenant.schema_name, language)


def states(schema: str) -> dict[str, str]:
    with schema_context(schema):
        return {
            person.last_name: person.consent_state  # type: ignore[attr-defined]
            for person in participant_selectors.participant_list()
        }


# --- classes --------------------------------------------------------------------------------------


def test_coordinator_adds_classes_and_appoints_their_curators(tenant_a, people):
    coordinator = client(tenant_a, people["users"][Role.COORDINATOR])
    response = coordinator.post("/bases/classes/", {"names": "9В, 10А; 7а"})
    assert response.status_code == 302
    with schema_context(tenant_a.schema_name):
        groups = dict(participant_selectors.study_group_list().values_list("name", "pk"))
    assert set(groups) == {"7А", "8Б", "9В", "10А"}  # «7а» is the existing «7А»
    curator = people["users"][Role.CURATOR]
    # the classes list links to the curators' own page, which holds a select per class
    listing = coordinator.get("/bases/classes/").content.decode()
    assert "/bases/classes/curators/" in listing and "curator_" not in listing
    form = coordinator.get("/bases/classes/curators/").content.decode()
    assert all(f'name="curator_{pk}"' in form for pk in groups.values())
    data = {f"curator_{pk}": "" for pk in groups.values()}
    data[f"curator_{groups['10А']}"] = str(curator.pk)
    data[f"curator_{groups['8Б']}"] = str(people["users"]["other_curator"].pk)
    assert coordinator.post("/bases/classes/curators/", data).status_code == 302
    with schema_context(tenant_a.schema_name):
        curators = dict(participant_selectors.study_group_list().values_list("name", "curator_id"))
    assert curators == {
        "7А": None,
        "8Б": people["users"]["other_curator"].pk,
        "9В": None,
        "10А": curator.pk,
    }
    # a director's account is not a curator: refused next to the form, nothing changed
    data[f"curator_{groups['9В']}"] = str(people["users"][Role.DIRECTOR].pk)
    refused = coordinator.post("/bases/classes/curators/", data)
    assert refused.status_code == 400 and "invalid-feedback" in refused.content.decode()
    # the page shows each class's curator chosen
    form = coordinator.get("/bases/classes/curators/").content.decode()
    assert f'<option value="{curator.pk}" selected>' in form
    with schema_context(tenant_a.schema_name):
        assert participant_selectors.study_group_list().get(name="9В").curator_id is None
    page = coordinator.get("/bases/classes/").content.decode()
    # the natural order of classes: 7А, 8Б, 9В, 10А
    assert re.findall(r'data-class="([^"]+)"', page) == ["7А", "8Б", "9В", "10А"]
    # only the coordinator manages classes
    director = client(tenant_a, people["users"][Role.DIRECTOR])
    assert director.post("/bases/classes/", {"names": "11А"}).status_code == 403


def test_class_page_lists_pupils_with_consent_and_base(tenant_a, people):
    groups = people["groups"]
    curator = client(tenant_a, people["users"][Role.CURATOR], "ru")
    page = curator.get(f"/bases/classes/{groups['7А']}/").content.decode()
    assert "Васильев Роман Семёнович" in page and "Ершова Ольга Петровна" in page
    assert "Котов" not in page
    assert 'data-consent="missing"' in page and "наставляемый" in page
    # the curator's list of classes holds its own class only; another class is a 404
    listing = curator.get("/bases/classes/").content.decode()
    assert re.findall(r'data-class="([^"]+)"', listing) == ["7А"]
    assert curator.get(f"/bases/classes/{groups['8Б']}/").status_code == 404
    # the coordinator sees every class and reaches each from the list
    coordinator = client(tenant_a, people["users"][Role.COORDINATOR])
    listing = coordinator.get("/bases/classes/").content.decode()
    assert f"/bases/classes/{groups['8Б']}/" in listing
    assert (
        'data-consent="valid"'
        in coordinator.get(f"/bases/classes/{groups['8Б']}/").content.decode()
    )


def test_papers_of_a_class_in_one_submit(tenant_a, people):
    group = people["groups"]["7А"]
    curator = client(tenant_a, people["users"][Role.CURATOR])
    form = curator.get(f"/bases/classes/{group}/consents/").content.decode()
    assert f'name="p{people["roman"]}_returned"' in form
    assert f'name="p{people["olga"]}_minor_signed"' in form  # 15: she signs too
    today = timezone.localdate().isoformat()
    data = {
        "signed_on": today,
        "method": "paper_scan",
        f"p{people['roman']}_returned": "on",
        f"p{people['roman']}_guardian_name": "Васильева Анна Ивановна",
        f"p{people['roman']}_guardian_relation": "mother",
        f"p{people['olga']}_returned": "on",
        f"p{people['olga']}_guardian_name": "",  # forgotten: the row shows the error
        f"p{people['olga']}_guardian_relation": "father",
        f"p{people['olga']}_minor_signed": "on",
    }
    response = curator.post(f"/bases/classes/{group}/consents/", data)
    assert response.status_code == 400
    assert "Name the parent or legal guardian who signed." in response.content.decode()
    assert states(tenant_a.schema_name)["Васильев"] == "missing"  # nothing written
    data[f"p{people['olga']}_guardian_name"] = "Ершов Пётр Иванович"
    response = curator.post(f"/bases/classes/{group}/consents/", data)
    assert response.status_code == 302
    now = states(tenant_a.schema_name)
    assert now["Васильев"] == "valid" and now["Ершова"] == "valid"
    # another curator's class: 404
    assert curator.get(f"/bases/classes/{people['groups']['8Б']}/consents/").status_code == 404


def test_a_parent_gives_consent_online(tenant_a, people, settings):
    group = people["groups"]["7А"]
    curator = client(tenant_a, people["users"][Role.CURATOR])
    response = curator.post(f"/participants/{people['olga']}/consent-link/", {"email": ""})
    assert response["Location"] == f"/bases/classes/{group}/"
    shown = curator.get(response["Location"]).content.decode()
    match = re.search(r"(http://[^\s<\"]+/consent/[^/\s<\"]+/)", shown)
    assert match, shown
    path = "/consent/" + match.group(1).split("/consent/")[1]
    parent = client(tenant_a, None, "ru")
    opened = parent.get(path)
    assert opened["Cache-Control"] == "no-store" and opened["Referrer-Policy"] == "same-origin"
    page = opened.content.decode()
    assert "Ершова Ольга Петровна" in page and "152-ФЗ" in page
    assert "Отзыв согласия" in page and tenant_a.name in page
    refused = parent.post(
        path, {"signer_name": "Ершов Пётр Иванович", "guardian_relation": "father"}
    )
    assert refused.status_code == 400  # the text is not confirmed as read
    done = parent.post(
        path,
        {
            "signer_name": "Ершов Пётр Иванович",
            "guardian_relation": "father",
            "minor_agrees": "on",
            "text_read": "on",
        },
    )
    assert done.status_code == 200 and 'data-testid="consent-given"' in done.content.decode()
    assert states(tenant_a.schema_name)["Ершова"] == "valid"
    with schema_context(tenant_a.schema_name):
        consent = participant_selectors.consent_list().filter(participant_id=people["olga"]).get()
        assert (consent.method, consent.guardian_name) == ("electronic", "Ершов Пётр Иванович")
    assert parent.get(path).status_code == 404  # the link works once
    # with an e-mail the link is mailed (by the worker) to the parent
    response = curator.post(
        f"/participants/{people['roman']}/consent-link/", {"email": "vasilieva@example.ru"}
    )
    assert response.status_code == 302
    with schema_context(tenant_a.schema_name):
        from schools.participants.models import ConsentRequest

        assert ConsentRequest.objects.get(participant_id=people["roman"]).email == (
            "vasilieva@example.ru"
        )
    # a curator cannot send a link for another class's pupil
    assert (
        curator.post(f"/participants/{people['ivan']}/consent-link/", {"email": ""}).status_code
        == 404
    )
    del mail.outbox[:]


# --- finding people -----------------------------------------------------------------------------


def test_participants_found_by_any_order_of_names_and_filtered(tenant_a, people):
    coordinator = client(tenant_a, people["users"][Role.COORDINATOR])

    def found(**query: str) -> list[str]:
        page = coordinator.get("/participants/", query).content.decode()
        return re.findall(r'data-person="([^"]+)"', page)

    assert found(q="Роман Васильев") == ["Васильев"]
    assert found(q="васильев семенович") == ["Васильев"]
    assert found(group=str(people["groups"]["7А"])) == ["Васильев", "Ершова"]
    assert found(consent="lacking") == ["Васильев", "Ершова"]
    assert found(consent="valid") == ["Котов"]
    assert found(base="mentee") == ["Васильев"]
    assert found(base="none", group=str(people["groups"]["7А"])) == ["Ершова"]
    assert found(category="teacher") == []
    page = coordinator.get("/participants/").content.decode()
    assert "/bases/classes/" in page  # the classes are one click away


# --- set-up and orders --------------------------------------------------------------------------


def test_setup_then_stage_one_orders_approved_by_the_director(tenant_a, people):
    users = people["users"]
    coordinator = client(tenant_a, users[Role.COORDINATOR])
    data = {
        "title": "Программа наставничества «Шаг вперёд»",
        "academic_year": str(
            __import__("schools.programmes.selectors", fromlist=["x"]).current_academic_year()
        ),
        "forms": ["teacher_student", "pupil_pupil"],
        "goals": "Раскрыть потенциал каждого обучающегося.",
        "planned_results": "Рост успеваемости и участия в олимпиадах.",
        "coordinator": str(users[Role.COORDINATOR].pk),
        "director": str(users[Role.DIRECTOR].pk),
        "curators": [str(users[Role.CURATOR].pk)],
        "headcount_learners": "420",
        "headcount_teachers": "40",
        "headcount_young_teachers": "50",
    }
    response = coordinator.post("/programme/setup/", data)
    assert response.status_code == 400  # more young teachers than teachers: next to the field
    assert "Young teachers cannot outnumber all teachers." in response.content.decode()
    data["headcount_young_teachers"] = "6"
    assert coordinator.post("/programme/setup/", data).status_code == 302

    with schema_context(tenant_a.schema_name):
        programme = programme_current()
        assert programme is not None and programme.coordinator_id == users[Role.COORDINATOR].pk
        assert programme.activities.exists()  # created with the default roadmap
    # the director reads the set-up but cannot change it
    director = client(tenant_a, users[Role.DIRECTOR])
    assert "disabled" in director.get("/programme/setup/").content.decode()
    assert director.post("/programme/setup/", data).status_code == 403

    for kind in ("introduction", "appointment", "programme_approval"):
        response = coordinator.post("/programme/orders/prepare/", {"kind": kind})
        assert response.status_code == 302, response.content.decode()[:3000]
    # only the director signs
    with schema_context(tenant_a.schema_name):
        from schools.documents.models import Order

        order_ids = dict(Order.objects.values_list("kind", "pk"))
    today = timezone.localdate().isoformat()
    assert (
        coordinator.post(
            f"/programme/orders/{order_ids['introduction']}/approve/",
            {"number": "1-о", "dated": today},
        ).status_code
        == 403
    )
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    refused = director.post(
        f"/programme/orders/{order_ids['introduction']}/approve/",
        {"number": "1-о", "dated": future},
    )
    assert refused.status_code == 400 and "in the future" in refused.content.decode()
    for number, kind in enumerate(("introduction", "appointment", "programme_approval"), 1):
        response = director.post(
            f"/programme/orders/{order_ids[kind]}/approve/",
            {"number": f"{number}-о", "dated": today},
        )
        assert response.status_code == 302, response.content.decode()[:3000]
    with schema_context(tenant_a.schema_name):
        programme = programme_current()
        assert programme is not None and programme.approved_at is not None
    page = coordinator.get("/programme/orders/").content.decode()
    assert page.count('data-testid="order-status"') == 3
    docx = coordinator.get(f"/programme/orders/{order_ids['programme_approval']}/docx/")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    regulation = coordinator.get("/programme/orders/regulation/")
    assert regulation.status_code == 200 and regulation.content.startswith(b"PK")


# --- a curator's campaign for its own class ----------------------------------------------------


def test_curator_runs_a_campaign_for_its_own_class_only(tenant_a, people):
    from schools.monitoring import services as monitoring_services

    with schema_context(tenant_a.schema_name):
        questionnaire = monitoring_services.questionnaire_create_local(
            title="Анкета класса",
            purpose="satisfaction",
            growth_phase="",
            intro="",
            questions=[{"code": "q1", "text": "Как дела?", "kind": "short_text"}],
            actor=SETUP,
        )
    groups = people["groups"]
    curator = client(tenant_a, people["users"][Role.CURATOR])
    today = timezone.localdate()
    base = {
        "questionnaire": str(questionnaire.pk),
        "title": "",
        "opens_on": today.isoformat(),
        "closes_on": (today + datetime.timedelta(days=7)).isoformat(),
        "target_form": "",
        "target_pair": "",
    }
    page = curator.get("/campaigns/").content.decode()
    assert 'name="target_study_group"' in page and "8Б" not in page
    refused = curator.post(
        "/campaigns/new/",
        {**base, "target_kind": "study_group", "target_study_group": str(groups["8Б"])},
    )
    assert refused.status_code == 400
    refused = curator.post("/campaigns/new/", {**base, "target_kind": "mentors"})
    assert refused.status_code == 400
    response = curator.post(
        "/campaigns/new/",
        {**base, "target_kind": "study_group", "target_study_group": str(groups["7А"])},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    campaign_id = int(response["Location"].rstrip("/").split("/")[-1])
    # the other curator neither sees nor launches it; the coordinator sees it
    other = client(tenant_a, people["users"]["other_curator"])
    assert other.get(f"/campaigns/{campaign_id}/").status_code == 404
    assert other.post(f"/campaigns/{campaign_id}/open/").status_code == 404
    assert f"/campaigns/{campaign_id}/" not in other.get("/campaigns/").content.decode()
    coordinator = client(tenant_a, people["users"][Role.COORDINATOR])
    assert coordinator.get(f"/campaigns/{campaign_id}/").status_code == 200
    # a campaign of the whole school is the coordinator's: the curator cannot launch it
    with schema_context(tenant_a.schema_name):
        school_wide = monitoring_services.campaign_create(
            questionnaire=questionnaire,
            title="Вся школа",
            target=monitoring_services.Target(kind="study_group", study_group_id=groups["8Б"]),
            opens_on=today,
            closes_on=today + datetime.timedelta(days=7),
            actor=SETUP,
        )
    assert curator.post(f"/campaigns/{school_wide.pk}/open/").status_code == 404
    # the curator launches its own: its pupils with consent are invited
    with schema_context(tenant_a.schema_name):
        builders.consent(participant=people["roman"], guardian="Васильева Анна Ивановна")
    assert curator.post(f"/campaigns/{campaign_id}/open/").status_code == 302
    with schema_context(tenant_a.schema_name):
        from schools.monitoring.models import SurveyCampaign, SurveyInvitation

        assert SurveyCampaign.objects.get(pk=campaign_id).status == "open"
        invited = SurveyInvitation.objects.filter(campaign_id=campaign_id)
        assert list(invited.values_list("participant_id", flat=True)) == [people["roman"]]
    # its results, without the people's answers (those are the coordinator's)
    export = curator.get(f"/campaigns/{campaign_id}/xlsx/")
    assert export.status_code == 200
    from openpyxl import load_workbook

    assert load_workbook(io.BytesIO(export.content)).sheetnames == ["Итоги"]


# --- scans and alerts -----------------------------------------------------------------------------


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_a_scan_of_the_paper_is_attached_and_read_by_those_who_read_the_consent(
    tenant_a, people, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)
    settings.MULTITENANT_RELATIVE_MEDIA_ROOT = str(tmp_path / "%s")
    with schema_context(tenant_a.schema_name):
        consent = participant_selectors.consent_list().get(participant_id=people["ivan"])
    other_curator = client(tenant_a, people["users"]["other_curator"])  # Котов is in 8Б
    response = other_curator.post(
        f"/consents/{consent.pk}/scans/",
        {"scan": SimpleUploadedFile("skan.txt", b"not a scan")},
    )
    assert response["Location"] == f"/participants/{people['ivan']}/"
    page = other_curator.get(response["Location"]).content.decode()
    assert "A scan must be a PDF or JPEG file." in page
    response = other_curator.post(
        f"/consents/{consent.pk}/scans/", {"scan": SimpleUploadedFile("skan.pdf", PDF)}
    )
    page = other_curator.get(response["Location"]).content.decode()
    match = re.search(r'href="(/consent-scans/(\d+)/)"', page)
    assert match, page
    scan = other_curator.get(match.group(1))
    assert scan.status_code == 200 and scan["Content-Type"] == "application/pdf"
    assert b"".join(scan.streaming_content) == PDF
    # the curator of another class neither reads nor adds to it
    curator = client(tenant_a, people["users"][Role.CURATOR])
    assert curator.get(match.group(1)).status_code == 404
    assert curator.post(f"/consents/{consent.pk}/scans/", {"scan": ""}).status_code == 404


def test_a_withdrawal_alerts_the_coordinator_and_the_curator_on_their_overview(tenant_a, people):
    with schema_context(tenant_a.schema_name):
        participants.consent_withdraw(
            actor=SETUP,
            participant_id=people["ivan"],
            signed_by="guardian",
            guardian_name="Котова Мария",
            guardian_relation="mother",
            signed_on=timezone.localdate(),
            method="paper_scan",
        )
    coordinator = client(tenant_a, people["users"][Role.COORDINATOR])
    home = coordinator.get("/").content.decode()
    assert 'data-testid="consent-alerts"' in home and "Котов Иван" in home
    other_curator = client(tenant_a, people["users"]["other_curator"])  # 8Б is its class
    assert "Котов Иван" in other_curator.get("/").content.decode()
    curator = client(tenant_a, people["users"][Role.CURATOR])
    assert 'data-testid="consent-alerts"' not in curator.get("/").content.decode()
    alert_id = int(re.findall(r"/consent-alerts/(\d+)/ack/", home)[0])
    assert curator.post(f"/consent-alerts/{alert_id}/ack/").status_code == 404
    assert coordinator.post(f"/consent-alerts/{alert_id}/ack/").status_code == 302
    assert 'data-testid="consent-alerts"' not in coordinator.get("/").content.decode()
