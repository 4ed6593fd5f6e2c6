"""Writes of the announcements: one is sent at once (in the pages of every institution it is
for, and by e-mail to their coordinators, one task per institution after commit)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.actor import Actor, author_id
from config.tasks import enqueue_on_commit
from regional.announcements.models import Announcement, Audience
from regional.announcements.selectors import audience_institutions
from tenants.api import PublicAuditAction, public_audit_record
from tenants.models import Institution, Municipality


@transaction.atomic
def announcement_send(
    *,
    title: str,
    body: str,
    audience: str,
    municipality_ids: Sequence[int] = (),
    institution_ids: Sequence[int] = (),
    actor: Actor,
) -> Announcement:
    from regional.announcements.tasks import announcement_mail

    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Write the title.")]
    if not body.strip():
        errors["body"] = [_("Write the text.")]
    if audience not in Audience.values:
        errors["audience"] = [_("Choose to whom.")]
    municipalities = list(Municipality.objects.filter(pk__in=list(municipality_ids)))
    institutions = list(Institution.objects.with_schema().filter(pk__in=list(institution_ids)))
    if audience == Audience.MUNICIPALITIES and not municipalities:
        errors["municipalities"] = [_("Choose at least one municipality.")]
    if audience == Audience.INSTITUTIONS and not institutions:
        errors["institutions"] = [_("Choose at least one institution.")]
    if errors:
        raise ValidationError(errors)
    announcement = Announcement.objects.create(
        title=title.strip(), body=body.strip(), audience=audience, created_by_id=author_id(actor)
    )
    if audience == Audience.MUNICIPALITIES:
        announcement.municipalities.set(municipalities)
    if audience == Audience.INSTITUTIONS:
        announcement.institutions.set(institutions)
    targets = list(audience_institutions(announcement).values_list("pk", "schema_name"))
    announcement.recipients = len(targets)
    announcement.save(update_fields=["recipients"])
    for institution_id, schema_name in targets:
        enqueue_on_commit(
            announcement_mail,
            schema_name=schema_name,
            announcement_id=announcement.pk,
            institution_id=institution_id,
        )
    public_audit_record(
        actor=actor,
        action=PublicAuditAction.CREATE,
        instance=announcement,
        changed_fields=["title", "audience", "recipients"],
        label=announcement.title[:100],
    )
    return announcement
