"""The records pages: the bases (filters, inline editing), roadmap activities (add, edit,
reschedule, mark done) and a parent's consents with withdrawal. Real PostgreSQL; each request
goes through the institution's host like a browser's."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Role
from tests import builders
from tests.conftest import SETUP, make_user
from tests.web.areas import records
from tests.web.conftest import School, page_client
from tests.web.test_pages import page_paths

HTMX = {"HTTP_HX_REQUEST": "true"}
# Every test takes ``school``: built once for the module, each test in a savepoint of it
# (tests/web/conftest.py). The demo's records, which need A without it: test_records_demo.py.
SHARE_SCHOOL = True
SIGN_OUT = {"ru": "Выйти", "en": "Sign out"}


def client_of(tenant: Any, school: School, role: str, language: str = "en") -> Any:
    return page_client(tenant.host, school.users[role], tenant.schema_name, language)


def in_a(tenant: Any) -> Any:
    return schema_context(tenant.schema_name)


# --- every page of the area, every role, both languages ----------------------------------------


@pytest.mark.parametrize("language", ["ru", "en"])
def test_records_pages_for_every_role(tenant_a, school: School, language):
    """The area's own walk (tests/web/test_pages.py walks every area at once)."""
    paths = page_paths(
        "config.urls_tenant",
        "school",
        school.ids,
        {**records.TENANT_ID_OF},
    )
    names = set(records.TENANT_ALLOWED) | set(records.TENANT_ID_OF) | {"activity-create"}
    for role in sorted(school.users):
        client = client_of(tenant_a, school, role, language)
        for name in sorted(names):
            response = client.get(paths[name])
            if name not in records.TENANT_ALLOWED:
                assert response.status_code == 405, (role, name)
            elif role in records.TENANT_ALLOWED[name]:
                assert response.status_code == 200, (role, name, response.status_code)
                if name not in records.FRAGMENTS:
                    body = response.content.decode()
                    assert f'lang="{language}"' in body and SIGN_OUT[language] in body
            else:
                assert response.status_code in (403, 404), (role, name, response.status_code)


# --- the bases ---------------------------------------------------------------------------------


def _mentor(school: School) -> Any:
    from schools.participants.models import MentorProfile

    return MentorProfile.objects.get(pk=school.ids["mentorprofile"])


def test_mentor_base_filters_by_competence_free_places_and_consent(tenant_a, school):
    from schools.participants import api as participants
    from schools.participants import services as participant_services

    client = client_of(tenant_a, school, Role.COORDINATOR)
    with in_a(tenant_a):
        participants.mentor_profile_upsert(
            participant_id=school.ids["participant"], competence_codes=["math"], actor=SETUP
        )
        other = participant_services.participant_create(
            last_name="Кузнецов", first_name="Илья", category="teacher", actor=SETUP
        )
        participants.mentor_profile_upsert(participant_id=other.pk, capacity=1, actor=SETUP)
    page = client.get("/bases/", {"kind": "mentors"}).content.decode()
    assert "Иванова Мария" in page and "Кузнецов Илья" in page
    page = client.get("/bases/", {"kind": "mentors", "tag": "math"}).content.decode()
    assert "Иванова Мария" in page and "Кузнецов Илья" not in page
    # Кузнецов has no consent; Иванова has a valid one
    page = client.get("/bases/", {"kind": "mentors", "consent": "missing"}).content.decode()
    assert "Кузнецов Илья" in page and "Иванова Мария" not in page
    # Иванова mentors one mentee of capacity 2: one place free; make her full
    page = client.get("/bases/", {"kind": "mentors", "tag": "math"}).content.decode()
    assert "1 place free" in page
    with in_a(tenant_a):
        participants.mentor_profile_upsert(
            participant_id=school.ids["participant"], capacity=1, actor=SETUP
        )
    response = client.get("/bases/", {"kind": "mentors", "free": "1"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body  # the table only
    assert "Кузнецов Илья" in body and "Иванова Мария" not in body


def test_mentee_base_filters_by_need_and_form(tenant_a, school):
    from schools.participants import api as participants
    from schools.participants import services as participant_services

    client = client_of(tenant_a, school, Role.DIRECTOR)
    with in_a(tenant_a):
        pupil = participant_services.participant_create(
            last_name="Орлов", first_name="Денис", category="pupil", actor=SETUP
        )
        participants.mentee_profile_upsert(
            participant_id=pupil.pk,
            need_codes=["career_guidance"],
            preferred_form="pupil_pupil",
            actor=SETUP,
        )
    page = client.get("/bases/").content.decode()
    assert "Петров Олег" in page and "Орлов Денис" in page
    page = client.get("/bases/", {"tag": "career_guidance"}).content.decode()
    assert "Орлов Денис" in page and "Петров Олег" not in page
    page = client.get("/bases/", {"form": "teacher_teacher"}).content.decode()
    assert "Орлов Денис" not in page
    page = client.get("/bases/", {"form": "pupil_pupil", "q": "орл"}).content.decode()
    assert "Орлов Денис" in page
    assert 'href="/bases/mentees/' not in page  # a director reads, does not edit


def test_mentor_inline_edit_saves_through_the_service_and_audits(tenant_a, school):
    from schools.audit.models import AuditEntry

    client = client_of(tenant_a, school, Role.COORDINATOR)
    pk = school.ids["mentorprofile"]
    form = client.get(f"/bases/mentors/{pk}/edit/", **HTMX)
    assert form.status_code == 200 and 'name="capacity"' in form.content.decode()
    response = client.post(
        f"/bases/mentors/{pk}/edit/",
        {
            "competence_codes": ["math"],
            "capacity": "3",
            "hours_per_month": "8",
            "experience": "",
            "training": "Школа наставников",
            "motivation": "Хочу делиться опытом",
            "score_motivation": "5",
        },
        **HTMX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<tr") and "Математика" in body and "1 / 3" in body
    with in_a(tenant_a):
        mentor = _mentor(school)
        assert mentor.capacity == 3 and mentor.hours_per_month == 8
        assert mentor.selection_scores == {"motivation": 5}
        assert mentor.motivation == "Хочу делиться опытом"
        assert [t.code for t in mentor.competences.all()] == ["math"]
        entry = AuditEntry.objects.filter(
            model_label="participants.mentorprofile", object_id=str(pk)
        ).latest("pk")
        assert entry.actor_id == school.users[Role.COORDINATOR].pk
        assert "capacity" in entry.changed_fields


def test_mentor_edit_with_bad_input_is_400_with_errors_next_to_the_fields(tenant_a, school):
    client = client_of(tenant_a, school, Role.COORDINATOR)
    pk = school.ids["mentorprofile"]
    response = client.post(
        f"/bases/mentors/{pk}/edit/",
        {"capacity": "0", "competence_codes": ["nonsense"], "score_wish": "9"},
        **HTMX,
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_capacity-errors"' in body and 'aria-invalid="true"' in body
    assert 'id="id_competence_codes-errors"' in body and 'id="id_score_wish-errors"' in body
    # without HTMX: the whole page with the form, also 400
    response = client.post(f"/bases/mentors/{pk}/edit/", {"capacity": ""})
    assert response.status_code == 400 and "<html" in response.content.decode()
    with in_a(tenant_a):
        assert _mentor(school).capacity == 2  # nothing written


def test_mentor_edit_without_htmx_redirects_to_the_base(tenant_a, school):
    client = client_of(tenant_a, school, Role.COORDINATOR)
    pk = school.ids["mentorprofile"]
    response = client.post(f"/bases/mentors/{pk}/edit/", {"capacity": "4"})
    assert response.status_code == 302 and response["Location"] == "/bases/?kind=mentors"
    with in_a(tenant_a):
        assert _mentor(school).capacity == 4


def test_curators_edit_mentees_of_their_groups_only_and_no_mentors(tenant_a, school):
    from schools.participants import services as participant_services
    from schools.participants.models import MenteeProfile

    curator = school.users[Role.CURATOR]
    client = client_of(tenant_a, school, Role.CURATOR)
    with in_a(tenant_a):
        group = participant_services.study_group_get_or_create(name="7Б", actor=SETUP)
        group.curator = curator
        group.save()
        pupil = participant_services.participant_create(
            last_name="Лебедев",
            first_name="Артём",
            category="pupil",
            study_group_id=group.pk,
            actor=SETUP,
        )
        mine = participant_services.mentee_profile_upsert(participant_id=pupil.pk, actor=SETUP)
    # a mentee outside the curator's groups: the same 404 as a missing one
    other = school.ids["menteeprofile"]
    assert client.post(f"/bases/mentees/{other}/edit/", {"raised_by": "self"}).status_code == 404
    assert client.post("/bases/mentees/99999999/edit/", {"raised_by": "self"}).status_code == 404
    # mentors are edited by the coordinator only
    mentor = school.ids["mentorprofile"]
    assert client.post(f"/bases/mentors/{mentor}/edit/", {"capacity": "5"}).status_code == 403
    response = client.post(
        f"/bases/mentees/{mine.pk}/edit/",
        {"need_codes": ["career_guidance"], "request": "Выбор профиля", "raised_by": "curator"},
        **HTMX,
    )
    assert response.status_code == 200 and "Профориентация" in response.content.decode()
    page = client.get("/bases/").content.decode()
    assert "Лебедев Артём" in page and "Петров Олег" not in page
    with in_a(tenant_a):
        profile = MenteeProfile.objects.get(pk=mine.pk)
        assert profile.raised_by == "curator" and profile.request == "Выбор профиля"
        assert _mentor(school).capacity == 2


def test_a_profile_of_another_institution_is_404(tenant_a, tenant_b, school):
    from schools.participants import services as participant_services

    with schema_context(tenant_b.schema_name):
        person = participant_services.participant_create(
            last_name="Чужой", first_name="Наставник", category="teacher", actor=SETUP
        )
        profile = participant_services.mentor_profile_upsert(
            participant_id=person.pk, capacity=1, actor=SETUP
        )
    client = client_of(tenant_a, school, Role.COORDINATOR)
    for path in (f"/bases/mentors/{profile.pk}/edit/", f"/bases/mentors/{profile.pk}/"):
        response = client.get(path)
        if response.status_code != 404:  # the id may exist in A as another person's profile
            assert "Чужой" not in response.content.decode()
    assert "Чужой" not in client.get("/bases/", {"kind": "mentors"}).content.decode()


# --- roadmap activities -----------------------------------------------------------------------


def _programme(tenant: Any) -> Any:
    from schools.programmes.selectors import programme_current

    with in_a(tenant):
        programme = programme_current()
    assert programme is not None
    return programme


def _activity(pk: int) -> Any:
    from schools.programmes.models import RoadmapActivity

    return RoadmapActivity.objects.get(pk=pk)


def test_coordinator_adds_an_activity_with_htmx(tenant_a, school):
    from schools.programmes.models import RoadmapActivity

    programme = _programme(tenant_a)
    client = client_of(tenant_a, school, Role.COORDINATOR)
    deadline = programme.window[1] - datetime.timedelta(days=10)
    response = client.post(
        "/programme/activities/",
        {
            "stage": "2",
            "title": "Анкетирование родителей",
            "deadline": deadline.isoformat(),
            "status": "planned",
            "responsible_roles": ["curator"],
        },
        **HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#roadmap"
    assert "Анкетирование родителей" in response.content.decode()
    with in_a(tenant_a):
        activity = RoadmapActivity.objects.get(title="Анкетирование родителей")
        assert activity.stage == 2 and activity.responsible_roles == ["curator"]


def test_an_activity_outside_the_programme_year_is_400_and_not_added(tenant_a, school):
    from schools.programmes.models import RoadmapActivity

    programme = _programme(tenant_a)
    client = client_of(tenant_a, school, Role.COORDINATOR)
    data = {
        "stage": "3",
        "title": "Слишком поздно",
        "deadline": (programme.window[1] + datetime.timedelta(days=1)).isoformat(),
        "status": "planned",
    }
    response = client.post("/programme/activities/", data, **HTMX)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_new3_deadline-errors"' in body and "programme" in body
    response = client.post("/programme/activities/", {**data, "title": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert "<html" in body and 'id="id_new3_title-errors"' in body
    with in_a(tenant_a):
        assert not RoadmapActivity.objects.filter(title="Слишком поздно").exists()


def test_edit_reschedule_and_mark_done(tenant_a, school):
    programme = _programme(tenant_a)
    client = client_of(tenant_a, school, Role.COORDINATOR)
    pk = school.ids["roadmapactivity"]
    form = client.get(f"/programme/activities/{pk}/edit/", **HTMX)
    assert form.status_code == 200 and form.content.decode().lstrip().startswith("<tr")
    with in_a(tenant_a):
        before = _activity(pk)
    response = client.post(
        f"/programme/activities/{pk}/edit/",
        {
            "stage": str(before.stage),
            "title": "Новое название",
            "content": "",
            "deadline": before.deadline.isoformat(),
            "status": "in_progress",
        },
        **HTMX,
    )
    assert response.status_code == 200 and response["HX-Retarget"] == "#roadmap"
    new_deadline = programme.window[1] - datetime.timedelta(days=1)
    response = client.post(
        f"/programme/activities/{pk}/reschedule/", {"deadline": new_deadline.isoformat()}, **HTMX
    )
    assert response.status_code == 200
    with in_a(tenant_a):
        activity = _activity(pk)
        assert activity.title == "Новое название" and activity.status == "in_progress"
        assert activity.deadline == new_deadline
    response = client.post(f"/programme/activities/{pk}/done/")
    assert response.status_code == 302 and response["Location"].startswith("/programme/#stage-")
    with in_a(tenant_a):
        activity = _activity(pk)
        assert activity.status == "done" and activity.completed_on == timezone.localdate()


def test_the_reschedule_form_is_loaded_when_opened(tenant_a, school):
    """The roadmap writes no deadline form per activity: «Reschedule» loads it (HTMX GET),
    and without HTMX the same address is the activity's edit page."""
    client = client_of(tenant_a, school, Role.COORDINATOR)
    pk = school.ids["roadmapactivity"]
    with in_a(tenant_a):
        deadline = _activity(pk).deadline
    roadmap = client.get("/programme/").content.decode()
    assert f'hx-get="/programme/activities/{pk}/reschedule/"' in roadmap
    assert 'name="deadline"' not in roadmap
    fragment = client.get(f"/programme/activities/{pk}/reschedule/", **HTMX)
    body = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in body
    assert f'id="id_r{pk}_deadline"' in body and f'value="{deadline.isoformat()}"' in body
    assert f'hx-post="/programme/activities/{pk}/reschedule/"' in body
    page = client.get(f"/programme/activities/{pk}/reschedule/")
    assert page.status_code == 200 and f'id="id_a{pk}_deadline"' in page.content.decode()
    curator = client_of(tenant_a, school, Role.CURATOR)
    assert curator.get(f"/programme/activities/{pk}/reschedule/", **HTMX).status_code in (403, 404)


def test_the_roadmap_writes_one_done_form_and_cuts_summaries_as_truncator(tenant_a, school):
    """«Done» of every row submits the roadmap's one form (its CSRF token written once, the
    activity's address as the button's ``formaction``: the page works without JavaScript), and
    the summary cut in the database (``roadmap_rows``) is the one ``Truncator`` made."""
    from django.utils.text import Truncator

    from schools.programmes import selectors as programme_selectors
    from schools.programmes import services as programme_services
    from schools.programmes import stages

    programme = _programme(tenant_a)
    long_text = "Длинное описание мероприятия. " * 12
    with in_a(tenant_a):
        for title, content in (("Длинное", long_text), ("Короткое", "Коротко."), ("Пустое", "")):
            programme_services.roadmap_activity_create(
                actor=SETUP,
                programme=programme,
                stage=2,
                title=title,
                content=content,
                deadline=programme.window[1],
            )
        programme_services.roadmap_activity_create(
            actor=SETUP,
            programme=programme,
            stage=2,
            title="Сделано",
            deadline=programme.window[1],
            status="done",
            completed_on=timezone.localdate(),
        )
        rows = {r["title"]: r for r in programme_selectors.roadmap_rows(programme=programme)}
        # the stage reports' counts taken from the rows are the database's
        assert stages.activity_counts_of(rows.values()) == stages.activity_counts(
            programme=programme
        )
    assert rows["Длинное"]["summary"] == Truncator(long_text).chars(160)
    assert rows["Короткое"]["summary"] == "Коротко." and rows["Пустое"]["summary"] == ""
    client = client_of(tenant_a, school, Role.COORDINATOR)
    page = client.get("/programme/").content.decode()
    assert page.count('id="roadmap-done"') == 1
    pk = school.ids["roadmapactivity"]
    row = page[page.index(f'id="activity-{pk}"') :]
    row = row[: row.index("</tr>")]
    assert 'form="roadmap-done"' in row and f'formaction="/programme/activities/{pk}/done/"' in row
    assert "csrfmiddlewaretoken" not in row
    assert Truncator(long_text).chars(160) in page
    director = client_of(tenant_a, school, Role.DIRECTOR).get("/programme/").content.decode()
    assert "roadmap-done" not in director


def test_the_consent_badge_tag_writes_what_its_template_wrote():
    """``{% consent_badge %}`` (the lists' rows) and ``school/consent_badge.html``."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from schools.web.labels import consent_labels
    from schools.web.templatetags.web_forms import consent_badge

    for language in ("ru", "en", "ru"):  # each language its own badges
        with translation.override(language):
            for state in [*consent_labels(), "unknown"]:
                context = {"state": state, "consent_labels": consent_labels()}
                expected = render_to_string("school/consent_badge.html", context).strip()
                assert consent_badge(state) == expected, (language, state)


def test_bad_reschedule_is_400_next_to_the_deadline(tenant_a, school):
    programme = _programme(tenant_a)
    client = client_of(tenant_a, school, Role.COORDINATOR)
    pk = school.ids["roadmapactivity"]
    with in_a(tenant_a):
        before = _activity(pk).deadline
    late = (programme.window[1] + datetime.timedelta(days=5)).isoformat()
    response = client.post(f"/programme/activities/{pk}/reschedule/", {"deadline": late}, **HTMX)
    assert response.status_code == 400
    assert f'id="id_r{pk}_deadline-errors"' in response.content.decode()
    response = client.post(f"/programme/activities/{pk}/reschedule/", {"deadline": "31.02.x"})
    assert response.status_code == 400 and f'id="id_a{pk}_deadline-errors"' in (
        response.content.decode()
    )
    with in_a(tenant_a):
        assert _activity(pk).deadline == before


def test_overdue_activities_are_marked_and_only_the_coordinator_edits(tenant_a, school):
    from schools.programmes import services as programme_services

    programme = _programme(tenant_a)
    today = timezone.localdate()
    past = max(programme.window[0], today - datetime.timedelta(days=1))
    if past >= today:
        pytest.skip("the programme's year starts today: no past deadline in it")
    with in_a(tenant_a):
        late = programme_services.roadmap_activity_create(
            actor=SETUP, programme=programme, stage=1, title="Просроченное дело", deadline=past
        )
    page = client_of(tenant_a, school, Role.COORDINATOR).get("/programme/").content.decode()
    row = page[page.index(f'id="activity-{late.pk}"') :]
    row = row[: row.index("</tr>")]
    assert 'data-overdue="1"' in row and "overdue" in row
    assert f"/programme/activities/{late.pk}/done/" in row
    director = client_of(tenant_a, school, Role.DIRECTOR)
    page = director.get("/programme/").content.decode()
    assert "Просроченное дело" in page and "/done/" not in page
    for role in (Role.DIRECTOR, Role.CURATOR):
        client = client_of(tenant_a, school, role)
        assert client.post(f"/programme/activities/{late.pk}/done/").status_code == 403
    with in_a(tenant_a):
        assert _activity(late.pk).status == "planned"


# --- a parent's consents -------------------------------------------------------------------------


def test_parent_sees_own_children_only_with_their_history(tenant_a, school):
    from schools.participants import services as participant_services

    with in_a(tenant_a):
        stranger = participant_services.participant_create(
            last_name="Посторонний", first_name="Ребёнок", category="pupil", actor=SETUP
        )
    client = client_of(tenant_a, school, Role.PARENT)
    page = client.get("/my/consents/").content.decode()
    assert "Смирнов Кирилл" in page and "Посторонний" not in page
    assert "Смирнова Елена" in page  # who signed, from the register
    assert f"/my/consents/{school.ids['child']}/withdraw/" in page
    assert client.get(f"/my/consents/{stranger.pk}/withdraw/").status_code == 404
    assert client.post(f"/my/consents/{stranger.pk}/withdraw/", {}).status_code == 404
    home = client.get("/").content.decode()
    assert 'href="/my/consents/"' in home


def test_withdrawal_needs_confirmation_and_schedules_erasure(tenant_a, school):
    from schools.audit.models import AuditEntry
    from schools.participants.models import Consent, Participant

    client = client_of(tenant_a, school, Role.PARENT)
    child = school.ids["child"]
    page = client.get(f"/my/consents/{child}/withdraw/").content.decode()
    assert 'data-testid="withdrawal-explained"' in page and "30 days" in page
    response = client.post(f"/my/consents/{child}/withdraw/", {"purpose": "personal_data"})
    assert response.status_code == 400
    assert 'id="id_confirm-errors"' in response.content.decode()
    response = client.post(
        f"/my/consents/{child}/withdraw/", {"purpose": "photo_video", "confirm": "on"}
    )
    assert response.status_code == 400  # no photo consent was given: nothing to withdraw
    assert 'id="id_purpose-errors"' in response.content.decode()
    with in_a(tenant_a):
        assert Consent.objects.filter(participant_id=child).count() == 1
    response = client.post(
        f"/my/consents/{child}/withdraw/", {"purpose": "personal_data", "confirm": "on"}
    )
    assert response.status_code == 302 and response["Location"] == "/my/consents/"
    with in_a(tenant_a):
        latest = Consent.objects.filter(participant_id=child).order_by("-pk").first()
        assert latest is not None and latest.kind == "withdrawal"
        assert latest.signed_by == "guardian" and latest.guardian_relation == "mother"
        assert latest.recorded_by_id == school.users[Role.PARENT].pk
        person = Participant.objects.get(pk=child)
        assert person.processing_stopped_at is not None
        assert person.erase_after == timezone.localdate() + datetime.timedelta(days=30)
        assert AuditEntry.objects.filter(
            model_label="participants.consent", object_id=str(latest.pk)
        ).exists()
    page = client.get("/my/consents/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-consent="withdrawn"' in page
    assert f"/my/consents/{child}/withdraw/" not in page  # nothing left to withdraw
    again = client.post(
        f"/my/consents/{child}/withdraw/", {"purpose": "personal_data", "confirm": "on"}
    )
    assert again.status_code == 400


def test_a_parent_cannot_withdraw_for_an_adult_child(tenant_a, school):
    from schools.participants.models import Consent, Guardianship, Participant

    with in_a(tenant_a):
        parent = Participant.objects.get(user=school.users[Role.PARENT])
        grown = builders.person(
            names="Смирнова Ольга",
            born=datetime.date(2000, 1, 1),
            category="alumnus",
            consent=False,
        )
        # Recorded while she was a minor (a new link to an adult is refused: test_guardianships).
        Guardianship.objects.create(parent=parent, child=grown, relation="mother")
        builders.consent(participant=grown, method="electronic")
    client = client_of(tenant_a, school, Role.PARENT)
    page = client.get("/my/consents/").content.decode()
    assert "Смирнова Ольга" in page and f"/my/consents/{grown.pk}/withdraw/" not in page
    response = client.post(
        f"/my/consents/{grown.pk}/withdraw/", {"purpose": "personal_data", "confirm": "on"}
    )
    assert response.status_code == 400
    with in_a(tenant_a):
        assert not Consent.objects.filter(participant=grown, kind="withdrawal").exists()


def test_only_parents_open_the_consents_pages(tenant_a, school):
    mentee = make_user(tenant_a.schema_name, Role.MENTEE, "records-mentee")
    client = page_client(tenant_a.host, mentee, tenant_a.schema_name)
    assert client.get("/my/consents/").status_code == 403
    child = school.ids["child"]  # not the mentee's child: the same 404 as a missing one
    response = client.post(f"/my/consents/{child}/withdraw/", {"purpose": "personal_data"})
    assert response.status_code == 404


def test_the_form_to_add_an_activity_is_made_for_the_stage_asked(tenant_a, school: School):
    """The roadmap renders no add form until a stage's «Add an activity» asks for it (six
    forms on every visit were a third of the page); the stage asked gets it, open."""
    client = client_of(tenant_a, school, Role.COORDINATOR)
    body = client.get("/programme/").content.decode()
    assert 'id="id_new3_title"' not in body and "Add to the roadmap" not in body
    assert 'hx-get="/programme/?add=3"' in body and 'href="/programme/?add=3#stage-3"' in body
    body = client.get("/programme/?add=3", **HTMX).content.decode()
    assert body.count("Add to the roadmap") == 1 and 'id="id_new3_title"' in body
    assert '<details id="new-activity-3" open>' in body
    curator = client_of(tenant_a, school, Role.CURATOR).get("/programme/?add=3")
    assert "Add an activity" not in curator.content.decode()


# ``school/records_field.html`` before its boxes were written by ``{% inline_boxes %}``.
_OLD_RECORDS_FIELD = (
    "{% load i18n %}{# A field of the records forms: a group of checkboxes as a field"
    "set, others as usual. #}\n"
    "{% if field.field.widget.allow_multiple_selected and field.field.widget.input_ty"
    'pe == "checkbox" %}\n'
    '<fieldset class="mb-3"{% if field.errors %} aria-describedby="{{ field.auto_id }'
    '}-errors"{% endif %}>\n'
    '  <legend class="form-label fs-6 mb-1">{{ field.label }}</legend>\n'
    '  {% for box in field %}<div class="form-check form-check-inline">{{ box.tag }}<'
    'label class="form-check-label" for="{{ box.id_for_label }}">{{ box.choice_label '
    "}}</label></div>\n"
    '  {% empty %}<p class="small text-body-secondary mb-0">{% translate "The catalog'
    'ue is empty." %}</p>{% endfor %}\n'
    '  {% if field.help_text %}<div class="form-text">{{ field.help_text }}</div>{% e'
    "ndif %}\n"
    '  {% if field.errors %}<div class="invalid-feedback d-block" id="{{ field.auto_i'
    'd }}-errors" role="alert">{% for e in field.errors %}{{ e }}{% if not forloop.la'
    "st %}<br>{% endif %}{% endfor %}</div>{% endif %}\n"
    "</fieldset>\n"
    '{% else %}{% include "partials/field.html" %}{% endif %}\n'
)


def test_the_records_field_writes_the_boxes_its_template_loop_wrote():
    """The checkboxes of a profile's needs or competences (``{% inline_boxes %}``) are the
    markup of the template loop over ``box.tag``: unbound with initial choices, bound with an
    error (every box ``aria-invalid``), and an empty catalogue."""
    from django.template import engines
    from django.template.loader import render_to_string
    from django.utils import translation

    from schools.web.forms_records import MenteeProfileForm, MentorProfileForm

    old = engines["django"].from_string(_OLD_RECORDS_FIELD)
    tags = [("it", "ИТ & <код>"), ("sci", '"Наука"'), ("art", "Искусство")]
    forms = [
        MentorProfileForm(tags=tags, initial={"competence_codes": ["sci", "art"]}),
        MentorProfileForm({"competence_codes": ["nope"], "capacity": "x"}, tags=tags),
        MentorProfileForm(tags=[]),
        MenteeProfileForm(tags=tags, initial={"need_codes": ["it"]}),
    ]
    for form in forms:
        if form.is_bound:
            assert not form.is_valid()
    written = []
    for language in ("ru", "en"):
        with translation.override(language):
            for form in forms:
                mentor = isinstance(form, MentorProfileForm)
                names = ("competence_codes", "capacity") if mentor else ("need_codes", "request")
                for name in names:
                    context = {"field": form[name]}
                    expected = old.render(context)
                    assert render_to_string("school/records_field.html", context) == expected
                    written.append(expected)
    every = "".join(written)
    assert " checked" in every and 'aria-invalid="true"' in every and "&lt;код&gt;" in every
    assert "The catalogue is empty." in every and "form-check-inline" in every
