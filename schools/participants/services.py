"""Writes of the participants app: keyword-only, typed, atomic, audited.

Every change to personal data writes one audit entry (``schools.audit.api.audit_record``)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actor import Actor
from accounts.models import Role
from config.db import set_local
from config.tasks import enqueue_on_commit
from schools.audit.api import AuditAction, AuditChange, audit_record, audit_record_many
from schools.participants import access
from schools.participants.catalogue import normalise
from schools.participants.consent_texts import consent_text
from schools.participants.models import (
    ERASURE_DELAY_DAYS,
    REQUIRED_PURPOSE,
    Category,
    Consent,
    ConsentAlert,
    ConsentAlertKind,
    ConsentKind,
    ConsentMethod,
    ConsentPurpose,
    ConsentRequest,
    ConsentScan,
    ConsentSigner,
    GuardianRelation,
    Guardianship,
    MenteeProfile,
    MentorProfile,
    Participant,
    RequestSource,
    StudyGroup,
    Topic,
    TopicAudience,
    TopicCoverage,
    TopicGroup,
    age_on,
)
from schools.participants.selectors import consent_fits_age
from schools.programmes.models import MentoringForm

PARTICIPANT_FIELDS = (
    "last_name",
    "first_name",
    "middle_name",
    "birth_date",
    "category",
    "study_group_id",
    "is_young_specialist",
    "position",
    "workplace",
    "email",
    "phone",
    "user_id",
)


def _clean_name(value: str) -> str:
    return " ".join((value or "").split())


Errors = dict[str, list[str]]
# rows written per INSERT by the bulk services
BULK_BATCH_SIZE = 1000


class RowsValidationError(ValidationError):
    """Rows of a bulk write that break the rules; nothing was written.

    ``rows`` maps the index of each bad row (in the sequence passed) to its errors,
    ``{field: [messages]}``; as a ValidationError its fields are ``"<index>.<field>"``."""

    def __init__(self, rows: Mapping[int, Errors]) -> None:
        self.rows: dict[int, Errors] = {index: dict(rows[index]) for index in sorted(rows)}
        super().__init__(
            {
                f"{index}.{field}": list(messages)
                for index, errors in self.rows.items()
                for field, messages in errors.items()
            }
        )


def _raise_row_errors(errors: Mapping[int, Errors], *, single: bool) -> None:
    """Raise the errors found by a validation shared by a single and a bulk service: the single
    one raises the usual ``{field: [messages]}``, the bulk one names the rows."""
    errors = {index: row for index, row in errors.items() if row}
    if not errors:
        return
    if single:
        raise ValidationError(errors[min(errors)])
    raise RowsValidationError(errors)


def _add_error(errors: Errors, field: str, *messages: str) -> None:
    errors.setdefault(field, []).extend(messages)


def _field_errors(instance: Any, exclude: Iterable[str]) -> Errors:
    """``clean_fields`` (types, lengths, choices, validators) without database queries: the
    excluded fields (relations) are checked by the callers, for many rows at once."""
    try:
        instance.clean_fields(exclude=list(exclude))
    except ValidationError as exc:
        return {field: list(messages) for field, messages in exc.message_dict.items()}
    return {}


def _processable_errors(participant: Participant) -> Errors:
    if participant.erased_at is not None:
        return {"participant": [_("This person's data has been erased.")]}
    if participant.processing_stopped_at is not None:
        return {"participant": [_("Consent was withdrawn: this person's data may not be changed.")]}
    return {}


def _require_processable(participant: Participant) -> None:
    errors = _processable_errors(participant)
    if errors:
        raise ValidationError(errors)


def _full_clean(instance: Any, exclude: Iterable[str] = ()) -> None:
    instance.full_clean(exclude=list(exclude), validate_unique=True)


def _audit_field_name(name: str) -> str:
    return name[:-3] if name.endswith("_id") else name


# --- study groups -----------------------------------------------------------------------------


@transaction.atomic
def study_group_create(*, name: str, curator_id: int | None = None, actor: Actor) -> StudyGroup:
    access.check_classes_manage(actor)
    group = StudyGroup(name=_clean_name(name), curator_id=curator_id)
    _full_clean(group)
    group.save()
    audit_record(actor=actor, action=AuditAction.CREATE, instance=group, changed_fields=["name"])
    return group


@transaction.atomic
def study_group_update(*, group: StudyGroup, actor: Actor, **fields: Any) -> StudyGroup:
    access.check_classes_manage(actor)
    group = StudyGroup.objects.select_for_update().get(pk=group.pk)
    if "name" in fields:
        fields["name"] = _clean_name(fields["name"])
    changed = [k for k, v in fields.items() if getattr(group, k) != v]
    for key, value in fields.items():
        setattr(group, key, value)
    _full_clean(group)
    group.save()
    if changed:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=group,
            changed_fields=[_audit_field_name(c) for c in changed],
        )
    return group


def study_group_get_or_create(*, name: str, actor: Actor) -> StudyGroup:
    """The study group called ``name`` (spaces and case ignored), created when missing."""
    clean = _clean_name(name)
    existing = StudyGroup.objects.filter(name__iexact=clean).first()
    if existing is not None:
        return existing
    return study_group_create(name=clean, actor=actor)


# --- participants -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NewParticipant:
    """One person for ``participants_create_many`` (the arguments of ``participant_create``).

    The study group is given by id, or by name (``study_group_name``: an existing group of
    that name, case and spaces ignored, else a new one), not both."""

    last_name: str
    first_name: str
    category: str
    middle_name: str = ""
    birth_date: datetime.date | None = None
    study_group_id: int | None = None
    study_group_name: str = ""
    is_young_specialist: bool = False
    email: str = ""
    phone: str = ""
    user_id: int | None = None
    position: str = ""
    workplace: str = ""


def _missing_relation(model: type[Any], field_name: str, value: Any) -> str:
    """Django's own message for a foreign key to a row that does not exist."""
    field = model._meta.get_field(field_name)
    related = field.remote_field.model
    return str(
        ValidationError(
            field.error_messages["invalid"],
            params={
                "model": related._meta.verbose_name,
                "pk": value,
                "field": field.remote_field.field_name,
                "value": value,
            },
        ).messages[0]
    )


def _participant_errors(participants: Sequence[Participant]) -> dict[int, Errors]:
    """The rules of a participant, checked for many at once; {index: errors}, rows without
    errors left out. Used by every write of participants (one row or many).

    Fields and rules are checked in Python; the study groups and login accounts named are
    looked up in one query each (instead of ``full_clean``'s queries per row). Sets the flag
    the category implies (a young specialist)."""
    today = timezone.localdate()
    errors: dict[int, Errors] = {}
    for index, participant in enumerate(participants):
        row = _field_errors(participant, exclude=["study_group", "user"])
        if participant.birth_date is not None and "birth_date" not in row:
            if participant.birth_date > today:
                _add_error(row, "birth_date", _("The birth date is in the future."))
            elif (age_on(participant.birth_date, today) or 0) > 110:
                _add_error(row, "birth_date", _("The birth date is too far in the past."))
        if participant.category == Category.YOUNG_SPECIALIST:
            participant.is_young_specialist = True
        if participant.erased_at is not None and participant.user_id is not None:
            # the check constraint participant_erased_has_no_account, in Python
            _add_error(row, "user", _("An erased person has no login account."))
        if row:
            errors[index] = row

    group_ids = {p.study_group_id for p in participants if p.study_group_id is not None}
    groups = (
        set(StudyGroup.objects.filter(pk__in=group_ids).values_list("pk", flat=True))
        if group_ids
        else set()
    )
    user_ids = {p.user_id for p in participants if p.user_id is not None}
    users: set[int] = set()
    owners: dict[int, int] = {}
    if user_ids:
        user_model = Participant._meta.get_field("user").remote_field.model
        users = set(user_model._base_manager.filter(pk__in=user_ids).values_list("pk", flat=True))
        owners = dict(Participant.objects.filter(user_id__in=user_ids).values_list("user_id", "pk"))
    claimed: set[int] = set()
    for index, participant in enumerate(participants):
        row = errors.get(index, {})
        group_id = participant.study_group_id
        if group_id is not None and group_id not in groups:
            _add_error(row, "study_group", _missing_relation(Participant, "study_group", group_id))
        user_id = participant.user_id
        if user_id is not None:
            if user_id not in users:
                _add_error(row, "user", _missing_relation(Participant, "user", user_id))
            elif user_id in claimed or owners.get(user_id, participant.pk) != participant.pk:
                _add_error(row, "user", _("This account already belongs to another participant."))
            claimed.add(user_id)
        if row:
            errors[index] = row
    return errors


def _group_key(name: str) -> str:
    return name.upper()  # as PostgreSQL's UPPER() in ``name__iexact``


def _study_groups_by_name(names: set[str]) -> tuple[dict[str, StudyGroup], dict[str, Errors]]:
    """The study groups called ``names`` (already cleaned), by ``_group_key``: existing ones
    (one query, case ignored as in ``study_group_get_or_create``) and new unsaved ones, with
    the errors of the new names by key."""
    if not names:
        return {}, {}
    match = Q()
    for name in names:
        match |= Q(name__iexact=name)
    groups: dict[str, StudyGroup] = {}
    for group in StudyGroup.objects.filter(match).order_by("name", "pk"):
        groups.setdefault(_group_key(group.name), group)
    errors: dict[str, Errors] = {}
    for name in sorted(names):
        key = _group_key(name)
        if key in groups:
            continue
        group = StudyGroup(name=name)
        problems = _field_errors(group, exclude=["curator"])
        if problems:
            errors[key] = {"study_group": [m for ms in problems.values() for m in ms]}
        else:
            groups[key] = group
    return groups, errors


def _created_fields(participant: Participant) -> list[str]:
    return [
        _audit_field_name(f)
        for f in PARTICIPANT_FIELDS
        if getattr(participant, f) not in ("", None)
    ]


def _participants_create(
    rows: Sequence[NewParticipant], *, actor: Actor, single: bool
) -> list[Participant]:
    access.require(access.may_write_people(actor))
    for group_id in {row.study_group_id for row in rows if row.study_group_id is not None}:
        access.check_study_group_choice(actor, group_id)
    if actor.has_role({Role.CURATOR}) and any(row.study_group_name for row in rows):
        access.require(False)  # a curator adds people to its own classes, chosen by id
    participants = [
        Participant(
            last_name=_clean_name(row.last_name),
            first_name=_clean_name(row.first_name),
            middle_name=_clean_name(row.middle_name),
            birth_date=row.birth_date,
            category=row.category,
            study_group_id=row.study_group_id,
            is_young_specialist=row.is_young_specialist,
            position=(row.position or "").strip(),
            workplace=(row.workplace or "").strip(),
            email=(row.email or "").strip(),
            phone=(row.phone or "").strip(),
            user_id=row.user_id,
        )
        for row in rows
    ]
    errors = _participant_errors(participants)
    group_names = {
        index: _clean_name(row.study_group_name)
        for index, row in enumerate(rows)
        if _clean_name(row.study_group_name)
    }
    groups, group_errors = _study_groups_by_name(set(group_names.values()))
    for index, name in group_names.items():
        row_errors = errors.setdefault(index, {})
        if rows[index].study_group_id is not None:
            _add_error(row_errors, "study_group", _("Give the study group by id or by name."))
        for field, messages in group_errors.get(_group_key(name), {}).items():
            _add_error(row_errors, field, *messages)
    _raise_row_errors(errors, single=single)

    new_groups = [group for group in groups.values() if group.pk is None]
    if new_groups:
        StudyGroup.objects.bulk_create(new_groups, batch_size=BULK_BATCH_SIZE)
        audit_record_many(
            actor=actor,
            changes=[AuditChange(AuditAction.CREATE, group, ["name"]) for group in new_groups],
        )
    for index, name in group_names.items():
        participants[index].study_group = groups[_group_key(name)]
    Participant.objects.bulk_create(participants, batch_size=BULK_BATCH_SIZE)
    audit_record_many(
        actor=actor,
        changes=[AuditChange(AuditAction.CREATE, p, _created_fields(p)) for p in participants],
    )
    return participants


@transaction.atomic
def participant_create(
    *,
    last_name: str,
    first_name: str,
    category: str,
    middle_name: str = "",
    birth_date: datetime.date | None = None,
    study_group_id: int | None = None,
    is_young_specialist: bool = False,
    email: str = "",
    phone: str = "",
    user_id: int | None = None,
    position: str = "",
    workplace: str = "",
    actor: Actor,
) -> Participant:
    row = NewParticipant(
        last_name=last_name,
        first_name=first_name,
        category=category,
        middle_name=middle_name,
        birth_date=birth_date,
        study_group_id=study_group_id,
        is_young_specialist=is_young_specialist,
        email=email,
        phone=phone,
        user_id=user_id,
        position=position,
        workplace=workplace,
    )
    return _participants_create([row], actor=actor, single=True)[0]


@transaction.atomic
def participants_create_many(*, rows: Sequence[NewParticipant], actor: Actor) -> list[int]:
    """Create many participants at once with the rules of ``participant_create``; the ids, in
    the order of ``rows``. Study groups named by ``study_group_name`` are created as needed.

    All or nothing: any bad row raises ``RowsValidationError`` (every bad row by its index)
    before anything is written. A few queries in all, whatever the number of rows."""
    return [p.pk for p in _participants_create(rows, actor=actor, single=False)]


@transaction.atomic
def participant_update(*, participant: Participant, actor: Actor, **fields: Any) -> Participant:
    access.check_person_write(actor, participant)
    if "study_group_id" in fields:
        access.check_study_group_choice(actor, fields["study_group_id"])
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    _require_processable(participant)
    unknown = set(fields) - set(PARTICIPANT_FIELDS)
    if unknown:
        raise TypeError(f"participant_update() got unknown fields {sorted(unknown)}")
    for key in ("last_name", "first_name", "middle_name"):
        if key in fields:
            fields[key] = _clean_name(fields[key])
    changed = [k for k, v in fields.items() if getattr(participant, k) != v]
    for key, value in fields.items():
        setattr(participant, key, value)
    _raise_row_errors(_participant_errors([participant]), single=True)
    participant.save()
    if changed:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=participant,
            changed_fields=[_audit_field_name(c) for c in changed],
        )
    return participant


# --- guardianships ----------------------------------------------------------------------------


@transaction.atomic
def guardianship_create(
    *, parent_id: int, child_id: int, relation: str, actor: Actor
) -> Guardianship:
    """Link a parent (a participant of the category «parent») to its child. The coordinator
    links anyone, a curator the children of its classes (``access.check_guardianship_create``:
    a child out of sight is ``NotFound``)."""
    try:
        access.check_guardianship_create(actor, child_id=child_id)
    except access.NotFound:  # out of the actor's sight: the same answer as a missing child
        raise ValidationError({"child": [_("No such participant.")]}) from None
    errors: dict[str, list[str]] = {}
    parent = Participant.objects.filter(pk=parent_id).first()
    child = Participant.objects.filter(pk=child_id).first()
    if parent is None:
        errors["parent"] = [_("No such participant.")]
    elif parent.category != Category.PARENT:
        errors["parent"] = [_("The parent must be a participant of the category «parent».")]
    if child is None:
        errors["child"] = [_("No such participant.")]
    elif not child.is_minor and child.birth_date is not None:
        errors["child"] = [
            _(
                "%(name)s is an adult: an adult acts for themselves and has no parent or "
                "guardian in the programme."
            )
            % {"name": child.full_name}
        ]
    if parent_id == child_id:
        errors["child"] = [_("A person cannot be their own guardian.")]
    if relation not in GuardianRelation.values:
        errors["relation"] = [_("Unknown relation.")]
    if not errors and Guardianship.objects.filter(parent_id=parent_id, child_id=child_id).exists():
        errors["child"] = [_("This guardianship is already recorded.")]
    if errors:
        raise ValidationError(errors)
    assert parent is not None and child is not None
    _require_processable(child)
    link = Guardianship.objects.create(parent=parent, child=child, relation=relation)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=link,
        changed_fields=["parent", "child", "relation"],
    )
    return link


@transaction.atomic
def guardianship_delete(*, guardianship: Guardianship, actor: Actor) -> None:
    """Unlink a parent from a child (recorded by mistake, or no longer the legal
    representative). The consents signed earlier stay in the register as they were given.
    Who may: whoever may link the child (``access.check_guardianship_create``)."""
    access.check_guardianship_create(actor, child_id=guardianship.child_id)
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        instance=guardianship,
        changed_fields=["parent", "child", "relation"],
    )
    guardianship.delete()


# --- consents ---------------------------------------------------------------------------------


def _validate_consent(
    *,
    participant: Participant,
    kind: str,
    purpose: str,
    signed_by: str,
    guardian_name: str,
    guardian_relation: str,
    minor_signed: bool,
    signed_on: datetime.date,
    method: str,
    text_version: str | None,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if kind not in ConsentKind.values:
        errors["kind"] = [_("Unknown kind of consent record.")]
    if purpose not in ConsentPurpose.values:
        errors["purpose"] = [_("Unknown purpose.")]
    elif consent_text(purpose=purpose, version=text_version) is None:
        errors["text_version"] = [_("No consent text of this version for this purpose.")]
    if signed_by not in ConsentSigner.values:
        errors["signed_by"] = [_("Unknown signer.")]
    if method not in ConsentMethod.values:
        errors["method"] = [_("Unknown method.")]
    if signed_on > timezone.localdate():
        errors["signed_on"] = [_("The date of signing is in the future.")]
    if participant.birth_date is not None and signed_on < participant.birth_date:
        errors["signed_on"] = [_("The date of signing is before the birth date.")]
    if signed_by == ConsentSigner.GUARDIAN:
        if not guardian_name.strip():
            errors["guardian_name"] = [_("Name the parent or legal guardian who signed.")]
        if guardian_relation not in GuardianRelation.values:
            errors["guardian_relation"] = [_("State the guardian's relation to the person.")]
    elif guardian_name.strip() or guardian_relation:
        errors["guardian_name"] = [_("A guardian is named only when the guardian signed.")]
    if kind == ConsentKind.GRANT and not errors:
        age = age_on(participant.birth_date, signed_on)
        if not consent_fits_age(signed_by=signed_by, minor_signed=minor_signed, age=age):
            if age is not None and age < 14:
                message = _("Under 14 the consent is signed by a parent or legal guardian.")
            elif age is not None and age < 18:
                message = _(
                    "From 14 to 17 the consent is signed by a parent or legal guardian "
                    "and by the minor."
                )
            else:
                message = _("An adult signs the consent personally.")
            errors["signed_by"] = [message]
    return errors


@transaction.atomic
def consent_record(
    *,
    participant_id: int,
    kind: str,
    purpose: str = REQUIRED_PURPOSE,
    signed_by: str,
    signed_on: datetime.date,
    method: str,
    guardian_name: str = "",
    guardian_relation: str = "",
    minor_signed: bool = False,
    text_version: str | None = None,
    scan: File[Any] | None = None,
    actor: Actor,
) -> Consent:
    """Append a record to the consent register.

    Who may: ``access.check_consent_record`` (the coordinator; a curator for its classes; a
    parent for its minor children — never for an adult). A withdrawal of ``REQUIRED_PURPOSE``
    stops processing at once and schedules erasure in ``ERASURE_DELAY_DAYS``; a later grant
    before the erasure resumes processing."""
    participant = Participant.objects.select_for_update().filter(pk=participant_id).first()
    if participant is None:
        raise ValidationError({"participant": [_("No such participant.")]})
    try:
        access.check_consent_record(actor, participant)
    except access.NotFound:  # out of the actor's sight: the same answer as a missing person
        raise ValidationError({"participant": [_("No such participant.")]}) from None
    if participant.erased_at is not None:
        raise ValidationError({"participant": [_("This person's data has been erased.")]})
    errors = _validate_consent(
        participant=participant,
        kind=kind,
        purpose=purpose,
        signed_by=signed_by,
        guardian_name=guardian_name,
        guardian_relation=guardian_relation,
        minor_signed=minor_signed,
        signed_on=signed_on,
        method=method,
        text_version=text_version,
    )
    if errors:
        raise ValidationError(errors)
    text = consent_text(purpose=purpose, version=text_version)
    assert text is not None
    consent = Consent(
        participant=participant,
        kind=kind,
        purpose=purpose,
        text_version=text.version,
        text_checksum=text.checksum,
        signed_by=signed_by,
        guardian_name=_clean_name(guardian_name),
        guardian_relation=guardian_relation,
        minor_signed=minor_signed,
        signed_on=signed_on,
        method=method,
        recorded_by_id=actor.audit_user_id,
    )
    if scan is not None:
        consent.scan.save(scan.name or "scan", scan, save=False)
    consent.save()
    audit_record(
        actor=actor,
        action=AuditAction.CONSENT,
        instance=consent,
        changed_fields=["participant", "kind", "purpose", "signed_by", "minor_signed", "method"]
        + (["guardian_name"] if consent.guardian_name else [])
        + (["scan"] if consent.scan else []),
    )
    if purpose == REQUIRED_PURPOSE:
        if kind == ConsentKind.WITHDRAWAL and participant.processing_stopped_at is None:
            participant.processing_stopped_at = timezone.now()
            participant.erase_after = timezone.localdate() + datetime.timedelta(
                days=ERASURE_DELAY_DAYS
            )
            participant.save(update_fields=["processing_stopped_at", "erase_after", "updated_at"])
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                instance=participant,
                changed_fields=["processing_stopped_at", "erase_after"],
            )
            _consent_effects(participant, ConsentAlertKind.WITHDRAWN, actor=actor)
        elif kind == ConsentKind.GRANT and participant.processing_stopped_at is not None:
            participant.processing_stopped_at = None
            participant.erase_after = None
            participant.save(update_fields=["processing_stopped_at", "erase_after", "updated_at"])
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                instance=participant,
                changed_fields=["processing_stopped_at", "erase_after"],
            )
            _consent_effects(participant, ConsentAlertKind.GIVEN_AGAIN, actor=actor)
    return consent


def _consent_effects(participant: Participant, kind: str, *, actor: Actor) -> ConsentAlert:
    """What a withdrawal (or a consent given again) does beyond the register, in the same
    transaction: the person's pairs are paused (or resumed), and the coordinator and the curator
    of the person's class are alerted in their pages and, after commit, by e-mail."""
    # The pairs app builds on this one: imported here, through its public interface.
    from schools.pairs import api as pairs_api

    if kind == ConsentAlertKind.WITHDRAWN:
        pairs = pairs_api.pairs_pause_for_participant(participant_id=participant.pk, actor=actor)
    else:
        pairs = pairs_api.pairs_resume_for_participant(participant_id=participant.pk, actor=actor)
    alert = ConsentAlert.objects.create(
        participant=participant,
        kind=kind,
        study_group_id=participant.study_group_id,
        pairs_affected=len(pairs),
    )
    from schools.participants.tasks import consent_alert_mail_task

    enqueue_on_commit(consent_alert_mail_task, alert_id=alert.pk)
    return alert


def consent_withdraw(
    *,
    participant_id: int,
    signed_by: str,
    signed_on: datetime.date,
    method: str,
    purpose: str = REQUIRED_PURPOSE,
    guardian_name: str = "",
    guardian_relation: str = "",
    minor_signed: bool = False,
    scan: File[Any] | None = None,
    actor: Actor,
) -> Consent:
    return consent_record(
        participant_id=participant_id,
        kind=ConsentKind.WITHDRAWAL,
        purpose=purpose,
        signed_by=signed_by,
        signed_on=signed_on,
        method=method,
        guardian_name=guardian_name,
        guardian_relation=guardian_relation,
        minor_signed=minor_signed,
        scan=scan,
        actor=actor,
    )


# --- mentee and mentor bases ------------------------------------------------------------------


def _apply(instance: Any, fields: Mapping[str, Any]) -> list[str]:
    changed = []
    for key, value in fields.items():
        if value is None:
            continue
        if getattr(instance, key) != value:
            changed.append(key)
        setattr(instance, key, value)
    return changed


@dataclass(frozen=True)
class MenteeProfileData:
    """One row of ``mentee_profiles_upsert_many`` (the arguments of ``mentee_profile_upsert``);
    ``None`` leaves a field as it is."""

    participant_id: int
    request: str | None = None
    need_codes: Sequence[str] | None = None
    preferred_form: str | None = None
    raised_by: str | None = None


@dataclass(frozen=True)
class MentorProfileData:
    """One row of ``mentor_profiles_upsert_many`` (the arguments of ``mentor_profile_upsert``);
    ``None`` leaves a field as it is."""

    participant_id: int
    competence_codes: Sequence[str] | None = None
    experience: str | None = None
    experience_years: int | None = None
    hours_per_month: int | None = None
    capacity: int | None = None
    motivation: str | None = None
    selection_scores: Mapping[str, int] | None = None
    training: str | None = None


@dataclass(frozen=True)
class _ProfileKind:
    model: type[MenteeProfile] | type[MentorProfile]
    tag_model: type[Topic]
    tag_field: str  # the many-to-many field of the profile
    codes_field: str  # the argument naming the tag codes


MENTEE = _ProfileKind(MenteeProfile, Topic, "needs", "need_codes")
MENTOR = _ProfileKind(MentorProfile, Topic, "competences", "competence_codes")


def _mentee_values(row: MenteeProfileData) -> tuple[dict[str, Any], Errors]:
    errors: Errors = {}
    if row.preferred_form not in (None, "") and row.preferred_form not in MentoringForm.values:
        errors["preferred_form"] = [_("Unknown form of mentoring.")]
    if row.raised_by is not None and row.raised_by not in RequestSource.values:
        errors["raised_by"] = [_("Unknown source of the request.")]
    values = {
        "request": row.request,
        "preferred_form": row.preferred_form,
        "raised_by": row.raised_by,
    }
    return values, errors


def _mentor_values(row: MentorProfileData) -> tuple[dict[str, Any], Errors]:
    scores = row.selection_scores
    values = {
        "experience": row.experience,
        "experience_years": row.experience_years,
        "hours_per_month": row.hours_per_month,
        "capacity": row.capacity,
        "motivation": row.motivation,
        "selection_scores": dict(scores) if scores is not None else None,
        "training": row.training,
    }
    return values, {}


def _profiles_upsert(
    kind: _ProfileKind,
    rows: Sequence[Any],
    values_of: Any,
    *,
    actor: Actor,
    single: bool,
) -> list[Any]:
    """Create or update the profiles of ``rows`` (``MenteeProfileData`` or
    ``MentorProfileData``): the participants are locked, checked and read in one query, the
    tags and the existing profiles in one query each; then one write per kind of change."""
    ids = [row.participant_id for row in rows]
    access.check_profiles_write(actor, mentor=kind is MENTOR, participant_ids=ids)
    participants = {p.pk: p for p in Participant.objects.select_for_update().filter(pk__in=ids)}
    wanted_codes = {
        code
        for row in rows
        if getattr(row, kind.codes_field) is not None
        for code in getattr(row, kind.codes_field)
    }
    tags = {
        tag.code: tag
        for tag in (
            kind.tag_model.objects.filter(code__in=wanted_codes, is_active=True)
            if wanted_codes
            else ()
        )
    }
    existing = {p.participant_id: p for p in kind.model.objects.filter(participant_id__in=ids)}

    errors: dict[int, Errors] = {}
    profiles: list[Any] = []
    changes: list[list[str]] = []
    seen: set[int] = set()
    for index, row in enumerate(rows):
        participant = participants.get(row.participant_id)
        if participant is None:
            row_errors: Errors = {"participant": [_("No such participant.")]}
        elif row.participant_id in seen:
            row_errors = {"participant": [_("The same person is in the list twice.")]}
        else:
            row_errors = _processable_errors(participant)
        seen.add(row.participant_id)
        profile = existing.get(row.participant_id) or kind.model(participant_id=row.participant_id)
        profiles.append(profile)
        changes.append([])
        if row_errors:
            errors[index] = row_errors
            continue
        values, row_errors = values_of(row)
        codes = getattr(row, kind.codes_field)
        missing = sorted(set(codes or ()) - set(tags))
        if missing:
            row_errors[kind.codes_field] = [_("Unknown codes: %s") % ", ".join(missing)]
        if row_errors:
            errors[index] = row_errors
            continue
        changes[index] = _apply(profile, values)
        row_errors = _field_errors(profile, exclude=["participant", kind.tag_field])
        if row_errors:
            errors[index] = row_errors
    _raise_row_errors(errors, single=single)

    created = [profile for profile in profiles if profile.pk is None]
    created_ids = {id(profile) for profile in created}
    kind.model.objects.bulk_create(created, batch_size=BULK_BATCH_SIZE)

    tag_rows = [
        (index, profiles[index], {tags[c].pk for c in getattr(row, kind.codes_field)})
        for index, row in enumerate(rows)
        if getattr(row, kind.codes_field) is not None
    ]
    if tag_rows:
        field = kind.model._meta.get_field(kind.tag_field)
        through = field.remote_field.through  # type: ignore[union-attr]
        source, target = field.m2m_column_name(), field.m2m_reverse_name()  # type: ignore[union-attr]
        links: dict[int, dict[int, int]] = {}
        old_ids = [p.pk for _i, p, _t in tag_rows if id(p) not in created_ids]
        if old_ids:
            for pk, profile_id, tag_id in through.objects.filter(
                **{f"{source}__in": old_ids}
            ).values_list("pk", source, target):
                links.setdefault(profile_id, {})[tag_id] = pk
        remove: list[int] = []
        add: list[Any] = []
        for index, profile, wanted in tag_rows:
            before = links.get(profile.pk, {})
            remove += [pk for tag_id, pk in before.items() if tag_id not in wanted]
            add += [
                through(**{source: profile.pk, target: t}) for t in sorted(wanted - before.keys())
            ]
            if set(before) != wanted:
                changes[index].append(kind.tag_field)
        if remove:
            through.objects.filter(pk__in=remove).delete()
        if add:
            through.objects.bulk_create(add, batch_size=BULK_BATCH_SIZE)

    updated = [
        index
        for index, profile in enumerate(profiles)
        if id(profile) not in created_ids and changes[index]
    ]
    if updated:
        now = timezone.now()
        for index in updated:
            profiles[index].updated_at = now
        fields = {field for index in updated for field in changes[index]} - {kind.tag_field}
        kind.model.objects.bulk_update(
            [profiles[index] for index in updated],
            sorted(fields | {"updated_at"}),
            batch_size=BULK_BATCH_SIZE,
        )
    audit_record_many(
        actor=actor,
        changes=[
            AuditChange(AuditAction.CREATE, profile, ["participant", *changes[index]])
            if id(profile) in created_ids
            else AuditChange(AuditAction.UPDATE, profile, changes[index])
            for index, profile in enumerate(profiles)
            if id(profile) in created_ids or changes[index]
        ],
    )
    return profiles


@transaction.atomic
def mentee_profile_upsert(
    *,
    participant_id: int,
    request: str | None = None,
    need_codes: Iterable[str] | None = None,
    preferred_form: str | None = None,
    raised_by: str | None = None,
    actor: Actor,
) -> MenteeProfile:
    """Create or update the participant's mentee profile; ``None`` leaves a field as it is."""
    row = MenteeProfileData(
        participant_id=participant_id,
        request=request,
        need_codes=tuple(need_codes) if need_codes is not None else None,
        preferred_form=preferred_form,
        raised_by=raised_by,
    )
    profile: MenteeProfile = _profiles_upsert(
        MENTEE, [row], _mentee_values, actor=actor, single=True
    )[0]
    return profile


@transaction.atomic
def mentee_profiles_upsert_many(*, rows: Sequence[MenteeProfileData], actor: Actor) -> list[int]:
    """``mentee_profile_upsert`` for many people at once; the profile ids in the order of
    ``rows``. All or nothing: bad rows raise ``RowsValidationError`` naming each by its index,
    before anything is written. A person may appear once."""
    return [p.pk for p in _profiles_upsert(MENTEE, rows, _mentee_values, actor=actor, single=False)]


@transaction.atomic
def mentor_profile_upsert(
    *,
    participant_id: int,
    competence_codes: Iterable[str] | None = None,
    experience: str | None = None,
    experience_years: int | None = None,
    hours_per_month: int | None = None,
    capacity: int | None = None,
    motivation: str | None = None,
    selection_scores: Mapping[str, int] | None = None,
    training: str | None = None,
    actor: Actor,
) -> MentorProfile:
    """Create or update the participant's mentor profile; ``None`` leaves a field as it is.
    ``selection_scores`` replaces the whole set of scores (criterion → 0..5)."""
    row = MentorProfileData(
        participant_id=participant_id,
        competence_codes=tuple(competence_codes) if competence_codes is not None else None,
        experience=experience,
        experience_years=experience_years,
        hours_per_month=hours_per_month,
        capacity=capacity,
        motivation=motivation,
        selection_scores=selection_scores,
        training=training,
    )
    profile: MentorProfile = _profiles_upsert(
        MENTOR, [row], _mentor_values, actor=actor, single=True
    )[0]
    return profile


@transaction.atomic
def mentor_profiles_upsert_many(*, rows: Sequence[MentorProfileData], actor: Actor) -> list[int]:
    """``mentor_profile_upsert`` for many people at once; the profile ids in the order of
    ``rows``. All or nothing, like ``mentee_profiles_upsert_many``."""
    return [p.pk for p in _profiles_upsert(MENTOR, rows, _mentor_values, actor=actor, single=False)]


@transaction.atomic
def mentor_profile_remove(*, participant_id: int, actor: Actor) -> bool:
    """Take the participant out of the mentor base (their mentor profile goes; the person, their
    pairs and history stay). Used when an employer's specialist's last placement at this
    institution ends: they are no longer this institution's mentor, in its base or its counts.
    Idempotent: False when there was no profile."""
    access.check_profiles_write(actor, mentor=True, participant_ids=[participant_id])
    profile = (
        MentorProfile.objects.select_for_update().filter(participant_id=participant_id).first()
    )
    if profile is None:
        return False
    audit_record(
        actor=actor, action=AuditAction.DELETE, instance=profile, changed_fields=["participant"]
    )
    profile.delete()
    return True


# --- erasure ----------------------------------------------------------------------------------

ERASED_LAST_NAME = "***"
# The nightly sweeper that erases the data of people whose consent ended.
ERASURE_ACTOR = Actor.system("participants.erase-due")


@transaction.atomic
def participant_erase(*, participant_id: int, actor: Actor) -> bool:
    """Erase a person's personal data, keeping the anonymous row (category, study group,
    profiles' tags) for counts. Idempotent: False when already erased or missing."""
    access.require(access.may_erase_people(actor))
    participant = Participant.objects.select_for_update().filter(pk=participant_id).first()
    if participant is None or participant.erased_at is not None:
        return False
    account = participant.user
    participant.last_name = ERASED_LAST_NAME
    participant.first_name = f"#{participant.pk}"
    participant.middle_name = ""
    participant.birth_date = None
    participant.email = ""
    participant.phone = ""
    participant.user = None
    participant.erased_at = timezone.now()
    if participant.processing_stopped_at is None:
        participant.processing_stopped_at = participant.erased_at
    participant.save()
    if account is not None:
        # The login account holds the same personal data. TODO(accounts): move this into an
        # ``accounts.api.user_anonymise`` service when the accounts app offers one.
        account.is_active = False
        account.first_name = account.last_name = account.middle_name = account.email = ""
        account.username = f"erased-{participant.pk}-{account.pk}"
        account.set_unusable_password()
        account.save()
    MenteeProfile.objects.filter(participant=participant).update(request="")
    MentorProfile.objects.filter(participant=participant).update(
        experience="", motivation="", training=""
    )
    scans = [c.scan.name for c in participant.consents.exclude(scan="")]
    scan_rows = ConsentScan.objects.filter(consent__participant=participant)
    scans += [name for name in scan_rows.values_list("file", flat=True) if name]
    scan_rows.delete()
    ConsentRequest.objects.filter(participant=participant).update(email="", token_hash="")
    # The append-only trigger lets exactly this anonymisation through (migration 0002); the
    # flag is SET LOCAL so that it reaches the trigger on a Citus worker too (config.db).
    set_local("nastavnik.consent_erasure", "on")
    Consent.objects.filter(participant=participant).update(guardian_name="", scan="")
    set_local("nastavnik.consent_erasure", "off")
    if scans:
        storage = Consent.scan.field.storage

        def delete_scans() -> None:
            for name in scans:
                storage.delete(name)

        transaction.on_commit(delete_scans)
    audit_record(
        actor=actor,
        action=AuditAction.ERASE,
        instance=participant,
        changed_fields=[
            "last_name",
            "first_name",
            "middle_name",
            "birth_date",
            "email",
            "phone",
            "user",
        ],
    )
    return True


def participants_erase_due(*, today: datetime.date | None = None) -> int:
    """Erase everyone whose erasure date has come; one transaction per person."""
    from schools.participants.selectors import participants_due_for_erasure

    erased = 0
    for pk in participants_due_for_erasure(today=today).values_list("pk", flat=True):
        erased += participant_erase(participant_id=pk, actor=ERASURE_ACTOR)
    return erased


# --- the catalogue of requests and competences ----------------------------------------------


def _wording_owner(wording: str, *, exclude_pk: int | None) -> Topic | None:
    """The entry (other than ``exclude_pk``) whose name, code or other wording is ``wording``."""
    key = normalise(wording)
    others = Topic.objects.only("pk", "code", "name", "synonyms")
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    for topic in others:
        if key in {normalise(topic.name), normalise(topic.code)} | {
            normalise(s) for s in topic.synonyms or ()
        }:
            return topic
    return None


def _clean_synonyms(synonyms: Iterable[str], *, name: str) -> list[str]:
    out: dict[str, str] = {}
    for synonym in synonyms:
        clean = _clean_name(synonym)
        if clean and normalise(clean) != normalise(name) and normalise(clean) not in out:
            out[normalise(clean)] = clean
    return list(out.values())


def _topic_errors(topic: Topic, *, synonyms: Sequence[str]) -> Errors:
    errors: Errors = {}
    if not topic.name:
        errors["name"] = [_("Name the entry.")]
    else:
        owner = _wording_owner(topic.name, exclude_pk=topic.pk)
        if owner is not None:
            errors["name"] = [
                _("«%(wording)s» already names the entry «%(entry)s».")
                % {"wording": topic.name, "entry": owner.name}
            ]
    if topic.code and Topic.objects.exclude(pk=topic.pk).filter(code=topic.code).exists():
        errors["code"] = [_("The catalogue already has an entry with this code.")]
    if topic.group not in TopicGroup.values:
        errors["group"] = [_("Unknown section.")]
    if topic.audience not in TopicAudience.values:
        errors["audience"] = [_("Unknown audience.")]
    clashes = []
    for synonym in synonyms:
        owner = _wording_owner(synonym, exclude_pk=topic.pk)
        if owner is not None:
            clashes.append(
                _("«%(wording)s» already names the entry «%(entry)s».")
                % {"wording": synonym, "entry": owner.name}
            )
    if clashes:
        errors["synonyms"] = clashes
    return errors


@transaction.atomic
def topic_create(
    *,
    name: str,
    code: str = "",
    group: str = TopicGroup.OTHER,
    audience: str = TopicAudience.EVERYONE,
    synonyms: Iterable[str] = (),
    actor: Actor,
) -> Topic:
    """Add an entry to the catalogue. Without a code one is made up (names are Cyrillic, codes
    Latin). A name or wording that already names another entry is refused: the lookup must
    recognise every wording as one entry."""
    access.require(access.may_edit_catalogue(actor))
    name = _clean_name(name)
    clean = _clean_synonyms(synonyms, name=name)
    topic = Topic(
        code=code.strip().lower(), name=name, group=group, audience=audience, synonyms=clean
    )
    errors = _topic_errors(topic, synonyms=clean)
    if errors:
        raise ValidationError(errors)
    if not topic.code:
        number = Topic.objects.count() + 1
        while Topic.objects.filter(code=f"topic-{number}").exists():
            number += 1
        topic.code = f"topic-{number}"
    _full_clean(topic)
    topic.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=topic,
        changed_fields=["code", "name", "group", "audience", "synonyms"],
    )
    return topic


@transaction.atomic
def topic_update(
    *,
    topic_id: int,
    name: str | None = None,
    group: str | None = None,
    audience: str | None = None,
    synonyms: Iterable[str] | None = None,
    actor: Actor,
) -> Topic:
    """Rename an entry, move it to another section or audience, or replace its other wordings
    (the code stays: profiles and files refer to it)."""
    access.require(access.may_edit_catalogue(actor))
    topic = Topic.objects.select_for_update().filter(pk=topic_id).first()
    if topic is None:
        raise ValidationError({"topic": [_("No such catalogue entry.")]})
    changed = _apply(
        topic,
        {
            "name": _clean_name(name) if name is not None else None,
            "group": group,
            "audience": audience,
        },
    )
    clean = _clean_synonyms(
        synonyms if synonyms is not None else topic.synonyms or (), name=topic.name
    )
    if clean != list(topic.synonyms or ()):
        topic.synonyms = clean
        changed.append("synonyms")
    errors = _topic_errors(topic, synonyms=clean)
    if errors:
        raise ValidationError(errors)
    _full_clean(topic)
    if changed:
        topic.save()
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=topic, changed_fields=changed)
    return topic


@transaction.atomic
def topic_set_active(*, topic_id: int, is_active: bool, actor: Actor) -> Topic:
    """Retire an entry (profiles keep it and matching still counts it; it is no longer offered)
    or bring it back."""
    access.require(access.may_edit_catalogue(actor))
    topic = Topic.objects.select_for_update().filter(pk=topic_id).first()
    if topic is None:
        raise ValidationError({"topic": [_("No such catalogue entry.")]})
    if topic.is_active != is_active:
        topic.is_active = is_active
        topic.save(update_fields=["is_active"])
        audit_record(
            actor=actor, action=AuditAction.UPDATE, instance=topic, changed_fields=["is_active"]
        )
    return topic


@transaction.atomic
def topic_coverage_set(*, need_id: int, covered_by_ids: Iterable[int], actor: Actor) -> list[int]:
    """Replace the entries that also cover the need ``need_id`` (a mentor with one of them can
    help with it; the entry itself always covers itself). Returns their ids."""
    access.require(access.may_edit_catalogue(actor))
    need = Topic.objects.select_for_update().filter(pk=need_id).first()
    if need is None:
        raise ValidationError({"need": [_("No such catalogue entry.")]})
    wanted = {int(pk) for pk in covered_by_ids}
    if need.pk in wanted:
        raise ValidationError({"covered_by": [_("An entry always covers itself.")]})
    known = set(Topic.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - known:
        raise ValidationError({"covered_by": [_("No such catalogue entry.")]})
    before = set(need.coverage.values_list("covered_by_id", flat=True))
    if before != wanted:
        TopicCoverage.objects.filter(need=need).exclude(covered_by_id__in=wanted).delete()
        TopicCoverage.objects.bulk_create(
            TopicCoverage(need=need, covered_by_id=pk) for pk in sorted(wanted - before)
        )
        audit_record(
            actor=actor, action=AuditAction.UPDATE, instance=need, changed_fields=["coverage"]
        )
    return sorted(wanted)


@transaction.atomic
def topic_edit(
    *,
    topic_id: int,
    name: str,
    group: str,
    audience: str,
    synonyms: Iterable[str],
    covered_by_ids: Iterable[int],
    is_active: bool,
    actor: Actor,
) -> Topic:
    """The catalogue entry's page saved at once: wording, section, audience, other wordings,
    the entries that also cover it, offered or retired. All or nothing."""
    topic_update(
        topic_id=topic_id,
        name=name,
        group=group,
        audience=audience,
        synonyms=synonyms,
        actor=actor,
    )
    topic_coverage_set(need_id=topic_id, covered_by_ids=covered_by_ids, actor=actor)
    return topic_set_active(topic_id=topic_id, is_active=is_active, actor=actor)


# --- many at once (a class's paper consents, a school's families) ---------------------------


@dataclass(frozen=True)
class NewGuardianship:
    """One row of ``guardianships_create_many``."""

    parent_id: int
    child_id: int
    relation: str


@transaction.atomic
def guardianships_create_many(*, rows: Sequence[NewGuardianship], actor: Actor) -> list[int]:
    """``guardianship_create`` for many links at once, in a few queries; ids in the order of
    ``rows``. All or nothing: bad rows raise ``RowsValidationError`` naming each by index.
    The coordinator links anyone; a curator the children of its classes."""
    children = {r.child_id for r in rows}
    access.require(
        actor.is_system
        or actor.is_coordinator
        or (
            actor.has_role({Role.CURATOR})
            and access.participants_writable_by(actor).filter(pk__in=children).count()
            == len(children)
        )
    )
    ids = {r.parent_id for r in rows} | children
    people = {p.pk: p for p in Participant.objects.filter(pk__in=ids)}
    existing = set(
        Guardianship.objects.filter(
            parent_id__in={r.parent_id for r in rows}, child_id__in={r.child_id for r in rows}
        ).values_list("parent_id", "child_id")
    )
    errors: dict[int, Errors] = {}
    seen: set[tuple[int, int]] = set()
    for index, row in enumerate(rows):
        row_errors: Errors = {}
        parent, child = people.get(row.parent_id), people.get(row.child_id)
        if parent is None:
            row_errors["parent"] = [_("No such participant.")]
        elif parent.category != Category.PARENT:
            row_errors["parent"] = [_("The parent must be a participant of the category «parent».")]
        if child is None:
            row_errors["child"] = [_("No such participant.")]
        elif row.parent_id == row.child_id:
            row_errors["child"] = [_("A person cannot be their own guardian.")]
        elif (row.parent_id, row.child_id) in existing | seen:
            row_errors["child"] = [_("This guardianship is already recorded.")]
        else:
            row_errors.update(_processable_errors(child))
        if row.relation not in GuardianRelation.values:
            row_errors["relation"] = [_("Unknown relation.")]
        seen.add((row.parent_id, row.child_id))
        if row_errors:
            errors[index] = row_errors
    _raise_row_errors(errors, single=False)
    links = Guardianship.objects.bulk_create(
        [
            Guardianship(parent_id=r.parent_id, child_id=r.child_id, relation=r.relation)
            for r in rows
        ],
        batch_size=BULK_BATCH_SIZE,
    )
    audit_record_many(
        actor=actor,
        changes=[
            AuditChange(AuditAction.CREATE, link, ["parent", "child", "relation"]) for link in links
        ],
    )
    return [link.pk for link in links]
