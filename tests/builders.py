"""Test builders: the rows most tests need, made the way the application makes them.

People go through the participants' api and services (the participant, their consent, their
parents, their mentor and mentee profiles, their class) as ``SETUP``, in the current schema:
call them inside ``schema_context`` (or a fixture that sets it, such as ``in_a``). Every
argument is a keyword; what is left out gets a realistic value: a Russian name with its
patronymic («ё» kept where Russians write it), a birth date that fits the category (and the
class), a consent granted today on paper by whoever must sign at that age (the person; the
guardian; from 14 the guardian and the minor).

- ``person``: a participant (with its consent, class and profiles);
- ``consent``: a record of the consent register (a grant by default, signed by whom the age
  says; a withdrawal or a combination the service refuses when asked);
- ``parent``: a parent of a child, linked to it;
- ``unique_email``, ``satisfaction_questionnaire``.

``tests/architecture/test_builders_in_one_place.py`` keeps it the one place: a test module
outside this one may not define a ``person``- or ``consent``-style helper, create participants
or consents through the models' managers, nor record a consent as ``SETUP`` itself."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.utils import timezone

from schools.monitoring.models import Question, Questionnaire
from schools.participants import api as participants
from schools.participants import services as participant_services
from schools.participants.models import REQUIRED_PURPOSE, Consent, Participant, age_on
from seeding import names as russian
from tests.conftest import SETUP

__all__ = ["consent", "parent", "person", "satisfaction_questionnaire", "unique_email"]

LEARNERS = ("pupil", "student")
FIRST_GRADE, LAST_GRADE = 5, 11

_numbers = itertools.count(1)


def unique_email(*, domain: str = "alpha.ru") -> str:
    """An address no other builder call has handed out in this process."""
    return f"person{next(_numbers)}@{domain}"


def _is_feminine(last_name: str) -> bool:
    return last_name.endswith(("а", "я"))


def _names(
    *, category: str, last_name: str, first_name: str, middle_name: str | None, number: int
) -> tuple[str, str, str]:
    """The name, the given parts kept; a missing surname, first name or patronymic chosen by
    ``number`` (the same number, the same name), of the sex the surname says."""
    learner = category in LEARNERS
    if last_name:
        female = _is_feminine(last_name)
    else:
        female = number % 2 == 1
        surname = russian.SURNAMES[(number // 2) % len(russian.SURNAMES)]
        last_name = russian.feminine_surname(surname) if female else surname
    if not first_name:
        choices: tuple[str, ...]
        if learner:
            choices = russian.GIRLS if female else russian.BOYS
        else:
            choices = russian.WOMEN if female else russian.MEN
        first_name = choices[number % len(choices)]
    if middle_name is None:
        fathers = russian.FATHERS_OF_PUPILS if learner else russian.FATHERS_OF_ADULTS
        middle_name = russian.patronymic(fathers[(number // 3) % len(fathers)], female=female)
    return last_name, first_name, middle_name


def _birth_date(*, category: str, grade: int | None, today: datetime.date) -> datetime.date:
    """Adults born on 1 January 1990; a pupil of class N is N + 6 (13 with no class), a
    college student 16, born on 1 January (the age holds all year)."""
    if category not in LEARNERS:
        return datetime.date(1990, 1, 1)
    age = grade + 6 if grade is not None else 13 if category == "pupil" else 16
    return datetime.date(today.year - age, 1, 1)


def person(
    *,
    category: str = "teacher",
    names: str = "",
    last_name: str = "",
    first_name: str = "",
    middle_name: str | None = None,
    born: datetime.date | None = None,
    birth_date_known: bool = True,
    grade: int | None = None,
    class_letter: str = "А",
    study_group_id: int | None = None,
    consent: bool = True,
    consent_on: datetime.date | None = None,
    guardian: str = "",
    email: str = "",
    phone: str = "",
    user_id: int | None = None,
    position: str = "",
    workplace: str = "",
    is_young_specialist: bool = False,
    mentor: bool = False,
    mentor_capacity: int | None = None,
    mentee: bool = False,
    mentee_request: str | None = None,
) -> Participant:
    """A participant of the current schema, made through the participants' api.

    Names: ``names`` «Фамилия Имя [Отчество]», or the parts; a part left out is chosen (a
    patronymic too unless ``middle_name=""``). ``grade`` (5–11) puts a pupil in the class
    «<grade><class_letter>» (made when missing) unless ``study_group_id`` names one.
    ``consent`` grants the required consent on ``consent_on`` (today): signed by the person
    when an adult (or when the birth date is unknown), else by ``guardian`` (a mother's
    name made from the surname when empty), from 14 with the minor's signature too.
    ``mentor``/``mentor_capacity`` add a mentor profile, ``mentee``/``mentee_request`` a
    mentee profile."""
    if grade is not None and not FIRST_GRADE <= grade <= LAST_GRADE:
        raise ValueError(f"class {grade}: a school's classes run from 5 to 11 here")
    number = next(_numbers)
    given_middle = middle_name
    if names:
        last_name, first_name, *rest = names.split()
        given_middle = " ".join(rest)
    last, first, middle = _names(
        category=category,
        last_name=last_name,
        first_name=first_name,
        middle_name=given_middle,
        number=number,
    )
    today = timezone.localdate()
    if born is None and birth_date_known:
        born = _birth_date(category=category, grade=grade, today=today)
    if grade is not None and study_group_id is None:
        study_group_id = participants.study_group_get_or_create(
            name=f"{grade}{class_letter}", actor=SETUP
        )
    # The service hands back the saved row: no second read of it (nothing below changes it).
    made = participant_services.participant_create(
        last_name=last,
        first_name=first,
        middle_name=middle,
        category=category,
        birth_date=born,
        study_group_id=study_group_id,
        is_young_specialist=is_young_specialist,
        email=email,
        phone=phone,
        user_id=user_id,
        position=position,
        workplace=workplace,
        actor=SETUP,
    )
    participant_id = made.pk
    if consent:
        _sign(
            participant_id=participant_id,
            last_name=last,
            born=born,
            number=number,
            signed_on=consent_on or today,
            guardian=guardian,
        )
    if mentor or mentor_capacity is not None:
        participants.mentor_profile_upsert(
            participant_id=participant_id, capacity=mentor_capacity, actor=SETUP
        )
    if mentee or mentee_request is not None:
        participants.mentee_profile_upsert(
            participant_id=participant_id, request=mentee_request, actor=SETUP
        )
    return made


def parent(
    *,
    child: Participant,
    relation: str = "mother",
    names: str = "",
    first_name: str = "",
    middle_name: str | None = None,
    user_id: int | None = None,
    email: str = "",
) -> Participant:
    """A parent of ``child`` linked to it as ``relation`` through the participants' api: a
    participant of category «parent» (``person``: no birth date, no consent of its own), named
    ``names`` or after the child — the child's surname (a mother's in its feminine form, any
    other relation's in its masculine one), a first name and a patronymic chosen unless
    given."""
    last_name = ""
    if not names:
        last_name = child.last_name
        if relation == "mother":
            last_name = russian.feminine_surname(last_name)
        elif last_name.endswith(("ова", "ева", "ёва", "ина", "ына")):
            last_name = last_name[:-1]  # a girl's father: Петрова → Петров
        elif last_name.endswith(("ская", "цкая")):
            last_name = last_name[:-2] + "ий"
    someone = person(
        category="parent",
        names=names,
        last_name=last_name,
        first_name=first_name,
        middle_name=middle_name,
        birth_date_known=False,
        consent=False,
        user_id=user_id,
        email=email,
    )
    participants.guardianship_create(
        parent_id=someone.pk, child_id=child.pk, relation=relation, actor=SETUP
    )
    return someone


def consent(
    *,
    participant: Participant | int,
    kind: str = "grant",
    purpose: str = REQUIRED_PURPOSE,
    signed_by: str = "",
    signed_on: datetime.date | None = None,
    method: str = "paper_scan",
    guardian: str = "",
    guardian_relation: str = "mother",
    minor_signed: bool | None = None,
    text_version: str | None = None,
) -> Consent:
    """A record of the consent register for ``participant`` (the person or its id), made
    through the participants' services as ``SETUP``, as the coordinator records a signed paper:
    a grant (``kind``) of the required consent (``purpose``), on paper (``method``), signed
    today (``signed_on``). ``signed_by`` left empty: whoever must sign at the age on that day —
    the person when an adult or the birth date unknown, else the guardian, from 14 with the
    minor. A guardian's record names ``guardian`` (a mother named after the surname when
    empty) and ``guardian_relation``; ``minor_signed`` left out is true from 14. Given
    arguments are kept as given, a combination the service refuses too (a guardian named on
    a record the person signed, a minor alone: its ``ValidationError`` is raised)."""
    if isinstance(participant, int):
        if signed_by == "self":
            return _record(
                participant_id=participant,
                kind=kind,
                purpose=purpose,
                signed_by=signed_by,
                signed_on=signed_on or timezone.localdate(),
                method=method,
                guardian=guardian,
                guardian_relation=guardian_relation if guardian else "",
                minor_signed=bool(minor_signed),
                text_version=text_version,
            )
        participant = Participant.objects.get(pk=participant)
    return _sign(
        participant_id=participant.pk,
        last_name=participant.last_name,
        born=participant.birth_date,
        number=next(_numbers),
        signed_on=signed_on or timezone.localdate(),
        guardian=guardian,
        kind=kind,
        purpose=purpose,
        signed_by=signed_by,
        method=method,
        guardian_relation=guardian_relation,
        minor_signed=minor_signed,
        text_version=text_version,
    )


def _mother_of(*, last_name: str, number: int) -> str:
    """«Фамилия Имя Отчество» of a mother: the child's surname in its feminine form."""
    father = russian.FATHERS_OF_ADULTS[number % len(russian.FATHERS_OF_ADULTS)]
    return " ".join(
        (
            russian.feminine_surname(last_name),
            russian.WOMEN[number % len(russian.WOMEN)],
            russian.patronymic(father, female=True),
        )
    )


def _sign(
    *,
    participant_id: int,
    last_name: str,
    born: datetime.date | None,
    number: int,
    signed_on: datetime.date,
    guardian: str = "",
    kind: str = "grant",
    purpose: str = REQUIRED_PURPOSE,
    signed_by: str = "",
    method: str = "paper_scan",
    guardian_relation: str = "mother",
    minor_signed: bool | None = None,
    text_version: str | None = None,
) -> Consent:
    """``consent`` once the person's surname and birth date are known."""
    age = age_on(born, signed_on)
    chosen = not signed_by
    if chosen:
        signed_by = "self" if age is None or age >= 18 else "guardian"
    if minor_signed is None:
        minor_signed = signed_by == "guardian" and age is not None and 14 <= age < 18
    if signed_by == "guardian":
        guardian = guardian or _mother_of(last_name=last_name, number=number)
    elif chosen:
        guardian = ""  # the person signs: whoever would have signed for a minor is not named
    return _record(
        participant_id=participant_id,
        kind=kind,
        purpose=purpose,
        signed_by=signed_by,
        signed_on=signed_on,
        method=method,
        guardian=guardian,
        guardian_relation=guardian_relation if guardian else "",
        minor_signed=minor_signed,
        text_version=text_version,
    )


def _record(
    *,
    participant_id: int,
    kind: str,
    purpose: str,
    signed_by: str,
    signed_on: datetime.date,
    method: str,
    guardian: str,
    guardian_relation: str,
    minor_signed: bool,
    text_version: str | None,
) -> Consent:
    return participant_services.consent_record(
        participant_id=participant_id,
        kind=kind,
        purpose=purpose,
        signed_by=signed_by,
        signed_on=signed_on,
        method=method,
        guardian_name=guardian,
        guardian_relation=guardian_relation,
        minor_signed=minor_signed,
        text_version=text_version,
        actor=SETUP,
    )


def satisfaction_questionnaire(*, title: str, asks_again: bool = False) -> Questionnaire:
    """The school's own satisfaction questionnaire ``title`` (made once): «useful», a scale of
    1 to 10, and with ``asks_again`` «again», a yes or no."""
    questionnaire, made = Questionnaire.objects.get_or_create(
        title=title, purpose="satisfaction", origin="local"
    )
    if made:
        Question.objects.create(
            questionnaire=questionnaire,
            order=1,
            code="useful",
            text="Насколько полезны встречи?",
            kind="scale",
            min_value=1,
            max_value=10,
        )
        if asks_again:
            Question.objects.create(
                questionnaire=questionnaire,
                order=2,
                code="again",
                text="Продолжите ли вы?",
                kind="yes_no",
            )
    return questionnaire


# --- free text as people type it, and as it is stored (config.text) --------------------------
# «ещё» typed with a combining diaeresis (е + U+0308), a zero-width space and a soft hyphen
# inside words, Windows line breaks, a byte-order mark: what a pupil's phone or a text pasted
# from a document gives. A right-to-left override is refused with BIDI_ERROR.
TYPED_WISH = "Хочу ещ\u0435\u0308 встреч с настав\u00adником\u200b"
STORED_WISH = "Хочу ещё встреч с наставником"
TYPED_STORY = "Мы разобрали урок.\r\nЁлка в классе\ufeff — тоже!"
STORED_STORY = "Мы разобрали урок.\nЁлка в классе — тоже!"
BIDI_WISH = "Всё понравилось \u202eьтавонартс\u202c"
BIDI_ERROR = "Удалите управляющие символы направления текста"


def free_text_questions() -> list[dict[str, Any]]:
    """The rows of a local questionnaire: «mark», a scale of 1 to 5, and two free-text
    questions, «wish» (short) and «story» (long), neither required."""
    return [
        {"code": "mark", "text": "Ваша оценка", "kind": "scale", "min_value": 1, "max_value": 5},
        {"code": "wish", "text": "Чего бы вам хотелось?", "kind": "short_text", "required": False},
        {"code": "story", "text": "Расскажите о встрече", "kind": "long_text", "required": False},
    ]
