"""The preview of one file: every row parsed and checked, duplicates found inside the file and
against the participants already in the base. Nothing is written here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from schools.imports import columns
from schools.imports.columns import HeaderMap, ParsedRow, TopicMatcher
from schools.imports.models import ImportKind
from schools.imports.reading import HEADER_SEARCH_ROWS, FileProblem, open_sheet

# Rows with problems listed in the stored report; the counts always cover every row.
REPORT_ROW_LIMIT = 1000
DEFAULT_MAX_ROWS = 20_000

# people as (last_name, first_name, middle_name, birth_date) -> {index in the list: the id of
# the participant already in the base with that name and birth date}
Person = tuple[str, str, str, date | None]
DuplicateFinder = Callable[[list[Person]], dict[int, int]]
Progress = Callable[[int], None]


@dataclass
class Preview:
    kind: str
    file_format: str = ""
    encoding: str = ""
    delimiter: str = ""
    header_row: int = 0
    columns: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    file_errors: list[dict[str, Any]] = field(default_factory=list)
    rows: list[ParsedRow] = field(default_factory=list)
    # row number -> the id of the participant already in the base with the same name and date
    existing: dict[int, int] = field(default_factory=dict)

    @property
    def error_count(self) -> int:
        return len(self.file_errors) + sum(len(row.errors) for row in self.rows)

    @property
    def rows_with_errors(self) -> list[ParsedRow]:
        return [row for row in self.rows if row.errors]

    @property
    def duplicate_count(self) -> int:
        return sum(1 for row in self.rows if row.values.get("_duplicate"))

    def report(self) -> dict[str, Any]:
        problem_rows = self.rows_with_errors
        listed = [
            {
                "row": row.number,
                "name": " ".join(
                    p
                    for p in (
                        row.values.get("last_name"),
                        row.values.get("first_name"),
                        row.values.get("middle_name"),
                    )
                    if p
                ),
                "errors": row.errors,
                **(
                    {"duplicate_of_row": row.values["_duplicate_of_row"]}
                    if row.values.get("_duplicate_of_row")
                    else {}
                ),
                **(
                    {"existing_participant_id": row.values["_existing_id"]}
                    if row.values.get("_existing_id") and row.errors
                    else {}
                ),
            }
            for row in problem_rows[:REPORT_ROW_LIMIT]
        ]
        return {
            "file_format": self.file_format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "header_row": self.header_row,
            "columns": self.columns,
            "ignored_columns": self.ignored_columns,
            "file_errors": self.file_errors,
            "rows": listed,
            "rows_truncated": len(problem_rows) > REPORT_ROW_LIMIT,
            "existing_participants": len(self.existing),
        }


def _file_error(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": message, **extra}


def _find_header(kind: str, rows: Any) -> tuple[HeaderMap | None, list[tuple[int, list[Any]]]]:
    """The header row: the first of the top rows that names the person. Title rows above the
    table («Список 5А класса») are skipped. Returns the rows read so far (to re-use if the
    header was not found)."""
    seen: list[tuple[int, list[Any]]] = []
    best: HeaderMap | None = None
    for number, cells in rows:
        seen.append((number, cells))
        header_map = columns.match_headers(kind, cells, number)
        if columns.has_name_columns(header_map):
            return header_map, seen
        if header_map.positions and (
            best is None or len(header_map.positions) > len(best.positions)
        ):
            best = header_map
        if len(seen) >= HEADER_SEARCH_ROWS:
            break
    return (best if best and len(best.positions) >= 2 else None), seen


def build_preview(
    *,
    kind: str,
    handle: IO[bytes],
    default_category: str = "",
    find_duplicate: DuplicateFinder,
    progress: Progress | None = None,
    total_hint: int = 0,
    today: date | None = None,
    matcher: TopicMatcher | None = None,
) -> Preview:
    """``matcher``: recognises the entries of the requests (mentee imports) or competences
    (mentor imports) columns in the institution's catalogue."""
    preview = Preview(kind=kind)
    today = today or date.today()
    try:
        sheet = open_sheet(handle)
        preview.file_format, preview.encoding, preview.delimiter = (
            sheet.file_format,
            sheet.encoding,
            sheet.delimiter,
        )
        header_map, _seen = _find_header(kind, sheet.rows)
        expected = columns.expected_headers(kind)
        if header_map is None:
            preview.file_errors.append(
                _file_error(
                    "headers",
                    _("The column headers are not recognised. Expected: %(headers)s.")
                    % {"headers": ", ".join(f"«{h}»" for h in expected)},
                    expected_headers=expected,
                )
            )
            return preview
        preview.header_row = header_map.row_number
        preview.columns = header_map.headers
        preview.ignored_columns = header_map.ignored
        problems = columns.header_problems(kind, header_map, default_category=default_category)
        if problems:
            preview.file_errors.extend(
                _file_error("headers", message, expected_headers=expected) for message in problems
            )
            return preview
        max_rows = int(getattr(settings, "IMPORTS_MAX_ROWS", DEFAULT_MAX_ROWS))
        for number, cells in sheet.rows:
            if columns.is_blank(cells):
                continue
            if len(preview.rows) >= max_rows:
                preview.file_errors.append(
                    _file_error(
                        "too_many_rows",
                        _("The file has more than %(max)s rows; split it into parts.")
                        % {"max": max_rows},
                    )
                )
                return preview
            preview.rows.append(
                columns.parse_row(
                    kind,
                    header_map,
                    number,
                    cells,
                    default_category=default_category,
                    today=today,
                    matcher=matcher,
                )
            )
            if progress and total_hint and len(preview.rows) % 250 == 0:
                progress(min(60, 60 * len(preview.rows) // total_hint))
    except FileProblem as problem:
        preview.file_errors.append(_file_error(problem.code, problem.message))
        return preview
    if not preview.rows:
        preview.file_errors.append(_file_error("no_rows", _("The file has headers but no rows.")))
        return preview
    _mark_duplicates(preview, find_duplicate=find_duplicate, progress=progress)
    return preview


def _mark_duplicates(
    preview: Preview, *, find_duplicate: DuplicateFinder, progress: Progress | None
) -> None:
    name_header = preview.columns.get("full_name") or preview.columns.get("last_name", "")
    first_seen: dict[tuple[str, str, str, str], int] = {}
    named = [
        row for row in preview.rows if row.values.get("last_name") and row.values.get("first_name")
    ]
    for row in named:
        key = row.duplicate_key
        earlier = first_seen.get(key)
        if earlier is not None:
            row.values["_duplicate"] = True
            row.values["_duplicate_of_row"] = earlier
            row.error(
                name_header,
                _("The same person (name and birth date) is already in row %(row)s.")
                % {"row": earlier},
            )
        else:
            first_seen[key] = row.number
    if progress:
        progress(70)
    found = find_duplicate(
        [
            (
                row.values["last_name"],
                row.values["first_name"],
                row.values.get("middle_name") or "",
                row.values.get("birth_date"),
            )
            for row in named
        ]
    )
    for index, existing in found.items():
        row = named[index]
        row.values["_existing_id"] = existing
        preview.existing[row.number] = existing
        if preview.kind == ImportKind.PARTICIPANTS:
            row.values["_duplicate"] = True
            row.error(
                name_header,
                _("A participant with this name and birth date is already in the base."),
            )
