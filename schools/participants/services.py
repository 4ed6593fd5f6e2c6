"""Writes of the participants app: keyword-only, typed, atomic, audited.

Every change to personal data writes one audit entry (``schools.audit.api.audit_record``)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.audit.api import AuditAction, audit_record
from schools.participants.consent_texts import consent_text
from schools.participants.models import (
    ERASURE_DELAY_DAYS,
    REQUIRED_PURPOSE,
    Category,
    CompetenceTag,
    Consent,
    ConsentKind,
    ConsentMethod,
    ConsentPurpose,
    ConsentSigner,
    GuardianRelation,
    Guardianship,
    MenteeProfile,
    MentorProfile,
    NeedTag,
    Participant,
    RequestSource,
    StudyGroup,
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
    "email",
    "phone",
    "user_id",
)


def _clean_name(value: str) -> str:
    return " ".join((value or "").split())


def _require_processable(participant: Participant) -> None:
    if participant.erased_at is not None:
        raise ValidationError({"participant": [_("This person's data has been erased.")]})
    if participant.processing_stopped_at is not None:
        raise ValidationError(
            {"participant": [_("Consent was withdrawn: this person's data may not be changed.")]}
        )


def _full_clean(instance: Any, exclude: Iterable[str] = ()) -> None:
    instance.full_clean(exclude=list(exclude), validate_unique=True)


def _audit_field_name(name: str) -> str:
    return name[:-3] if name.endswith("_id") else name


# --- study groups -----------------------------------------------------------------------------


@transaction.atomic
def study_group_create(
    *, name: str, curator_id: int | None = None, actor: Any = None
) -> StudyGroup:
    group = StudyGroup(name=_clean_name(name), curator_id=curator_id)
    _full_clean(group)
    group.save()
    audit_record(actor=actor, action=AuditAction.CREATE, instance=group, changed_fields=["name"])
    return group


@transaction.atomic
def study_group_update(*, group: StudyGroup, actor: Any = None, **fields: Any) -> StudyGroup:
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


def study_group_get_or_create(*, name: str, actor: Any = None) -> StudyGroup:
    """The study group called ``name`` (spaces and case ignored), created when missing."""
    clean = _clean_name(name)
    existing = StudyGroup.objects.filter(name__iexact=clean).first()
    if existing is not None:
        return existing
    return study_group_create(name=clean, actor=actor)


# --- participants -----------------------------------------------------------------------------


def _check_participant_rules(participant: Participant) -> None:
    errors: dict[str, list[str]] = {}
    if participant.birth_date is not None:
        today = timezone.localdate()
        if participant.birth_date > today:
            errors["birth_date"] = [_("The birth date is in the future.")]
        elif (age_on(participant.birth_date, today) or 0) > 110:
            errors["birth_date"] = [_("The birth date is too far in the past.")]
    if participant.category == Category.YOUNG_SPECIALIST:
        participant.is_young_specialist = True
    if participant.user_id is not None:
        taken = Participant.objects.filter(user_id=participant.user_id).exclude(pk=participant.pk)
        if taken.exists():
            errors["user"] = [_("This account already belongs to another participant.")]
    if errors:
        raise ValidationError(errors)


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
    actor: Any = None,
) -> Participant:
    participant = Participant(
        last_name=_clean_name(last_name),
        first_name=_clean_name(first_name),
        middle_name=_clean_name(middle_name),
        birth_date=birth_date,
        category=category,
        study_group_id=study_group_id,
        is_young_specialist=is_young_specialist,
        email=(email or "").strip(),
        phone=(phone or "").strip(),
        user_id=user_id,
    )
    _check_participant_rules(participant)
    _full_clean(participant)
    participant.save()
    changed = [
        _audit_field_name(f)
        for f in PARTICIPANT_FIELDS
        if getattr(participant, f) not in ("", None)
    ]
    audit_record(
        actor=actor, action=AuditAction.CREATE, instance=participant, changed_fields=changed
    )
    return participant


@transaction.atomic
def participant_update(
    *, participant: Participant, actor: Any = None, **fields: Any
) -> Participant:
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
    _check_participant_rules(participant)
    _full_clean(participant)
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
    *, parent_id: int, child_id: int, relation: str, actor: Any = None
) -> Guardianship:
    errors: dict[str, list[str]] = {}
    parent = Participant.objects.filter(pk=parent_id).first()
    child = Participant.objects.filter(pk=child_id).first()
    if parent is None:
        errors["parent"] = [_("No such participant.")]
    elif parent.category != Category.PARENT:
        errors["parent"] = [_("The parent must be a participant of the category «parent».")]
    if child is None:
        errors["child"] = [_("No such participant.")]
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
    actor: Any = None,
) -> Consent:
    """Append a record to the consent register.

    A withdrawal of ``REQUIRED_PURPOSE`` stops processing at once and schedules erasure in
    ``ERASURE_DELAY_DAYS``; a later grant before the erasure resumes processing."""
    participant = Participant.objects.select_for_update().filter(pk=participant_id).first()
    if participant is None:
        raise ValidationError({"participant": [_("No such participant.")]})
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
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
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
    return consent


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
    actor: Any = None,
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


def _tags_by_code(
    model: type[NeedTag] | type[CompetenceTag], codes: Iterable[str], field: str
) -> list[Any]:
    wanted = sorted(set(codes))
    found: list[Any] = list(model.objects.filter(code__in=wanted, is_active=True))
    missing = sorted(set(wanted) - {t.code for t in found})
    if missing:
        raise ValidationError({field: [_("Unknown codes: %s") % ", ".join(missing)]})
    return found


def _apply(instance: Any, fields: Mapping[str, Any]) -> list[str]:
    changed = []
    for key, value in fields.items():
        if value is None:
            continue
        if getattr(instance, key) != value:
            changed.append(key)
        setattr(instance, key, value)
    return changed


@transaction.atomic
def mentee_profile_upsert(
    *,
    participant_id: int,
    request: str | None = None,
    need_codes: Iterable[str] | None = None,
    preferred_form: str | None = None,
    raised_by: str | None = None,
    actor: Any = None,
) -> MenteeProfile:
    """Create or update the participant's mentee profile; ``None`` leaves a field as it is."""
    participant = Participant.objects.select_for_update().filter(pk=participant_id).first()
    if participant is None:
        raise ValidationError({"participant": [_("No such participant.")]})
    _require_processable(participant)
    errors: dict[str, list[str]] = {}
    if preferred_form not in (None, "") and preferred_form not in MentoringForm.values:
        errors["preferred_form"] = [_("Unknown form of mentoring.")]
    if raised_by is not None and raised_by not in RequestSource.values:
        errors["raised_by"] = [_("Unknown source of the request.")]
    if errors:
        raise ValidationError(errors)
    tags = _tags_by_code(NeedTag, need_codes, "need_codes") if need_codes is not None else None
    profile = MenteeProfile.objects.filter(participant=participant).first()
    created = profile is None
    if profile is None:
        profile = MenteeProfile(participant=participant)
    changed = _apply(
        profile, {"request": request, "preferred_form": preferred_form, "raised_by": raised_by}
    )
    _full_clean(profile, exclude=["needs"])
    profile.save()
    if tags is not None:
        before = set(profile.needs.values_list("pk", flat=True))
        profile.needs.set(tags)
        if before != {t.pk for t in tags}:
            changed.append("needs")
    if created or changed:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            instance=profile,
            changed_fields=["participant", *changed] if created else changed,
        )
    return profile


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
    actor: Any = None,
) -> MentorProfile:
    """Create or update the participant's mentor profile; ``None`` leaves a field as it is.
    ``selection_scores`` replaces the whole set of scores (criterion → 0..5)."""
    participant = Participant.objects.select_for_update().filter(pk=participant_id).first()
    if participant is None:
        raise ValidationError({"participant": [_("No such participant.")]})
    _require_processable(participant)
    tags = (
        _tags_by_code(CompetenceTag, competence_codes, "competence_codes")
        if competence_codes is not None
        else None
    )
    profile = MentorProfile.objects.filter(participant=participant).first()
    created = profile is None
    if profile is None:
        profile = MentorProfile(participant=participant)
    changed = _apply(
        profile,
        {
            "experience": experience,
            "experience_years": experience_years,
            "hours_per_month": hours_per_month,
            "capacity": capacity,
            "motivation": motivation,
            "selection_scores": dict(selection_scores) if selection_scores is not None else None,
            "training": training,
        },
    )
    _full_clean(profile, exclude=["competences"])
    profile.save()
    if tags is not None:
        before = set(profile.competences.values_list("pk", flat=True))
        profile.competences.set(tags)
        if before != {t.pk for t in tags}:
            changed.append("competences")
    if created or changed:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            instance=profile,
            changed_fields=["participant", *changed] if created else changed,
        )
    return profile


# --- erasure ----------------------------------------------------------------------------------

ERASED_LAST_NAME = "***"


@transaction.atomic
def participant_erase(*, participant_id: int, actor: Any = None) -> bool:
    """Erase a person's personal data, keeping the anonymous row (category, study group,
    profiles' tags) for counts. Idempotent: False when already erased or missing."""
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
    with connection.cursor() as cursor:
        # The append-only trigger lets exactly this anonymisation through (migration 0002).
        cursor.execute("SELECT set_config('nastavnik.consent_erasure', 'on', true)")
        Consent.objects.filter(participant=participant).update(guardian_name="", scan="")
        cursor.execute("SELECT set_config('nastavnik.consent_erasure', 'off', true)")
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
        erased += participant_erase(participant_id=pk)
    return erased
