"""Import batches: an uploaded file, its row-by-row preview, and its all-or-nothing commit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from config.fields import (
    NonNegativeBigIntegerField,
    NonNegativeIntegerField,
    NonNegativeSmallIntegerField,
    non_negative,
)


class ImportKind(models.TextChoices):
    PARTICIPANTS = "participants", _("Participants")
    MENTEES = "mentees", _("Mentees")
    MENTORS = "mentors", _("Mentors")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    VALIDATING = "validating", _("Checking the file")
    PREVIEWED = "previewed", _("Checked")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class ImportBatch(models.Model):
    """One uploaded file. ``report`` holds the preview: file-level errors, row errors per
    column, duplicates; ``error_count`` is 0 only when the file may be committed."""

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    # The file lives in the institution's own media folder (TenantFileSystemStorage).
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=300)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    size = NonNegativeBigIntegerField(_("size, bytes"), default=0)
    default_category = models.CharField(_("default category"), max_length=32, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    progress = NonNegativeSmallIntegerField(_("progress, %"), default=0)
    total_rows = NonNegativeIntegerField(_("rows"), default=0)
    valid_rows = NonNegativeIntegerField(_("valid rows"), default=0)
    error_count = NonNegativeIntegerField(_("errors"), default=0)
    duplicate_count = NonNegativeIntegerField(_("duplicates"), default=0)
    imported_count = NonNegativeIntegerField(_("imported"), default=0)
    # The coordinator chose to import the rows without errors and leave the others (to be
    # downloaded with their errors, fixed and uploaded again).
    valid_rows_only = models.BooleanField(_("only the rows without errors"), default=False)
    report = models.JSONField(_("report"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_batches",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    validated_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    committed_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="import_batch_progress_lte_100"
            ),
            *non_negative(
                "size",
                "progress",
                "total_rows",
                "valid_rows",
                "error_count",
                "duplicate_count",
                "imported_count",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name} ({self.get_status_display()})"
