"""Public interface of the participants app: the only module other apps import.

Counts and KPI numerators return numbers only (the regional layer reads them). Writes are
keyword-only; pass ``actor`` (the user acting) so that the audit log names who did it.

Bulk writes (``participants_create_many``, ``mentee_profiles_upsert_many``,
``mentor_profiles_upsert_many``) apply the same rules as their one-row twins in a few queries
whatever the number of rows, all or nothing: bad rows raise ``RowsValidationError``, whose
``rows`` maps each bad row's index to its errors. The list selectors (``participant_list`` …)
return querysets in the current schema; callers scope them to the user."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from accounts.actor import Actor
from schools.participants.catalogue import (
    TopicMatch,
    catalogue_index,
    coverage_map,
    normalise,
    split_entries,
)
from schools.participants.consents import PaperConsent, consents_record_many
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
)
from schools.participants.selectors import (
    BaseCounts,
    ConsentState,
    HeadcountNumerators,
    PersonKey,
    base_counts,
    base_counts_shared,
    bases_choices,
    consent_list,
    has_valid_consent,
    headcount_numerators,
    kpi_numerators,
    mentee_count,
    mentee_profile_list,
    mentees_without_consent_count,
    mentor_choices,
    mentor_count,
    mentor_profile_list,
    mentors_without_consent_count,
    participant_find_duplicate,
    participant_find_duplicates,
    participant_list,
    participants_needing_reconsent,
    participants_with_valid_consent,
    study_group_list,
)
from schools.participants.services import (
    MenteeProfileData,
    MentorProfileData,
    NewGuardianship,
    NewParticipant,
    RowsValidationError,
    consent_record,
    consent_withdraw,
    guardianship_create,
    guardianship_delete,
    guardianships_create_many,
    mentee_profile_upsert,
    mentee_profiles_upsert_many,
    mentor_profile_remove,
    mentor_profile_upsert,
    mentor_profiles_upsert_many,
    participant_create,
    participant_update,
    participants_create_many,
    study_group_get_or_create,
    study_group_update,
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
        group = study_group_get_or_create(name=name, actor=actor)
        curator = curators.get(name)
        if curator is not None and group.curator_id is None:
            group = study_group_update(group=group, curator_id=curator, actor=actor)
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
        participants_with_valid_consent()
        .filter(pk__in=MenteeProfile.objects.values("participant_id"))
        .values_list("pk", flat=True)
    )


def study_groups_without_curator_count() -> int:
    """Classes and study groups that have people in them and no curator."""
    from schools.participants.models import StudyGroup

    return (
        StudyGroup.objects.filter(curator__isnull=True, participants__isnull=False)
        .distinct()
        .count()
    )


competence_tag_codes = topic_codes


__all__ = [
    "REQUIRED_PURPOSE",
    "BaseCounts",
    "Category",
    "ConsentKind",
    "ConsentMethod",
    "ConsentPurpose",
    "ConsentSigner",
    "ConsentState",
    "GuardianRelation",
    "HeadcountNumerators",
    "MenteeProfileData",
    "MentorProfileData",
    "NewGuardianship",
    "NewParticipant",
    "PaperConsent",
    "Participant",
    "PersonKey",
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
    "consent_list",
    "consent_record",
    "consent_withdraw",
    "consents_record_many",
    "counted_mentee_ids",
    "full_name_of",
    "guardianship_create",
    "guardianship_delete",
    "guardianships_create_many",
    "has_valid_consent",
    "headcount_numerators",
    "kpi_numerators",
    "mentee_count",
    "mentee_profile_list",
    "mentee_profile_upsert",
    "mentee_profiles_upsert_many",
    "mentees_without_consent_count",
    "mentor_capacity",
    "mentor_choices",
    "mentor_count",
    "mentor_profile_list",
    "mentor_profile_remove",
    "mentor_profile_upsert",
    "mentor_profiles_upsert_many",
    "mentors_without_consent_count",
    "need_codes_of",
    "need_tag_codes",
    "normalise",
    "participant_age",
    "participant_create",
    "participant_find_duplicate",
    "participant_find_duplicates",
    "participant_id_of_user",
    "participant_list",
    "participant_update",
    "participants_create_many",
    "participants_needing_reconsent",
    "participants_with_valid_consent",
    "split_entries",
    "study_group_count",
    "study_group_get_or_create",
    "study_group_list",
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
