"""Printable consent forms (DOCX) with the institution's details, ready to sign.

The consent text itself is the versioned text of ``consent_texts`` (its checksum goes into the
register when the signed form is recorded); headings and labels go through gettext and are
rendered in Russian."""

from __future__ import annotations

import io

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from config.office import institution as active_institution
from config.text import xml_safe
from schools.participants.consent_texts import ConsentText
from schools.participants.models import (
    ADULT_AGE,
    MINOR_OWN_SIGNATURE_AGE,
    ConsentPurpose,
    Participant,
)
from tenants import api as tenants_api

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BLANK = "_" * 40


def consent_form_filename(participant: Participant, purpose: str) -> str:
    return f"consent-{purpose}-{participant.pk}.docx"


def consent_form_docx(*, participant: Participant, text: ConsentText) -> bytes:
    """The consent form for ``participant``: for a minor a block for the parent or legal
    guardian, and from age 14 a line for the minor's own signature."""
    institution = active_institution()
    age = participant.age
    minor = age is not None and age < ADULT_AGE
    # Age unknown: print the guardian block too; whoever signs fills in their part.
    guardian_block = minor or age is None
    with translation.override("ru"):
        document = Document()
        style = document.styles["Normal"]
        style.font.name = "Times New Roman"
        style.font.size = Pt(12)

        header = document.add_paragraph()
        header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if institution is not None:
            header.add_run(xml_safe(institution.name)).bold = True
            details = []
            if institution.inn:
                details.append(_("INN %(inn)s") % {"inn": institution.inn})
            municipality = tenants_api.municipality_name(
                municipality_id=institution.municipality_id
            )
            if municipality:
                details.append(municipality)
            if details:
                header.add_run("\n" + ", ".join(details))

        title = document.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.add_run(_("CONSENT")).bold = True
        title.add_run("\n" + str(ConsentPurpose(text.purpose).label))

        if guardian_block:
            document.add_paragraph(_("I, the parent or legal guardian (full name): %s") % BLANK)
            document.add_paragraph(
                _("relation to the child (mother, father, legal guardian): %s") % BLANK
            )
            document.add_paragraph(_("identity document: %s") % BLANK)
            document.add_paragraph(
                _("acting on behalf of the minor: %(name)s, born %(born)s")
                % {"name": xml_safe(participant.full_name), "born": _date(participant)}
            )
        else:
            document.add_paragraph(
                _("I, %(name)s, born %(born)s,")
                % {"name": xml_safe(participant.full_name), "born": _date(participant)}
            )
            document.add_paragraph(_("identity document: %s") % BLANK)
        if participant.study_group_id is not None and participant.study_group is not None:
            document.add_paragraph(
                _("Class or study group: %s") % xml_safe(participant.study_group.name)
            )

        for paragraph in text.paragraphs:
            body = document.add_paragraph(paragraph)
            body.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

        document.add_paragraph()
        if guardian_block:
            document.add_paragraph(
                _("Parent or legal guardian: %(line)s / %(name)s /")
                % {"line": "_" * 20, "name": "_" * 25}
            )
            if age is None or age >= MINOR_OWN_SIGNATURE_AGE:
                document.add_paragraph(
                    _("Signature of the minor (from age 14): %(line)s / %(name)s /")
                    % {"line": "_" * 20, "name": xml_safe(participant.full_name)}
                )
        else:
            document.add_paragraph(
                _("Signature: %(line)s / %(name)s /")
                % {"line": "_" * 20, "name": xml_safe(participant.full_name)}
            )
        document.add_paragraph(_("Date: «___» ____________ 20___"))

        footer = document.add_paragraph()
        footer.add_run(
            _("Text version %(version)s, SHA-256 %(checksum)s. Printed %(date)s.")
            % {
                "version": text.version,
                "checksum": text.checksum[:16],
                "date": timezone.localdate().strftime("%d.%m.%Y"),
            }
        ).font.size = Pt(8)

        buffer = io.BytesIO()
        document.save(buffer)
    return buffer.getvalue()


def _date(participant: Participant) -> str:
    if participant.birth_date is None:
        return BLANK[:12]
    return participant.birth_date.strftime("%d.%m.%Y")
