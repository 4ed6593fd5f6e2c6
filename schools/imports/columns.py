"""What the columns of a school's table mean, and how one row becomes clean values.

Headers are matched tolerantly (case, spaces, punctuation, ё/е); values are parsed the way
schools type them (dates as ДД.ММ.ГГГГ or real Excel dates, categories as Russian words,
several requests or competences in one cell separated by «;»). Every problem is reported
against the row and the column header the user wrote, never raised: the preview shows them
all at once."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from config.text import BIDI_MESSAGE, has_bidi_controls, normalise_text
from schools.imports.models import ImportKind

# Category codes of participants (GLOSSARY.md) and the words schools write for them.
CATEGORY_WORDS: dict[str, str] = {
    "ученик": "pupil",
    "ученица": "pupil",
    "школьник": "pupil",
    "обучающийся": "pupil",
    "студент": "student",
    "студентка": "student",
    "педагог": "teacher",
    "учитель": "teacher",
    "преподаватель": "teacher",
    "мастер": "master",
    "мастер по": "master",
    "мастер производственного обучения": "master",
    "молодой специалист": "young_specialist",
    "молодой педагог": "young_specialist",
    "выпускник": "alumnus",
    "выпускница": "alumnus",
    "родитель": "parent",
    "законный представитель": "parent",
    "родитель законный представитель": "parent",
    "специалист предприятия": "employer_specialist",
    "наставник от работодателя": "employer_specialist",
    "представитель работодателя": "employer_specialist",
}
CATEGORY_CODES = (
    "pupil",
    "student",
    "teacher",
    "master",
    "young_specialist",
    "alumnus",
    "parent",
    "employer_specialist",
)
LEARNER_CATEGORIES = frozenset({"pupil", "student"})

# Forms of mentoring (GLOSSARY.md codes) by the Russian names used in the methodology.
FORM_WORDS: dict[str, str] = {
    "студент студент": "student_student",
    "ученик ученик": "pupil_pupil",
    "педагог педагог": "teacher_teacher",
    "учитель учитель": "teacher_teacher",
    "мастер мастер": "teacher_teacher",
    "педагог студент": "teacher_student",
    "мастер студент": "teacher_student",
    "педагог мастер студент": "teacher_student",
    "студент ученик": "student_pupil",
    "работодатель ученик": "employer_pupil",
    "работодатель студент": "employer_student",
    "специалист предприятия студент": "employer_student",
}
FORM_CODES = frozenset(FORM_WORDS.values())


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the header we show in reports and write in exports
    aliases: tuple[str, ...] = ()


COMMON_COLUMNS = (
    Column("full_name", "ФИО", ("фио", "ф и о", "фамилия имя отчество", "полное имя")),
    Column("last_name", "Фамилия", ("фамилия",)),
    Column("first_name", "Имя", ("имя",)),
    Column("middle_name", "Отчество", ("отчество", "отчество при наличии")),
    Column("birth_date", "Дата рождения", ("дата рождения", "д р", "др")),
    Column("category", "Категория", ("категория", "категория участника")),
    Column(
        "study_group",
        "Класс/Группа",
        ("класс", "группа", "класс группа", "учебная группа", "класс группа обучения"),
    ),
    Column(
        "email",
        "E-mail",
        (
            "e mail",
            "email",
            "е mail",
            "электронная почта",
            "эл почта",
            "адрес электронной почты",
            "почта",
        ),
    ),
    Column("phone", "Телефон", ("телефон", "номер телефона", "контактный телефон", "моб телефон")),
)
MENTEE_COLUMNS = (
    Column("request", "Запрос", ("запрос", "запрос наставляемого")),
    Column("needs", "Потребности", ("потребности", "теги потребностей")),
    Column("form", "Форма наставничества", ("форма наставничества", "форма")),
)
MENTOR_COLUMNS = (
    Column("competences", "Компетенции", ("компетенции",)),
    Column("experience", "Опыт", ("опыт", "опыт работы", "стаж", "опыт стаж")),
    Column(
        "hours_per_month",
        "Часов в месяц",
        ("часов в месяц", "ресурс времени", "ресурс времени часов в месяц", "часы в месяц"),
    ),
    Column(
        "capacity",
        "Количество наставляемых",
        ("количество наставляемых", "кол во наставляемых", "число наставляемых"),
    ),
)
COLUMNS_BY_KIND: dict[str, tuple[Column, ...]] = {
    ImportKind.PARTICIPANTS: COMMON_COLUMNS,
    ImportKind.MENTEES: COMMON_COLUMNS + MENTEE_COLUMNS,
    ImportKind.MENTORS: COMMON_COLUMNS + MENTOR_COLUMNS,
}

_NON_WORD = re.compile(r"[^0-9a-zа-я]+")


def normalise(text: Any) -> str:
    """'  Дата  рождения* ' -> 'дата рождения'; 'E-mail' -> 'e mail'; ё -> е."""
    value = str(text or "").lower().replace("ё", "е")
    return _NON_WORD.sub(" ", value).strip()


def expected_headers(kind: str) -> list[str]:
    """The headers to show when a file's headers are not recognised."""
    headers = ["ФИО (или Фамилия, Имя, Отчество)", "Дата рождения", "Категория", "Класс/Группа"]
    headers += ["E-mail", "Телефон"]
    extra: dict[str, tuple[Column, ...]] = {
        ImportKind.MENTEES: MENTEE_COLUMNS,
        ImportKind.MENTORS: MENTOR_COLUMNS,
    }
    headers += [column.header for column in extra.get(kind, ())]
    return headers


@dataclass
class HeaderMap:
    row_number: int
    positions: dict[str, int]  # field key -> cell index
    headers: dict[str, str]  # field key -> the header as the user wrote it
    ignored: list[str]


def match_headers(kind: str, cells: Sequence[Any], row_number: int) -> HeaderMap:
    aliases = {alias: column for column in COLUMNS_BY_KIND[kind] for alias in column.aliases}
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    ignored: list[str] = []
    for index, cell in enumerate(cells):
        text = str(cell).strip() if cell is not None else ""
        if not text:
            continue
        column = aliases.get(normalise(text))
        if column is None or column.key in positions:
            ignored.append(text)
            continue
        positions[column.key] = index
        headers[column.key] = text
    return HeaderMap(row_number=row_number, positions=positions, headers=headers, ignored=ignored)


def has_name_columns(header_map: HeaderMap) -> bool:
    keys = header_map.positions
    return "full_name" in keys or ("last_name" in keys and "first_name" in keys)


def header_problems(kind: str, header_map: HeaderMap, *, default_category: str) -> list[str]:
    """File-level problems with the recognised headers (missing required columns)."""
    problems = []
    keys = header_map.positions
    if not has_name_columns(header_map):
        problems.append(_("No name column: add «ФИО», or «Фамилия», «Имя» and «Отчество» columns."))
    if "full_name" in keys and ({"last_name", "first_name"} & keys.keys()):
        problems.append(_("Use either «ФИО» or «Фамилия», «Имя», «Отчество», not both."))
    if "birth_date" not in keys:
        problems.append(_("No «Дата рождения» column."))
    if "category" not in keys and not default_category:
        problems.append(
            _("No «Категория» column: add it, or choose the category of everyone in the file.")
        )
    return problems


# --- values ---------------------------------------------------------------------------------

DATE_RE = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")
ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?$")
EXCEL_EPOCH = date(1899, 12, 30)


class CellError(ValueError):
    """A value that cannot be used; the message is shown to the user."""


def text_value(value: Any) -> str:
    """A cell as one line of clean text (``config.text``: NFC, no control or invisible
    characters); bidirectional controls are left for ``parse_row`` to report."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(normalise_text(str(value)).split())


def parse_date(value: Any, *, today: date) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value.date()
    elif isinstance(value, date):
        parsed = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        # an Excel serial date in a cell formatted as a number
        if not 1 <= value < 2958466:
            raise CellError(_("Not a date; write it as ДД.ММ.ГГГГ."))
        parsed = EXCEL_EPOCH + timedelta(days=int(value))
    else:
        text = text_value(value)
        if not text:
            return None
        match = DATE_RE.match(text)
        iso = ISO_DATE_RE.match(text)
        try:
            if match:
                day, month, year = (int(part) for part in match.groups())
                parsed = date(year, month, day)
            elif iso:
                year, month, day = (int(part) for part in iso.groups())
                parsed = date(year, month, day)
            else:
                raise CellError(
                    _("«%(value)s» is not a date; write it as ДД.ММ.ГГГГ.") % {"value": text}
                )
        except ValueError as exc:
            if isinstance(exc, CellError):
                raise
            raise CellError(_("«%(value)s» is not a real date.") % {"value": text}) from exc
    if parsed > today:
        raise CellError(_("The birth date is in the future."))
    if parsed.year < today.year - 100:
        raise CellError(_("The birth date is more than 100 years ago."))
    return parsed


def parse_category(value: Any) -> str:
    text = normalise(value)
    if not text:
        return ""
    if text.replace(" ", "_") in CATEGORY_CODES:
        return text.replace(" ", "_")
    code = CATEGORY_WORDS.get(text)
    if code is None:
        raise CellError(
            _("Unknown category «%(value)s». Use one of: %(known)s.")
            % {
                "value": text_value(value),
                "known": "ученик, студент, педагог, мастер, молодой специалист, выпускник, "
                "родитель, специалист предприятия",
            }
        )
    return code


def parse_email(value: Any) -> str:
    text = text_value(value).removeprefix("mailto:")
    if not text:
        return ""
    try:
        validate_email(text)
    except ValidationError as exc:
        raise CellError(_("«%(value)s» is not an e-mail address.") % {"value": text}) from exc
    return text.lower()


def parse_phone(value: Any) -> str:
    text = text_value(value)
    if not text:
        return ""
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits[0] in "78":
        digits = digits[1:]
    if len(digits) != 10:
        raise CellError(
            _("«%(value)s» is not a phone number; write it as +7 XXX XXX-XX-XX.") % {"value": text}
        )
    return f"+7{digits}"


class TopicMatchLike(Protocol):
    """What the participants' catalogue says of one written entry (``api.TopicMatch``)."""

    @property
    def code(self) -> str | None: ...

    @property
    def suggestions(self) -> tuple[tuple[str, str], ...]: ...


# Recognises written entries in the institution's catalogue (``participants.api.topics_match``
# over one index built for the whole file): one result per text, in order.
TopicMatcher = Callable[[Sequence[str]], Sequence[TopicMatchLike]]


def split_cell_entries(value: Any) -> list[str]:
    """The entries of a cell: separated by «;» or new lines, commas stay inside a name
    («Методика преподавания, подготовка уроков» is one entry)."""
    from schools.participants.api import split_entries

    if value is None:
        return []
    # new lines are separators here, so the cell is not folded into one line first
    lines = [text_value(line) for line in normalise_text(str(value)).splitlines()]
    return split_entries("\n".join(line for line in lines if line))


def map_entries(value: Any, matcher: TopicMatcher, *, what: str) -> list[str]:
    """The catalogue codes a cell names, without repeats, in order. Names are recognised
    tolerantly (case, «ё/е», punctuation, spaces, another wording of the entry). An entry not
    recognised as a whole but whose parts between commas all are (a list written with commas,
    as older files have it) gives those parts. Unknown entries raise ``CellError`` naming the
    closest entries of the catalogue."""
    entries = split_cell_entries(value)
    if not entries:
        return []
    codes: list[str] = []
    unknown: list[str] = []
    results = list(matcher(entries))
    for entry, result in zip(entries, results, strict=True):
        found = [result.code] if result.code else []
        if not found and "," in entry:
            parts = [part.strip() for part in entry.split(",") if part.strip()]
            matched = list(matcher(parts))
            if all(item.code for item in matched):
                found = [item.code for item in matched if item.code]
        if not found:
            closest = ", ".join(f"«{name}»" for _code, name in result.suggestions[:2])
            if closest:
                unknown.append(
                    _("«%(entry)s» (closest: %(closest)s)") % {"entry": entry, "closest": closest}
                )
            else:
                unknown.append(f"«{entry}»")
            continue
        codes.extend(code for code in found if code not in codes)
    if unknown:
        raise CellError(
            _(
                "Not in the catalogue of %(what)s: %(names)s. Write the names as the catalogue "
                "has them and separate them with «;»."
            )
            % {"what": what, "names": "; ".join(unknown)}
        )
    return codes


def parse_form(value: Any) -> str:
    text = normalise(value)
    if not text:
        return ""
    if text.replace(" ", "_") in FORM_CODES:
        return text.replace(" ", "_")
    code = FORM_WORDS.get(text)
    if code is None:
        raise CellError(
            _("Unknown form of mentoring «%(value)s», e.g. «ученик – ученик».")
            % {"value": text_value(value)}
        )
    return code


def parse_int(value: Any, *, minimum: int, maximum: int) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = text_value(value)
    if not text:
        return None
    if not re.fullmatch(r"\d+", text):
        raise CellError(_("«%(value)s» is not a whole number.") % {"value": text})
    number = int(text)
    if not minimum <= number <= maximum:
        raise CellError(
            _("%(value)s is out of range %(min)s–%(max)s.")
            % {"value": number, "min": minimum, "max": maximum}
        )
    return number


def split_full_name(text: str) -> tuple[str, str, str]:
    parts = text.split()
    if len(parts) < 2:
        raise CellError(_("Write the full name: surname, first name and patronymic."))
    return parts[0], parts[1], " ".join(parts[2:])


# --- one row --------------------------------------------------------------------------------


@dataclass
class ParsedRow:
    number: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)

    def error(self, column: str, message: str) -> None:
        self.errors.append({"column": column, "message": message})

    @property
    def duplicate_key(self) -> tuple[str, str, str, str]:
        birth = self.values.get("birth_date")
        return (
            normalise(self.values.get("last_name")),
            normalise(self.values.get("first_name")),
            normalise(self.values.get("middle_name")),
            birth.isoformat() if birth else "",
        )


def is_blank(cells: Sequence[Any]) -> bool:
    return all(cell is None or str(cell).strip() == "" for cell in cells)


def _no_catalogue(texts: Sequence[str]) -> list[TopicMatchLike]:
    from schools.participants.api import TopicMatch

    return [TopicMatch(text=text, code=None, name=None) for text in texts]


def parse_row(
    kind: str,
    header_map: HeaderMap,
    number: int,
    cells: Sequence[Any],
    *,
    default_category: str,
    today: date,
    matcher: TopicMatcher | None = None,
) -> ParsedRow:
    """One row's values and errors. ``matcher`` recognises the entries of the requests and
    competences columns in the catalogue (none recognised without it)."""
    if matcher is None:
        matcher = _no_catalogue
    row = ParsedRow(number=number)
    positions = header_map.positions
    headers = header_map.headers

    def cell(key: str) -> Any:
        index = positions.get(key)
        return cells[index] if index is not None and index < len(cells) else None

    def parse(key: str, parser: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return parser(cell(key), *args, **kwargs)
        except CellError as exc:
            row.error(headers.get(key, key), str(exc))
            return None

    values = row.values
    if "full_name" in positions:
        full = text_value(cell("full_name"))
        if not full:
            row.error(headers["full_name"], _("The name is missing."))
        else:
            try:
                values["last_name"], values["first_name"], values["middle_name"] = split_full_name(
                    full
                )
            except CellError as exc:
                row.error(headers["full_name"], str(exc))
    else:
        for key in ("last_name", "first_name", "middle_name"):
            values[key] = text_value(cell(key))
        for key, message in (
            ("last_name", _("The surname is missing.")),
            ("first_name", _("The first name is missing.")),
        ):
            if not values[key]:
                row.error(headers[key], message)
    for key in ("last_name", "first_name", "middle_name"):
        if len(values.get(key) or "") > 150:
            row.error(headers.get(key, headers.get("full_name", key)), _("The name is too long."))

    category = parse("category", parse_category) if "category" in positions else ""
    values["category"] = category or default_category
    if not values["category"] and "category" in positions:
        row.error(headers["category"], _("The category is missing."))
    values["birth_date"] = parse("birth_date", parse_date, today=today)
    if (
        values["birth_date"] is None
        and values["category"] in LEARNER_CATEGORIES
        and not any(e["column"] == headers.get("birth_date") for e in row.errors)
    ):
        row.error(headers.get("birth_date", "birth_date"), _("The birth date is missing."))
    values["study_group"] = text_value(cell("study_group"))[:100]
    values["email"] = parse("email", parse_email) or ""
    values["phone"] = parse("phone", parse_phone) or ""

    if kind == ImportKind.MENTEES:
        values["request"] = text_value(cell("request"))
        values["needs"] = (
            parse("needs", lambda v: map_entries(v, matcher, what=_("requests"))) or []
        )
        values["form"] = parse("form", parse_form) or ""
    elif kind == ImportKind.MENTORS:
        values["competences"] = (
            parse("competences", lambda v: map_entries(v, matcher, what=_("competences"))) or []
        )
        experience = text_value(cell("experience"))
        # «Опыт» is free text («15 лет в школе») or a plain number of years
        if re.fullmatch(r"\d{1,2}", experience):
            values["experience_years"] = int(experience)
            values["experience"] = ""
        else:
            values["experience"] = experience
        values["hours_per_month"] = parse("hours_per_month", parse_int, minimum=0, maximum=200)
        values["capacity"] = parse("capacity", parse_int, minimum=1, maximum=50)
    for key, value in values.items():
        if isinstance(value, str) and has_bidi_controls(value):
            column = headers.get(key) or headers.get("full_name") or key
            row.error(column, str(BIDI_MESSAGE))
    return row
