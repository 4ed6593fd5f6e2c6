"""Who may change the region's institutions and who oversees them. The one place of the rule
(the services, the API and the pages call it).

- The regional administrator registers institutions (one by one or from a spreadsheet),
  retries a failed provisioning, suspends, archives and re-activates them, and says who acts
  for a municipal education department.
- The regional centre (its administrators and staff) decides the schools' applications.
- A system job (seeding, benchmarks, a command run by the operator) may do all of it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts import roles
from accounts.actor import Actor
from tenants.models import Institution, InstitutionImport, MunicipalAccess, OnboardingApplication


class NotFound(Http404):
    """Missing, or not the actor's to see: the same answer (404) on both doors."""


def may_manage_institutions(actor: Actor) -> bool:
    return actor.is_system or actor.has_role(roles.REGIONAL_ADMIN)


def may_decide_applications(actor: Actor) -> bool:
    return actor.is_system or actor.has_role(roles.REGIONAL)


def check_institutions_manage(actor: Actor) -> None:
    if not may_manage_institutions(actor):
        raise PermissionDenied


def check_applications_decide(actor: Actor) -> None:
    if not may_decide_applications(actor):
        raise PermissionDenied


def overseen_municipality_ids(actor: Actor) -> list[int] | None:
    """The municipalities whose institutions ``actor`` oversees: every one (None) for the
    regional centre and the system, those granted to a municipal account, none otherwise."""
    if actor.is_system or actor.has_role(roles.REGIONAL):
        return None
    if not actor.has_role(roles.MUNICIPAL) or actor.user_id is None:
        return []
    return list(
        MunicipalAccess.objects.filter(
            Q(user_id=actor.user_id) | Q(invitation__user_id=actor.user_id)
        ).values_list("municipality_id", flat=True)
    )


def institutions_visible_to(
    actor: Actor, queryset: QuerySet[Institution] | None = None
) -> QuerySet[Institution]:
    queryset = Institution.objects.all() if queryset is None else queryset
    ids = overseen_municipality_ids(actor)
    return queryset if ids is None else queryset.filter(municipality_id__in=ids)


def applications_visible_to(
    actor: Actor, queryset: QuerySet[OnboardingApplication] | None = None
) -> QuerySet[OnboardingApplication]:
    queryset = OnboardingApplication.objects.all() if queryset is None else queryset
    ids = overseen_municipality_ids(actor)
    return queryset if ids is None else queryset.filter(municipality_id__in=ids)


def _found(queryset: QuerySet[Any], pk: int) -> Any:
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise NotFound
    return found


def access_institution_by_id(
    actor: Actor,
    institution_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[Institution] | None = None,
) -> Institution:
    """An institution the actor oversees (404 otherwise); to change it, the regional
    administrator (403 for another overseer)."""
    institution: Institution = _found(institutions_visible_to(actor, queryset), institution_id)
    if for_write:
        check_institutions_manage(actor)
    return institution


def access_application_by_id(
    actor: Actor,
    application_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[OnboardingApplication] | None = None,
) -> OnboardingApplication:
    """An application the actor oversees (404 otherwise); to decide it, the regional centre."""
    application: OnboardingApplication = _found(
        applications_visible_to(actor, queryset), application_id
    )
    if for_write:
        check_applications_decide(actor)
    return application


def access_municipal_access_by_id(
    actor: Actor,
    access_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[MunicipalAccess] | None = None,
) -> MunicipalAccess:
    """A municipal account's access: the regional administrator's to see and withdraw (404
    for anyone else)."""
    if not may_manage_institutions(actor):
        raise NotFound
    queryset = MunicipalAccess.objects.all() if queryset is None else queryset
    found: MunicipalAccess = _found(queryset, access_id)
    return found


def access_institution_import_by_id(
    actor: Actor,
    import_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[InstitutionImport] | None = None,
) -> InstitutionImport:
    """A spreadsheet import of institutions: the regional administrator's (404 for anyone
    else: the imports are not listed to them)."""
    if not may_manage_institutions(actor):
        raise NotFound
    queryset = InstitutionImport.objects.all() if queryset is None else queryset
    batch: InstitutionImport = _found(queryset, import_id)
    return batch


__all__ = [
    "NotFound",
    "access_application_by_id",
    "access_institution_by_id",
    "access_institution_import_by_id",
    "access_municipal_access_by_id",
    "applications_visible_to",
    "check_applications_decide",
    "check_institutions_manage",
    "institutions_visible_to",
    "may_decide_applications",
    "may_manage_institutions",
    "overseen_municipality_ids",
]
