"""Institutions of a region from one XLSX sheet (the regional centre's list): the header row
names the columns in Russian as such lists do; every row is checked on its own (fields, kind,
municipality, address, INN, the coordinator's e-mail) and against the others in the file, so
that the whole file is either refused with every problem listed by row, or created at once."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from config.spreadsheets import UnsafeSpreadsheet, check_xlsx
from tenants.models import InstitutionKind, Municipality
from tenants.services import validate_institution_fields

MAX_ROWS = 2000
HEADER_SEARCH_ROWS = 10

# Header words (lowercase, ё as е) → field. The first matching column wins.
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("полное наименование", "наименование", "full name", "name"),
    "short_name": ("краткое наименование", "сокращенное наименование", "short name"),
    "kind": ("вид", "тип", "kind"),
    "municipality": ("муниципалитет", "муниципальное образование", "municipality"),
    "inn": ("инн", "inn"),
    "slug": ("адрес", "адрес в системе", "slug", "address"),
    "coordinator_email": (
        "e-mail координатора",
        "email координатора",
        "почта координатора",
        "coordinator e-mail",
        "coordinator email",
    ),
    "coordinator_name": ("фио координатора", "координатор", "coordinator"),
}
REQUIRED = ("name", "kind", "municipality", "slug", "coordinator_email")
KIND_WORDS: dict[str, str] = {
    "школа": InstitutionKind.SCHOOL,
    "общеобразовательная организация": InstitutionKind.SCHOOL,
    "оо": InstitutionKind.SCHOOL,
    "колледж": InstitutionKind.COLLEGE,
    "техникум": InstitutionKind.COLLEGE,
    "спо": InstitutionKind.COLLEGE,
    "дополнительное образование": InstitutionKind.ADDITIONAL,
    "доп. образование": InstitutionKind.ADDITIONAL,
    "дод": InstitutionKind.ADDITIONAL,
    **{kind.value: kind.value for kind in InstitutionKind},
}


class ImportFileProblem(Exception):
    """The file as a whole cannot be read; ``message`` is shown next to the file field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RowProblem:
    row: int  # as the user sees it in the spreadsheet
    column: str  # the field's label
    message: str


@dataclass
class ImportPlan:
    """The rows ready to create (``institution_create``'s keywords) and the problems found."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.problems


def _norm(value: Any) -> str:
    text = "" if value is None else str(value)
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))  # an INN typed as a number
    return " ".join(text.replace("\u00a0", " ").split()).strip()


def _key(text: str) -> str:
    return _norm(text).casefold().replace("ё", "е")


def column_labels() -> dict[str, str]:
    return {
        "name": _("Full name"),
        "short_name": _("Short name"),
        "kind": _("Kind"),
        "municipality": _("Municipality"),
        "inn": _("INN"),
        "slug": _("Address"),
        "coordinator_email": _("Coordinator's e-mail"),
        "coordinator_name": _("Coordinator's full name"),
    }


def _header_map(cells: list[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    keys = [_key(c) for c in cells]
    for name, words in HEADERS.items():
        for word in words:
            if word in keys and keys.index(word) not in found.values():
                found[name] = keys.index(word)
                break
    return found


def read_rows(handle: IO[bytes]) -> tuple[dict[str, int], list[tuple[int, list[Any]]]]:
    """(field → column index, [(row number, cells)]) of the first sheet, after its header row
    (looked for in the first rows: a title may stand above it)."""
    from openpyxl import load_workbook

    try:
        check_xlsx(handle)
    except UnsafeSpreadsheet as problem:
        raise ImportFileProblem(problem.message) from problem
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileProblem(_("The file is not an .xlsx workbook or it is damaged.")) from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise ImportFileProblem(_("The workbook has no sheets."))
        header: dict[str, int] = {}
        rows: list[tuple[int, list[Any]]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = list(values)
            if not header:
                candidate = _header_map(cells)
                if set(REQUIRED) <= set(candidate):
                    header = candidate
                elif number >= HEADER_SEARCH_ROWS:
                    break
                continue
            if not any(_norm(c) for c in cells):
                continue
            rows.append((number, cells))
            if len(rows) > MAX_ROWS:
                raise ImportFileProblem(
                    _("At most %(n)s institutions in one file.") % {"n": MAX_ROWS}
                )
    finally:
        workbook.close()
    if not header:
        labels = column_labels()
        raise ImportFileProblem(
            _("No header row with the columns %(columns)s.")
            % {"columns": ", ".join(f"«{labels[name]}»" for name in REQUIRED)}
        )
    if not rows:
        raise ImportFileProblem(_("The sheet has no institutions under its header row."))
    return header, rows


def plan_import(handle: IO[bytes]) -> ImportPlan:
    """Read and check every row; ``ImportFileProblem`` when the file itself cannot be read."""
    header, rows = read_rows(handle)
    labels = column_labels()
    municipalities = {_key(m.name): m.pk for m in Municipality.objects.all()}
    plan = ImportPlan()
    seen_slugs: dict[str, int] = {}
    seen_inns: dict[str, int] = {}
    for number, cells in rows:
        values = {
            name: _norm(cells[index]) if index < len(cells) else ""
            for name, index in header.items()
        }
        problems: list[RowProblem] = []

        def problem(
            name: str, message: str, number: int = number, found: list[RowProblem] = problems
        ) -> None:
            found.append(RowProblem(row=number, column=labels[name], message=message))

        for name in REQUIRED:
            if not values.get(name):
                problem(name, _("Required."))
        kind = KIND_WORDS.get(_key(values.get("kind", "")), "")
        if values.get("kind") and not kind:
            problem("kind", _("Write “школа”, “колледж” or “дополнительное образование”."))
        municipality_id = municipalities.get(_key(values.get("municipality", "")))
        if values.get("municipality") and municipality_id is None:
            problem("municipality", _("No such municipality in the region."))
        slug = values.get("slug", "").lower()
        inn = values.get("inn", "")
        email = values.get("coordinator_email", "")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problem("coordinator_email", _("Not an e-mail address."))
        if slug and slug in seen_slugs:
            problem("slug", _("The same address as row %(row)s.") % {"row": seen_slugs[slug]})
        if inn and inn in seen_inns:
            problem("inn", _("The same INN as row %(row)s.") % {"row": seen_inns[inn]})
        if slug and kind and municipality_id is not None:
            try:
                validate_institution_fields(
                    slug=slug, kind=kind, municipality_id=municipality_id, inn=inn
                )
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    for message in messages:
                        problem(name if name in labels else "name", message)
        seen_slugs.setdefault(slug, number)
        if inn:
            seen_inns.setdefault(inn, number)
        plan.problems.extend(problems)
        if not problems:
            plan.rows.append(
                {
                    "name": values["name"][:500],
                    "short_name": (values.get("short_name") or values["name"])[:200],
                    "kind": kind,
                    "municipality_id": municipality_id,
                    "slug": slug,
                    "inn": inn,
                    "coordinator_email": email,
                    "coordinator_name": values.get("coordinator_name", "")[:300],
                }
            )
    return plan
