"""What an institution publishes about its programme on its own public page
(``https://<slug>.<domain>/public/``, no login): the coordinator chooses the blocks shown and the
documents marked public. Nothing here holds a learner's name; the page's free texts are passed
through the redactor of ``selectors`` before they are shown."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicPage(models.Model):
    """The one row of settings of the institution's public programme page."""

    is_published = models.BooleanField(_("the page is published"), default=True)
    intro = models.TextField(_("introduction"), blank=True)
    show_forms = models.BooleanField(_("forms of mentoring"), default=True)
    show_roadmap = models.BooleanField(_("roadmap"), default=True)
    show_contacts = models.BooleanField(_("the coordinator's and curators' contacts"), default=True)
    show_documents = models.BooleanField(_("public documents"), default=True)
    show_results = models.BooleanField(_("results in figures"), default=True)
    show_cases = models.BooleanField(_("success stories"), default=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("public programme page")
        verbose_name_plural = _("public programme pages")

    def __str__(self) -> str:
        return str(_("public programme page"))


class PublicDocumentKind(models.TextChoices):
    REGULATION = "regulation", _("Programme regulation")
    ROADMAP = "roadmap", _("Roadmap")
    ORDER = "order", _("Order (without learners' data)")
    REPORT = "report", _("Report")
    OTHER = "other", _("Other")


def public_document_path(instance: PublicDocument, filename: str) -> str:
    # Per-tenant storage (TenantFileSystemStorage) adds the schema folder.
    return f"public/{filename}"


class PublicDocument(models.Model):
    """A document the institution publishes on its public page."""

    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=16, choices=PublicDocumentKind.choices)
    file = models.FileField(_("file"), upload_to=public_document_path, max_length=300)
    is_public = models.BooleanField(_("shown on the public page"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind", "title", "id"]
        verbose_name = _("public document")
        verbose_name_plural = _("public documents")

    def __str__(self) -> str:
        return self.title
