"""Generation jobs: a set of documents (all consent forms of a study group, all thank-you
letters of a programme…) built by a worker into one ZIP file in the institution's own media
folder (TenantFileSystemStorage), with its progress."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobKind(models.TextChoices):
    CONSENT_FORMS = "consent_forms", _("Consent forms")
    THANK_YOU_LETTERS = "thank_you_letters", _("Thank-you letters")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Generating")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


ACTIVE_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)


class DocumentJob(models.Model):
    """One bulk generation. ``item_ids`` are fixed when the job is made (the participants or
    pairs the caller could see then), so running it again builds the same set."""

    kind = models.CharField(_("kind"), max_length=32, choices=JobKind.choices)
    title = models.CharField(_("title"), max_length=200)
    item_ids = models.JSONField(_("items"), default=list)
    options = models.JSONField(_("options"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress, %"), default=0)
    done_count = models.PositiveIntegerField(_("documents ready"), default=0)
    file = models.FileField(_("file"), upload_to="documents/%Y/%m/", max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("document generation")
        verbose_name_plural = _("document generations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="document_job_progress_lte_100"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.status})"

    @property
    def total(self) -> int:
        return len(self.item_ids)
