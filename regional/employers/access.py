"""Who may see and do what with employers, their mentors' offers, the institutions' requests
and the placements. The one place of these rules: the API, the regional pages and the
services call the same functions.

- The regional centre (administrators and staff) sees and manages everything: it adds
  employers and gives a user with the employer role access to one.
- A user with the employer role sees its own employers only (the ones it is a member of), their
  offers, the requests for them and the placements; it writes offers, decides requests and ends
  or cancels placements of its own employers.
- Nobody else (a municipality, an institution's staff through the public host) sees any of it;
  an institution asks for a mentor and withdraws its request in its own schema
  (``tenant_views``), through the services.
- A system job (a task of the placement) may do everything it is asked to."""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from accounts import roles
from accounts.actor import Actor
from regional.employers.models import Employer, EmployerMentor, MentorRequest, Placement
from regional.employers.selectors import employer_mentor_catalogue
from tenants.api import InstitutionRef, current_institution
from tenants.models import Institution


class NotFound(Http404):
    """Missing, or not the actor's to see: the same answer (404) on both doors."""


_Row = TypeVar("_Row", bound=Model)


def _sees_everything(actor: Actor) -> bool:
    return actor.is_system or actor.has_role(roles.REGIONAL)


def _is_employer(actor: Actor) -> bool:
    return actor.has_role(roles.EMPLOYER) and actor.user_id is not None


def _scoped(actor: Actor, queryset: QuerySet[_Row], members: str) -> QuerySet[_Row]:
    if _sees_everything(actor):
        return queryset
    if _is_employer(actor):
        return queryset.filter(**{members: actor.user_id})
    return queryset.none()


def employers_visible_to(
    actor: Actor, queryset: QuerySet[Employer] | None = None
) -> QuerySet[Employer]:
    queryset = Employer.objects.all() if queryset is None else queryset
    return _scoped(actor, queryset, "members")


def employer_mentors_visible_to(
    actor: Actor, queryset: QuerySet[EmployerMentor] | None = None
) -> QuerySet[EmployerMentor]:
    queryset = EmployerMentor.objects.all() if queryset is None else queryset
    return _scoped(actor, queryset, "employer__members")


def mentor_requests_visible_to(
    actor: Actor, queryset: QuerySet[MentorRequest] | None = None
) -> QuerySet[MentorRequest]:
    queryset = MentorRequest.objects.all() if queryset is None else queryset
    return _scoped(actor, queryset, "employer_mentor__employer__members")


def placements_visible_to(
    actor: Actor, queryset: QuerySet[Placement] | None = None
) -> QuerySet[Placement]:
    queryset = Placement.objects.all() if queryset is None else queryset
    return _scoped(actor, queryset, "employer_mentor__employer__members")


def may_manage_employers(actor: Actor) -> bool:
    """Add and change employers and their members: the regional centre."""
    return _sees_everything(actor)


def check_employers_manage(actor: Actor) -> None:
    if not may_manage_employers(actor):
        raise PermissionDenied


def may_act_for_employers(actor: Actor) -> bool:
    """Write offers, decide requests, end placements (of what it sees): the regional centre
    and the employers."""
    return _sees_everything(actor) or _is_employer(actor)


def check_employer_offers_write(actor: Actor, employer: Employer) -> None:
    """Write an employer's offers (its specialists as mentors): the regional centre, or a
    member of that employer (another employer's member: ``NotFound``, as on both doors)."""
    if _sees_everything(actor):
        return
    if not _is_employer(actor):
        raise PermissionDenied
    if not employers_visible_to(actor).filter(pk=employer.pk).exists():
        raise NotFound


def _found(queryset: QuerySet[_Row], pk: int, actor: Actor, for_write: bool) -> _Row:
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise NotFound
    if for_write and not may_act_for_employers(actor):
        raise PermissionDenied
    return found


def check_request_create(actor: Actor, institution: Institution) -> None:
    """An institution asks for an employer's mentor: its coordinator or a curator, acting in
    the institution's own schema (a system job too)."""
    if actor.is_system:
        return
    if not actor.has_role(roles.COORDINATION_AND_CURATORS):
        raise PermissionDenied
    if institution.schema_name != actor.schema:
        raise PermissionDenied


def check_request_withdraw(actor: Actor, mentor_request: MentorRequest) -> None:
    """An institution withdraws its own pending request: its coordinator or a curator, acting
    in the institution's own schema (``NotFound`` for another institution's request)."""
    if actor.is_system:
        return
    if not actor.has_role(roles.COORDINATION_AND_CURATORS):
        raise PermissionDenied
    schema = (
        Institution.objects.filter(pk=mentor_request.institution_id)
        .values_list("schema_name", flat=True)
        .first()
    )
    if schema != actor.schema:
        raise NotFound


def access_employer_mentor_by_id(
    actor: Actor,
    mentor_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[EmployerMentor] | None = None,
) -> EmployerMentor:
    return _found(employer_mentors_visible_to(actor, queryset), mentor_id, actor, for_write)


def access_mentor_request_by_id(
    actor: Actor,
    request_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[MentorRequest] | None = None,
) -> MentorRequest:
    return _found(mentor_requests_visible_to(actor, queryset), request_id, actor, for_write)


def access_placement_by_id(
    actor: Actor,
    placement_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[Placement] | None = None,
) -> Placement:
    return _found(placements_visible_to(actor, queryset), placement_id, actor, for_write)


# --- an institution's side: the catalogue it requests from, its own requests ----------------


def _actor_institution(actor: Actor) -> InstitutionRef | None:
    """The institution whose staff the actor is (its schema is the connection's), or None."""
    if not actor.has_role(roles.STAFF):
        return None
    institution = current_institution()
    if institution is None or institution.schema_name != actor.schema:
        return None
    return institution


def requestable_mentors_visible_to(
    actor: Actor,
    queryset: QuerySet[EmployerMentor] | None = None,
    *,
    competence: str | None = None,
    form: str | None = None,
    municipality_id: int | None = None,
    with_free_capacity: bool = False,
) -> QuerySet[EmployerMentor]:
    """The mentors an institution's staff may look at to request: its catalogue (active,
    available today, reaching its municipality — or the one searched for — or remote; full
    ones included unless ``with_free_capacity``). The search's filters only narrow it; both
    doors (the API's catalogue and the catalogue page) read it here."""
    queryset = EmployerMentor.objects.all() if queryset is None else queryset
    institution = _actor_institution(actor)
    if institution is None:
        return queryset.none()
    return employer_mentor_catalogue(
        mentors=queryset,
        home_municipality_id=institution.municipality_id,
        competence=competence,
        form=form,
        municipality_id=municipality_id,
        with_free_capacity=with_free_capacity,
    )


def access_requestable_mentor_by_id(
    actor: Actor,
    mentor_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[EmployerMentor] | None = None,
) -> EmployerMentor:
    """A mentor of the actor's institution's catalogue, or ``NotFound``; for a write (request
    the mentor) ``PermissionDenied`` unless the actor is its coordinator or a curator."""
    found = requestable_mentors_visible_to(actor, queryset).filter(pk=mentor_id).first()
    if found is None:
        raise NotFound
    if for_write and not actor.has_role(roles.COORDINATION_AND_CURATORS):
        raise PermissionDenied
    return found


def institution_requests_visible_to(
    actor: Actor, queryset: QuerySet[MentorRequest] | None = None
) -> QuerySet[MentorRequest]:
    """An institution's staff see its own requests only (another's is "not found")."""
    queryset = MentorRequest.objects.all() if queryset is None else queryset
    institution = _actor_institution(actor)
    return (
        queryset.none() if institution is None else queryset.filter(institution_id=institution.id)
    )


def access_institution_request_by_id(
    actor: Actor,
    request_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[MentorRequest] | None = None,
) -> MentorRequest:
    """One of the actor's institution's requests, or ``NotFound``; for a write (withdraw it)
    ``check_request_withdraw``."""
    found = institution_requests_visible_to(actor, queryset).filter(pk=request_id).first()
    if found is None:
        raise NotFound
    if for_write:
        check_request_withdraw(actor, found)
    return found


__all__ = [
    "NotFound",
    "access_employer_mentor_by_id",
    "access_institution_request_by_id",
    "access_mentor_request_by_id",
    "access_placement_by_id",
    "access_requestable_mentor_by_id",
    "check_employer_offers_write",
    "check_employers_manage",
    "check_request_create",
    "check_request_withdraw",
    "employer_mentors_visible_to",
    "employers_visible_to",
    "institution_requests_visible_to",
    "may_act_for_employers",
    "may_manage_employers",
    "mentor_requests_visible_to",
    "placements_visible_to",
    "requestable_mentors_visible_to",
]
