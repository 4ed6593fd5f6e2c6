"""The commit writes through the bulk functions of the participants api, in chunks, inside one
transaction: a row refused in a late chunk rolls back the earlier ones too."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from schools.audit.models import AuditEntry
from schools.imports import services
from schools.imports.models import ImportBatch
from schools.participants import api as participants_api
from schools.participants import selectors as participant_selectors
from tests.conftest import SETUP
from tests.schools.imports.files import SCHOOL_HEADERS, school_rows, upload, xlsx_bytes


def check(schema: str, content: bytes, kind: str = "participants") -> ImportBatch:
    with schema_context(schema):
        return services.import_batch_create(kind=kind, uploaded_file=upload(content), actor=SETUP)


def commit(schema: str, batch: ImportBatch) -> ImportBatch:
    with schema_context(schema):
        return services.import_batch_commit(batch_id=batch.pk)


def test_chunks_are_one_transaction_and_a_refused_row_is_reported(tenant_a, settings, monkeypatch):
    settings.IMPORTS_INLINE_MAX_BYTES = 10**9
    monkeypatch.setattr(services, "COMMIT_CHUNK_ROWS", 7)
    rows = school_rows(30)
    rows[25][2] = "Г" * 60  # the preview takes up to 100 characters, a study group holds 50
    batch = check(tenant_a.schema_name, xlsx_bytes(SCHOOL_HEADERS, rows))
    assert batch.status == "previewed" and batch.error_count == 0, batch.report
    batch = commit(tenant_a.schema_name, batch)
    assert batch.status == "previewed" and batch.error_count == 1
    [refused] = batch.report["rows"]
    assert refused["row"] == 27 and refused["errors"][0]["column"] == "Класс"
    with schema_context(tenant_a.schema_name):
        assert participants_api.Participant.objects.count() == 0  # chunks 1-3 rolled back
        assert participant_selectors.study_group_list().count() == 0
        assert not AuditEntry.objects.exists()

    rows[25][2] = "11Б"
    batch = check(tenant_a.schema_name, xlsx_bytes(SCHOOL_HEADERS, rows))
    batch = commit(tenant_a.schema_name, batch)
    assert (batch.status, batch.imported_count, batch.progress) == ("done", 30, 100)
    with schema_context(tenant_a.schema_name):
        people = participant_selectors.participant_list()
        assert people.count() == 30
        assert participant_selectors.study_group_list().count() == 9  # each class created once
        pupil3 = people.get(email="pupil3@school.ru")
        assert pupil3.study_group is not None and pupil3.study_group.name == "6В"
        assert AuditEntry.objects.count() == 30 + 9


def test_commit_queries_do_not_grow_with_the_rows(tenant_a, settings):
    settings.IMPORTS_INLINE_MAX_BYTES = 10**9
    counts = []
    for start, size in ((0, 20), (100, 200)):
        batch = check(
            tenant_a.schema_name, xlsx_bytes(SCHOOL_HEADERS, school_rows(size, start=start))
        )
        assert batch.error_count == 0, batch.report
        with CaptureQueriesContext(connection) as captured:
            assert commit(tenant_a.schema_name, batch).status == "done"
        counts.append(len(captured))
    # 10 times the rows, no more queries (fewer: the second file's classes exist already)
    assert counts[1] <= counts[0] < 40


def test_mentee_import_in_chunks_attaches_to_existing_people(tenant_a, settings, monkeypatch):
    settings.IMPORTS_INLINE_MAX_BYTES = 10**9
    monkeypatch.setattr(services, "COMMIT_CHUNK_ROWS", 4)
    rows = [[*row[:4], "Запрос", "olympiads, профориентация"] for row in school_rows(10)]
    headers = [*SCHOOL_HEADERS[:4], "Запрос", "Потребности"]
    first = check(tenant_a.schema_name, xlsx_bytes(headers, rows[:5]), kind="mentees")
    assert commit(tenant_a.schema_name, first).status == "done"
    rows[9][5] = "Вязание крючком"
    batch = check(tenant_a.schema_name, xlsx_bytes(headers, rows), kind="mentees")
    assert batch.error_count == 1  # an unknown need is caught by the preview
    rows[9][5] = "olympiads"
    batch = check(tenant_a.schema_name, xlsx_bytes(headers, rows), kind="mentees")
    assert batch.error_count == 0 and batch.report["existing_participants"] == 5
    assert commit(tenant_a.schema_name, batch).imported_count == 10
    with schema_context(tenant_a.schema_name):
        assert participants_api.Participant.objects.count() == 10
        profiles = participant_selectors.mentee_profile_list()
        assert profiles.count() == 10
        needs = {p.participant.last_name: sorted(t.code for t in p.needs.all()) for p in profiles}
        assert needs[rows[0][0].split()[0]] == ["career_guidance", "olympiads"]
        assert needs[rows[9][0].split()[0]] == ["olympiads"]
