"""Public interface of the participants app: the only module other apps import.

Counts and KPI numerators return numbers only (the regional layer reads them). Writes are
keyword-only; pass ``actor`` (the user acting) so that the audit log names who did it.

Bulk writes (``participants_create_many``, ``mentee_profiles_upsert_many``,
``mentor_profiles_upsert_many``) apply the same rules as their one-row twins in a few queries
whatever the number of rows, all or nothing: bad rows raise ``RowsValidationError``, whose
``rows`` maps each bad row's index to its errors.

Nothing here hands out a model or a queryset: writes return the new row's id, reads return
ids, numbers and dataclasses. The app's own doors (its views, the pages) use its selectors."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files import File

from accounts.actor import Actor
from schools.participants import selectors, services
from schools.participants.catalogue import (
    TopicMatch,
    catalogue_index,
    coverage_map,
    normalise,
    split_entries,
)
from schools.participants.consent_texts import consent_text
from schools.participants.consents import PaperConsent, consents_record_many
from schools.participants.documents import consent_form_docx
from schools.participants.models import (
    REQUIRED_PURPOSE,
    Category,
    ConsentKind,
    ConsentMethod,
    ConsentPurpose,
    ConsentSigner,
    GuardianRelation,
    Participant,
    RequestSource,
    SelectionCriterion,
    TopicAudience,
    TopicGroup,
    age_on,
    full_name_of,
    is_minor_at,
)
from schools.participants.selectors import (
    BaseCounts,
    ConsentState,
    HeadcountNumerators,
    MenteeRecord,
    MentorRecord,
    PersonKey,
    PersonRef,
    base_counts,
    base_counts_shared,
    bases_choices,
    consent_annotations,
    consent_valid_carried,
    existing_participant_ids,
    has_valid_consent,
    headcount_numerators,
    kpi_numerators,
    mentee_base_size,
    mentee_count,
    mentee_records,
    mentees_without_consent_count,
    mentor_choices,
    mentor_count,
    mentor_records,
    mentors_without_consent_count,
    participant_find_duplicate,
    participant_find_duplicates,
    participant_full_names,
    person_choices,
    person_refs,
    processing_stopped_ids,
    study_group_member_ids,
    study_group_size,
    study_groups_without_curator_count,
)
from schools.participants.services import (
    MenteeProfileData,
    MentorProfileData,
    NewGuardianship,
    NewParticipant,
    RowsValidationError,
    guardianship_delete,
    guardianships_create_many,
    mentee_profiles_upsert_many,
    mentor_profile_remove,
    mentor_profiles_upsert_many,
    participants_create_many,
)


def topic_codes() -> dict[str, str]:
    """The catalogue of requests and competences, active entries: code → name."""
    from schools.participants.models import Topic

    return dict(Topic.objects.filter(is_active=True).values_list("code", "name"))


def topic_rows() -> list[dict[str, Any]]:
    """Every entry of the catalogue (retired ones too) as plain data: code, name, group,
    audience, synonyms, is_active."""
    from schools.participants.models import Topic

    return [
        {**row, "synonyms": list(row["synonyms"] or ())}
        for row in Topic.objects.order_by("group", "name").values(
            "code", "name", "group", "audience", "synonyms", "is_active"
        )
    ]


def topic_names() -> dict[str, str]:
    """Every entry of the catalogue, retired ones too: code → name (to name a profile's tags)."""
    from schools.participants.models import Topic

    return dict(Topic.objects.values_list("code", "name"))


def need_codes_of(*, participant_ids: Sequence[int]) -> dict[int, list[str]]:
    """Participant id → the catalogue codes of the needs of their mentee profile."""
    from schools.participants.models import MenteeProfile

    out: dict[int, list[str]] = {}
    for pk, code in MenteeProfile.needs.through.objects.filter(
        menteeprofile__participant_id__in=list(participant_ids)
    ).values_list("menteeprofile__participant_id", "topic__code"):
        out.setdefault(pk, []).append(code)
    return {pk: sorted(codes) for pk, codes in out.items()}


def study_groups_ensure(
    *, names: Sequence[str], curators_by_name: Mapping[str, int] | None = None, actor: Actor
) -> dict[str, int]:
    """The study groups called ``names`` (created when missing), each with its curator (a
    login id) where given and not yet set: name → id."""
    curators = dict(curators_by_name or {})
    out: dict[str, int] = {}
    for name in names:
        group = services.study_group_get_or_create(name=name, actor=actor)
        curator = curators.get(name)
        if curator is not None and group.curator_id is None:
            group = services.study_group_update(group=group, curator_id=curator, actor=actor)
        out[name] = group.pk
    return out


def topics_match(texts: Sequence[str]) -> list[TopicMatch]:
    """Recognise written entries in the catalogue, one ``TopicMatch`` per text, in order: by
    name, code or another wording of an entry, without regard to case, «ё/е», punctuation and
    spaces; an unrecognised text carries the closest entries as ``suggestions`` (code, name).
    For importers and forms: split a cell with ``split_entries`` first («;» or new lines)."""
    return catalogue_index().match_all(list(texts))


def topic_matcher() -> Callable[[Sequence[str]], list[TopicMatch]]:
    """``topics_match`` over one index of the catalogue, built now: to recognise the entries of
    a whole file without reading the catalogue again for each row."""
    return catalogue_index().match_all


def topic_coverage() -> dict[str, frozenset[str]]:
    """Competence code → the need codes a mentor with it covers (the same entry and the needs
    the coordinator mapped to it)."""
    return coverage_map()


# The importer's names from the time of two catalogues: both are the one catalogue now.
need_tag_codes = topic_codes


def mentor_capacity(*, participant_id: int) -> int | None:
    """The mentor's capacity (mentees at most), or None when the person is not in the mentor
    base."""
    from schools.participants.models import MentorProfile

    return (
        MentorProfile.objects.filter(participant_id=participant_id)
        .values_list("capacity", flat=True)
        .first()
    )


def child_participant_ids(*, parent_user_id: int) -> list[int]:
    """Ids of the children of the parent or guardian whose login is ``parent_user_id``."""
    from schools.participants.models import Guardianship

    return list(
        Guardianship.objects.filter(parent__user_id=parent_user_id).values_list(
            "child_id", flat=True
        )
    )


def participant_id_of_user(*, user_id: int) -> int | None:
    """The (not erased) participant record of the login ``user_id``, or None."""
    return (
        Participant.objects.filter(user_id=user_id, erased_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )


def lock_people(*, participant_ids: Collection[int]) -> dict[int, PersonRef]:
    """Lock the rows of the people among ``participant_ids`` until the caller's transaction
    ends (in the order of their ids, so that concurrent callers wait for each other rather
    than deadlock) and return them as ``PersonRef`` by id, in one query. Call it inside a
    transaction."""
    return selectors.person_refs(participant_ids=participant_ids, for_update=True)


def participant_age(*, participant_id: int) -> int | None:
    """The person's age today in full years (None when the birth date is unknown)."""
    return Participant.objects.get(pk=participant_id).age


def study_group_count() -> int:
    from schools.participants.models import StudyGroup

    return StudyGroup.objects.count()


def counted_mentee_ids() -> set[int]:
    """Ids of the mentees the KPIs count: in the mentee base, with valid consent (the same
    people as ``headcount_numerators().mentees``). For set arithmetic inside the institution's
    schema (e.g. mentees without a pair); ids never leave the tenant."""
    from schools.participants.models import MenteeProfile

    return set(
        selectors.participants_with_valid_consent()
        .filter(pk__in=MenteeProfile.objects.values("participant_id"))
        .values_list("pk", flat=True)
    )


competence_tag_codes = topic_codes


# --- writes: the new row's id -------------------------------------------------------------------


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
) -> int:
    """Record a person (the rules of ``services.participant_create``); returns the id."""
    return services.participant_create(
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
        actor=actor,
    ).pk


def participant_update(*, participant_id: int, actor: Actor, **fields: Any) -> None:
    """Change fields of the person ``participant_id`` (``PARTICIPANT_FIELDS`` only)."""
    participant = Participant.objects.get(pk=participant_id)
    services.participant_update(participant=participant, actor=actor, **fields)


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
) -> int:
    """Append a record (a grant or a withdrawal) to the consent register; returns its id."""
    return services.consent_record(
        participant_id=participant_id,
        kind=kind,
        purpose=purpose,
        signed_by=signed_by,
        signed_on=signed_on,
        method=method,
        guardian_name=guardian_name,
        guardian_relation=guardian_relation,
        minor_signed=minor_signed,
        text_version=text_version,
        scan=scan,
        actor=actor,
    ).pk


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
) -> int:
    """Record the withdrawal of a consent; returns the record's id."""
    return services.consent_withdraw(
        participant_id=participant_id,
        signed_by=signed_by,
        signed_on=signed_on,
        method=method,
        purpose=purpose,
        guardian_name=guardian_name,
        guardian_relation=guardian_relation,
        minor_signed=minor_signed,
        scan=scan,
        actor=actor,
    ).pk


def guardianship_create(*, parent_id: int, child_id: int, relation: str, actor: Actor) -> int:
    """Link a parent to its child; returns the link's id."""
    return services.guardianship_create(
        parent_id=parent_id, child_id=child_id, relation=relation, actor=actor
    ).pk


def mentee_profile_upsert(
    *,
    participant_id: int,
    request: str | None = None,
    need_codes: Iterable[str] | None = None,
    preferred_form: str | None = None,
    raised_by: str | None = None,
    actor: Actor,
) -> int:
    """Create or update the person's mentee profile (``None`` leaves a field as it is);
    returns the profile's id."""
    return services.mentee_profile_upsert(
        participant_id=participant_id,
        request=request,
        need_codes=need_codes,
        preferred_form=preferred_form,
        raised_by=raised_by,
        actor=actor,
    ).pk


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
) -> int:
    """Create or update the person's mentor profile (``None`` leaves a field as it is);
    returns the profile's id."""
    return services.mentor_profile_upsert(
        participant_id=participant_id,
        competence_codes=competence_codes,
        experience=experience,
        experience_years=experience_years,
        hours_per_month=hours_per_month,
        capacity=capacity,
        motivation=motivation,
        selection_scores=selection_scores,
        training=training,
        actor=actor,
    ).pk


def study_group_get_or_create(*, name: str, actor: Actor) -> int:
    """The id of the study group called ``name`` (spaces and case ignored), created when
    missing."""
    return services.study_group_get_or_create(name=name, actor=actor).pk


# --- reads: ids and plain data --------------------------------------------------------------------


def study_group_exists(*, study_group_id: int) -> bool:
    """Whether this institution has the class or study group ``study_group_id``."""
    from schools.participants.models import StudyGroup

    return StudyGroup.objects.filter(pk=study_group_id).exists()


def has_consent_record(*, participant_id: int) -> bool:
    """Whether the register holds any record (a grant or a withdrawal) of the person."""
    return selectors.consent_list().filter(participant_id=participant_id).exists()


def consenting_participant_ids(
    *, participant_ids: Iterable[int] | None = None, category: str | None = None
) -> list[int]:
    """Ids of the people with a valid consent (the only ones who may be matched, sent
    questionnaires or counted), in order of id: of ``participant_ids`` when given, of the
    ``category`` when given."""
    people = selectors.participants_with_valid_consent()
    if participant_ids is not None:
        people = people.filter(pk__in=list(participant_ids))
    if category is not None:
        people = people.filter(category=category)
    return list(people.order_by("pk").values_list("pk", flat=True))


def mentor_base_ids() -> set[int]:
    """Ids of the people in the mentor base."""
    from schools.participants.models import MentorProfile

    return set(MentorProfile.objects.values_list("participant_id", flat=True))


def mentee_base_ids() -> set[int]:
    """Ids of the people in the mentee base."""
    from schools.participants.models import MenteeProfile

    return set(MenteeProfile.objects.values_list("participant_id", flat=True))


def participant_ids_needing_reconsent() -> list[int]:
    """Ids of the people whose latest grant no longer fits their age, or will not soon (they
    turn 14 or 18), in order of id."""
    return list(
        selectors.participants_needing_reconsent().order_by("pk").values_list("pk", flat=True)
    )


def curated_study_group_names() -> dict[int, list[str]]:
    """Curator's login id → the names of the classes and study groups they curate, by name."""
    out: dict[int, list[str]] = {}
    for curator_id, name in (
        selectors.study_group_list()
        .filter(curator__isnull=False)
        .order_by("name")
        .values_list("curator_id", "name")
    ):
        out.setdefault(curator_id, []).append(name)
    return out


@dataclass(frozen=True)
class ConsentFormFile:
    """A person's printable consent form: whose it is and the DOCX itself."""

    full_name: str
    content: bytes


def consent_form_file(*, participant_id: int, purpose: str) -> ConsentFormFile | None:
    """The consent form for ``purpose`` of the (not erased) person, or None when the person
    or the purpose's text is missing."""
    text = consent_text(purpose=purpose)
    person = Participant.objects.filter(pk=participant_id, erased_at__isnull=True).first()
    if text is None or person is None:
        return None
    return ConsentFormFile(
        full_name=person.full_name, content=consent_form_docx(participant=person, text=text)
    )


__all__ = [
    "REQUIRED_PURPOSE",
    "BaseCounts",
    "Category",
    "ConsentFormFile",
    "ConsentKind",
    "ConsentMethod",
    "ConsentPurpose",
    "ConsentSigner",
    "ConsentState",
    "GuardianRelation",
    "HeadcountNumerators",
    "MenteeProfileData",
    "MenteeRecord",
    "MentorProfileData",
    "MentorRecord",
    "NewGuardianship",
    "NewParticipant",
    "PaperConsent",
    "PersonKey",
    "PersonRef",
    "RequestSource",
    "RowsValidationError",
    "SelectionCriterion",
    "TopicAudience",
    "TopicGroup",
    "TopicMatch",
    "age_on",
    "base_counts",
    "base_counts_shared",
    "bases_choices",
    "child_participant_ids",
    "competence_tag_codes",
    "consent_annotations",
    "consent_form_file",
    "consent_record",
    "consent_valid_carried",
    "consent_withdraw",
    "consenting_participant_ids",
    "consents_record_many",
    "counted_mentee_ids",
    "curated_study_group_names",
    "existing_participant_ids",
    "full_name_of",
    "guardianship_create",
    "guardianship_delete",
    "guardianships_create_many",
    "has_consent_record",
    "has_valid_consent",
    "headcount_numerators",
    "is_minor_at",
    "kpi_numerators",
    "lock_people",
    "mentee_base_ids",
    "mentee_base_size",
    "mentee_count",
    "mentee_profile_upsert",
    "mentee_profiles_upsert_many",
    "mentee_records",
    "mentees_without_consent_count",
    "mentor_base_ids",
    "mentor_capacity",
    "mentor_choices",
    "mentor_count",
    "mentor_profile_remove",
    "mentor_profile_upsert",
    "mentor_profiles_upsert_many",
    "mentor_records",
    "mentors_without_consent_count",
    "need_codes_of",
    "need_tag_codes",
    "normalise",
    "participant_age",
    "participant_create",
    "participant_find_duplicate",
    "participant_find_duplicates",
    "participant_full_names",
    "participant_id_of_user",
    "participant_ids_needing_reconsent",
    "participant_update",
    "participants_create_many",
    "person_choices",
    "person_refs",
    "processing_stopped_ids",
    "split_entries",
    "study_group_count",
    "study_group_exists",
    "study_group_get_or_create",
    "study_group_member_ids",
    "study_group_size",
    "study_groups_ensure",
    "study_groups_without_curator_count",
    "topic_codes",
    "topic_coverage",
    "topic_matcher",
    "topic_names",
    "topic_rows",
    "topics_match",
]


def learner_and_parent_surnames() -> list[str]:
    """The surnames of every learner and parent the institution records (for the public page's
    redactor: none of them may appear there)."""
    from schools.participants.models import LEARNER_CATEGORIES

    categories = [*LEARNER_CATEGORIES, Category.PARENT]
    return list(
        Participant.objects.filter(category__in=categories)
        .exclude(last_name="")
        .values_list("last_name", flat=True)
        .distinct()
    )
