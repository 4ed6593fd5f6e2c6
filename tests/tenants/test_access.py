"""Who changes the region's institutions, asked of the services themselves (the API, the
pages, the admin and the command line pass their actor): the regional administrator manages
institutions and municipal accounts, the regional centre decides applications, nobody else."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from accounts.actor import Actor, actor_for
from accounts.models import Role
from tenants import access, services
from tenants.models import ApplicationStatus, Institution, InstitutionStatus, Municipality
from tests.conftest import SETUP, make_user


def _actor(role: str) -> Actor:
    return actor_for(make_user("public", role, f"inst-acl-{role}"), schema="public")


def _apply(tenants: Any, slug: str) -> Any:
    return services.application_submit(
        name=f"МБОУ «Школа {slug}»",
        short_name=f"Школа {slug}",
        kind="school",
        municipality_id=tenants.municipality.pk,
        desired_slug=slug,
        applicant_name="Ёлкина Анна Сергеевна",
        applicant_email=f"{slug}@school.ru",
    )


@pytest.mark.parametrize("role", [Role.REGIONAL_STAFF, Role.MUNICIPAL, Role.EMPLOYER])
def test_only_the_regional_administrator_registers_and_changes_institutions(
    role: str, tenants: Any, db: None
) -> None:
    actor = _actor(role)
    with pytest.raises(PermissionDenied):
        services.institution_create(
            name="МБОУ «Школа № 9»",
            short_name="Школа № 9",
            kind="school",
            municipality_id=tenants.municipality.pk,
            slug="acl-nine",
            coordinator_email="nine@school.ru",
            actor=actor,
        )
    assert not Institution.objects.filter(slug="acl-nine").exists()
    with pytest.raises(PermissionDenied):
        services.institution_set_status(
            institution=tenants.a, status=InstitutionStatus.SUSPENDED, actor=actor
        )
    assert Institution.objects.get(pk=tenants.a.pk).status == InstitutionStatus.ACTIVE
    officer = make_user("public", Role.MUNICIPAL, f"inst-acl-officer-{role}")
    with pytest.raises(PermissionDenied):
        services.municipal_access_grant(
            user=officer, municipality_id=tenants.municipality.pk, actor=actor
        )


def test_the_regional_centre_decides_applications_and_a_municipal_account_does_not(
    tenants: Any, db: None
) -> None:
    refused = _apply(tenants, "acl-app-no")
    with pytest.raises(PermissionDenied):
        services.application_approve(application=refused, actor=_actor(Role.MUNICIPAL))
    with pytest.raises(PermissionDenied):
        services.application_reject(
            application=refused, reason="дубль", actor=_actor(Role.EMPLOYER)
        )
    refused.refresh_from_db()
    assert refused.status == ApplicationStatus.PENDING
    approved = services.application_approve(
        application=_apply(tenants, "acl-app-yes"), actor=_actor(Role.REGIONAL_STAFF)
    )
    assert approved.status == ApplicationStatus.APPROVED and approved.institution is not None


def test_provisioning_municipal_accounts_and_imports_are_the_regional_administrators(
    tenants: Any, db: None
) -> None:
    staff = _actor(Role.REGIONAL_STAFF)
    with pytest.raises(PermissionDenied):
        services.institution_retry_provisioning(institution=tenants.a, actor=staff)
    with pytest.raises(PermissionDenied):
        services.municipal_officer_invite(
            municipality_id=tenants.municipality.pk, email="mo@district.ru", actor=staff
        )
    officer = make_user("public", Role.MUNICIPAL, "inst-acl-revoked")
    granted = services.municipal_access_grant(
        user=officer, municipality_id=tenants.municipality.pk, actor=_actor(Role.REGIONAL_ADMIN)
    )
    with pytest.raises(PermissionDenied):
        services.municipal_access_revoke(access=granted, actor=staff)
    with pytest.raises(PermissionDenied):
        services.institutions_import(rows=[], file_name="list.xlsx", actor=staff)


def test_a_municipal_account_reads_its_own_municipalitys_applications_only(
    tenants: Any, client_for: Any, db: None
) -> None:
    """A municipal education department reads the applications to join from its own
    municipality (the access layer and the page alike), not another's; an account granted no
    municipality reads none. The regional centre reads every one."""
    ours = _apply(tenants, "acl-app-ours")
    theirs = services.application_submit(
        name="МБОУ «Школа acl-app-theirs»",
        short_name="Школа acl-app-theirs",
        kind="school",
        municipality_id=Municipality.objects.create(name="Дальний район").pk,
        desired_slug="acl-app-theirs",
        applicant_name="Ёлкина Анна Сергеевна",
        applicant_email="theirs@school.ru",
    )
    officer = make_user("public", Role.MUNICIPAL, "inst-acl-apps-officer")
    services.municipal_access_grant(
        user=officer, municipality_id=tenants.municipality.pk, actor=SETUP
    )
    nobody = make_user("public", Role.MUNICIPAL, "inst-acl-apps-nobody")

    def seen(user: Any) -> set[int]:
        actor = actor_for(user, schema="public")
        return set(access.applications_visible_to(actor).values_list("pk", flat=True))

    assert seen(officer) == {ours.pk}
    assert seen(nobody) == set()
    assert {ours.pk, theirs.pk} <= set(
        access.applications_visible_to(_actor(Role.REGIONAL_STAFF)).values_list("pk", flat=True)
    )
    page = client_for(None, officer).get("/applications/")
    assert page.status_code == 200
    body = page.content.decode()
    assert ours.short_name in body and theirs.short_name not in body
