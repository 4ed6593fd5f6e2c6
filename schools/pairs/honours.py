"""Who stage 6 honours (reads): the people of a programme's completed pairs and groups, each
once, with what an order or a letter prints beside the name (the class of a learner, the
position of an adult), and the partner employers whose specialists mentored.

A mentor of three completed pairs is one line of the encouragement order and gets one
thank-you letter."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from config.text import xml_safe
from schools.pairs.models import Pair, PairMentee, PairStatus
from schools.participants.api import Participant
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


def study_group_ru(name: str) -> str:
    """«7Б класс» for a school class, «группа ТМ-21» for a college group."""
    name = name.strip()
    if not name:
        return ""
    return f"{name} класс" if name[0].isdigit() else f"группа {name}"


def standing_of(person: Participant) -> str:
    """What an order prints beside the name: the class of a learner, the position (and place
    of work) of an adult, else the category (text a document can hold)."""
    return xml_safe(_standing(person))


def _standing(person: Participant) -> str:
    if person.category in LEARNERS:
        group = getattr(person.study_group, "name", "") if person.study_group_id else ""
        return study_group_ru(group) or CATEGORY_RU[person.category]
    position = person.position.strip() or CATEGORY_RU.get(person.category, "")
    if person.workplace.strip() and person.category in ("employer_specialist", "parent", "alumnus"):
        return f"{position}, {person.workplace.strip()}"
    return position


def mentor_kind(person: Participant) -> str:
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


def honoree_of(person: Participant) -> Honoree:
    return Honoree(
        participant_id=person.pk,
        name=person_name(person),
        category=person.category,
        standing=standing_of(person),
        is_learner=person.category in LEARNERS,
        kind=mentor_kind(person),
        workplace=person.workplace.strip(),
    )


def _completed(
    programme_id: int, pair_ids: Iterable[int] | None, statuses: Iterable[str] | None = None
) -> list[Pair]:
    pairs = Pair.objects.filter(
        programme_id=programme_id, status__in=list(statuses or [PairStatus.COMPLETED])
    )
    if pair_ids is not None:
        pairs = pairs.filter(pk__in=list(pair_ids))
    return list(pairs.select_related("mentor__study_group").order_by("pk"))


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
        mentor = pair.mentor
        stopped = mentor.erased_at is not None or mentor.processing_stopped_at is not None
        if stopped and not erased:
            continue
        entry = people.setdefault(mentor.pk, honoree_of(mentor))
        entry.pairs += 1
        entry.mentees += pair.memberships.count()
        if pair.form not in entry.forms:
            entry.forms.append(pair.form)
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
        .select_related("mentee__study_group", "pair")
        .order_by("pk")
    )
    for membership in memberships:
        entry = people.setdefault(membership.mentee_id, honoree_of(membership.mentee))
        entry.pairs += 1
        if membership.pair.form not in entry.forms:
            entry.forms.append(membership.pair.form)
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
        Participant.objects.filter(
            category="employer_specialist",
            erased_at__isnull=True,
            mentored_pairs__programme_id=programme_id,
            mentored_pairs__status__in=[PairStatus.ACTIVE, PairStatus.COMPLETED],
        )
        .exclude(workplace="")
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )
    for mentor in mentors:
        key = mentor.workplace.strip()
        entry = employers.setdefault(key.casefold(), PartnerEmployer(name=key))
        entry.specialists.append(person_name(mentor))
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
