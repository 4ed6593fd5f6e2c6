"""A realistic school, generated: ``school_generate(schema_name=..., learners=600, staff=60)``.

Fills an existing institution the way a Russian school looks at the start of its programme
year (stage 2–4 of the cycle): classes 5–11 («5А», «7Б», … of about 25 pupils) with their class
teachers as curators (a login each); pupils with Russian names and patronymics made from their
fathers' names («ё» where Russians write it, feminine forms of surnames), born to fit their
grade; each pupil's parent or guardian (a few have both parents recorded, siblings share them);
the teaching staff by subject, with young teachers in their first years; consents to personal
data processing for about 90 % of the people (signed by a parent under 14, by a parent and the
minor from 14, by adults themselves); the mentee base (about 30 % of the pupils, the young
teachers and a few others) with requests as schools write them and the mentor base (pupils of
grades 8–11, experienced teachers, a few alumni and employers' specialists) with competences,
capacities and time resources; the programme of the year with its forms, curators and
headcount; and a group meeting after which part of the people named whom they would prefer.

Everything is written through the apps' ``api.py`` (bulk services: a few queries per kind of
record), so generated data obeys the rules that pages and imports obey. Deterministic: the same
seed gives the same school in the same academic year (ages are counted from its 1 September;
consent dates are clipped to today). Used by ``nastavnik generate-school``, tests and benches."""

from __future__ import annotations

import datetime
import random
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts import api as accounts_api
from accounts.api import Actor
from schools.matching import api as matching_api
from schools.participants import api as participants_api
from schools.programmes import api as programmes_api
from seeding import names
from seeding.requests import (
    ALUMNUS_OFFERS,
    EMPLOYER_PROFILES,
    NEEDS_ANY_GRADE,
    NEEDS_BY_GRADE,
    POST_OFFERS,
    PUPIL_MENTOR_OFFERS,
    SUBJECTS,
    TEACHER_NEEDS,
    TEACHER_OFFERS_FOR_PUPILS,
    TEACHER_OFFERS_FOR_TEACHERS,
    TEACHER_POSTS,
    WITH_SUBJECT,
    YOUNG_TEACHER_NEEDS,
    Wordings,
    pick_weighted,
)

GRADES = tuple(range(5, 12))
CLASS_SIZE = 25
# A large school (1,500 pupils) has nine or ten parallel classes in a grade.
LETTERS = "АБВГДЕЖЗИКЛМ"
LATIN = {
    "А": "a",
    "Б": "b",
    "В": "v",
    "Г": "g",
    "Д": "d",
    "Е": "e",
    "Ж": "zh",
    "З": "z",
    "И": "i",
    "К": "k",
    "Л": "l",
    "М": "m",
}
# The forms of mentoring a school runs (Р-145; the generated people fit them).
SCHOOL_FORMS = (
    "pupil_pupil",
    "teacher_teacher",
    "teacher_student",
    "student_pupil",
    "employer_pupil",
)

SEED_ACTOR = Actor.system("generate-school")
CONSENT_MISSING_SHARE = 0.10
MENTEE_SHARE = 0.30  # of the pupils
PUPIL_MENTOR_SHARE = 0.12  # of the pupils (Р-145 aims at 10 %), from grade 8
TEACHER_MENTOR_SHARE = 0.5  # of the experienced teachers
YOUNG_TEACHER_SHARE = 0.12  # of the staff
FREE_TEXT_SHARE = 0.15  # requests written in words the catalogue does not know


@dataclass
class GeneratedSchool:
    """What was generated (counts and the ids tests need)."""

    schema_name: str
    seed: int
    learners: int = 0
    staff: int = 0
    young_teachers: int = 0
    parents: int = 0
    others: int = 0  # alumni and employers' specialists
    study_groups: int = 0
    curators: int = 0
    consents: int = 0
    without_consent: int = 0
    mentees: int = 0
    mentors: int = 0
    preferences: int = 0
    programme_id: int = 0
    group_meeting_id: int | None = None
    # Consents signed after ``consents_until`` (``school_generate``): not recorded yet, for the
    # caller to record as their days come (``participants_api.consents_record_many``).
    pending_consents: list[participants_api.PaperConsent] = field(default_factory=list, repr=False)
    mentee_ids: list[int] = field(default_factory=list, repr=False)
    mentor_ids: list[int] = field(default_factory=list, repr=False)
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"{self.learners} pupils in {self.study_groups} classes (5–11) with "
            f"{self.curators} curators, {self.staff} teachers ({self.young_teachers} young), "
            f"{self.parents} parents, {self.others} alumni and employers' specialists; "
            f"{self.consents} consents ({self.without_consent} people without one); "
            f"mentee base {self.mentees}, mentor base {self.mentors}; "
            f"{self.preferences} preferences after the group meeting; {self.seconds:.1f} s"
        )


@dataclass
class _Person:
    """A person before they are written (index into the rows of ``participants_create_many``)."""

    last_name: str
    first_name: str
    middle_name: str
    category: str
    birth_date: datetime.date | None
    female: bool
    study_group: str = ""
    grade: int | None = None
    young: bool = False
    email: str = ""
    phone: str = ""
    post: str = ""  # teachers: subject topic code
    post_title: str = ""
    user_id: int | None = None
    guardians: list[tuple[int, str]] = field(default_factory=list)  # (person index, relation)
    pk: int = 0


class _Generator:
    def __init__(self, *, learners: int, staff: int, seed: int, today: datetime.date) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - made-up people, not secrets
        self.learners, self.staff, self.seed = learners, staff, seed
        self.today = today
        year = today.year if today.month >= 9 else today.year - 1
        self.year_start = datetime.date(year, 9, 1)
        self.academic_year = year
        self.people: list[_Person] = []
        self.used_names: set[tuple[str, str, str]] = set()

    # --- names and dates ------------------------------------------------------------------

    def _birth_date(self, age: int) -> datetime.date:
        """A birth date of someone who is ``age`` full years old on 1 September."""
        latest = self.year_start.replace(year=self.year_start.year - age)
        return latest - datetime.timedelta(days=self.rng.randrange(365))

    def _adult(self, *, female: bool, age: int, young: bool = False) -> tuple[str, str, str]:
        first = self.rng.choice(
            (names.YOUNG_WOMEN if female else names.YOUNG_MEN)
            if young
            else (names.WOMEN if female else names.MEN)
        )
        surname = self.rng.choice(names.SURNAMES)
        father = self.rng.choice(names.FATHERS_OF_ADULTS if age > 35 else names.FATHERS_OF_PUPILS)
        last = names.feminine_surname(surname) if female else surname
        return last, first, names.patronymic(father, female=female)

    def _add(self, person: _Person) -> int:
        self.people.append(person)
        return len(self.people) - 1

    def _phone(self) -> str:
        r = self.rng.randrange
        return f"+7 9{r(10, 99)} {r(100, 999)}-{r(10, 99)}-{r(10, 99)}"

    # --- the people -------------------------------------------------------------------------

    def classes(self) -> dict[int, list[str]]:
        """Grade → class names, about ``CLASS_SIZE`` pupils each, at least one per grade."""
        per_grade = self.learners / len(GRADES)
        count = min(len(LETTERS), max(1, round(per_grade / CLASS_SIZE)))
        return {g: [f"{g}{LETTERS[i]}" for i in range(count)] for g in GRADES}

    def pupils(self, classes: dict[int, list[str]]) -> list[int]:
        """The pupils with their families; returns their indexes."""
        rng = self.rng
        slots: list[tuple[int, str]] = []
        for n in range(self.learners):
            grade = GRADES[n % len(GRADES)]
            slots.append((grade, classes[grade][(n // len(GRADES)) % len(classes[grade])]))
        families: list[dict[str, Any]] = []
        indexes: list[int] = []
        for grade, class_name in slots:
            # about one family in seven has two children at the school
            if families and rng.random() < 0.14:
                family = rng.choice(families)
            else:
                family = {
                    "surname": rng.choice(names.SURNAMES),
                    "father": rng.choice(names.FATHERS_OF_PUPILS),
                    "guardians": None,
                }
                families.append(family)
            female = rng.random() < 0.5
            first = rng.choice(names.GIRLS if female else names.BOYS)
            last = names.feminine_surname(family["surname"]) if female else family["surname"]
            middle = names.patronymic(family["father"], female=female)
            age = grade + 6 + (1 if rng.random() < 0.08 else 0)
            index = self._add(
                _Person(
                    last_name=last,
                    first_name=first,
                    middle_name=middle,
                    category="pupil",
                    birth_date=self._birth_date(age),
                    female=female,
                    study_group=class_name,
                    grade=grade,
                )
            )
            if family["guardians"] is None:
                family["guardians"] = self._guardians(family)
            self.people[index].guardians = list(family["guardians"])
            indexes.append(index)
        return indexes

    def _parent(
        self,
        *,
        last_name: str,
        first_name: str,
        middle_name: str,
        ages: tuple[int, int],
        female: bool,
    ) -> int:
        """One recorded parent or guardian (the random draws in the order they always were:
        the age, then the phone)."""
        birth_date = self._birth_date(self.rng.randint(*ages))
        return self._add(
            _Person(
                last_name=last_name,
                first_name=first_name,
                middle_name=middle_name,
                category="parent",
                birth_date=birth_date,
                female=female,
                phone=self._phone(),
            )
        )

    def _guardians(self, family: dict[str, Any]) -> list[tuple[int, str]]:
        """The family's recorded parents or guardian: mostly the mother, some both parents, a
        few a grandmother as legal guardian."""
        rng = self.rng
        roll = rng.random()
        out: list[tuple[int, str]] = []
        surname = family["surname"]
        if roll < 0.04:  # a grandmother is the legal guardian
            _l, first, middle = self._adult(female=True, age=62)
            grandmother = self._parent(
                last_name=names.feminine_surname(surname),
                first_name=first,
                middle_name=middle,
                ages=(55, 70),
                female=True,
            )
            out.append((grandmother, "guardian"))
            return out
        mother = roll < 0.80 or roll >= 0.95
        father = roll >= 0.80
        if mother:
            _l, first, middle = self._adult(female=True, age=38)
            keeps_own = rng.random() < 0.08
            last = _l if keeps_own else names.feminine_surname(surname)
            mother_id = self._parent(
                last_name=last, first_name=first, middle_name=middle, ages=(30, 48), female=True
            )
            out.append((mother_id, "mother"))
        if father:
            grandfather = rng.choice(names.FATHERS_OF_ADULTS)
            father_id = self._parent(
                last_name=surname,
                first_name=family["father"],
                middle_name=names.patronymic(grandfather, female=False),
                ages=(32, 52),
                female=False,
            )
            out.append((father_id, "father"))
        return out

    def teachers(self) -> list[int]:
        rng = self.rng
        posts = [(code, title) for code, title, share in TEACHER_POSTS for _ in range(share)]
        rng.shuffle(posts)
        young_count = max(1, round(self.staff * YOUNG_TEACHER_SHARE))
        young_ones = set(rng.sample(range(self.staff), k=min(young_count, self.staff - 1)))
        indexes: list[int] = []
        for n in range(self.staff):
            code, title = posts[n % len(posts)]
            young = n in young_ones
            female = rng.random() < (0.8 if not young else 0.75)
            age = rng.randint(22, 27) if young else rng.randint(30, 64)
            last, first, middle = self._adult(female=female, age=age, young=young)
            indexes.append(
                self._add(
                    _Person(
                        last_name=last,
                        first_name=first,
                        middle_name=middle,
                        category="teacher",
                        birth_date=self._birth_date(age),
                        female=female,
                        young=young,
                        post=code,
                        post_title=title,
                        email=f"teacher{n + 1}@school.example",
                    )
                )
            )
        return indexes

    def outsiders(self) -> tuple[list[int], list[int]]:
        """A few alumni (students now) and employers' specialists who offered to mentor."""
        rng = self.rng
        alumni, employers = [], []
        for _n in range(max(2, self.learners // 120)):
            female = rng.random() < 0.55
            last, first, middle = self._adult(female=female, age=20, young=True)
            alumni.append(
                self._add(
                    _Person(
                        last_name=last,
                        first_name=first,
                        middle_name=middle,
                        category="alumnus",
                        birth_date=self._birth_date(rng.randint(18, 22)),
                        female=female,
                        phone=self._phone(),
                    )
                )
            )
        for n in range(max(2, self.learners // 150)):
            female = rng.random() < 0.4
            last, first, middle = self._adult(female=female, age=40)
            title, employer, _offers = EMPLOYER_PROFILES[n % len(EMPLOYER_PROFILES)]
            employers.append(
                self._add(
                    _Person(
                        last_name=last,
                        first_name=first,
                        middle_name=middle,
                        category="employer_specialist",
                        birth_date=self._birth_date(rng.randint(28, 55)),
                        female=female,
                        post=str(n % len(EMPLOYER_PROFILES)),
                        post_title=f"{title}, {employer}",
                        phone=self._phone(),
                    )
                )
            )
        return alumni, employers


def _latin(class_name: str) -> str:
    return "".join(LATIN.get(ch, ch) for ch in class_name).lower()


def _mentee_entries(
    gen: _Generator, person: _Person, wordings: Wordings
) -> tuple[list[str], str, str]:
    """(entries as written, preferred form, who raised the request)."""
    rng = gen.rng
    if person.category == "teacher":
        table = YOUNG_TEACHER_NEEDS if person.young else TEACHER_NEEDS
        topics = pick_weighted(rng, table, rng.choice((1, 2, 2, 3)))
        return (
            [wordings.write(rng, t, free_share=FREE_TEXT_SHARE) for t in topics],
            "teacher_teacher",
            "self" if rng.random() < 0.6 else "attestation",
        )
    assert person.grade is not None
    by_grade = (*NEEDS_BY_GRADE[person.grade], *NEEDS_ANY_GRADE)
    topics = pick_weighted(rng, by_grade, rng.choice((1, 1, 2, 2, 2, 3)))
    if any(t in WITH_SUBJECT for t in topics) and rng.random() < 0.7:
        topics.append(rng.choice(SUBJECTS))
    entries = [wordings.write(rng, t, free_share=FREE_TEXT_SHARE) for t in topics]
    form = rng.choices(["", "pupil_pupil", "teacher_student"], weights=[65, 25, 10])[0]
    raised = rng.choices(
        ["self", "curator", "parent", "social_pedagogue", "teacher"], weights=[45, 30, 12, 5, 8]
    )[0]
    return entries, form, raised


def _mentor_entries(gen: _Generator, person: _Person, wordings: Wordings) -> list[str]:
    rng = gen.rng
    if person.category == "pupil":
        topics = rng.sample(SUBJECTS, k=rng.choice((1, 1, 2)))
        topics += pick_weighted(rng, PUPIL_MENTOR_OFFERS, rng.choice((1, 2, 2, 3)))
    elif person.category == "teacher":
        topics = [person.post] if person.post else []
        topics += list(POST_OFFERS.get(person.post, ()))[: rng.randint(1, 3)]
        if person.post in SUBJECTS:
            topics += pick_weighted(rng, TEACHER_OFFERS_FOR_PUPILS, rng.randint(1, 3))
        topics += pick_weighted(rng, TEACHER_OFFERS_FOR_TEACHERS, rng.randint(1, 3))
    elif person.category == "alumnus":
        topics = [*pick_weighted(rng, ALUMNUS_OFFERS, rng.randint(2, 3)), rng.choice(SUBJECTS)]
    else:
        topics = ["career_guidance", *EMPLOYER_PROFILES[int(person.post)][2]]
    seen = list(dict.fromkeys(t for t in topics if t))
    # Competences are mostly written in the catalogue's words (a coordinator fills them in).
    return [wordings.write(rng, t, free_share=FREE_TEXT_SHARE / 2) for t in seen]


def _codes(entries: Sequence[str]) -> list[str]:
    """The catalogue entries recognised in what was written; the rest stays as text."""
    return list(
        dict.fromkeys(m.code for m in participants_api.topics_match(entries) if m.code is not None)
    )


def _consent_rows(
    gen: _Generator, indexes: Sequence[int]
) -> tuple[list[participants_api.PaperConsent], int]:
    rng = gen.rng
    rows: list[participants_api.PaperConsent] = []
    missing = 0
    for index in indexes:
        person = gen.people[index]
        if rng.random() < CONSENT_MISSING_SHARE:
            missing += 1
            continue
        signed_on = min(gen.today, gen.year_start + datetime.timedelta(days=rng.randrange(40)))
        born = person.birth_date
        age_signed = participants_api.age_on(born, signed_on) if born else None
        age_now = participants_api.age_on(born, gen.today) if born else None
        if person.category != "pupil" or age_signed is None or age_signed >= 18:
            rows.append(
                participants_api.PaperConsent(
                    participant_id=person.pk,
                    signed_by="self",
                    signed_on=signed_on,
                    method="paper_scan",
                )
            )
            continue
        if age_now is not None and age_now >= 18:
            # came of age since: signs personally after the birthday
            assert born is not None
            signed_on = min(gen.today, born.replace(year=born.year + 18))
            rows.append(
                participants_api.PaperConsent(
                    participant_id=person.pk,
                    signed_by="self",
                    signed_on=signed_on,
                    method="paper_scan",
                )
            )
            continue
        guardian_index, relation = person.guardians[0]
        guardian = gen.people[guardian_index]
        rows.append(
            participants_api.PaperConsent(
                participant_id=person.pk,
                signed_by="guardian",
                signed_on=signed_on,
                method="paper_scan",
                guardian_name=f"{guardian.last_name} {guardian.first_name} {guardian.middle_name}",
                guardian_relation=relation,
                # from 14 the minor signs too (also one who turned 14 since)
                minor_signed=(age_now or 0) >= 14,
            )
        )
    return rows, missing


def school_generate(
    *,
    schema_name: str,
    learners: int = 600,
    staff: int = 60,
    seed: int = 1,
    preferences: bool = True,
    today: datetime.date | None = None,
    consents_until: datetime.date | None = None,
) -> GeneratedSchool:
    """Fill the institution of ``schema_name`` with a generated school (see the module's
    docstring). Meant for an institution without pupils yet: running it twice adds a second
    set of people (classes and curators' logins are reused). All or nothing.

    ``consents_until``: record only the consents signed on or before that day; the others are
    returned in ``pending_consents`` (the same school either way: the demo records them month
    by month, to aggregate each month as it was)."""
    if learners < 1 or staff < 2:
        raise ValueError("A school needs at least one pupil and two teachers.")
    started = time.perf_counter()
    today = today or timezone.localdate()
    gen = _Generator(learners=learners, staff=staff, seed=seed, today=today)
    result = GeneratedSchool(schema_name=schema_name, seed=seed)
    with schema_context(schema_name), transaction.atomic():
        wordings = Wordings(
            names={t["code"]: t["name"] for t in participants_api.topic_rows()},
            synonyms={t["code"]: t["synonyms"] for t in participants_api.topic_rows()},
        )
        classes = gen.classes()
        pupils = gen.pupils(classes)
        teachers = gen.teachers()
        alumni, employers = gen.outsiders()

        # Class teachers are the curators of their classes, with a login each.
        class_names = [name for grade in GRADES for name in classes[grade]]
        experienced = [i for i in teachers if not gen.people[i].young]
        class_teachers = dict(zip(class_names, experienced * 2, strict=False))
        curator_ids: dict[str, int] = {}
        for class_name, index in class_teachers.items():
            person = gen.people[index]
            username = f"curator-{_latin(class_name)}"
            user_id = accounts_api.user_id_by_username(username=username)
            if user_id is None:  # a new login is the class teacher's own
                user_id = accounts_api.user_create(
                    actor=SEED_ACTOR,
                    username=username,
                    role="curator",
                    first_name=person.first_name,
                    last_name=person.last_name,
                    middle_name=person.middle_name,
                    email=person.email,
                )
                person.user_id = user_id
            curator_ids[class_name] = user_id
        group_ids = participants_api.study_groups_ensure(
            curators_by_name=curator_ids, names=class_names, actor=SEED_ACTOR
        )

        rows = [
            participants_api.NewParticipant(
                last_name=p.last_name,
                first_name=p.first_name,
                middle_name=p.middle_name,
                category=p.category,
                birth_date=p.birth_date,
                study_group_id=group_ids.get(p.study_group),
                is_young_specialist=p.young,
                email=p.email,
                phone=p.phone,
                user_id=p.user_id,
            )
            for p in gen.people
        ]
        for person, pk in zip(
            gen.people,
            participants_api.participants_create_many(rows=rows, actor=SEED_ACTOR),
            strict=True,
        ):
            person.pk = pk
        participants_api.guardianships_create_many(
            rows=[
                participants_api.NewGuardianship(
                    parent_id=gen.people[g].pk, child_id=gen.people[i].pk, relation=relation
                )
                for i in pupils
                for g, relation in gen.people[i].guardians
            ],
            actor=SEED_ACTOR,
        )
        in_programme = pupils + teachers + alumni + employers
        consent_rows, missing = _consent_rows(gen, in_programme)
        until = consents_until or datetime.date.max
        result.pending_consents = [r for r in consent_rows if r.signed_on > until]
        participants_api.consents_record_many(
            rows=[r for r in consent_rows if r.signed_on <= until], actor=SEED_ACTOR
        )

        # The bases.
        rng = gen.rng
        mentee_rows: list[participants_api.MenteeProfileData] = []
        mentee_people = [i for i in pupils if rng.random() < MENTEE_SHARE]
        mentee_people += [i for i in teachers if gen.people[i].young]
        mentee_people += [
            i for i in experienced if rng.random() < 0.08 and i not in class_teachers.values()
        ]
        for index in mentee_people:
            entries, form, raised = _mentee_entries(gen, gen.people[index], wordings)
            mentee_rows.append(
                participants_api.MenteeProfileData(
                    participant_id=gen.people[index].pk,
                    request="; ".join(entries),
                    need_codes=_codes(entries),
                    preferred_form=form,
                    raised_by=raised,
                )
            )
        mentee_set = set(mentee_people)
        eligible = [i for i in pupils if (gen.people[i].grade or 0) >= 8 and i not in mentee_set]
        mentor_people = sorted(
            rng.sample(eligible, k=min(len(eligible), round(PUPIL_MENTOR_SHARE * learners)))
        )
        free_teachers = [i for i in experienced if i not in mentee_set]
        mentor_people += sorted(
            rng.sample(free_teachers, k=round(TEACHER_MENTOR_SHARE * len(free_teachers)))
        )
        mentor_people += alumni + employers
        mentor_rows: list[participants_api.MentorProfileData] = []
        for index in mentor_people:
            person = gen.people[index]
            entries = _mentor_entries(gen, person, wordings)
            if person.category == "pupil":
                capacity, hours = rng.choice((1, 1, 2, 2)), rng.choice((4, 4, 6, 8))
                experience = f"Ученик {person.study_group} класса"
            elif person.category == "teacher":
                capacity = rng.choice((3, 3, 4, 4, 5, 6))  # teachers often take a group
                hours = rng.choice((4, 6, 8, 8, 10, 12))
                born = person.birth_date
                years = max(3, gen.academic_year - born.year - 23) if born else 10
                experience = f"{person.post_title}, стаж {years} лет"
            elif person.category == "alumnus":
                capacity, hours = rng.choice((1, 2)), rng.choice((4, 6))
                experience = "Выпускник школы, студент"
            else:
                capacity, hours = rng.choice((3, 4, 5, 6)), rng.choice((4, 6, 8))
                experience = person.post_title
            mentor_rows.append(
                participants_api.MentorProfileData(
                    participant_id=person.pk,
                    competence_codes=_codes(entries),
                    experience=experience,
                    hours_per_month=hours if rng.random() > 0.1 else None,
                    capacity=capacity,
                    motivation="; ".join(entries),
                )
            )
        participants_api.mentee_profiles_upsert_many(rows=mentee_rows, actor=SEED_ACTOR)
        participants_api.mentor_profiles_upsert_many(rows=mentor_rows, actor=SEED_ACTOR)

        # The programme of the year runs the school's forms, with its curators and headcount.
        programme_id = _programme_ensure(
            gen,
            curator_ids=sorted(set(curator_ids.values())),
            teachers=len(teachers),
            young_teachers=sum(1 for i in teachers if gen.people[i].young),
        )

        prefs = 0
        meeting_id = None
        if preferences:
            meeting_id, prefs = _group_meeting(
                gen, programme_id, [gen.people[i].pk for i in mentee_people], mentor_rows
            )

    result.learners, result.staff = len(pupils), len(teachers)
    result.young_teachers = sum(1 for i in teachers if gen.people[i].young)
    result.parents = sum(1 for p in gen.people if p.category == "parent")
    result.others = len(alumni) + len(employers)
    result.study_groups, result.curators = len(class_names), len(set(curator_ids.values()))
    result.consents, result.without_consent = len(consent_rows), missing
    result.mentees, result.mentors = len(mentee_rows), len(mentor_rows)
    result.mentee_ids = [r.participant_id for r in mentee_rows]
    result.mentor_ids = [r.participant_id for r in mentor_rows]
    result.preferences, result.programme_id = prefs, programme_id
    result.group_meeting_id = meeting_id
    result.seconds = time.perf_counter() - started
    return result


def _programme_ensure(
    gen: _Generator, *, curator_ids: list[int], teachers: int, young_teachers: int
) -> int:
    """The programme of the academic year (created when missing), running the school's forms
    besides its own, with the class teachers among its curators and the headcount counted
    (learners from age 10; teachers, young ones)."""
    programme_id = programmes_api.programme_id_for_year(academic_year=gen.academic_year)
    if programme_id is None:
        programme_id = programmes_api.programme_create(
            actor=SEED_ACTOR,
            academic_year=gen.academic_year,
            title=(
                f"Программа наставничества на {gen.academic_year}/{gen.academic_year + 1} "
                "учебный год"
            ),
            forms=SCHOOL_FORMS,
        )
    forms = programmes_api.programme_forms(programme_id=programme_id)
    learners = sum(
        1
        for p in gen.people
        if p.category == "pupil"
        and p.birth_date is not None
        and (participants_api.age_on(p.birth_date, gen.today) or 0) >= 10
    )
    programmes_api.programme_update(
        programme_id=programme_id,
        actor=SEED_ACTOR,
        status="active",
        forms=forms + [f for f in SCHOOL_FORMS if f not in forms],
        curator_ids=sorted(
            set(programmes_api.programme_curator_ids(programme_id=programme_id)) | set(curator_ids)
        ),
        headcount_learners=learners,
        headcount_teachers=teachers,
        headcount_young_teachers=young_teachers,
    )
    return programme_id


def _group_meeting(
    gen: _Generator,
    programme_id: int,
    mentee_ids: list[int],
    mentor_rows: list[participants_api.MentorProfileData],
) -> tuple[int, int]:
    """The group meeting of stage 4: a third of the bases attends; afterwards most mentees
    name one to three mentors they would prefer, some mentors answer (mutual wishes), and a
    few people ask not to be paired with someone."""
    rng = gen.rng
    mentors_by_pk = {r.participant_id: r for r in mentor_rows}
    covers = participants_api.topic_coverage()
    attending_mentees = rng.sample(mentee_ids, k=len(mentee_ids) // 3)
    attending_mentors = rng.sample(sorted(mentors_by_pk), k=len(mentors_by_pk) // 3)
    meeting_id = matching_api.group_meeting_create(
        programme_id=programme_id,
        held_on=min(gen.today, gen.year_start + datetime.timedelta(days=30)),
        place="Актовый зал",
        attendee_ids=attending_mentees + attending_mentors,
        actor=SEED_ACTOR,
    )
    needs = participants_api.need_codes_of(participant_ids=attending_mentees)
    chosen_by: dict[int, list[int]] = defaultdict(list)
    count = 0
    for mentee in attending_mentees:
        if rng.random() > 0.8:
            continue
        wanted = set(needs.get(mentee, ()))
        fitting = [
            m
            for m in attending_mentors
            if m != mentee
            and (
                not wanted
                or any(
                    wanted & covers.get(c, frozenset())
                    for c in mentors_by_pk[m].competence_codes or ()
                )
            )
        ]
        if not fitting:
            continue
        picks = rng.sample(fitting, k=min(len(fitting), rng.randint(1, 3)))
        items: list[dict[str, Any]] = [
            {"to_participant": m, "kind": "prefer", "rank": rank}
            for rank, m in enumerate(picks, start=1)
        ]
        others = [m for m in attending_mentors if m not in picks and m != mentee]
        if others and rng.random() < 0.05:
            items.append({"to_participant": rng.choice(others), "kind": "avoid"})
        matching_api.preferences_record(
            meeting_id=meeting_id, from_participant_id=mentee, items=items, actor=SEED_ACTOR
        )
        count += len(items)
        for m in picks:
            chosen_by[m].append(mentee)
    for mentor, mentees in chosen_by.items():
        if rng.random() < 0.6:
            picks = rng.sample(mentees, k=min(len(mentees), 2))
            matching_api.preferences_record(
                meeting_id=meeting_id,
                from_participant_id=mentor,
                items=[
                    {"to_participant": m, "kind": "prefer", "rank": rank}
                    for rank, m in enumerate(picks, start=1)
                ],
                actor=SEED_ACTOR,
            )
            count += len(picks)
    return meeting_id, count
