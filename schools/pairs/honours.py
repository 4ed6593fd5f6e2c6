"""Who stage 6 honours (reads): the people of a programme's completed pairs and groups, each
once, with what an order or a letter prints beside the name (the class of a learner, the
position of an adult), and the partner employers whose specialists mentored.

A mentor of three completed pairs is one line of the encouragement order and gets one
thank-you letter."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.utils import timezone

from config.text import xml_safe
from schools.pairs.models import Pair, PairMentee, PairStatus
from schools.participants.api import age_on, full_name_of, is_minor_at
from schools.participants.names import PersonName, person_name

CATEGORY_RU = {
    "pupil": "обучающийся",
    "student": "студент",
    "teacher": "педагог",
    "master": "мастер производственного обучения",
    "young_specialist": "молодой специалист",
    "alumnus": "выпускник",
    "parent": "родитель (законный представитель)",
    "employer_specialist": "специалист предприятия",
}
LEARNERS = frozenset({"pupil", "student"})
TEACHERS = frozenset({"teacher", "master", "young_specialist"})

# The kinds of mentor a letter thanks differently.
PUPIL_MENTOR, TEACHER_MENTOR, EMPLOYER_MENTOR, OTHER_MENTOR = (
    "learner",
    "teacher",
    "employer",
    "other",
)


@dataclass(frozen=True)
class Person:
    """A person of a pair as the documents print them: plain values read through the pair's
    own foreign keys (``person_values`` / ``person_of``)."""

    id: int
    last_name: str
    first_name: str
    middle_name: str
    category: str
    study_group: str  # the name of the class or group, "" without one
    position: str
    workplace: str
    birth_date: datetime.date | None
    is_young_specialist: bool
    # Neither erased nor withdrawn (processing stopped): a new document may name them.
    processable: bool

    @property
    def full_name(self) -> str:
        """«Фамилия Имя Отчество», as the participant's own ``full_name``."""
        return full_name_of(self.last_name, self.first_name, self.middle_name)

    @property
    def is_minor(self) -> bool:
        """Under 18 today (the participant's own ``is_minor``)."""
        return is_minor_at(age_on(self.birth_date, timezone.localdate()))


_PERSON_FIELDS = (
    "id",
    "last_name",
    "first_name",
    "middle_name",
    "category",
    "position",
    "workplace",
    "study_group__name",
    "birth_date",
    "is_young_specialist",
    "erased_at",
    "processing_stopped_at",
)


def person_values(via: str) -> list[str]:
    """The names ``values()`` reads a ``Person`` by, through the foreign key ``via``."""
    return [f"{via}__{name}" for name in _PERSON_FIELDS]


def person_of(row: Mapping[str, Any], via: str) -> Person:
    """The ``Person`` of a ``values()`` row read with ``person_values(via)``."""
    return Person(
        id=row[f"{via}__id"],
        last_name=row[f"{via}__last_name"],
        first_name=row[f"{via}__first_name"],
        middle_name=row[f"{via}__middle_name"],
        category=row[f"{via}__category"],
        study_group=row[f"{via}__study_group__name"] or "",
        position=row[f"{via}__position"],
        workplace=row[f"{via}__workplace"],
        birth_date=row[f"{via}__birth_date"],
        is_young_specialist=row[f"{via}__is_young_specialist"],
        processable=(
            row[f"{via}__erased_at"] is None and row[f"{via}__processing_stopped_at"] is None
        ),
    )


def study_group_ru(name: str) -> str:
    """«7Б класс» for a school class, «группа ТМ-21» for a college group."""
    name = name.strip()
    if not name:
        return ""
    return f"{name} класс" if name[0].isdigit() else f"группа {name}"


def standing_of(person: Person) -> str:
    """What an order prints beside the name: the class of a learner, the position (and place
    of work) of an adult, else the category (text a document can hold)."""
    return xml_safe(_standing(person))


def _standing(person: Person) -> str:
    if person.category in LEARNERS:
        return study_group_ru(person.study_group) or CATEGORY_RU[person.category]
    position = person.position.strip() or CATEGORY_RU.get(person.category, "")
    if person.workplace.strip() and person.category in ("employer_specialist", "parent", "alumnus"):
        return f"{position}, {person.workplace.strip()}"
    return position


def mentor_kind(person: Person) -> str:
    if person.category in LEARNERS:
        return PUPIL_MENTOR
    if person.category in TEACHERS:
        return TEACHER_MENTOR
    if person.category == "employer_specialist":
        return EMPLOYER_MENTOR
    return OTHER_MENTOR


@dataclass
class Honoree:
    participant_id: int
    name: PersonName
    category: str
    standing: str
    is_learner: bool
    kind: str
    forms: list[str] = field(default_factory=list)
    pairs: int = 0
    mentees: int = 0
    workplace: str = ""


def honoree_of(person: Person) -> Honoree:
    return Honoree(
        participant_id=person.id,
        name=person_name(person),
        category=person.category,
        standing=standing_of(person),
        is_learner=person.category in LEARNERS,
        kind=mentor_kind(person),
        workplace=person.workplace.strip(),
    )


def _completed(
    programme_id: int, pair_ids: Iterable[int] | None, statuses: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """The pairs (their form, number of places and mentor) as rows, in one query."""
    pairs = Pair.objects.filter(
        programme_id=programme_id, status__in=list(statuses or [PairStatus.COMPLETED])
    )
    if pair_ids is not None:
        pairs = pairs.filter(pk__in=list(pair_ids))
    return list(
        pairs.annotate(places=Count("memberships"))
        .values("form", "places", *person_values("mentor"))
        .order_by("pk")
    )


def _sorted(people: dict[int, Honoree]) -> list[Honoree]:
    return sorted(
        people.values(),
        key=lambda h: (h.name.last_name, h.name.first_name, h.name.middle_name, h.participant_id),
    )


def honoured_mentors(
    *,
    programme_id: int,
    pair_ids: Iterable[int] | None = None,
    statuses: Iterable[str] | None = None,
    erased: bool = False,
) -> list[Honoree]:
    """The mentors of the programme's completed pairs (of ``pair_ids`` when given; pairs of
    ``statuses`` instead of completed ones when given), each once, by name; people whose data
    were erased are left out."""
    people: dict[int, Honoree] = {}
    for pair in _completed(programme_id, pair_ids, statuses):
        mentor = person_of(pair, "mentor")
        if not mentor.processable and not erased:
            continue
        entry = people.setdefault(mentor.id, honoree_of(mentor))
        entry.pairs += 1
        entry.mentees += pair["places"]
        if pair["form"] not in entry.forms:
            entry.forms.append(pair["form"])
    return _sorted(people)


def honoured_mentees(*, programme_id: int) -> list[Honoree]:
    """The mentees of the programme's completed pairs, each once, by name."""
    people: dict[int, Honoree] = {}
    memberships = (
        PairMentee.objects.filter(
            pair__programme_id=programme_id,
            pair__status=PairStatus.COMPLETED,
            mentee__erased_at__isnull=True,
            mentee__processing_stopped_at__isnull=True,
        )
        .values("pair__form", *person_values("mentee"))
        .order_by("pk")
    )
    for membership in memberships:
        mentee = person_of(membership, "mentee")
        entry = people.setdefault(mentee.id, honoree_of(mentee))
        entry.pairs += 1
        if membership["pair__form"] not in entry.forms:
            entry.forms.append(membership["pair__form"])
    return _sorted(people)


@dataclass
class PartnerEmployer:
    name: str
    specialists: list[PersonName] = field(default_factory=list)


def partner_employers(*, programme_id: int) -> list[PartnerEmployer]:
    """The employers whose specialists mentored in the programme (active or completed pairs),
    each once with its specialists, by the place of work the specialist's record names."""
    employers: dict[str, PartnerEmployer] = {}
    mentors = (
        Pair.objects.filter(
            programme_id=programme_id,
            status__in=[PairStatus.ACTIVE, PairStatus.COMPLETED],
            mentor__category="employer_specialist",
            mentor__erased_at__isnull=True,
        )
        .exclude(mentor__workplace="")
        .values(
            "mentor_id",
            "mentor__last_name",
            "mentor__first_name",
            "mentor__middle_name",
            "mentor__workplace",
        )
        .distinct()
        .order_by("mentor__last_name", "mentor__first_name", "mentor_id")
    )
    for mentor in mentors:
        key = mentor["mentor__workplace"].strip()
        entry = employers.setdefault(key.casefold(), PartnerEmployer(name=key))
        entry.specialists.append(
            person_name(
                PersonName(
                    last_name=mentor["mentor__last_name"],
                    first_name=mentor["mentor__first_name"],
                    middle_name=mentor["mentor__middle_name"],
                )
            )
        )
    return sorted(employers.values(), key=lambda e: e.name.casefold())


def honoured_mentor(
    *, programme_id: int, participant_id: int, statuses: Iterable[str] | None = None
) -> Honoree | None:
    """One mentor as ``honoured_mentors`` sees them (None when they have no pair of
    ``statuses``, default completed, in the programme or their data were erased)."""
    pair_ids = Pair.objects.filter(programme_id=programme_id, mentor_id=participant_id)
    found = honoured_mentors(
        programme_id=programme_id,
        pair_ids=list(pair_ids.values_list("pk", flat=True)),
        statuses=statuses,
    )
    return found[0] if found else None
