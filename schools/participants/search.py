"""Finding people at class scale: a search by any order of surname, name and patronymic (case,
spaces and «ё/е» ignored), filters by class or group, category, consent state and base
membership, and a class's roster with each pupil's consent and base state.

Reads only; the caller passes the queryset already limited to what the user may see
(``participants_visible_to``), so a curator searches its own classes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Concat, Lower, Replace

from schools.participants.models import (
    LEARNER_CATEGORIES,
    ConsentRequest,
    MenteeProfile,
    MentorProfile,
    Participant,
    StudyGroup,
)
from schools.participants.selectors import ConsentState, with_consent_state


class BaseFilter:
    """Which base a person is in (the «base» filter of the participants list)."""

    MENTEE = "mentee"
    MENTOR = "mentor"
    NONE = "none"
    VALUES = (MENTEE, MENTOR, NONE)


def search_words(query: str) -> list[str]:
    """«  Васильев  Роман ё » -> ["васильев", "роман", "е"]: lower case, «ё» as «е»."""
    return [word.replace("ё", "е") for word in query.lower().split()]


def _search_text() -> Replace:
    full = Concat(
        F("last_name"),
        Value(" "),
        F("first_name"),
        Value(" "),
        F("middle_name"),
        output_field=CharField(),
    )
    return Replace(Lower(full), Value("ё"), Value("е"))


def with_base_flags(queryset: QuerySet[Participant]) -> QuerySet[Participant]:
    """Annotate ``in_mentee_base`` and ``in_mentor_base``."""
    return queryset.annotate(
        in_mentee_base=Exists(MenteeProfile.objects.filter(participant=OuterRef("pk"))),
        in_mentor_base=Exists(MentorProfile.objects.filter(participant=OuterRef("pk"))),
    )


def people_search(
    queryset: QuerySet[Participant],
    *,
    query: str = "",
    study_group_id: int | None = None,
    without_group: bool = False,
    category: str = "",
    consent: str = "",
    base: str = "",
) -> QuerySet[Participant]:
    """``queryset`` (already scoped to the user) narrowed by every filter given; empty filters
    are ignored. Each word of ``query`` must occur in the full name, in any order («Роман
    Васильев», «васильев р», «Семён» and «Семен» all find «Васильев Роман Семёнович»). The
    result is annotated with ``consent_state`` and the base flags."""
    queryset = with_base_flags(with_consent_state(queryset))
    words = search_words(query)
    if words:
        queryset = queryset.annotate(search_text=_search_text())
        for word in words:
            queryset = queryset.filter(search_text__contains=word)
    if study_group_id is not None:
        queryset = queryset.filter(study_group_id=study_group_id)
    elif without_group:
        queryset = queryset.filter(study_group__isnull=True)
    if category:
        queryset = queryset.filter(category=category)
    if consent:
        if consent == "valid_any":
            queryset = queryset.filter(Q(consent_state__in=ConsentState.VALID_STATES))
        elif consent == "lacking":
            queryset = queryset.exclude(Q(consent_state__in=ConsentState.VALID_STATES))
        else:
            queryset = queryset.filter(Q(consent_state=consent))
    if base == BaseFilter.MENTEE:
        queryset = queryset.filter(Q(in_mentee_base=True))
    elif base == BaseFilter.MENTOR:
        queryset = queryset.filter(Q(in_mentor_base=True))
    elif base == BaseFilter.NONE:
        queryset = queryset.filter(Q(in_mentee_base=False) & Q(in_mentor_base=False))
    return queryset


def class_roster(queryset: QuerySet[Participant], *, group: StudyGroup) -> QuerySet[Participant]:
    """The people of a class or study group (of ``queryset``, scoped to the user), erased ones
    left out, with their consent state, base flags and whether an online consent link is open."""
    from django.utils import timezone

    open_request = ConsentRequest.objects.filter(
        participant=OuterRef("pk"), used_at__isnull=True, expires_at__gt=timezone.now()
    ).exclude(token_hash="")
    return (
        with_base_flags(with_consent_state(queryset))
        .filter(study_group=group, erased_at__isnull=True)
        .annotate(has_open_request=Exists(open_request))
        .order_by("last_name", "first_name", "middle_name", "pk")
    )


def class_lacking_consent(
    queryset: QuerySet[Participant], *, group: StudyGroup
) -> QuerySet[Participant]:
    """The people of a class or study group (of ``queryset``, scoped to the user), erased ones
    left out, whose consent is missing or no longer fits their age, in the roster's order:
    filtered in the database, with only their names and birth date (the papers' form; the
    whole roster with its flags was read as model instances to keep a few of them)."""
    return (
        with_consent_state(queryset.select_related(None))
        .filter(
            Q(consent_state__in=(ConsentState.MISSING, ConsentState.INVALID_FOR_AGE)),
            study_group=group,
            erased_at__isnull=True,
        )
        .only("pk", "last_name", "first_name", "middle_name", "birth_date")
        .order_by("last_name", "first_name", "middle_name", "pk")
    )


@dataclass
class ClassSummary:
    """A class in numbers: its people, consents, bases."""

    group: StudyGroup
    people: int = 0
    learners: int = 0
    consent_valid: int = 0
    consent_lacking: int = 0
    withdrawn: int = 0
    mentees: int = 0
    mentors: int = 0
    states: dict[str, int] = field(default_factory=dict)

    @property
    def consent_share(self) -> int:
        """Per cent of the class with a valid consent."""
        return round(100 * self.consent_valid / self.people) if self.people else 0


def class_summaries(
    queryset: QuerySet[Participant], *, groups: Iterable[StudyGroup]
) -> list[ClassSummary]:
    """One summary per group (in the order given) of the people of ``queryset`` (scoped to the
    user); one query, counted in the database: a row per class and combination of category,
    consent state and bases (a few hundred for a large school), not one per person."""
    summaries = {group.pk: ClassSummary(group=group) for group in groups}
    rows = (
        with_base_flags(with_consent_state(queryset))
        .filter(study_group_id__in=list(summaries), erased_at__isnull=True)
        .order_by()
        .values(  # type: ignore[misc]  # annotations
            "study_group_id", "category", "consent_state", "in_mentee_base", "in_mentor_base"
        )
        .annotate(people=Count("pk"))
        .values_list(
            "study_group_id",
            "category",
            "consent_state",
            "in_mentee_base",
            "in_mentor_base",
            "people",
        )
    )
    for group_id, category, state, mentee, mentor, people in rows:
        _count(summaries[group_id], category, state, mentee, mentor, people)
    return list(summaries.values())


def roster_summary(group: StudyGroup, roster: Iterable[Participant]) -> ClassSummary:
    """The summary of a class from its roster (``class_roster``: already annotated with the
    consent state and the base flags), without reading the people again."""
    summary = ClassSummary(group=group)
    for person in roster:
        _count(
            summary,
            person.category,
            getattr(person, "consent_state", ""),
            getattr(person, "in_mentee_base", False),
            getattr(person, "in_mentor_base", False),
        )
    return summary


def _count(
    summary: ClassSummary, category: str, state: str, mentee: bool, mentor: bool, people: int = 1
) -> None:
    """Add ``people`` persons of one category, consent state and bases to ``summary``."""
    summary.people += people
    summary.learners += people if category in LEARNER_CATEGORIES else 0
    if state in ConsentState.VALID_STATES:
        summary.consent_valid += people
    else:
        summary.consent_lacking += people
    summary.withdrawn += people if state == ConsentState.WITHDRAWN else 0
    summary.mentees += people if mentee else 0
    summary.mentors += people if mentor else 0
    summary.states[state] = summary.states.get(state, 0) + people
