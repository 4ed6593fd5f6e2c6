"""Writes on employers, their mentors, institutions' requests and placements.

Capacity is a race-safe counter: ``EmployerMentor.capacity_used`` changes only through a
conditional ``UPDATE ... WHERE capacity_used + n <= capacity`` (or ``>= n`` when returning it),
and CHECK constraints stand behind it. Many institutions may ask for the same mentor at once;
the database, not a read-then-write in Python, decides who gets the last place."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from accounts.actor import Actor
from accounts.models import Role, User
from config.tasks import enqueue_on_commit
from config.validators import is_valid_inn
from regional.employers import access
from regional.employers.mentoring_forms import MENTORING_FORM_CODES
from regional.employers.models import (
    LEVEL_CHOICES,
    Employer,
    EmployerMentor,
    MentorRequest,
    MentorStatus,
    Placement,
    PlacementStatus,
    RequestStatus,
)
from schools.participants import api as participants
from tenants.api import PublicAuditAction, public_audit_record
from tenants.models import Institution, Municipality

logger = logging.getLogger(__name__)


class CapacityExhausted(Exception):
    """The mentor has fewer free places than the request needs; nothing was changed."""

    def __init__(self, *, capacity_free: int, requested: int) -> None:
        self.capacity_free = capacity_free
        self.requested = requested
        super().__init__(
            _("Capacity exhausted: the mentor has %(free)d free place(s), %(requested)d requested.")
            % {"free": capacity_free, "requested": requested}
        )


# --- employers ---------------------------------------------------------------------------

# Who writes in an institution's schema when a placement starts or ends: the placement's own
# job (the specialist joins or leaves the institution's mentor base), not a user of the school.
PLACEMENT_ACTOR = Actor.system("employers.placement")

EMPLOYER_FIELDS = ("name", "inn", "sector", "contact_email", "contact_phone")


def _validate_employer(*, inn: str, exclude_pk: int | None = None) -> None:
    if not is_valid_inn(inn):
        raise ValidationError(
            {"inn": [_("INN must be 10 or 12 digits with correct check digits.")]}
        )
    others = Employer.objects.filter(inn=inn)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ValidationError({"inn": [_("An employer with this INN is already registered.")]})


@transaction.atomic
def employer_create(
    *,
    name: str,
    inn: str,
    sector: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    actor: Actor,
) -> Employer:
    access.check_employers_manage(actor)
    _validate_employer(inn=inn)
    employer = Employer.objects.create(
        name=name,
        inn=inn,
        sector=sector,
        contact_email=contact_email,
        contact_phone=contact_phone,
    )
    public_audit_record(
        actor=actor,
        action=PublicAuditAction.CREATE,
        instance=employer,
        changed_fields=["name", "inn", "sector"],
        label=employer.name,
    )
    return employer


@transaction.atomic
def employer_update(*, employer: Employer, actor: Actor, **fields: Any) -> Employer:
    access.check_employers_manage(actor)
    unknown = set(fields) - set(EMPLOYER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown employer fields: {sorted(unknown)}")
    if "inn" in fields:
        _validate_employer(inn=fields["inn"], exclude_pk=employer.pk)
    for name, value in fields.items():
        setattr(employer, name, value)
    employer.save()
    public_audit_record(
        actor=actor,
        action=PublicAuditAction.UPDATE,
        instance=employer,
        changed_fields=fields,
        label=employer.name,
    )
    return employer


@transaction.atomic
def employer_member_add(*, employer: Employer, user: User, actor: Actor) -> Employer:
    """Give a public user with the employer role access to this employer (the regional
    centre decides who acts for an employer)."""
    access.check_employers_manage(actor)
    if user.role != Role.EMPLOYER:
        raise ValidationError({"user": [_("Only users with the employer role can be added.")]})
    employer.members.add(user)
    public_audit_record(
        actor=actor,
        action=PublicAuditAction.UPDATE,
        instance=employer,
        changed_fields=["members"],
        label=employer.name,
    )
    return employer


# --- mentors -----------------------------------------------------------------------------

MENTOR_FIELDS = (
    "last_name",
    "first_name",
    "middle_name",
    "position",
    "bio",
    "competences",
    "forms",
    "remote",
    "capacity",
    "status",
    "available_from",
    "available_to",
    "contact_email",
)


def _clean_competences(values: Iterable[str]) -> list[str]:
    """Trimmed, case-folded for comparison, first spelling kept, order kept."""
    seen: set[str] = set()
    cleaned: list[str] = []
    for value in values:
        text = " ".join(str(value).split())
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            cleaned.append(text)
    return cleaned


def _validate_mentor_fields(fields: dict[str, Any], *, mentor: EmployerMentor | None) -> None:
    errors: dict[str, list[str]] = {}
    if "forms" in fields:
        forms = fields["forms"]
        if not forms:
            errors["forms"] = [_("Choose at least one form of mentoring.")]
        elif set(forms) - MENTORING_FORM_CODES:
            errors["forms"] = [_("Unknown form of mentoring.")]
    if "capacity" in fields and (fields["capacity"] is None or fields["capacity"] < 1):
        errors["capacity"] = [_("Capacity must be at least 1 mentee.")]
    if "status" in fields and fields["status"] not in MentorStatus.values:
        errors["status"] = [_("Unknown status.")]
    start = fields.get("available_from", mentor.available_from if mentor else None)
    end = fields.get("available_to", mentor.available_to if mentor else None)
    if start and end and start > end:
        errors["available_to"] = [_("The end of availability is before its start.")]
    if errors:
        raise ValidationError(errors)


def _set_municipalities(mentor: EmployerMentor, municipality_ids: Iterable[int]) -> None:
    ids = set(municipality_ids)
    found = list(Municipality.objects.filter(pk__in=ids))
    if len(found) != len(ids):
        raise ValidationError({"municipalities": [_("Unknown municipality.")]})
    mentor.municipalities.set(found)


# What the audit records of an offer's change: its terms, never the specialist's name,
# contacts or biography.
OFFER_AUDITED_FIELDS = frozenset(
    {
        "position",
        "competences",
        "forms",
        "remote",
        "capacity",
        "status",
        "available_from",
        "available_to",
    }
)


def _offer_label(mentor: EmployerMentor) -> str:
    """An offer in the audit: its employer and number, no specialist's name."""
    return f"{mentor.employer.name}: #{mentor.pk}"


@transaction.atomic
def employer_mentor_create(
    *, employer: Employer, actor: Actor, municipalities: Iterable[int] = (), **fields: Any
) -> EmployerMentor:
    """An employer's specialist offered as a mentor: by the regional centre or the employer."""
    access.check_employer_offers_write(actor, employer)
    unknown = set(fields) - set(MENTOR_FIELDS)
    if unknown:
        raise TypeError(f"Unknown mentor fields: {sorted(unknown)}")
    if "competences" in fields:
        fields["competences"] = _clean_competences(fields["competences"])
    fields.setdefault("forms", [])
    _validate_mentor_fields(fields, mentor=None)
    mentor = EmployerMentor.objects.create(employer=employer, **fields)
    _set_municipalities(mentor, municipalities)
    public_audit_record(
        actor=actor,
        action=PublicAuditAction.CREATE,
        instance=mentor,
        changed_fields=["status", "capacity", "forms", "remote"],
        label=_offer_label(mentor),
    )
    return mentor


@transaction.atomic
def employer_mentor_update(
    *,
    mentor: EmployerMentor,
    actor: Actor,
    municipalities: Iterable[int] | None = None,
    **fields: Any,
) -> EmployerMentor:
    """Edit a mentor's offer (the regional centre or the mentor's employer). Lowering the
    capacity below the places already held is refused, with the same conditional UPDATE that
    placements use, so a concurrent approval cannot slip in between the check and the write."""
    access.access_employer_mentor_by_id(actor, mentor.pk, for_write=True)
    audited = sorted(set(fields) & OFFER_AUDITED_FIELDS)
    unknown = set(fields) - set(MENTOR_FIELDS)
    if unknown:
        raise TypeError(f"Unknown mentor fields: {sorted(unknown)}")
    if "competences" in fields:
        fields["competences"] = _clean_competences(fields["competences"])
    _validate_mentor_fields(fields, mentor=mentor)
    capacity = fields.pop("capacity", None)
    if capacity is not None:
        changed = EmployerMentor.objects.filter(pk=mentor.pk, capacity_used__lte=capacity).update(
            capacity=capacity, updated_at=timezone.now()
        )
        if not changed:
            used = EmployerMentor.objects.values_list("capacity_used", flat=True).get(pk=mentor.pk)
            raise ValidationError(
                {
                    "capacity": [
                        _("Capacity cannot be below the %(used)d mentee(s) already placed.")
                        % {"used": used}
                    ]
                }
            )
    if fields:
        # capacity and capacity_used are never written from a stale in-memory copy
        EmployerMentor.objects.filter(pk=mentor.pk).update(**fields, updated_at=timezone.now())
    if municipalities is not None:
        _set_municipalities(mentor, municipalities)
    mentor.refresh_from_db()
    public_audit_record(
        actor=actor,
        action=PublicAuditAction.UPDATE,
        instance=mentor,
        changed_fields=audited,
        label=_offer_label(mentor),
    )
    return mentor


# --- requests ----------------------------------------------------------------------------


def _mentor_available_on(mentor: EmployerMentor, day: datetime.date) -> bool:
    return (
        mentor.status == MentorStatus.ACTIVE
        and (mentor.available_from is None or mentor.available_from <= day)
        and (mentor.available_to is None or day <= mentor.available_to)
    )


def _institution_needs(institution: Institution) -> dict[str, str]:
    """The institution's need catalogue (code → name), read in its own schema."""
    with schema_context(institution.schema_name):
        return participants.need_tag_codes()


@transaction.atomic
def mentor_request_create(
    *,
    institution: Institution,
    employer_mentor_id: int,
    form: str,
    mentees_count: int,
    level: str,
    need_code: str,
    actor: Actor,
) -> MentorRequest:
    """An institution asks for a mentor (the need is one of its catalogue's). Capacity is
    not held yet (approval holds it), but a request that cannot fit the mentor's free places
    right now is refused at once. No free text is taken: the request says who the mentees are
    by form, grade or course, need and number. Asked by the institution's coordinator or a
    curator (``access``), recorded by id and role (no name leaves the institution)."""
    access.check_request_create(actor, institution)
    mentor = EmployerMentor.objects.filter(pk=employer_mentor_id).first()
    if mentor is None or not _mentor_available_on(mentor, timezone.localdate()):
        raise ValidationError(
            {"employer_mentor": [_("This mentor is not available for requests.")]}
        )
    errors: dict[str, list[str]] = {}
    if form not in mentor.forms:
        errors["form"] = [_("This mentor does not work in this form of mentoring.")]
    if (
        not mentor.remote
        and not mentor.municipalities.filter(pk=institution.municipality_id).exists()
    ):
        errors["employer_mentor"] = [_("This mentor does not reach your municipality.")]
    if mentees_count < 1:
        errors["mentees_count"] = [_("Request at least one mentee.")]
    elif mentees_count > mentor.capacity_free:
        errors["mentees_count"] = [
            _("The mentor has only %(free)d free place(s).") % {"free": mentor.capacity_free}
        ]
    if level not in dict(LEVEL_CHOICES):
        errors["level"] = [_("Choose the grade or course of the mentees.")]
    needs = _institution_needs(institution)
    if need_code not in needs:
        errors["need_code"] = [_("Choose what the mentees need from the catalogue.")]
    if errors:
        raise ValidationError(errors)
    level_label = str(dict(LEVEL_CHOICES)[level])
    return MentorRequest.objects.create(
        institution=institution,
        employer_mentor=mentor,
        form=form,
        mentees_count=mentees_count,
        level=level,
        need_code=need_code,
        need_name=needs[need_code],
        topic=f"{needs[need_code]} · {level_label}",
        requested_by_id=actor.audit_user_id or 0,
        requested_by_role=actor.role,
    )


DECISION_ACTIONS = {
    RequestStatus.APPROVED: PublicAuditAction.APPROVE,
    RequestStatus.REJECTED: PublicAuditAction.REJECT,
    RequestStatus.CANCELLED: PublicAuditAction.CANCEL,
}


def _decide(
    *,
    mentor_request_id: int,
    status: str,
    decided_by_id: int | None,
    reason: str = "",
    actor: Actor,
) -> MentorRequest:
    """Move a pending request to ``status`` (audited); a request decided already is refused."""
    changed = MentorRequest.objects.filter(
        pk=mentor_request_id, status=RequestStatus.PENDING
    ).update(
        status=status,
        decided_by_id=decided_by_id,
        decision_reason=reason,
        decided_at=timezone.now(),
        updated_at=timezone.now(),
    )
    if not changed:
        raise ValidationError({"status": [_("This request has already been decided.")]})
    decided = MentorRequest.objects.get(pk=mentor_request_id)
    public_audit_record(
        actor=actor,
        action=DECISION_ACTIONS[RequestStatus(status)],
        instance=decided,
        changed_fields=["status", "decision_reason"] if reason else ["status"],
        label=f"#{decided.pk}",
    )
    return decided


@transaction.atomic
def mentor_request_cancel(*, mentor_request: MentorRequest, actor: Actor) -> MentorRequest:
    """The institution withdraws its pending request (``access.check_request_withdraw``)."""
    access.check_request_withdraw(actor, mentor_request)
    return _decide(
        mentor_request_id=mentor_request.pk,
        status=RequestStatus.CANCELLED,
        decided_by_id=None,
        actor=actor,
    )


@transaction.atomic
def mentor_request_reject(
    *, mentor_request: MentorRequest, actor: Actor, reason: str = ""
) -> MentorRequest:
    """Decline a pending request: the regional centre, or the employer of the mentor."""
    access.access_mentor_request_by_id(actor, mentor_request.pk, for_write=True)
    return _decide(
        mentor_request_id=mentor_request.pk,
        status=RequestStatus.REJECTED,
        decided_by_id=actor.audit_user_id,
        reason=reason,
        actor=actor,
    )


@transaction.atomic
def mentor_request_approve(*, mentor_request: MentorRequest, actor: Actor) -> Placement:
    """Approve a pending request: hold the mentor's capacity and open a placement. The
    regional centre, or the employer of the mentor.

    The capacity is taken with one conditional UPDATE; if it matches no row the mentor has
    no room and ``CapacityExhausted`` is raised with nothing changed (the request stays
    pending). Once committed, a task creates the mentor's invitation in the institution."""
    from regional.employers.tasks import placement_tenant_account_create

    access.access_mentor_request_by_id(actor, mentor_request.pk, for_write=True)
    request = MentorRequest.objects.select_for_update().get(pk=mentor_request.pk)
    if request.status != RequestStatus.PENDING:
        raise ValidationError({"status": [_("This request has already been decided.")]})
    mentor = EmployerMentor.objects.get(pk=request.employer_mentor_id)
    if mentor.status != MentorStatus.ACTIVE:
        raise ValidationError({"employer_mentor": [_("This mentor is paused.")]})
    n = request.mentees_count
    taken = EmployerMentor.objects.filter(
        pk=mentor.pk, capacity_used__lte=F("capacity") - n
    ).update(capacity_used=F("capacity_used") + n, updated_at=timezone.now())
    if not taken:
        free = EmployerMentor.objects.filter(pk=mentor.pk).values_list(
            F("capacity") - F("capacity_used"), flat=True
        )
        raise CapacityExhausted(capacity_free=max(free[0], 0), requested=n)
    _decide(
        mentor_request_id=request.pk,
        status=RequestStatus.APPROVED,
        decided_by_id=actor.audit_user_id,
        actor=actor,
    )
    placement = Placement.objects.create(
        request=request,
        employer_mentor=mentor,
        institution_id=request.institution_id,
        mentees_count=n,
        started_on=timezone.localdate(),
    )
    public_audit_record(
        actor=actor,
        action=PublicAuditAction.CREATE,
        instance=placement,
        changed_fields=["institution", "mentees_count", "started_on", "status"],
        label=f"#{placement.pk}",
    )
    institution = Institution.objects.get(pk=request.institution_id)
    enqueue_on_commit(
        placement_tenant_account_create,
        schema_name=institution.schema_name,
        placement_id=placement.pk,
    )
    return placement


# --- placements --------------------------------------------------------------------------


def _close_placement(*, placement: Placement, status: str, actor: Actor) -> Placement:
    """End or cancel an active placement and give its places back to the mentor: the regional
    centre, or the employer of the mentor."""
    access.access_placement_by_id(actor, placement.pk, for_write=True)
    closed = Placement.objects.filter(pk=placement.pk, status=PlacementStatus.ACTIVE).update(
        status=status, ended_on=timezone.localdate(), updated_at=timezone.now()
    )
    if not closed:
        raise ValidationError({"status": [_("This placement is no longer active.")]})
    n = placement.mentees_count
    returned = EmployerMentor.objects.filter(
        pk=placement.employer_mentor_id, capacity_used__gte=n
    ).update(capacity_used=F("capacity_used") - n, updated_at=timezone.now())
    if not returned:  # pragma: no cover - the counter and the placements disagree
        raise RuntimeError(f"Mentor {placement.employer_mentor_id} holds fewer places than {n}")
    from regional.employers.tasks import placement_tenant_capacity_sync

    # The specialist's mentor capacity inside the institution follows what is still placed there.
    institution = Institution.objects.get(pk=placement.institution_id)
    enqueue_on_commit(
        placement_tenant_capacity_sync,
        schema_name=institution.schema_name,
        placement_id=placement.pk,
    )
    closed_placement = Placement.objects.get(pk=placement.pk)
    public_audit_record(
        actor=actor,
        action=(
            PublicAuditAction.CANCEL
            if status == PlacementStatus.CANCELLED
            else PublicAuditAction.END
        ),
        instance=closed_placement,
        changed_fields=["status", "ended_on"],
        label=f"#{closed_placement.pk}",
    )
    return closed_placement


@transaction.atomic
def placement_end(*, placement: Placement, actor: Actor) -> Placement:
    return _close_placement(placement=placement, status=PlacementStatus.ENDED, actor=actor)


@transaction.atomic
def placement_cancel(*, placement: Placement, actor: Actor) -> Placement:
    return _close_placement(placement=placement, status=PlacementStatus.CANCELLED, actor=actor)


# --- the mentor's account inside the institution -------------------------------------------


@transaction.atomic
def placement_tenant_account_create(*, placement_id: int, schema_name: str) -> bool:
    """In the institution's schema (the active one), invite the placed mentor with the role
    mentor and record them as a participant of category employer_specialist with a mentor
    profile.

    Idempotent: the placement row is locked and ``tenant_account_created_at`` is set in the
    same transaction as the tenant-side rows, so a retry finds the flag and does nothing.
    Returns True if the account was created now."""
    from accounts.api import invitation_create
    from accounts.models import Invitation

    placement = (
        Placement.objects.select_for_update()
        .select_related("employer_mentor", "institution")
        .filter(pk=placement_id)
        .first()
    )
    if placement is None or placement.tenant_account_created_at is not None:
        return False
    if placement.institution.schema_name != schema_name:
        raise RuntimeError(
            f"Placement {placement_id} belongs to {placement.institution.schema_name}, "
            f"not {schema_name}"
        )
    mentor = placement.employer_mentor
    email = mentor.contact_email
    already_invited = Invitation.objects.filter(
        email__iexact=email, accepted_at__isnull=True, expires_at__gt=timezone.now()
    ).exists()
    has_account = User.objects.filter(email__iexact=email, is_active=True).exists()
    if not (already_invited or has_account):
        invitation_create(
            actor=PLACEMENT_ACTOR,
            email=email,
            role=Role.MENTOR,
            first_name=mentor.first_name,
            last_name=mentor.last_name,
            middle_name=mentor.middle_name,
        )
    _employer_specialist_participant_create(mentor=mentor, placement=placement)
    Placement.objects.filter(pk=placement.pk).update(
        tenant_account_created_at=timezone.now(), updated_at=timezone.now()
    )
    return True


def _employer_specialist_participant_create(
    *, mentor: EmployerMentor, placement: Placement
) -> None:
    """Record the specialist in the institution's mentor base (category employer_specialist,
    with a mentor profile) through the participants app's public API.

    A specialist already in this institution's base (same full name, no birth date) is reused,
    so a second placement of the same person does not duplicate them. Competences are matched
    to the institution's competence tags by code or name; the rest go into the experience text.
    """
    participant_id = participants.participant_find_duplicate(
        last_name=mentor.last_name,
        first_name=mentor.first_name,
        middle_name=mentor.middle_name,
        birth_date=None,
    )
    employer = Employer.objects.values_list("name", flat=True).get(pk=mentor.employer_id)
    if participant_id is None:
        participant_id = participants.participant_create(
            last_name=mentor.last_name,
            first_name=mentor.first_name,
            middle_name=mentor.middle_name,
            category=participants.Category.EMPLOYER_SPECIALIST,
            email=mentor.contact_email,
            position=mentor.position,
            workplace=employer,
            actor=PLACEMENT_ACTOR,
        )
    # The institution's catalogue recognises names and the wordings schools use for them.
    found = participants.topics_match(list(mentor.competences))
    codes = sorted({m.code for m in found if m.code is not None})
    unmatched = [m.text for m in found if m.code is None]
    experience = "\n".join(
        part
        for part in (
            f"{mentor.position}, {employer}",
            mentor.bio,
            ", ".join(unmatched),
        )
        if part
    )
    participants.mentor_profile_upsert(
        participant_id=participant_id,
        competence_codes=codes,
        experience=experience,
        capacity=placement.mentees_count,
        actor=PLACEMENT_ACTOR,
    )
