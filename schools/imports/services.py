"""Writes of the imports app: upload a file, check it (the preview), commit it all or nothing.

Participants are written only through ``schools.participants.api``. Small files are checked
and committed inline; larger ones by a Celery task (``tasks.py``), enqueued after commit."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actor import Actor, actor_for, author_id
from config.tasks import enqueue_on_commit
from schools.imports import access
from schools.imports.columns import CATEGORY_CODES, ParsedRow
from schools.imports.models import ImportBatch, ImportKind, ImportStatus
from schools.imports.preview import Person, Preview, build_preview
from schools.imports.progress import progress_clear, progress_set

IMPORT_ACTOR = Actor.system("import")

logger = logging.getLogger(__name__)

DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024
# Files up to this size are checked and committed inside the request; larger ones in a task.
DEFAULT_INLINE_MAX_BYTES = 128 * 1024


def max_file_bytes() -> int:
    return int(getattr(settings, "IMPORTS_MAX_FILE_BYTES", DEFAULT_MAX_FILE_BYTES))


def inline_max_bytes() -> int:
    return int(getattr(settings, "IMPORTS_INLINE_MAX_BYTES", DEFAULT_INLINE_MAX_BYTES))


def file_too_large_message() -> str:
    return _("The file is larger than %(limit)s MB. Split it into parts and upload each.") % {
        "limit": round(max_file_bytes() / 1024 / 1024, 1)
    }


def _participants_api() -> Any:
    from schools.participants import api

    return api


def _find_duplicates(people: list[Person]) -> dict[int, int]:
    """Which of ``people`` are already participants: {index: participant id}, in one query."""
    found = _participants_api().participant_find_duplicates(people=people)
    return {int(index): int(pk) for index, pk in found.items()}


# --- upload ---------------------------------------------------------------------------------


def import_batch_create(
    *,
    kind: str,
    uploaded_file: UploadedFile,
    actor: Actor,
    default_category: str = "",
) -> ImportBatch:
    """Store the file and check it: inline when small, else in a task (status ``uploaded``
    until the task picks it up). Files over the size limit are refused before being read.
    The coordinator imports (``schools.imports.access``)."""
    access.check_import(actor)
    errors: dict[str, list[str]] = {}
    if kind not in ImportKind.values:
        errors["kind"] = [_("Unknown kind of import.")]
    if default_category and default_category not in CATEGORY_CODES:
        errors["default_category"] = [_("Unknown category.")]
    size = uploaded_file.size or 0
    if size > max_file_bytes():
        errors["file"] = [file_too_large_message()]
    if errors:
        raise ValidationError(errors)
    inline = size <= inline_max_bytes()
    with transaction.atomic():
        batch = ImportBatch(
            kind=kind,
            original_name=(uploaded_file.name or "")[:255],
            size=size,
            default_category=default_category,
            created_by_id=author_id(actor),
        )
        batch.file.save(uploaded_file.name or "import", uploaded_file, save=False)
        batch.save()
        if not inline:
            from schools.imports.tasks import import_batch_validate_task

            enqueue_on_commit(import_batch_validate_task, batch_id=batch.pk)
    if inline:
        return import_batch_validate(batch_id=batch.pk)
    return batch


# --- preview --------------------------------------------------------------------------------


def _run_preview(batch: ImportBatch, *, with_progress: bool) -> Preview:
    def progress(percent: int) -> None:
        progress_set(batch_id=batch.pk, percent=percent)

    api = _participants_api()
    matcher = api.topic_matcher() if batch.kind != ImportKind.PARTICIPANTS else None
    with batch.file.open("rb") as handle:
        return build_preview(
            matcher=matcher,
            kind=batch.kind,
            handle=handle,
            default_category=batch.default_category,
            find_duplicate=_find_duplicates,
            progress=progress if with_progress else None,
            total_hint=max(1, batch.size // 60),  # about 60 bytes a row; only for progress
        )


def _apply_preview(batch: ImportBatch, preview: Preview) -> None:
    batch.report = preview.report()
    batch.total_rows = len(preview.rows)
    batch.error_count = preview.error_count
    batch.duplicate_count = preview.duplicate_count
    batch.valid_rows = sum(1 for row in preview.rows if not row.errors)
    batch.validated_at = timezone.now()


def import_batch_validate(*, batch_id: int, resume: bool = False) -> ImportBatch:
    """Check the file and store the preview. Idempotent: a batch already checked (or being
    imported, or done) is returned as it is. ``resume`` (the task, holding the outbox lease:
    config.tasks): a batch found ``validating`` was interrupted and is checked again."""
    startable = (
        (ImportStatus.UPLOADED, ImportStatus.VALIDATING) if resume else (ImportStatus.UPLOADED,)
    )
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status not in startable:
            return batch
        batch.status = ImportStatus.VALIDATING
        batch.progress = 0
        batch.save(update_fields=["status", "progress", "updated_at"])
    try:
        preview = _run_preview(batch, with_progress=True)
    except Exception:
        logger.exception("import batch %s: the check failed", batch_id)
        _mark_failed(batch_id, _("The file could not be checked. Try again or contact support."))
        raise
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status != ImportStatus.VALIDATING:  # cancelled meanwhile
            return batch
        _apply_preview(batch, preview)
        batch.status = ImportStatus.FAILED if preview.file_errors else ImportStatus.PREVIEWED
        batch.progress = 100
        batch.save()
    progress_clear(batch_id=batch_id)
    return batch


def reconnect_if_broken() -> None:
    """Close this thread's connection when the server dropped it (restarted, or the backend was
    terminated), so that the next query connects again instead of failing on the dead one."""
    from django.db import connection

    if connection.connection is not None and not connection.is_usable():
        connection.close()


def _mark_interrupted(batch_id: int) -> None:
    """A commit that failed for a reason not the file's (the database or the worker went away,
    a bug): nothing was imported (one transaction), the checked preview still holds; the batch
    is back to ``previewed`` with the reason, and importing it again is the retry."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status != ImportStatus.IMPORTING:
            return
        batch.status = ImportStatus.PREVIEWED
        batch.progress = 100
        batch.report = {**(batch.report or {}), "interrupted": True}  # the page says why
        batch.save(update_fields=["status", "progress", "report", "updated_at"])
    progress_clear(batch_id=batch_id)


def _mark_failed(batch_id: int, message: str) -> None:
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status == ImportStatus.DONE:
            return
        batch.status = ImportStatus.FAILED
        report = dict(batch.report or {})
        report["file_errors"] = [
            *report.get("file_errors", []),
            {"code": "internal", "message": message},
        ]
        batch.report = report
        batch.save(update_fields=["status", "report", "updated_at"])
    progress_clear(batch_id=batch_id)


# --- commit ---------------------------------------------------------------------------------


def import_batch_commit(*, batch_id: int, valid_rows_only: bool = False) -> ImportBatch:
    """Start importing a checked batch. With errors in the preview it is refused, unless
    ``valid_rows_only``: then the rows without errors are imported and the others left (to be
    downloaded with their errors, ``rejected_rows``). A batch already imported (or importing)
    is returned unchanged, so a double click does nothing."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status in (ImportStatus.DONE, ImportStatus.IMPORTING):
            return batch
        if batch.status in (ImportStatus.UPLOADED, ImportStatus.VALIDATING):
            raise ValidationError(
                {"status": [_("The file is still being checked; wait for the preview.")]}
            )
        if batch.status == ImportStatus.FAILED or (batch.error_count and not valid_rows_only):
            raise ValidationError(
                {
                    "status": [
                        _(
                            "The preview has errors: nothing can be imported. Fix the file and "
                            "upload it again, or import only the rows without errors."
                        )
                        if batch.status != ImportStatus.FAILED
                        else _("The file cannot be imported. Fix it and upload it again.")
                    ]
                }
            )
        if valid_rows_only and not batch.valid_rows:
            raise ValidationError({"status": [_("No row of the file is without errors.")]})
        inline = batch.size <= inline_max_bytes()
        batch.status = ImportStatus.IMPORTING
        batch.valid_rows_only = valid_rows_only
        batch.progress = 0
        batch.report = {k: v for k, v in (batch.report or {}).items() if k != "interrupted"}
        batch.save(update_fields=["status", "valid_rows_only", "progress", "report", "updated_at"])
        if not inline:
            from schools.imports.tasks import import_batch_commit_task

            enqueue_on_commit(import_batch_commit_task, batch_id=batch.pk)
    if inline:
        return import_batch_run_commit(batch_id=batch.pk)
    return batch


class _RowsRejected(Exception):
    def __init__(self, preview: Preview) -> None:
        super().__init__("rows rejected")
        self.preview = preview


def import_batch_run_commit(*, batch_id: int) -> ImportBatch:
    """Write every row of a batch in ONE transaction (the body of the commit task).

    The file is checked again inside the transaction, so a participant added since the
    preview is caught as a duplicate; any error rolls everything back and the batch returns to
    ``previewed`` with the new report. A batch committed with ``valid_rows_only`` writes the
    rows without errors and keeps the report of the others. Idempotent: only a batch in
    ``importing`` is worked on, and the row lock makes a second delivery of the task wait,
    then find it ``done``."""
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
            if batch.status != ImportStatus.IMPORTING:
                return batch
            preview = _run_preview(batch, with_progress=False)
            if preview.file_errors or (preview.error_count and not batch.valid_rows_only):
                raise _RowsRejected(preview)
            good = [row for row in preview.rows if not row.errors]
            if not good:
                raise _RowsRejected(preview)
            imported = _write_rows(batch, preview, good)
            _apply_preview(batch, preview)
            batch.status = ImportStatus.DONE
            batch.progress = 100
            batch.imported_count = imported
            batch.committed_at = timezone.now()
            batch.save()
    except _RowsRejected as rejected:
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
            _apply_preview(batch, rejected.preview)
            batch.status = (
                ImportStatus.FAILED if rejected.preview.file_errors else ImportStatus.PREVIEWED
            )
            batch.progress = 100
            batch.save()
    except Exception:
        logger.exception("import batch %s: the commit failed", batch_id)
        reconnect_if_broken()  # the database restarted under the commit: it is back, or not
        _mark_interrupted(batch_id)
        raise
    finally:
        progress_clear(batch_id=batch_id)
    return ImportBatch.objects.get(pk=batch_id)


# Rows per bulk call of the participants api while committing; every chunk is written inside
# the one transaction of the commit (all or nothing), progress is reported after each.
COMMIT_CHUNK_ROWS = 500

# the participants api's field names -> the import's column keys (to report a refused row
# against the column the user wrote)
_FIELD_COLUMNS = {
    "study_group_name": "study_group",
    "need_codes": "needs",
    "preferred_form": "form",
    "competence_codes": "competences",
    "experience_years": "experience",
}
_NAME_FIELDS = frozenset({"last_name", "first_name", "middle_name"})


class _ChunkRefused(Exception):
    """A participants service refused rows the preview let through (reported on the rows)."""


def _write_rows(batch: ImportBatch, preview: Preview, rows: list[ParsedRow]) -> int:
    api = _participants_api()
    total = len(rows)
    for start in range(0, total, COMMIT_CHUNK_ROWS):
        chunk = rows[start : start + COMMIT_CHUNK_ROWS]
        try:
            _write_chunk(api, batch, preview, chunk)
        except _ChunkRefused as exc:
            raise _RowsRejected(preview) from exc
        progress_set(batch_id=batch.pk, percent=100 * (start + len(chunk)) // total)
    return total


def _header(preview: Preview, field: str) -> str:
    key = _FIELD_COLUMNS.get(field, field)
    header = preview.columns.get(key)
    if header is None and key in _NAME_FIELDS:
        header = preview.columns.get("full_name")
    return header or key


def _call_for_rows(api: Any, preview: Preview, rows: list[ParsedRow], call: Any) -> Any:
    """Run a bulk call of the participants api for ``rows``; refused rows get their errors."""
    try:
        return call()
    except api.RowsValidationError as exc:
        for index, errors in exc.rows.items():
            for field, messages in errors.items():
                for message in messages:
                    rows[index].error(_header(preview, field), message)
        raise _ChunkRefused from exc


def _write_chunk(api: Any, batch: ImportBatch, preview: Preview, chunk: list[ParsedRow]) -> None:
    # the coordinator who asked for the import (the worker acts for them), or the import job
    actor = actor_for(batch.created_by) if batch.created_by_id else IMPORT_ACTOR
    new = [row for row in chunk if row.values.get("_existing_id") is None]
    created: list[int] = []
    if new:
        people = [
            api.NewParticipant(
                last_name=row.values["last_name"],
                first_name=row.values["first_name"],
                middle_name=row.values.get("middle_name") or "",
                birth_date=row.values.get("birth_date"),
                category=row.values["category"],
                study_group_name=row.values.get("study_group") or "",
                email=row.values.get("email") or "",
                phone=row.values.get("phone") or "",
            )
            for row in new
        ]
        created = _call_for_rows(
            api, preview, new, lambda: api.participants_create_many(rows=people, actor=actor)
        )
    ids = dict(zip((id(row) for row in new), created, strict=True))
    participant_ids = [ids.get(id(row)) or row.values["_existing_id"] for row in chunk]
    if batch.kind == ImportKind.MENTEES:
        mentees = [
            api.MenteeProfileData(
                participant_id=participant_id,
                request=row.values.get("request") or "",
                need_codes=row.values.get("needs") or [],
                preferred_form=row.values.get("form") or "",
            )
            for row, participant_id in zip(chunk, participant_ids, strict=True)
        ]
        _call_for_rows(
            api, preview, chunk, lambda: api.mentee_profiles_upsert_many(rows=mentees, actor=actor)
        )
    elif batch.kind == ImportKind.MENTORS:
        mentors = [
            api.MentorProfileData(
                participant_id=participant_id,
                competence_codes=row.values.get("competences") or [],
                experience=row.values.get("experience") or None,
                experience_years=row.values.get("experience_years"),
                hours_per_month=row.values.get("hours_per_month"),
                capacity=row.values.get("capacity"),
            )
            for row, participant_id in zip(chunk, participant_ids, strict=True)
        ]
        _call_for_rows(
            api, preview, chunk, lambda: api.mentor_profiles_upsert_many(rows=mentors, actor=actor)
        )


def import_batch_cancellable(batch: ImportBatch) -> bool:
    """Waiting to be checked or imported (queued, or left behind by its task): no worker
    processes it right now."""
    from config import jobs
    from schools.imports.tasks import import_batch_commit_task, import_batch_validate_task

    if batch.status == ImportStatus.IMPORTING:
        return not jobs.task_running(import_batch_commit_task, batch_id=batch.pk)
    if batch.status in (ImportStatus.UPLOADED, ImportStatus.VALIDATING):
        return not jobs.task_running(import_batch_validate_task, batch_id=batch.pk)
    return False


def import_batch_cancel(*, batch_id: int, actor: Actor) -> ImportBatch:
    """Cancel a batch waiting to be checked or imported (queued, or left behind by its task): an
    import goes back to its checked preview (nothing was imported), a check fails with the
    reason (the file is uploaded again). A batch a worker is checking or importing right now
    is refused; any other is returned as it is."""
    from django.db import DatabaseError

    access.check_import(actor)

    busy = ValidationError(
        {"status": [_("The file is being processed right now: wait for it to finish.")]}
    )
    with transaction.atomic():
        try:  # an import in progress holds the batch's row for its one transaction
            batch = ImportBatch.objects.select_for_update(nowait=True).get(pk=batch_id)
        except DatabaseError as exc:
            raise busy from exc
        working = (ImportStatus.UPLOADED, ImportStatus.VALIDATING, ImportStatus.IMPORTING)
        if batch.status not in working:
            return batch
        if not import_batch_cancellable(batch):
            raise busy
        if batch.status == ImportStatus.IMPORTING:
            batch.status, batch.progress = ImportStatus.PREVIEWED, 100
            batch.save(update_fields=["status", "progress", "updated_at"])
        else:
            batch.status = ImportStatus.FAILED
            report = dict(batch.report or {})
            report["file_errors"] = [
                *report.get("file_errors", []),
                {
                    "code": "cancelled",
                    "message": _("The check was cancelled. Upload the file again when needed."),
                },
            ]
            batch.report = report
            batch.save(update_fields=["status", "report", "updated_at"])
    progress_clear(batch_id=batch_id)
    return batch


def batches_sweep() -> int:
    """Batches being checked or imported whose task is no longer pending (config.jobs): sent
    again when it was never sent through the outbox; else a check is failed with the reason
    and an import is back to its checked preview with the reason (nothing was imported: the
    commit is one transaction), to be imported again."""
    from config import jobs
    from schools.imports.tasks import import_batch_commit_task, import_batch_validate_task

    count = 0
    working = (ImportStatus.UPLOADED, ImportStatus.VALIDATING, ImportStatus.IMPORTING)
    for batch in ImportBatch.objects.filter(status__in=working, updated_at__lt=jobs.stuck_before()):
        task = (
            import_batch_commit_task
            if batch.status == ImportStatus.IMPORTING
            else import_batch_validate_task
        )
        state = jobs.task_state(task, batch_id=batch.pk)
        if state == jobs.PENDING:
            continue
        if state is None:
            enqueue_on_commit(task, batch_id=batch.pk)
        elif batch.status == ImportStatus.IMPORTING:
            _mark_interrupted(batch.pk)  # the checked preview holds: importing again is the retry
        else:
            _mark_failed(
                batch.pk,
                _(
                    "Processing the file was interrupted several times and nothing was "
                    "imported. Upload it again."
                ),
            )
        count += 1
    return count
