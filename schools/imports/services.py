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

from config.tasks import enqueue_on_commit
from schools.imports.columns import CATEGORY_CODES
from schools.imports.models import ImportBatch, ImportKind, ImportStatus
from schools.imports.preview import Person, Preview, build_preview
from schools.imports.progress import progress_clear, progress_set

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
    """Which of ``people`` are already participants: {index: participant id}. One query when
    the participants api offers the bulk lookup, else one lookup per person."""
    api = _participants_api()
    bulk = getattr(api, "participant_find_duplicates", None)
    if bulk is not None:
        return {int(i): int(pk) for i, pk in bulk(people=people).items()}
    found: dict[int, int] = {}
    for index, (last_name, first_name, middle_name, birth_date) in enumerate(people):
        pk = api.participant_find_duplicate(
            last_name=last_name,
            first_name=first_name,
            middle_name=middle_name,
            birth_date=birth_date,
        )
        if pk is not None:
            found[index] = int(pk)
    return found


# --- upload ---------------------------------------------------------------------------------


def import_batch_create(
    *,
    kind: str,
    uploaded_file: UploadedFile,
    created_by: Any = None,
    default_category: str = "",
) -> ImportBatch:
    """Store the file and check it: inline when small, else in a task (status ``uploaded``
    until the task picks it up). Files over the size limit are refused before being read."""
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
            created_by=created_by if getattr(created_by, "pk", None) else None,
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
    catalogue: dict[str, str] = {}
    if batch.kind == ImportKind.MENTEES:
        catalogue = api.need_tag_codes()
    elif batch.kind == ImportKind.MENTORS:
        catalogue = api.competence_tag_codes()
    with batch.file.open("rb") as handle:
        return build_preview(
            catalogue=catalogue,
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


def import_batch_validate(*, batch_id: int) -> ImportBatch:
    """Check the file and store the preview. Idempotent: a batch already checked (or being
    imported, or done) is returned as it is."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status != ImportStatus.UPLOADED:
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
        _apply_preview(batch, preview)
        batch.status = ImportStatus.FAILED if preview.file_errors else ImportStatus.PREVIEWED
        batch.progress = 100
        batch.save()
    progress_clear(batch_id=batch_id)
    return batch


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


def import_batch_commit(*, batch_id: int) -> ImportBatch:
    """Start importing a checked batch. Refused while the preview shows any error; a batch
    already imported (or importing) is returned unchanged, so a double click does nothing."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status in (ImportStatus.DONE, ImportStatus.IMPORTING):
            return batch
        if batch.status in (ImportStatus.UPLOADED, ImportStatus.VALIDATING):
            raise ValidationError(
                {"status": [_("The file is still being checked; wait for the preview.")]}
            )
        if batch.status == ImportStatus.FAILED or batch.error_count:
            raise ValidationError(
                {
                    "status": [
                        _(
                            "The preview has errors: nothing can be imported. Fix the file and "
                            "upload it again."
                        )
                    ]
                }
            )
        inline = batch.size <= inline_max_bytes()
        batch.status = ImportStatus.IMPORTING
        batch.progress = 0
        batch.save(update_fields=["status", "progress", "updated_at"])
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
    ``previewed`` with the new report. Idempotent: only a batch in ``importing`` is worked on,
    and the row lock makes a second delivery of the task wait, then find it ``done``."""
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
            if batch.status != ImportStatus.IMPORTING:
                return batch
            preview = _run_preview(batch, with_progress=False)
            if preview.error_count:
                raise _RowsRejected(preview)
            imported = _write_rows(batch, preview)
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
        _mark_failed(batch_id, _("The import failed and nothing was imported. Try again."))
        raise
    finally:
        progress_clear(batch_id=batch_id)
    return ImportBatch.objects.get(pk=batch_id)


def _write_rows(batch: ImportBatch, preview: Preview) -> int:
    api = _participants_api()
    total = len(preview.rows)
    groups: dict[str, Any] = {}
    for index, row in enumerate(preview.rows, start=1):
        try:
            _write_row(api, batch, row.values, groups)
        except ValidationError as exc:
            # a participants service refused a row the preview let through: report it on
            # the row, roll everything back
            for column, messages in _error_items(exc):
                for message in messages:
                    row.error(preview.columns.get(column, column), message)
            raise _RowsRejected(preview) from exc
        if index % 100 == 0:
            progress_set(batch_id=batch.pk, percent=100 * index // total)
    return total


def _error_items(exc: ValidationError) -> list[tuple[str, list[str]]]:
    if hasattr(exc, "error_dict"):
        return [
            (field, [str(m) for m in ValidationError(errs).messages])
            for field, errs in exc.error_dict.items()
        ]
    return [("", list(exc.messages))]


def _write_row(
    api: Any, batch: ImportBatch, values: dict[str, Any], groups: dict[str, Any]
) -> None:
    actor = batch.created_by
    participant_id = values.get("_existing_id")
    if participant_id is None:
        group_name = values.get("study_group") or ""
        if group_name and group_name not in groups:
            groups[group_name] = api.study_group_get_or_create(name=group_name, actor=actor)
        participant = api.participant_create(
            last_name=values["last_name"],
            first_name=values["first_name"],
            middle_name=values.get("middle_name") or "",
            birth_date=values.get("birth_date"),
            category=values["category"],
            study_group_id=groups[group_name].pk if group_name else None,
            email=values.get("email") or "",
            phone=values.get("phone") or "",
            actor=actor,
        )
        participant_id = participant.pk
    if batch.kind == ImportKind.MENTEES:
        api.mentee_profile_upsert(
            participant_id=participant_id,
            request=values.get("request") or "",
            need_codes=values.get("needs") or [],
            preferred_form=values.get("form") or "",
            actor=actor,
        )
    elif batch.kind == ImportKind.MENTORS:
        api.mentor_profile_upsert(
            participant_id=participant_id,
            competence_codes=values.get("competences") or [],
            experience=values.get("experience") or None,
            experience_years=values.get("experience_years"),
            hours_per_month=values.get("hours_per_month"),
            capacity=values.get("capacity"),
            actor=actor,
        )
