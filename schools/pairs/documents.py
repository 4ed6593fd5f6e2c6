"""Documents of stages 4 and 6 as DOCX, ready to sign: the order approving pairs and groups,
the order of encouragement and thank-you letters.

These are Russian office documents: their text is Russian (like the consent texts), not
translated UI strings."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from docx.document import Document as DocumentType
from docx.enum.text import WD_ALIGN_PARAGRAPH

from config.office import (
    DOCX_CONTENT_TYPE,
    date_ru,
    director_signature,
    institution_header,
)
from config.office import docx_bytes as _bytes
from config.office import new_document as _document
from config.office import order_heading as _order_heading
from config.text import xml_safe
from schools.pairs.models import Pair, PairStatus
from schools.pairs.selectors import MentorRank
from schools.participants.api import Participant
from schools.programmes.documents import FORM_NAMES_RU
from schools.programmes.models import Programme
from tenants.api import current_institution

FORM_RU = FORM_NAMES_RU
__all__ = ["DOCX_CONTENT_TYPE", "FORM_RU", "approval_order_docx", "date_ru"]


def _institution_header(document: DocumentType) -> str:
    """The institution's full name and INN, centred; returns the name."""
    return institution_header(document, current_institution())


def _director_signature(document: DocumentType) -> None:
    director_signature(document)


def _academic_year(programme: Programme) -> str:
    return f"{programme.academic_year}/{programme.academic_year + 1}"


def _processable(person: Participant) -> bool:
    return person.erased_at is None and person.processing_stopped_at is None


def documentable(pair: Pair) -> bool:
    """A pair a new document may name: not paused, its mentor's data may be processed."""
    return pair.status != PairStatus.PAUSED and _processable(pair.mentor)


def document_mentees(pair: Pair) -> list[Participant]:
    """The mentees of a pair a new document may name: places not paused, data processable."""
    return [
        membership.mentee
        for membership in pair.memberships.all()
        if membership.paused_at is None and _processable(membership.mentee)
    ]


def approval_order_docx(
    *,
    programme: Programme,
    pairs: Iterable[Pair],
    number: str = "",
    day: datetime.date | None = None,
) -> bytes:
    """Приказ «Об утверждении наставнических пар/групп» with a table of the pairs. A person
    whose consent is withdrawn (or whose data are erased) is left out: a paused pair, a pair
    whose mentor withdrew, and a withdrawn mentee's place are not listed."""
    listed = [(pair, document_mentees(pair)) for pair in pairs if documentable(pair)]
    listed = [(pair, mentees) for pair, mentees in listed if mentees]
    pairs = [pair for pair, _mentees in listed]
    mentees_of = {pair.pk: mentees for pair, mentees in listed}
    document = _document()
    _institution_header(document)
    _order_heading(
        document,
        title="Об утверждении наставнических пар (групп)",
        number=number,
        day=day,
    )
    document.add_paragraph(
        "В соответствии с программой наставничества "
        f"«{programme.title}» на {_academic_year(programme)} учебный год, на основании "
        "результатов отбора наставников и формирования наставнических пар (групп) и с учётом "
        "согласий участников на обработку персональных данных"
    )
    document.add_paragraph("ПРИКАЗЫВАЮ:")
    document.add_paragraph(
        "1. Утвердить наставнические пары (группы) согласно таблице:", style="Normal"
    )
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells,
        ("№", "Форма наставничества", "Наставник", "Наставляемые", "Дата начала"),
        strict=True,
    ):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for position, pair in enumerate(pairs, start=1):
        mentees = [xml_safe(mentee.full_name) for mentee in mentees_of[pair.pk]]
        row = table.add_row().cells
        row[0].text = str(position)
        row[1].text = FORM_RU.get(pair.form, pair.form)
        row[2].text = xml_safe(pair.mentor.full_name)
        row[3].text = "\n".join(mentees)
        row[4].text = pair.started_on.strftime("%d.%m.%Y")
    document.add_paragraph(
        "2. Наставникам совместно с наставляемыми в течение двух недель разработать "
        "индивидуальные планы развития наставляемых."
    )
    document.add_paragraph(
        "3. Куратору программы наставничества обеспечить организацию встреч наставнических пар "
        "(групп) и контроль выполнения индивидуальных планов развития."
    )
    document.add_paragraph("4. Контроль исполнения настоящего приказа оставляю за собой.")
    _director_signature(document)
    document.add_paragraph("С приказом ознакомлены:")
    for pair in pairs:
        document.add_paragraph(
            f"{xml_safe(pair.mentor.full_name)}\t______________\t«___» ________ 20__ г."
        )
    return _bytes(document)


def encouragement_order_docx(
    *,
    programme: Programme,
    mentors: Sequence[MentorRank],
    number: str = "",
    day: datetime.date | None = None,
) -> bytes:
    """Приказ «О поощрении наставников» by the results of the programme."""
    document = _document()
    _institution_header(document)
    _order_heading(
        document,
        title="О поощрении наставников по итогам реализации программы наставничества",
        number=number,
        day=day,
    )
    document.add_paragraph(
        f"По итогам реализации программы наставничества «{programme.title}» в "
        f"{_academic_year(programme)} учебном году, на основании результатов работы "
        "наставнических пар (групп) и обратной связи наставляемых"
    )
    document.add_paragraph("ПРИКАЗЫВАЮ:")
    document.add_paragraph(
        "1. Объявить благодарность за высокие результаты наставнической деятельности:"
    )
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells,
        ("№", "Наставник", "Завершённых пар (групп)", "Средняя оценка наставляемых"),
        strict=True,
    ):
        cell.text = text
    for position, rank in enumerate(mentors, start=1):
        row = table.add_row().cells
        row[0].text = str(position)
        row[1].text = rank.mentor_name
        row[2].text = str(rank.completed_pairs)
        row[3].text = "—" if rank.mentee_rating_avg is None else f"{rank.mentee_rating_avg:g}"
    document.add_paragraph("2. Вручить наставникам благодарственные письма.")
    document.add_paragraph("3. Контроль исполнения настоящего приказа оставляю за собой.")
    _director_signature(document)
    return _bytes(document)


def thank_you_letter_docx(
    *, pair: Pair, addressee: str = "", day: datetime.date | None = None
) -> bytes:
    """Благодарственное письмо to the pair's mentor (for an employer's specialist it may be
    addressed to the employer too, ``addressee``)."""
    document = _document()
    name = _institution_header(document)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run("БЛАГОДАРСТВЕННОЕ ПИСЬМО").bold = True
    if addressee:
        to = document.add_paragraph()
        to.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        to.add_run(addressee)
    greeting = document.add_paragraph()
    greeting.alignment = WD_ALIGN_PARAGRAPH.CENTER
    greeting.add_run(f"Уважаемый(ая) {xml_safe(pair.mentor.full_name)}!").bold = True
    form = FORM_RU.get(pair.form, pair.form)
    programme = pair.programme
    document.add_paragraph(
        f"{name or 'Образовательная организация'} выражает Вам искреннюю благодарность за "
        f"участие в программе наставничества «{programme.title}» "
        f"({_academic_year(programme)} учебный год) в качестве наставника (форма "
        f"наставничества «{form}»), за профессионализм, внимание к наставляемым и вклад в их "
        "личностное и профессиональное развитие."
    )
    document.add_paragraph("Желаем Вам успехов и надеемся на дальнейшее сотрудничество!")
    document.add_paragraph(date_ru(day) if day else "")
    _director_signature(document)
    return _bytes(document)
