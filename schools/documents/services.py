"""Writes of the documents app: ask for a bulk generation (a job, run by a worker after the
transaction commits) and run it. Asking twice for the same set while the first is still being
made returns the first job; running a job twice builds the same file once."""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actor import Actor, author_id
from config import jobs
from config.tasks import enqueue_on_commit
from schools.audit.api import AuditAction, audit_record
from schools.documents import access
from schools.documents.generators import GENERATORS, ItemMissing, missing_message
from schools.documents.models import ACTIVE_STATUSES, DocumentJob, JobKind, JobStatus
from schools.documents.tasks import document_job_run_task

logger = logging.getLogger(__name__)

# Not more documents than this in one ZIP (a whole institution fits; a runaway request not).
MAX_ITEMS = 5000
# How often the running job writes its progress (every n documents).
PROGRESS_EVERY = 5


@transaction.atomic
def document_job_create(
    *,
    kind: str,
    title: str,
    item_ids: Sequence[int],
    options: dict[str, Any] | None = None,
    actor: Actor,
) -> DocumentJob:
    """A job making one document per item (participant or pair id, already limited to what
    the caller may see). The same set asked for again while a job for it is queued or running
    returns that job and enqueues nothing."""
    access.check_document_generate(actor)
    if kind not in JobKind.values:
        raise ValidationError({"kind": [_("Unknown kind of document.")]})
    ids = sorted({int(i) for i in item_ids})
    if not ids:
        raise ValidationError({"item_ids": [_("There is nothing to generate for this choice.")]})
    if len(ids) > MAX_ITEMS:
        raise ValidationError(
            {"item_ids": [_("At most %(max)d documents at once.") % {"max": MAX_ITEMS}]}
        )
    options = dict(options or {})
    same = (
        DocumentJob.objects.select_for_update()
        .filter(kind=kind, status__in=ACTIVE_STATUSES, item_ids=ids, options=options)
        .first()
    )
    if same is not None:
        if jobs.task_state(document_job_run_task, job_id=same.pk) != jobs.PENDING:
            _requeue(same)  # left behind by its task: asking again restarts it
        return same
    job = DocumentJob.objects.create(
        kind=kind, title=title[:200], item_ids=ids, options=options, created_by_id=author_id(actor)
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=job,
        changed_fields=["kind", "title", "item_ids", "options"],
    )
    enqueue_on_commit(document_job_run_task, job_id=job.pk)
    return job


def _requeue(job: DocumentJob) -> None:
    DocumentJob.objects.filter(pk=job.pk).update(
        status=JobStatus.QUEUED, progress=0, done_count=0, error="", finished_at=None
    )
    job.refresh_from_db()
    enqueue_on_commit(document_job_run_task, job_id=job.pk)


def interrupted_message() -> str:
    return str(
        _("The generation was interrupted (the server stopped it several times). Start it again.")
    )


@transaction.atomic
def document_job_retry(*, job_id: int, actor: Actor) -> DocumentJob:
    """Start a failed job again, or one its task left behind; a job that is done or still being
    worked on is returned as it is."""
    access.access_document_job_by_id(actor, job_id)
    job = DocumentJob.objects.select_for_update().get(pk=job_id)
    stuck = (
        job.status in ACTIVE_STATUSES
        and jobs.task_state(document_job_run_task, job_id=job.pk) != jobs.PENDING
    )
    if job.status == JobStatus.FAILED or stuck:
        _requeue(job)
        audit_record(
            actor=actor, action=AuditAction.UPDATE, instance=job, changed_fields=["status"]
        )
    return job


def cancelled_message() -> str:
    return str(_("Cancelled: the set was not generated. Start it again when needed."))


def document_job_cancellable(job: DocumentJob) -> bool:
    """Queued, or left behind by its task: no worker generates it right now."""
    return job.status in ACTIVE_STATUSES and not jobs.task_running(
        document_job_run_task, job_id=job.pk
    )


@transaction.atomic
def document_job_cancel(*, job_id: int, actor: Actor) -> DocumentJob:
    """Cancel a set not generated yet (queued, or left behind by its task): it fails with the
    reason and may be started again. A set a worker is generating right now is refused (it is
    ready in moments); one that is done or failed is returned as it is. Whoever may retry the
    set may cancel it (``access``)."""
    access.access_document_job_by_id(actor, job_id)
    job = DocumentJob.objects.select_for_update().get(pk=job_id)
    if job.status not in ACTIVE_STATUSES:
        return job
    if not document_job_cancellable(job):
        raise ValidationError(
            {"status": [_("The set is being generated right now: it will be ready in a moment.")]}
        )
    job.status, job.error, job.finished_at = JobStatus.FAILED, cancelled_message(), timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, instance=job, changed_fields=["status"])
    return job


def document_jobs_sweep() -> int:
    """Jobs queued or running whose task is no longer pending: failed with the reason when the
    task was lost or failed, sent again when it was never sent through the outbox."""
    count = 0
    for job in DocumentJob.objects.filter(
        status__in=ACTIVE_STATUSES, created_at__lt=jobs.stuck_before()
    ):
        state = jobs.task_state(document_job_run_task, job_id=job.pk)
        if state == jobs.PENDING:
            continue
        with transaction.atomic():
            if state is None:
                _requeue(job)
            else:
                _fail(job.pk, interrupted_message())
        count += 1
    return count


def _claim(job_id: int) -> DocumentJob | None:
    with transaction.atomic():
        job = DocumentJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status not in ACTIVE_STATUSES:
            return None
        # A job found running was interrupted (the worker died; the message came back):
        # it starts over and overwrites what it had.
        job.status, job.progress, job.done_count = JobStatus.RUNNING, 0, 0
        job.started_at, job.error = timezone.now(), ""
        job.save(update_fields=["status", "progress", "done_count", "started_at", "error"])
        return job


def _progress(job_id: int, done: int, total: int) -> None:
    # Outside any transaction: the page polling the job sees it at once.
    DocumentJob.objects.filter(pk=job_id).update(
        done_count=done, progress=min(99, done * 100 // max(total, 1))
    )


def _fail(job_id: int, message: str) -> None:
    DocumentJob.objects.filter(pk=job_id).update(
        status=JobStatus.FAILED, error=message, finished_at=timezone.now()
    )


def document_job_run(*, job_id: int) -> str:
    """Build the job's ZIP into the institution's storage. Idempotent: a job that is done or
    failed is left alone. Returns the job's status."""
    job = _claim(job_id)
    if job is None:
        status = DocumentJob.objects.filter(pk=job_id).values_list("status", flat=True).first()
        return str(status or "")
    generate = GENERATORS[job.kind]
    total = len(job.item_ids)
    buffer = io.BytesIO()
    try:
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for position, item_id in enumerate(job.item_ids, start=1):
                name, content = generate(int(item_id), position, job.options)
                archive.writestr(name, content)
                if position % PROGRESS_EVERY == 0 or position == total:
                    _progress(job.pk, position, total)
    except ItemMissing:
        _fail(job.pk, missing_message())
        return JobStatus.FAILED
    except Exception:
        logger.exception("document job %s failed", job.pk)
        _fail(job.pk, _("The documents could not be generated. Try again or ask for help."))
        return JobStatus.FAILED
    with transaction.atomic():
        job = DocumentJob.objects.select_for_update().get(pk=job.pk)
        if job.status != JobStatus.RUNNING:  # cancelled meanwhile: nothing is kept
            return str(job.status)
        old = job.file.name if job.file else ""
        job.file.save(f"{job.kind}-{job.pk}.zip", ContentFile(buffer.getvalue()), save=False)
        job.status, job.progress, job.done_count = JobStatus.DONE, 100, total
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "status", "progress", "done_count", "finished_at"])
        if old and old != job.file.name:
            job.file.storage.delete(old)
    return JobStatus.DONE
