"""The region's library of best practices: anonymised cases that institutions published."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from regional.kpis.metrics import FORM_CODES

FORM_CHOICES = [(code, code) for code in FORM_CODES]


class PracticeCase(models.Model):
    """A published success story (кейс, лучшая практика). Its text was anonymised by the
    institution when it published it; ``source_key`` makes collecting it again a no-op."""

    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"))
    form = models.CharField(_("form of mentoring"), max_length=32, blank=True)
    municipality = models.ForeignKey(
        "tenants.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    institution = models.ForeignKey(
        "tenants.Institution",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("institution"),
    )
    published_at = models.DateTimeField(_("published at"))
    source_key = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("practice case")
        verbose_name_plural = _("practice cases")

    def __str__(self) -> str:
        return self.title
