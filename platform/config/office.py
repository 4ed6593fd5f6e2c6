"""Russian office documents (DOCX) as an institution issues them: the institution's header, an
order's heading («ПРИКАЗ», date, number, subject), numbered clauses, tables, the director's
signature and the acknowledgement list. Shared by every app that makes documents; the text
of each document is the app's own (Russian, like the consent texts)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from config.text import xml_safe

if TYPE_CHECKING:
    from tenants.api import InstitutionRef

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BLANK = "________"
MONTHS_RU = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)


def date_ru(day: datetime.date) -> str:
    """«5» сентября 2026 г."""
    return f"«{day.day}» {MONTHS_RU[day.month - 1]} {day.year} г."


def initials(last_name: str, first_name: str = "", middle_name: str = "") -> str:
    """«И. О. Фамилия», as a signature line prints a name."""
    letters = " ".join(f"{part[0]}." for part in (first_name, middle_name) if part)
    return f"{letters} {last_name}".strip()


def new_document() -> DocumentType:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    return document


def institution_header(document: DocumentType, institution: Any) -> str:
    """The institution's full name (and INN), centred; returns the name."""
    name = xml_safe(str(getattr(institution, "name", "") or ""))
    header = document.add_paragraph()
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    header.add_run(name).bold = True
    inn = getattr(institution, "inn", "") or ""
    if inn:
        header.add_run(f"\nИНН {inn}")
    return name


def order_heading(
    document: DocumentType, *, title: str, number: str, day: datetime.date | None
) -> None:
    """«ПРИКАЗ», the date and number line, and the subject in bold."""
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.add_run("ПРИКАЗ").bold = True
    line = document.add_paragraph()
    line.add_run(date_ru(day) if day else "«___» ____________ 20__ г.")
    line.add_run("\t\t\t\t\t")
    line.add_run(f"№ {number or BLANK}")
    subject = document.add_paragraph()
    subject.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subject.add_run(xml_safe(title)).bold = True


def centred_title(document: DocumentType, *lines: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for position, text in enumerate(lines):
        run = paragraph.add_run(("\n" if position else "") + xml_safe(text))
        run.bold = position == 0


def justified(document: DocumentType, text: str, *, style: str | None = None) -> None:
    paragraph = document.add_paragraph(xml_safe(text), style=style)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


def bold_line(document: DocumentType, text: str) -> None:
    document.add_paragraph().add_run(xml_safe(text)).bold = True


def table(document: DocumentType, headers: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """A bordered table with a bold header row."""
    grid = document.add_table(rows=1, cols=len(headers))
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, headers, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        cells = grid.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = xml_safe(value)


def director_signature(document: DocumentType, director_name: str = "") -> None:
    """«Директор ______ /И. О. Фамилия/» and the seal's place."""
    document.add_paragraph()
    signature = document.add_paragraph()
    name = xml_safe(director_name) or "______________"
    signature.add_run(f"Директор\t\t\t______________\t\t/{name}/")
    document.add_paragraph("М. П.")


def acknowledgement(document: DocumentType, names: Iterable[str]) -> None:
    """«С приказом ознакомлены:» with a line to sign and date for each person."""
    names = list(names)
    if not names:
        return
    document.add_paragraph("С приказом ознакомлены:")
    for name in names:
        document.add_paragraph(f"{xml_safe(name)}\t______________\t«___» ________ 20__ г.")


def approval_stamp(
    document: DocumentType, *, lines: Sequence[str], alignment: Any = WD_ALIGN_PARAGRAPH.RIGHT
) -> None:
    """The «УТВЕРЖДЕНО приказом …» block of an appendix, at the right."""
    stamp = document.add_paragraph()
    stamp.alignment = alignment
    for position, text in enumerate(lines):
        stamp.add_run(("\n" if position else "") + xml_safe(text))


def page_break(document: DocumentType) -> None:
    document.add_page_break()


def docx_bytes(document: DocumentType) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_text(content: bytes) -> str:
    """Every paragraph and table cell of a DOCX, one per line (for checks and previews)."""
    document = Document(io.BytesIO(content))
    cells = [cell.text for grid in document.tables for row in grid.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


# --- helpers of the stage 6 documents and the annual report ----------------------------------


def date_plain_ru(day: datetime.date) -> str:
    """5 сентября 2026 г."""
    return f"{day.day} {MONTHS_RU[day.month - 1]} {day.year} г."


def local_datetime_ru(moment: datetime.datetime | None) -> str:
    """«05.09.2026 14:30» in the institution's local time (never UTC); empty for None."""
    from django.utils import timezone

    if moment is None:
        return ""
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M")


def academic_year_ru(year: int) -> str:
    return f"{year}/{year + 1}"


def institution() -> InstitutionRef | None:
    """The institution whose schema is active (None in the public schema), also when the
    schema was entered by name (a task, a shell) rather than by a request's host."""
    from tenants.api import current_institution

    return current_institution()


def picture(document: DocumentType, png: bytes, *, width_cm: float) -> None:
    from docx.shared import Cm

    document.add_picture(io.BytesIO(png), width=Cm(width_cm))
