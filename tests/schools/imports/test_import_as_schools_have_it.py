"""Import as schools have their data, in the pages: the template with every column described,
several requests or competences in one cell separated by «;», catalogue names matched
tolerantly with the closest name in the row's error, and the good rows imported while the bad
ones are downloaded with their errors, fixed and uploaded again."""

from __future__ import annotations

import io
import re
from typing import Any

from django.test import override_settings
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from schools.imports import columns
from schools.participants import api as participants_api
from schools.participants import selectors as participant_selectors
from tests.conftest import SETUP
from tests.schools.imports.files import SCHOOL_HEADERS, school_rows, upload, xlsx_bytes
from tests.web.conftest import page_client

MENTEE_HEADERS = ["ФИО", "Дата рождения", "Категория", "Класс/Группа", "Запрос", "Потребности"]


def sheets_of(content: bytes) -> dict[str, list[list[Any]]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    out = {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in book.worksheets
    }
    book.close()
    return out


def pages(tenant, coordinator):
    return page_client(tenant.host, coordinator, tenant.schema_name, "en")


def upload_page(client, content: bytes, kind: str, name: str = "spisok.xlsx") -> int:
    response = client.post("/imports/", {"kind": kind, "file": upload(content, name)})
    assert response.status_code == 302, response.content.decode()[:2000]
    match = re.search(r"/imports/(\d+)/", response["Location"])
    assert match
    return int(match.group(1))


def batch_of(schema: str, pk: int):
    from schools.imports.models import ImportBatch

    with schema_context(schema):
        return ImportBatch.objects.get(pk=pk)


def test_a_cell_holds_several_entries_matched_tolerantly(tenant_a):
    with schema_context(tenant_a.schema_name):
        matcher = participants_api.topic_matcher()
        # «;» separates; the comma stays inside «Профориентация, выбор профессии»; case, ё/е
        # and spaces do not matter; another wording of an entry names it too
        assert columns.map_entries(
            "ПОДГОТОВКА  к олимпиадам и конкурсам ; Профориентация, выбор профессии",
            matcher,
            what="requests",
        ) == ["olympiads", "career_guidance"]
        assert columns.map_entries("Подготовка к олимпиадам\nолимпиады", matcher, what="x") == [
            "olympiads"
        ]
        # a list written with commas, as older files have it, is still read when every part
        # is an entry
        assert columns.map_entries("olympiads, профориентация", matcher, what="x") == [
            "olympiads",
            "career_guidance",
        ]
        try:
            columns.map_entries("Подготовка к олимпиадм; Вязание крючком", matcher, what="x")
        except columns.CellError as error:
            message = str(error)
        else:
            raise AssertionError("unknown entries were accepted")
    # the closest name is suggested for the misspelt entry; the unknown one is named
    assert "«Подготовка к олимпиадм» (closest: «Подготовка к олимпиадам и конкурсам»" in message
    assert "«Вязание крючком»" in message and "«;»" in message


def test_template_describes_every_column_and_reads_back(tenant_a, coordinator):
    client = pages(tenant_a, coordinator)
    page = client.get("/imports/").content.decode()
    assert "/imports/template/?kind=mentees" in page and "/bases/catalogue/" in page
    response = client.get("/imports/template/?kind=mentees")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    sheets = sheets_of(response.content)
    first, described, catalogue = sheets.values()
    headers = first[0]
    assert len(first) == 1  # headers only: no example row to be imported by mistake
    # every column is described, in the order of the template
    assert [row[0] for row in described[1 : len(headers) + 1]] == headers
    assert all(row[2] for row in described[1 : len(headers) + 1])
    names = {row[0] for row in catalogue[1:]}
    assert "Подготовка к олимпиадам и конкурсам" in names
    # the headers of the template are the importer's: a filled-in template imports cleanly
    values = {
        "ФИО": "Васильев Роман Семёнович",
        "Дата рождения": "14.03.2013",
        "Категория": "ученик",
        "Класс/Группа": "7Б",
        "Запрос": "Хочу на олимпиаду",
        "Потребности": "Подготовка к олимпиадам и конкурсам; Профориентация, выбор профессии",
        "Форма наставничества": "студент – ученик",
    }
    row = [values.get(header, "") for header in headers]
    pk = upload_page(client, xlsx_bytes(headers, [row]), "mentees")
    batch = batch_of(tenant_a.schema_name, pk)
    assert batch.error_count == 0, batch.report
    assert set(batch.report["columns"]) >= {"full_name", "needs", "form", "study_group"}
    assert client.get("/imports/template/?kind=nonsense").status_code == 404


def test_good_rows_imported_bad_ones_downloaded_fixed_and_uploaded(tenant_a, coordinator):
    client = pages(tenant_a, coordinator)
    rows = [
        ["Васильев Роман Семёнович", "14.03.2013", "ученик", "7Б", "", "олимпиады"],
        ["Ершова Анна Петровна", "02.02.2012", "ученик", "8А", "", "Подготовка к олимпиадм"],
        ["Котов Илья", "31.02.2012", "ученик", "8А", "", "Профориентация, выбор профессии"],
        ["Лебедева Ольга Ивановна", "05.05.2011", "ученик", "9А", "", ""],
    ]
    pk = upload_page(client, xlsx_bytes(MENTEE_HEADERS, rows), "mentees")
    batch = batch_of(tenant_a.schema_name, pk)
    assert (batch.valid_rows, batch.total_rows) == (2, 4)
    page = client.get(f"/imports/{pk}/").content.decode()
    assert "closest: «Подготовка к олимпиадам и конкурсам»" in page
    assert 'data-testid="commit-valid"' in page and "/bases/catalogue/" in page
    # the whole file cannot be imported; the rows without errors can
    assert client.post(f"/imports/{pk}/commit/").status_code == 302
    assert batch_of(tenant_a.schema_name, pk).status == "previewed"
    client.post(f"/imports/{pk}/commit/", {"valid_rows_only": "1"})
    batch = batch_of(tenant_a.schema_name, pk)
    assert (batch.status, batch.imported_count) == ("done", 2)
    with schema_context(tenant_a.schema_name):
        imported = set(participants_api.Participant.objects.values_list("last_name", flat=True))
        assert imported == {"Васильев", "Лебедева"}
        profile = participant_selectors.mentee_profile_list().get(participant__last_name="Васильев")
        assert [topic.code for topic in profile.needs.all()] == ["olympiads"]

    # the rows left out, as written, each with its errors in the last column
    response = client.get(f"/imports/{pk}/rejected/")
    assert response.status_code == 200
    (table,) = sheets_of(response.content).values()
    assert table[0] == [*MENTEE_HEADERS, "Ошибки"]
    assert [row[0] for row in table[1:]] == ["Ершова Анна Петровна", "Котов Илья"]
    assert "Потребности: " in table[1][-1] and "олимпиадам и конкурсам" in table[1][-1]
    assert "Дата рождения: " in table[2][-1]

    # fixed in the downloaded file and uploaded again (the errors column is ignored)
    table[1][5] = "Подготовка к олимпиадам и конкурсам"
    table[2][1] = "28.02.2012"
    fixed = upload_page(client, xlsx_bytes(table[0], table[1:]), "mentees", "ispravleno.xlsx")
    batch = batch_of(tenant_a.schema_name, fixed)
    assert batch.error_count == 0, batch.report
    assert batch.report["ignored_columns"] == ["Ошибки"]
    client.post(f"/imports/{fixed}/commit/")
    assert batch_of(tenant_a.schema_name, fixed).imported_count == 2
    with schema_context(tenant_a.schema_name):
        assert participant_selectors.mentee_profile_list().count() == 4


def test_valid_rows_only_through_the_api(tenant_a, coord_client):
    rows = [
        ["Васильев Роман Семёнович", "14.03.2013", "ученик", "7Б", "", "олимпиады"],
        ["Ершова Анна Петровна", "02.02.2012", "ученик", "8А", "", "Вязание крючком"],
    ]
    batch = coord_client.post(
        "/api/v1/imports/",
        {"kind": "mentees", "file": upload(xlsx_bytes(MENTEE_HEADERS, rows))},
        format="multipart",
    ).json()
    assert coord_client.post(f"/api/v1/imports/{batch['id']}/commit/").status_code == 400
    response = coord_client.post(f"/api/v1/imports/{batch['id']}/commit/?valid_rows_only=true")
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["imported_count"]) == ("done", 1)


def formatted_to_the_end(content: bytes, *, stored_blank_rows: int, declared_rows: int) -> bytes:
    """``content`` (a workbook from ``xlsx_bytes``) as office software leaves a sheet formatted
    far down: an empty styled cell in each of ``stored_blank_rows`` rows after the data, and
    the sheet's dimension declaring ``declared_rows`` rows."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                last = int(re.findall(r'<row r="(\d+)"', text)[-1])
                blank = "".join(
                    f'<row r="{n}"><c r="A{n}" s="0"/></row>'
                    for n in range(last + 1, last + 1 + stored_blank_rows)
                )
                text = re.sub(
                    r'<dimension ref="A1:(\w+?)\d+"/>',
                    rf'<dimension ref="A1:\g<1>{declared_rows}"/>',
                    text,
                )
                data = text.replace("</sheetData>", blank + "</sheetData>").encode()
            target.writestr(info, data)
    return out.getvalue()


def test_a_sheet_formatted_down_to_a_million_rows_is_read_to_its_people_only(tenant_a):
    """A list of six people in a sheet formatted down to row 1,100,000 took 45 s of a worker:
    reading ends at the first thousand blank rows; a few blank rows between people do not end
    it."""
    from schools.imports import reading

    people = [*school_rows(4), [], [], [], *school_rows(2, start=4)]
    content = formatted_to_the_end(
        xlsx_bytes(SCHOOL_HEADERS, people), stored_blank_rows=30_000, declared_rows=1_100_000
    )
    rows = list(reading.open_sheet(io.BytesIO(content)).rows)
    read = [cells for _number, cells in rows if not columns.is_blank(cells)]
    assert len(read) == 1 + 6  # the header and every person, those after the gap too
    assert len(rows) < 1 + 9 + reading.BLANK_ROWS_END + 1  # never the 1.1 million

    from schools.imports import services as imports

    with schema_context(tenant_a.schema_name), override_settings(IMPORTS_INLINE_MAX_BYTES=10**9):
        batch = imports.import_batch_create(
            kind="participants", uploaded_file=upload(content), actor=SETUP
        )
    assert batch.status == "previewed" and batch.total_rows == 6, batch.report
