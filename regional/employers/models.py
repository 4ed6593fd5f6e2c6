"""Employers that offer their specialists as mentors region-wide (public schema)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from config.validators import validate_inn


class Employer(models.Model):
    name = models.CharField(_("name"), max_length=500)
    inn = models.CharField(_("INN"), max_length=12, unique=True, validators=[validate_inn])
    sector = models.CharField(_("sector"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="employers",
        verbose_name=_("users"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("employer")
        verbose_name_plural = _("employers")

    def __str__(self) -> str:
        return self.name
