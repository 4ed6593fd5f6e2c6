"""Printed invitations to a survey campaign: one slip per person with a QR code of the person's
one-time link and a short link written out, grouped by class or study group (one page break
between groups), for people without an e-mail address — in grades 5–7 that is most of them.

Printing issues a fresh short code for every slip printed (only its hash is kept, like the
links of the e-mails): a slip printed earlier for the same person stops working, the e-mailed
link keeps working. A short code is eight characters of an alphabet without look-alikes
(«K7QM-3XHP»): a child types it from paper; 32⁸ ≈ 10¹² codes."""

from __future__ import annotations

import io
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from accounts.actor import Actor
from accounts.api import site_url
from config.office import docx_bytes, new_document, page_break
from schools.monitoring import access
from schools.monitoring.models import SurveyCampaign, SurveyInvitation
from schools.monitoring.services import token_hash

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 8
NO_GROUP = "Без класса (группы)"


def short_code_new() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def short_code_normalise(text: str) -> str | None:
    """The code as typed («k7qm 3xhp», «K7QM-3XHP») in its canonical form, or None when it
    cannot be a code."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(raw) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in raw):
        return None
    return f"{raw[:4]}-{raw[4:]}"


def short_url(host: str, code: str) -> str:
    path = reverse("school:survey-short", urlconf="config.urls_tenant", kwargs={"code": code})
    return f"{site_url(host)}{path}"


@transaction.atomic
def short_codes_issue(*, invitation_ids: Sequence[int]) -> dict[int, str]:
    """A new printed code for each invitation (the previous printed one stops working);
    the codes are returned once, only their hashes are kept."""
    codes: dict[int, str] = {}
    for invitation_id in invitation_ids:
        code = short_code_new()
        SurveyInvitation.objects.filter(pk=invitation_id).update(
            short_code_hash=token_hash(code), printed_at=timezone.now()
        )
        codes[invitation_id] = code
    return codes


@dataclass(frozen=True)
class Slip:
    name: str
    group: str
    url: str


def _qr_png(url: str) -> bytes:
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def slips_docx(*, campaign: SurveyCampaign, slips: Sequence[Slip], organisation: str) -> bytes:
    """Two slips a row, a class or group per page block, each slip cut out along its border:
    the person's name and class, the questionnaire, the closing date, the QR code and the short
    link written out."""
    by_group: dict[str, list[Slip]] = defaultdict(list)
    for slip in slips:
        by_group[slip.group or NO_GROUP].append(slip)
    document = new_document()
    for section in document.sections:
        section.left_margin = section.right_margin = Cm(1.5)
        section.top_margin = section.bottom_margin = Cm(1.5)
    for index, group in enumerate(sorted(by_group, key=lambda g: (g == NO_GROUP, g))):
        if index:
            page_break(document)
        heading = document.add_paragraph()
        heading.add_run(f"{group} — анкета «{campaign.title}»").bold = True
        document.add_paragraph(
            "Разрежьте лист по линиям и раздайте каждому его личное приглашение."
        ).runs[0].font.size = Pt(9)
        people = sorted(by_group[group], key=lambda s: s.name)
        grid = document.add_table(rows=(len(people) + 1) // 2, cols=2)
        grid.style = "Table Grid"
        for position, slip in enumerate(people):
            cell = grid.rows[position // 2].cells[position % 2]
            first = cell.paragraphs[0]
            first.add_run(slip.name).bold = True
            if slip.group:
                first.add_run(f", {slip.group}")
            cell.add_paragraph(f"Анкета «{campaign.title}»")
            cell.add_paragraph(f"Ответьте до {campaign.closes_on:%d.%m.%Y}.")
            picture = cell.add_paragraph()
            picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
            picture.add_run().add_picture(io.BytesIO(_qr_png(slip.url)), width=Cm(3.5))
            cell.add_paragraph("Наведите камеру телефона на код или откройте ссылку:")
            link = cell.add_paragraph()
            link.add_run(slip.url).bold = True
            note = cell.add_paragraph(
                f"Ссылка личная, действует до отправки ответов. {organisation}"
            )
            for run in note.runs:
                run.font.size = Pt(8)
    return docx_bytes(document)


@transaction.atomic
def campaign_slips_docx(
    *,
    actor: Actor,
    campaign: SurveyCampaign,
    study_group_id: int | None = None,
    only_pending: bool = True,
) -> bytes:
    """The printed invitations of the campaign: of one class (or of every class the actor may
    print for), of the people who have not answered yet unless ``only_pending`` is False.
    Issues a fresh short code per slip (see the module docstring)."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.utils.translation import gettext as _

    from config.db import tenant_connection
    from schools.monitoring.reach import campaign_invitations
    from schools.monitoring.services import campaign_accepts_answers
    from tenants.api import host_and_name_for_schema

    allowed = access.curated_group_ids(actor=actor)
    if allowed is not None and not allowed:
        raise PermissionDenied
    if not campaign_accepts_answers(campaign):
        raise ValidationError({"campaign": [_("The campaign is not open: nothing to print.")]})
    groups: list[int] | None = allowed
    if study_group_id is not None:
        if allowed is not None and study_group_id not in allowed:
            raise PermissionDenied
        groups = [study_group_id]
    invitations = campaign_invitations(campaign, study_group_ids=groups).filter(
        participant__isnull=False, participant__erased_at__isnull=True
    )
    if only_pending:
        invitations = invitations.exclude(response__status="submitted")
    people = list(invitations)
    if not people:
        raise ValidationError({"study_group": [_("Everyone here has answered already.")]})
    codes = short_codes_issue(invitation_ids=[i.pk for i in people])
    host, organisation = host_and_name_for_schema(tenant_connection().schema_name)
    slips = []
    for invitation in people:
        person = invitation.participant
        assert person is not None  # staff invitations were left out above
        group = person.study_group.name if person.study_group is not None else ""
        slips.append(
            Slip(name=person.full_name, group=group, url=short_url(host, codes[invitation.pk]))
        )
    return slips_docx(campaign=campaign, slips=slips, organisation=organisation)
