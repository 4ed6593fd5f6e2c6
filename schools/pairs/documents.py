"""Documents of stages 4–6 as DOCX, ready to sign: the order approving pairs and groups, the
order of encouragement, thank-you letters (one per person, worded by the kind of mentor, with the
salutation by gender), letters to partner employers, and a teacher pair's personalised
mentoring programme (recommendations АЗ-1128/08 of 21.12.2021).

These are Russian office documents: their text is Russian (like the consent texts), not
translated UI strings. The shared parts (header, order heading, signature) are in
``config.office``."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.db.models import QuerySet
from django.utils import timezone
from docx.document import Document as DocumentType
from docx.enum.text import WD_ALIGN_PARAGRAPH

from config.office import (
    BLANK,
    DOCX_CONTENT_TYPE,
    MONTHS_RU,
    academic_year_ru,
    date_plain_ru,
    date_ru,
    institution,
    new_document,
    order_heading,
    page_break,
    table,
)
from config.office import director_signature as _signature
from config.office import docx_bytes as to_bytes
from config.office import institution_header as _header
from config.text import xml_safe
from schools.pairs.honours import (
    EMPLOYER_MENTOR,
    PUPIL_MENTOR,
    TEACHER_MENTOR,
    Honoree,
    PartnerEmployer,
    Person,
    honoree_of,
    honoured_mentees,
    honoured_mentors,
    partner_employers,
    person_of,
    person_values,
    standing_of,
)
from schools.pairs.models import (
    DevelopmentPlan,
    GoalStatus,
    Meeting,
    MeetingStatus,
    Pair,
    PairMentee,
    PairStatus,
)
from schools.pairs.selectors import MentorRank
from schools.participants.names import Case, person_name
from schools.programmes.documents import FORM_NAMES_RU
from schools.programmes.models import Programme
from schools.programmes.selectors import programme_director_name

__all__ = [
    "BLANK",
    "DOCX_CONTENT_TYPE",
    "FORM_RU",
    "MONTHS_RU",
    "DocumentPair",
    "Place",
    "approval_order_docx",
    "date_ru",
    "document_mentees",
    "document_pairs",
    "documentable",
    "employer_letters_docx",
    "encouragement_order_docx",
    "mentor_letter_docx",
    "personalised_programme_docx",
    "thank_you_letter_docx",
]

FORM_RU = FORM_NAMES_RU
GOAL_STATUS_RU: dict[str, str] = {
    GoalStatus.PLANNED.value: "запланировано",
    GoalStatus.IN_PROGRESS.value: "выполняется",
    GoalStatus.DONE.value: "выполнено",
    GoalStatus.DROPPED.value: "отменено",
}
MEETING_RU = {
    "organisational": "Первая, организационная встреча наставника и наставляемого",
    "trial": "Вторая, пробная рабочая встреча",
    "planning": "Встреча-планирование рабочего процесса",
    "regular": "Регулярная встреча",
    "final": "Заключительная встреча, подведение итогов",
}


def institution_header(document: DocumentType) -> str:
    """The header of the institution whose schema is active; returns its name."""
    return _header(document, institution())


def director_signature(document: DocumentType, *, director: str = "") -> None:
    _signature(document, director)


@dataclass(frozen=True)
class Place:
    """A mentee's place in a pair: the mentee as a document prints them, and whether the
    place is paused (the mentee's consent withdrawn while the pair goes on)."""

    mentee: Person
    paused: bool


@dataclass(frozen=True)
class DocumentPair:
    """A pair as its documents name it: plain values read through the pair's own foreign
    keys (``document_pairs``), its places in the order they were made."""

    id: int
    form: str
    status: str
    started_on: datetime.date
    mentor: Person
    places: tuple[Place, ...]


def document_pairs(pairs: QuerySet[Pair]) -> list[DocumentPair]:
    """The pairs of ``pairs`` (in its order) with their mentor and their places, read with
    ``values()`` in two queries whatever their number (what the queryset selects or prefetches
    with the pairs is not read)."""
    rows = list(
        pairs.prefetch_related(None).values(
            "id", "form", "status", "started_on", *person_values("mentor")
        )
    )
    places: dict[int, list[Place]] = {row["id"]: [] for row in rows}
    if places:
        memberships = (
            PairMentee.objects.filter(pair_id__in=list(places))
            .values("pair_id", "paused_at", *person_values("mentee"))
            .order_by("pair_id", "id")
        )
        for membership in memberships:
            places[membership["pair_id"]].append(
                Place(
                    mentee=person_of(membership, "mentee"),
                    paused=membership["paused_at"] is not None,
                )
            )
    return [
        DocumentPair(
            id=row["id"],
            form=row["form"],
            status=row["status"],
            started_on=row["started_on"],
            mentor=person_of(row, "mentor"),
            places=tuple(places[row["id"]]),
        )
        for row in rows
    ]


def documentable(pair: DocumentPair) -> bool:
    """A pair a new document may name: not paused, its mentor's data may be processed."""
    return pair.status != PairStatus.PAUSED and pair.mentor.processable


def document_mentees(pair: DocumentPair) -> list[Person]:
    """The mentees of a pair a new document may name: places not paused, data processable."""
    return [place.mentee for place in pair.places if not place.paused and place.mentee.processable]


def _programme_phrase(programme: Programme) -> str:
    """«программой наставничества «…» на 2026/2027 учебный год», without saying the year twice
    when the title already names it."""
    year = academic_year_ru(programme.academic_year)
    title = programme.title.strip()
    if year in title or str(programme.academic_year) in title:
        return f"программой наставничества «{title}»"
    return f"программой наставничества «{title}» на {year} учебный год"


class ProgrammeYear(Protocol):
    """What a mentor's letter needs of the programme (a ``Programme`` or the programmes
    app's ``ProgrammeSummary``)."""

    @property
    def academic_year(self) -> int: ...


def _director(programme: object) -> str:
    return programme_director_name(programme)


# --- the order approving pairs and groups ----------------------------------------------------


def approval_order_docx(
    *,
    programme: Programme,
    pairs: QuerySet[Pair],
    number: str = "",
    day: datetime.date | None = None,
) -> bytes:
    """Приказ «Об утверждении наставнических пар (групп)» with a table of the pairs (the class
    or position beside every name) and one acquaintance line per adult named in it. The pairs'
    people are read with the pairs (``document_pairs``: two queries)."""
    listed = [
        (pair, document_mentees(pair)) for pair in document_pairs(pairs) if documentable(pair)
    ]
    listed = [(pair, mentees) for pair, mentees in listed if mentees]
    document = new_document()
    institution_header(document)
    order_heading(
        document, title="Об утверждении наставнических пар (групп)", number=number, day=day
    )
    document.add_paragraph(
        f"В соответствии с {_programme_phrase(programme)}, на основании результатов отбора "
        "наставников и формирования наставнических пар (групп) и с учётом согласий участников "
        "на обработку персональных данных"
    )
    document.add_paragraph("ПРИКАЗЫВАЮ:")
    document.add_paragraph("1. Утвердить наставнические пары (группы) согласно таблице:")
    rows = []
    acquainted: dict[int, str] = {}
    for position, (pair, mentees) in enumerate(listed, start=1):
        rows.append(
            [
                str(position),
                FORM_RU.get(pair.form, pair.form),
                f"{xml_safe(pair.mentor.full_name)} ({standing_of(pair.mentor)})",
                "\n".join(f"{xml_safe(m.full_name)} ({standing_of(m)})" for m in mentees),
                pair.started_on.strftime("%d.%m.%Y"),
            ]
        )
        acquainted.setdefault(pair.mentor.id, xml_safe(pair.mentor.full_name))
        for mentee in mentees:
            if not mentee.is_minor and mentee.category not in ("pupil", "student"):
                acquainted.setdefault(mentee.id, xml_safe(mentee.full_name))
    table(
        document,
        ["№", "Форма наставничества", "Наставник", "Наставляемые", "Дата начала"],
        rows,
    )
    document.add_paragraph(
        "2. Наставникам совместно с наставляемыми в течение двух недель разработать "
        "индивидуальные планы развития наставляемых."
    )
    document.add_paragraph(
        "3. Куратору программы наставничества обеспечить организацию встреч наставнических пар "
        "(групп) и контроль выполнения индивидуальных планов развития."
    )
    document.add_paragraph("4. Контроль исполнения настоящего приказа оставляю за собой.")
    director_signature(document, director=_director(programme))
    document.add_paragraph("С приказом ознакомлены:")
    for name in sorted(acquainted.values()):
        document.add_paragraph(f"{name}\t______________\t«___» ________ 20__ г.")
    return to_bytes(document)


# --- the order of encouragement -------------------------------------------------------------


def encouragement_order_docx(
    *,
    programme: Programme,
    mentors: Sequence[MentorRank] | None = None,
    pair_ids: Iterable[int] | None = None,
    number: str = "",
    day: datetime.date | None = None,
) -> bytes:
    """Приказ «О поощрении участников наставнической деятельности», filled from the completed
    pairs and groups (of ``pair_ids`` when given; ``mentors`` narrows it to chosen mentors):
    each mentor and each mentee once, with the class or position; the partner employers; the
    director named under it."""
    honoured = honoured_mentors(programme_id=programme.pk, pair_ids=pair_ids)
    if mentors is not None:
        chosen = {rank.mentor_id for rank in mentors}
        honoured = [h for h in honoured if h.participant_id in chosen]
    mentees = honoured_mentees(programme_id=programme.pk)
    employers = partner_employers(programme_id=programme.pk)
    year = academic_year_ru(programme.academic_year)
    document = new_document()
    institution_header(document)
    order_heading(
        document,
        title=(
            "О поощрении участников наставнической деятельности по итогам реализации "
            f"программы наставничества в {year} учебном году"
        ),
        number=number,
        day=day,
    )
    document.add_paragraph(
        f"По итогам реализации программы наставничества «{programme.title.strip()}», на "
        "основании результатов работы наставнических пар (групп), мониторинга "
        "удовлетворённости участников и в целях поощрения наставнической деятельности"
    )
    document.add_paragraph("ПРИКАЗЫВАЮ:")
    item = 1
    document.add_paragraph(
        f"{item}. Объявить благодарность наставникам за высокие результаты наставнической "
        "деятельности:"
    )
    table(
        document,
        ["№", "Ф. И. О.", "Класс, должность", "Форма наставничества", "Пар (групп)"],
        [
            [
                str(position),
                honoree.name.full,
                honoree.standing,
                ", ".join(FORM_RU.get(f, f) for f in honoree.forms),
                str(honoree.pairs),
            ]
            for position, honoree in enumerate(honoured, start=1)
        ],
    )
    if mentees:
        item += 1
        document.add_paragraph(
            f"{item}. Отметить успешное завершение программы наставничества наставляемыми:"
        )
        table(
            document,
            ["№", "Ф. И. О.", "Класс, должность"],
            [
                [str(position), honoree.name.full, honoree.standing]
                for position, honoree in enumerate(mentees, start=1)
            ],
        )
    item += 1
    document.add_paragraph(f"{item}. Вручить наставникам благодарственные письма.")
    if employers:
        item += 1
        document.add_paragraph(
            f"{item}. Направить благодарственные письма организациям-партнёрам: "
            + ", ".join(e.name for e in employers)
            + "."
        )
    item += 1
    document.add_paragraph(
        f"{item}. Разместить информацию об итогах программы наставничества на официальном "
        "сайте образовательной организации."
    )
    item += 1
    document.add_paragraph(f"{item}. Контроль исполнения настоящего приказа оставляю за собой.")
    director_signature(document, director=_director(programme))
    return to_bytes(document)


# --- thank-you letters ----------------------------------------------------------------------


def _thanks(honoree: Honoree) -> str:
    """What the letter thanks the person for, by the kind of mentor: never «профессионализм»
    for a learner."""
    if honoree.kind == PUPIL_MENTOR:
        return (
            "за активное участие в программе наставничества в роли наставника, "
            "ответственность, отзывчивость и готовность помогать товарищам. Ваш пример "
            "помог наставляемым поверить в свои силы и добиться новых результатов"
        )
    if honoree.kind == TEACHER_MENTOR:
        colleagues = (
            "молодым коллегам"
            if set(honoree.forms) <= {"teacher_teacher"}
            else "обучающимся и коллегам"
        )
        return (
            "за профессионализм, педагогическое мастерство и щедрость, с которой Вы передаёте "
            f"свой опыт {colleagues}, за внимание к наставляемым и вклад в их личностное и "
            "профессиональное развитие"
        )
    if honoree.kind == EMPLOYER_MENTOR:
        return (
            "за профессионализм, передачу практического опыта и знаний, вклад в "
            "профессиональное самоопределение обучающихся и развитие партнёрства "
            "образовательной организации с предприятиями"
        )
    return (
        "за активное участие в программе наставничества, внимание к наставляемым, "
        "неравнодушие и поддержку образовательной организации"
    )


def _greeting(document: DocumentType, honoree: Honoree) -> None:
    name = honoree.name
    if honoree.is_learner:
        from schools.participants.names import PersonName

        name = PersonName(last_name=name.last_name, first_name=name.first_name)
    greeting = document.add_paragraph()
    greeting.alignment = WD_ALIGN_PARAGRAPH.CENTER
    greeting.add_run(name.salutation()).bold = True


def _letter_body(
    document: DocumentType, *, honoree: Honoree, programme: ProgrammeYear, organisation: str
) -> None:
    forms = ", ".join(f"«{FORM_RU.get(f, f)}»" for f in honoree.forms)
    form_phrase = f" (форма наставничества {forms})" if forms else ""
    document.add_paragraph(
        f"{organisation or 'Образовательная организация'} выражает Вам искреннюю "
        f"благодарность {_thanks(honoree)}."
    )
    document.add_paragraph(
        f"Благодарим Вас за работу наставником в {academic_year_ru(programme.academic_year)} "
        f"учебном году{form_phrase}."
    )
    if honoree.is_learner:
        document.add_paragraph("Желаем Вам успехов в учёбе и новых достижений!")
    else:
        document.add_paragraph("Желаем Вам успехов и надеемся на дальнейшее сотрудничество!")


def mentor_letter_docx(
    *, honoree: Honoree, programme: ProgrammeYear, day: datetime.date | None = None
) -> bytes:
    """Благодарственное письмо to one mentor (one letter per person, whatever the number of
    their pairs)."""
    document = new_document()
    organisation = institution_header(document)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run("БЛАГОДАРСТВЕННОЕ ПИСЬМО").bold = True
    to = document.add_paragraph()
    to.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    to.add_run(honoree.name.inflect(Case.DATIVE))
    if honoree.standing:
        to.add_run(f"\n{honoree.standing}")
    _greeting(document, honoree)
    _letter_body(document, honoree=honoree, programme=programme, organisation=organisation)
    document.add_paragraph(date_plain_ru(day) if day else "")
    director_signature(document, director=_director(programme))
    return to_bytes(document)


def thank_you_letter_docx(
    *, pair: Pair, addressee: str = "", day: datetime.date | None = None
) -> bytes:
    """The thank-you letter to the pair's mentor (``addressee``, e.g. the employer, is added
    above the name when given)."""
    mentor = Pair.objects.filter(pk=pair.pk).values(*person_values("mentor")).get()
    honoree = honoree_of(person_of(mentor, "mentor"))
    honoree.forms = [pair.form]
    if addressee.strip():
        honoree.standing = f"{honoree.standing}\n{addressee.strip()}".strip()
    return mentor_letter_docx(honoree=honoree, programme=pair.programme, day=day)


def _employer_letter(
    document: DocumentType,
    *,
    employer: PartnerEmployer,
    programme: Programme,
    organisation: str,
    day: datetime.date | None,
) -> None:
    to = document.add_paragraph()
    to.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    to.add_run(f"Руководителю\n{employer.name}")
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run("БЛАГОДАРСТВЕННОЕ ПИСЬМО").bold = True
    greeting = document.add_paragraph()
    greeting.alignment = WD_ALIGN_PARAGRAPH.CENTER
    greeting.add_run("Уважаемые коллеги!").bold = True
    names = ", ".join(n.inflect(Case.DATIVE) for n in employer.specialists)
    many = len(employer.specialists) > 1
    document.add_paragraph(
        f"{organisation or 'Образовательная организация'} выражает искреннюю благодарность "
        f"{employer.name} за участие в реализации программы наставничества в "
        f"{academic_year_ru(programme.academic_year)} учебном году и за возможность "
        "обучающимся учиться у профессионалов."
    )
    document.add_paragraph(
        (
            "Особую признательность выражаем Вашим специалистам — "
            if many
            else "Особую признательность выражаем Вашему специалисту — "
        )
        + f"{names} — за передачу практического опыта, внимание к наставляемым и вклад в их "
        "профессиональное самоопределение."
    )
    document.add_paragraph("Надеемся на дальнейшее плодотворное сотрудничество!")
    document.add_paragraph(date_plain_ru(day) if day else "")
    director_signature(document, director=_director(programme))


def employer_letters_docx(*, programme: Programme, day: datetime.date | None = None) -> bytes:
    """One thank-you letter to each partner employer whose specialists mentored in the
    programme, each on its own page."""
    document = new_document()
    employers = partner_employers(programme_id=programme.pk)
    if not employers:
        institution_header(document)
        document.add_paragraph(
            "В программе наставничества этого учебного года нет наставников — специалистов "
            "организаций-партнёров."
        )
        return to_bytes(document)
    for index, employer in enumerate(employers):
        if index:
            page_break(document)
        organisation = institution_header(document)
        _employer_letter(
            document, employer=employer, programme=programme, organisation=organisation, day=day
        )
    return to_bytes(document)


def mentor_letter_filename(honoree: Honoree) -> str:
    return f"{honoree.name.full}.docx"


# --- a teacher pair's personalised mentoring programme ----------------------------------------


def _schedule(
    pair: Pair, plans: Iterable[DevelopmentPlan]
) -> list[tuple[datetime.date | None, str, str]]:
    """The pair's meetings and its plans' goals (``plans``, read with their goals) by date:
    (day, what, state)."""
    lines: list[tuple[datetime.date | None, str, str]] = []
    for meeting in Meeting.objects.filter(pair=pair).exclude(status=MeetingStatus.CANCELLED):
        state = "проведена" if meeting.status == MeetingStatus.HELD else "запланирована"
        lines.append(
            (timezone.localdate(meeting.starts_at), MEETING_RU.get(meeting.kind, ""), state)
        )
    for plan in plans:
        for goal in plan.goals.all():
            what = goal.title + (f": {goal.tasks.strip()}" if goal.tasks.strip() else "")
            lines.append((goal.deadline, what, GOAL_STATUS_RU.get(goal.status, "")))
    return sorted(lines, key=lambda line: (line[0] is None, line[0] or datetime.date.max))


def personalised_programme_docx(*, pair: Pair, day: datetime.date | None = None) -> bytes:
    """Персонализированная программа наставничества of a teacher pair: the participants, the
    period, the goal and tasks (the development plans), the schedule (meetings and goals with
    their dates), the expected results and the sign-off of mentor, mentee, curator and the
    director's approval."""
    programme = pair.programme
    (read,) = document_pairs(Pair.objects.filter(pk=pair.pk))
    mentor = read.mentor
    mentees = [place.mentee for place in read.places]
    plans = list(pair.plans.prefetch_related("goals").order_by("pk"))
    document = new_document()
    institution_header(document)
    approve = document.add_paragraph()
    approve.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    approve.add_run(
        "УТВЕРЖДАЮ\nДиректор\n"
        f"______________ {_director(programme) or '/______________/'}\n"
        f"{date_ru(day) if day else '«___» ____________ 20__ г.'}"
    )
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run("ПЕРСОНАЛИЗИРОВАННАЯ ПРОГРАММА НАСТАВНИЧЕСТВА").bold = True
    subtitle = document.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle.add_run(
        f"на {academic_year_ru(programme.academic_year)} учебный год "
        f"(форма «{FORM_RU.get(pair.form, pair.form)}»)"
    )
    end = pair.ended_on or datetime.date(programme.academic_year + 1, 5, 31)
    document.add_paragraph("1. Общие сведения").runs[0].bold = True
    young = [m for m in mentees if m.is_young_specialist or m.category == "young_specialist"]
    table(
        document,
        ["", ""],
        [
            ["Наставник", f"{xml_safe(mentor.full_name)}, {standing_of(mentor)}"],
            [
                "Наставляемый" if len(mentees) == 1 else "Наставляемые",
                "\n".join(
                    f"{xml_safe(m.full_name)}, {standing_of(m)}"
                    + (
                        " (молодой специалист)"
                        if m in young and "молодой специалист" not in standing_of(m)
                        else ""
                    )
                    for m in mentees
                ),
            ],
            ["Форма наставничества", FORM_RU.get(pair.form, pair.form)],
            [
                "Срок реализации",
                f"с {pair.started_on:%d.%m.%Y} по {end:%d.%m.%Y}",
            ],
        ],
    )
    document.add_paragraph("2. Цель").runs[0].bold = True
    goal_texts = [p.summary.strip() for p in plans if p.summary.strip()]
    document.add_paragraph(
        "\n".join(goal_texts)
        or (
            "Создание условий для успешной адаптации и профессионального становления "
            "наставляемого, развития его профессиональных компетенций и закрепления в профессии."
        )
    )
    document.add_paragraph("3. Задачи").runs[0].bold = True
    tasks = [g.title for p in plans for g in p.goals.all() if g.status != GoalStatus.DROPPED]
    for number, task in enumerate(tasks, start=1):
        document.add_paragraph(f"{number}) {task}")
    if not tasks:
        document.add_paragraph(BLANK * 6)
    document.add_paragraph("4. План мероприятий (график)").runs[0].bold = True
    table(
        document,
        ["№", "Мероприятие", "Срок", "Отметка о выполнении"],
        [
            [str(n), what, when.strftime("%d.%m.%Y") if when else "в течение года", state]
            for n, (when, what, state) in enumerate(_schedule(pair, plans), start=1)
        ],
    )
    document.add_paragraph("5. Ожидаемые результаты").runs[0].bold = True
    expected = [g.title for p in plans for g in p.goals.all() if g.status != GoalStatus.DROPPED]
    if programme.planned_results.strip():
        document.add_paragraph(programme.planned_results.strip())
    for line in (
        "успешная адаптация наставляемого в образовательной организации;",
        "развитие профессиональных компетенций наставляемого, достижение целей "
        "индивидуального плана развития" + (f" ({'; '.join(expected)})" if expected else "") + ";",
        "повышение уверенности в собственных силах, готовность к самостоятельной "
        "педагогической деятельности.",
    ):
        document.add_paragraph(f"— {line}")
    document.add_paragraph("6. Подписи").runs[0].bold = True
    signatures = [("Наставник", person_name(mentor).initials_last)]
    signatures += [("Наставляемый", person_name(m).initials_last) for m in mentees]
    signatures.append(("Куратор", ""))
    for role, name in signatures:
        document.add_paragraph(
            f"{role}\t______________\t{name or '/______________/'}\t«___» ________ 20__ г."
        )
    return to_bytes(document)
