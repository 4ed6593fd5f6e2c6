"""The regional audit: every write of the public schema records who did what to which object
in the same transaction (a refused write leaves no entry), users of an institution appear by
role and institution (never as a public user's id), and regional administrators read the log
on a page with filters."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.actor import actor_for
from accounts.models import Role
from regional.employers import services as employers
from regional.kpis import metrics
from regional.kpis import services as kpis
from regional.privacy import api as privacy
from regional.privacy.models import RegionSettings
from regional.questionnaires import services as templates
from tenants import services
from tenants.models import InstitutionStatus, PublicAuditEntry
from tests.conftest import make_user
from tests.regional.employers.conftest import create_employer, create_mentor
from tests.web.conftest import page_client

pytestmark = pytest.mark.django_db

HOST = "nastavnik.test"


def entries(instance: Any) -> list[PublicAuditEntry]:
    return list(
        PublicAuditEntry.objects.filter(
            model_label=instance._meta.label_lower, object_id=str(instance.pk)
        ).order_by("id")
    )


@pytest.fixture
def admin(db: None) -> Any:
    return make_user("public", Role.REGIONAL_ADMIN, "audit-admin")


def test_lifecycle_is_recorded_with_its_actor_and_a_refused_change_leaves_nothing(
    tenant_a: Any, admin: Any
) -> None:
    before = len(entries(tenant_a))
    services.institution_set_status(
        institution=tenant_a,
        status=InstitutionStatus.SUSPENDED,
        reason="проверка",
        actor=actor_for(admin),
    )
    entry = entries(tenant_a)[-1]
    assert (entry.actor, entry.actor_label, entry.action) == (admin, "audit-admin", "status")
    assert entry.values == {"status": "suspended"}  # the reason is free text: only "changed"
    assert entry.changed_fields == ["status", "status_reason"]
    assert entry.object_repr == tenant_a.short_name
    with pytest.raises(ValidationError):  # suspended → suspended is not a transition
        services.institution_set_status(
            institution=tenant_a, status=InstitutionStatus.SUSPENDED, actor=actor_for(admin)
        )
    assert len(entries(tenant_a)) == before + 1


def test_onboarding_decisions_create_the_institution_in_the_log(tenants: Any, admin: Any) -> None:
    def apply(slug: str) -> Any:
        return services.application_submit(
            name=f"МБОУ {slug}",
            short_name=f"Школа {slug}",
            kind="school",
            municipality_id=tenants.municipality.pk,
            desired_slug=slug,
            applicant_name="Иванова Анна Сергеевна",
            applicant_email=f"{slug}@school.ru",
        )

    approved = services.application_approve(application=apply("audit-yes"), actor=actor_for(admin))
    rejected = services.application_reject(
        application=apply("audit-no"), reason="дубль", actor=actor_for(admin)
    )
    assert [e.action for e in entries(approved)] == ["create", "approve"]
    assert [e.actor for e in entries(approved)] == [None, admin]  # the applicant is anonymous
    assert [e.action for e in entries(rejected)] == ["create", "reject"]
    assert approved.institution is not None
    (created,) = entries(approved.institution)
    assert (created.action, created.actor) == ("create", admin)
    # the applicant's name and e-mail never reach the log
    text = str(
        [(e.values, e.object_repr, e.changed_fields) for e in PublicAuditEntry.objects.all()]
    )
    assert "Иванова" not in text and "@school.ru" not in text


def test_placements_template_publication_k_and_period_close_are_recorded(
    tenants: Any, admin: Any
) -> None:
    employer = create_employer()
    mentor = create_mentor(employer, municipalities=[tenants.municipality.pk])
    from regional.employers.models import MentorRequest

    request = MentorRequest.objects.create(
        institution=tenants.a,
        employer_mentor=mentor,
        form="employer_pupil",
        mentees_count=1,
        level="grade-7",
        need_code="career",
        need_name="Профориентация",
        topic="Профориентация · 7 класс",
        requested_by_id=1,
        requested_by_role=Role.COORDINATOR,
    )
    placement = employers.mentor_request_approve(mentor_request=request, actor=actor_for(admin))
    employers.placement_end(placement=placement, actor=actor_for(admin))
    assert [e.action for e in entries(request)] == ["approve"]
    assert [(e.action, e.actor) for e in entries(placement)] == [
        ("create", admin),
        ("end", admin),
    ]
    assert entries(placement)[-1].values == {
        "ended_on": str(timezone.localdate()),
        "status": "ended",
    }

    template = templates.template_create(
        code="audit-t",
        title="Анкета",
        purpose="satisfaction",
        target_roles=["mentee"],
        actor=actor_for(admin),
    )
    version = template.versions.get()
    templates.question_add(
        version=version, actor=actor_for(admin), code="q1", text="Нравится?", kind="yes_no"
    )
    templates.version_publish(version=version, actor=actor_for(admin))
    (published,) = entries(version)
    assert (published.action, published.object_repr) == ("publish", "audit-t v1")

    assert privacy.region_settings_update(min_group_size=7, actor=actor_for(admin)) == 7
    row = RegionSettings.objects.get(pk=1)
    assert entries(row)[-1].object_repr.endswith("→ 7") and entries(row)[-1].actor == admin

    period = (timezone.localdate() - datetime.timedelta(days=40)).strftime("%Y-%m")
    kpis.snapshot_record(
        run_id=None,
        period=period,
        institution_id=tenants.a.pk,
        academic_year=metrics.academic_year_of(metrics.period_date(period)),
        values={"headcount_learners": 10},
    )
    closed = kpis.period_close(period=period, actor=actor_for(admin))
    assert [(e.action, e.object_repr) for e in entries(closed)] == [("close", period)]


def test_an_institution_user_is_logged_by_role_and_institution_not_by_id(
    tenants: Any, client_for: Any
) -> None:
    """A coordinator of A acts from A's host: the public log keeps "Coordinator · A", with no
    link to a public user (their id in A's schema means someone else, or nobody, here)."""
    coordinator = make_user(tenants.a.schema_name, Role.COORDINATOR, "audit-coord")
    mentor = create_mentor(create_employer(), municipalities=[tenants.municipality.pk])
    school = client_for(tenants.a, coordinator)
    made = school.post(
        "/api/v1/mentor-requests/",
        {
            "employer_mentor": mentor.pk,
            "form": "employer_pupil",
            "mentees_count": 1,
            "level": "grade-7",
            "need_code": "career_guidance",
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    assert school.post(f"/api/v1/mentor-requests/{made.json()['id']}/cancel/").status_code == 200
    entry = PublicAuditEntry.objects.get(model_label="employers.mentorrequest", action="cancel")
    assert entry.actor is None
    assert entry.actor_label.endswith(f"· {tenants.a.short_name}")


def test_the_audit_page_filters_by_actor_action_and_day(tenant_a: Any, admin: Any) -> None:
    other = make_user("public", Role.REGIONAL_ADMIN, "audit-other")
    services.institution_set_status(
        institution=tenant_a, status=InstitutionStatus.SUSPENDED, actor=actor_for(admin)
    )
    services.institution_set_status(
        institution=tenant_a, status=InstitutionStatus.ACTIVE, actor=actor_for(other)
    )
    privacy.region_settings_update(min_group_size=6, actor=actor_for(other))
    client = page_client(HOST, admin, "public", "en")

    def rows(query: str) -> list[str]:
        response = client.get(f"/audit/?{query}")
        assert response.status_code == 200
        body = response.content.decode()
        table = body.split('data-testid="audit-entries"')[1].split("</table>")[0]
        return re.findall(r"<tr>\s*<td class=\"text-nowrap\">.*?</tr>", table, flags=re.S)

    by_other = rows("actor=audit-other")
    assert len(by_other) == 2 and all("audit-other" in r for r in by_other)
    statuses = rows("actor=audit-other&action=status")
    assert len(statuses) == 1 and tenant_a.short_name in statuses[0]
    today = timezone.localdate().isoformat()
    assert len(rows(f"actor=audit-admin&since={today}&until={today}")) == 1
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert rows(f"actor=audit-admin&since={tomorrow}") == []
    refused = client.get(f"/audit/?since={tomorrow}&until={today}")
    assert refused.status_code == 400
    assert re.search(r'id="id_until-errors"[^>]*>[^<]*before its start', refused.content.decode())


def test_only_regional_administrators_open_the_audit_and_settings(db: None) -> None:
    staff = page_client(HOST, make_user("public", Role.REGIONAL_STAFF, "audit-staff"), "public")
    assert staff.get("/audit/").status_code == 403
    assert staff.get("/settings/").status_code == 403
    assert staff.post("/settings/", {"min_group_size": 9}).status_code == 403
    assert privacy.min_group_size() != 9


def test_k_is_changed_on_the_settings_page_never_below_the_floor(admin: Any) -> None:
    client = page_client(HOST, admin, "public", "en")
    low = client.post("/settings/", {"min_group_size": privacy.MIN_GROUP_SIZE_FLOOR - 1})
    assert low.status_code == 400
    assert re.search(r'id="id_min_group_size-errors"', low.content.decode())
    saved = client.post("/settings/", {"min_group_size": 8}, follow=True)
    assert saved.status_code == 200 and privacy.min_group_size() == 8
    entry = PublicAuditEntry.objects.filter(model_label="privacy.regionsettings").latest("id")
    assert (entry.actor, entry.values) == (admin, {"min_group_size": 8})


def test_the_institution_page_changes_the_status_and_shows_its_history(
    tenant_a: Any, admin: Any
) -> None:
    client = page_client(HOST, admin, "public", "en")
    page = client.get(f"/institutions/{tenant_a.pk}/")
    assert 'data-testid="lifecycle-form"' in page.content.decode()
    wrong = client.post(f"/institutions/{tenant_a.pk}/lifecycle/", {"status": "active"})
    assert wrong.status_code == 400
    assert re.search(r'id="id_status-errors"[^>]*>[^<]*Cannot change', wrong.content.decode())
    done = client.post(
        f"/institutions/{tenant_a.pk}/lifecycle/",
        {"status": "archived", "reason": "Реорганизация"},
        follow=True,
    )
    body = done.content.decode()
    assert "Archived" in body and "audit-admin" in body and "Реорганизация" in body
    tenant_a.refresh_from_db()
    assert tenant_a.status == InstitutionStatus.ARCHIVED
    staff = page_client(HOST, make_user("public", Role.REGIONAL_STAFF, "audit-st2"), "public")
    assert (
        'data-testid="lifecycle-form"'
        not in staff.get(f"/institutions/{tenant_a.pk}/").content.decode()
    )
    assert (
        staff.post(f"/institutions/{tenant_a.pk}/lifecycle/", {"status": "active"}).status_code
        == 403
    )
