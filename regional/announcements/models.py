"""Announcements of the regional centre to the institutions' coordinators (public schema): to
all institutions, to those of some municipalities, or to some institutions. Shown in the
institutions' pages and sent by e-mail to each coordinator."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    ALL = "all", _("All institutions")
    MUNICIPALITIES = "municipalities", _("Institutions of some municipalities")
    INSTITUTIONS = "institutions", _("Some institutions")


class Announcement(models.Model):
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=5000)
    audience = models.CharField(
        _("to whom"), max_length=20, choices=Audience.choices, default=Audience.ALL
    )
    municipalities = models.ManyToManyField(
        "tenants.Municipality", blank=True, related_name="+", verbose_name=_("municipalities")
    )
    institutions = models.ManyToManyField(
        "tenants.Institution", blank=True, related_name="+", verbose_name=_("institutions")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    recipients = models.PositiveIntegerField(_("institutions reached"), default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    def __str__(self) -> str:
        return self.title
