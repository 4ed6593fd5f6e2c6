"""A large file is checked and committed by Celery tasks, with progress on the batch (1,200
rows here; bench/import_rate.py measures 5,000).

The tasks are run directly inside the schema (as the worker would, with the schema from the
message), which keeps the test fast; tests/config/test_celery.py covers the real worker."""

from __future__ import annotations

from django_tenants.utils import schema_context

from schools.imports import tasks
from schools.imports.progress import progress_set
from schools.participants import api as participants_api
from tests.schools.imports.files import SCHOOL_HEADERS, school_rows, upload, xlsx_bytes


def test_large_file_in_the_background_with_progress(
    tenant_a, coord_client, settings, django_capture_on_commit_callbacks
):
    settings.IMPORTS_INLINE_MAX_BYTES = 10 * 1024  # everything bigger goes to a task
    content = xlsx_bytes(SCHOOL_HEADERS, school_rows(1200, as_text_dates=False))
    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        response = coord_client.post(
            "/api/v1/imports/",
            {"kind": "participants", "file": upload(content)},
            format="multipart",
        )
    assert response.status_code == 201
    batch = response.json()
    assert batch["status"] == "uploaded" and batch["progress"] == 0
    assert len(enqueued) == 1

    with schema_context(tenant_a.schema_name):
        assert tasks.import_batch_validate_task(batch_id=batch["id"]) == "previewed"
        assert tasks.import_batch_validate_task(batch_id=batch["id"]) == "previewed"  # idempotent
    checked = coord_client.get(f"/api/v1/imports/{batch['id']}/").json()
    assert checked["status"] == "previewed" and checked["progress"] == 100
    assert checked["total_rows"] == 1200 and checked["error_count"] == 0, checked["report"]

    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        response = coord_client.post(f"/api/v1/imports/{batch['id']}/commit/")
    assert response.status_code == 202 and response.json()["status"] == "importing"
    assert len(enqueued) == 1
    # a second click while importing enqueues nothing more
    with django_capture_on_commit_callbacks(execute=False) as enqueued_again:
        assert coord_client.post(f"/api/v1/imports/{batch['id']}/commit/").status_code == 202
    assert enqueued_again == []

    with schema_context(tenant_a.schema_name):
        progress_set(batch_id=batch["id"], percent=40)  # what the running task reports
    assert coord_client.get(f"/api/v1/imports/{batch['id']}/").json()["progress"] == 40

    with schema_context(tenant_a.schema_name):
        assert tasks.import_batch_commit_task(batch_id=batch["id"]) == "done"
        assert participants_api.Participant.objects.count() == 1200
        # the task delivered twice does nothing the second time
        assert tasks.import_batch_commit_task(batch_id=batch["id"]) == "done"
        assert participants_api.Participant.objects.count() == 1200
    done = coord_client.get(f"/api/v1/imports/{batch['id']}/").json()
    assert done["status"] == "done" and done["progress"] == 100
    assert done["imported_count"] == 1200
