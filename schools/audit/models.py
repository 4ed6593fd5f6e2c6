"""The audit log of changes to personal data: who, when, what changed.

An entry names the changed fields. Values are kept only for structured, non-personal fields
(choices, flags, numbers, ids of related rows); for sensitive fields (names, birth date,
contacts, health, free text) the log keeps only that they changed."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    ERASE = "erase", _("Erase personal data")
    CONSENT = "consent", _("Consent recorded")


class AuditEntry(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices)
    model_label = models.CharField(_("model"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    changed_fields = ArrayField(
        models.CharField(max_length=100), verbose_name=_("changed fields"), default=list
    )
    values = models.JSONField(_("new values of non-sensitive fields"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["model_label", "object_id"], name="audit_object")]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.model_label}#{self.object_id}"
