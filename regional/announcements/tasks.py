"""Mail of an announcement: one task per institution, in its schema, to its coordinators."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.models import Role, User
from config.tasks import TenantScopedTask
from regional.announcements.models import Announcement


@shared_task(base=TenantScopedTask, name="announcements.mail", bind=True, max_retries=3)
def announcement_mail(self: TenantScopedTask, announcement_id: int, institution_id: int) -> int:
    """E-mail the announcement to the active coordinators of the institution whose schema is
    active. Idempotent enough: a retry may mail again, never another institution's people."""
    with schema_context(get_public_schema_name()):
        announcement = Announcement.objects.filter(pk=announcement_id).first()
    if announcement is None:
        return 0
    emails = sorted(
        set(
            User.objects.filter(role=Role.COORDINATOR, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    subject = _("%(centre)s: %(title)s") % {
        "centre": settings.REGIONAL_CENTRE_NAME,
        "title": announcement.title,
    }
    for email in emails:  # one letter each: coordinators of a school do not see each other
        send_mail(
            subject=subject, message=announcement.body, from_email=None, recipient_list=[email]
        )
    return len(emails)
