"""Writes of the public page: its settings and its documents (coordinator only)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.actor import Actor, author_id
from schools.audit.api import AuditAction, audit_record
from schools.publication import access
from schools.publication.cache import content_html_clear
from schools.publication.models import PublicDocument, PublicPage

PAGE_FIELDS = (
    "is_published",
    "intro",
    "show_forms",
    "show_roadmap",
    "show_contacts",
    "show_documents",
    "show_results",
    "show_cases",
    "contact_phone",
    "contact_email",
)
ALLOWED_EXTENSIONS = (".pdf", ".docx", ".doc", ".odt")
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


@transaction.atomic
def public_page_update(*, actor: Actor, **fields: Any) -> PublicPage:
    access.check_public_page_edit(actor)
    unknown = set(fields) - set(PAGE_FIELDS)
    if unknown:
        raise TypeError(f"public_page_update() got unknown fields {sorted(unknown)}")
    page = PublicPage.objects.select_for_update().order_by("pk").first() or PublicPage()
    for name, value in fields.items():
        setattr(page, name, value.strip() if isinstance(value, str) else value)
    page.updated_by_id = author_id(actor)
    page.full_clean()
    page.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, instance=page, changed_fields=fields)
    transaction.on_commit(content_html_clear)
    return page


@transaction.atomic
def public_document_add(
    *,
    actor: Actor,
    title: str,
    kind: str,
    file: UploadedFile,
    no_learner_data: bool,
) -> PublicDocument:
    """Publish a document. The coordinator confirms that it holds no learner's personal data
    (an order approving pairs names pupils: it is never public as it is)."""
    access.check_public_page_edit(actor)
    errors: dict[str, list[str]] = {}
    if not no_learner_data:
        errors["no_learner_data"] = [
            _("Publish only documents without learners' personal data, and confirm it.")
        ]
    name = (file.name or "").lower()
    if not name.endswith(ALLOWED_EXTENSIONS):
        errors["file"] = [_("Publish a PDF or a Word document.")]
    elif (file.size or 0) > MAX_DOCUMENT_BYTES:
        errors["file"] = [_("The file is larger than 20 MB.")]
    if not title.strip():
        errors["title"] = [_("Give the document a title.")]
    if errors:
        raise ValidationError(errors)
    document = PublicDocument(title=title.strip(), kind=kind, created_by_id=author_id(actor))
    document.file.save(file.name or "document", file, save=False)
    document.full_clean()
    document.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=document,
        changed_fields=["title", "kind", "file"],
    )
    transaction.on_commit(content_html_clear)
    return document


@transaction.atomic
def public_document_remove(*, actor: Actor, document: PublicDocument) -> None:
    access.check_public_page_edit(actor)
    audit_record(actor=actor, action=AuditAction.DELETE, instance=document, changed_fields=[])
    name = document.file.name
    storage = document.file.storage
    document.delete()
    transaction.on_commit(content_html_clear)
    if name:
        transaction.on_commit(lambda: storage.delete(name))
