"""One row per task to run: written with the state that needs it, kept until the task ran."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Outcome(models.TextChoices):
    DONE = "done", "done"
    FAILED = "failed", "failed"
    ABANDONED = "abandoned", "abandoned"


class OutboxMessage(models.Model):
    """A task message that must reach a worker.

    The row lives in the public schema: a tenant transaction writes it through the search path
    (``<schema>, public``), in the same transaction as the institution's own rows. The relay
    publishes it (``published_at``) and publishes it again while no worker has finished it: a
    message lost by the broker (Redis flushed, a failover) or by a worker (killed mid-task) is
    sent once more. A worker *claims* the row before running the task (``lease_until``, renewed
    by a heartbeat while the task runs), so two deliveries never run at once, and a finished
    row (``finished_at``) is never run again."""

    task_name = models.CharField(max_length=200)
    schema_name = models.CharField(max_length=63)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    # publishing
    published_at = models.DateTimeField(null=True, blank=True)
    publish_count = models.PositiveIntegerField(default=0)
    # running
    claimed_by = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    run_count = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["id"],
                condition=models.Q(finished_at__isnull=True),
                name="outbox_unfinished_idx",
            ),
            models.Index(fields=["finished_at"], name="outbox_finished_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task_name}#{self.pk} ({self.schema_name})"
