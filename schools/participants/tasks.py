"""Daily tasks of the participants app, run in every institution's schema."""

from __future__ import annotations

from celery import shared_task

from config.tasks import TenantScopedTask
from schools.participants import services


@shared_task(base=TenantScopedTask, name="participants.erase_due")
def erase_due() -> int:
    """Erase the personal data of everyone whose consent was withdrawn 30 days ago.
    Idempotent: erased people are skipped."""
    return services.participants_erase_due()


@shared_task(base=TenantScopedTask, name="participants.consent_alert_mail")
def consent_alert_mail_task(*, alert_id: int) -> int:
    """E-mail a consent alert to the coordinators and the class's curator. Idempotent: an
    alert is mailed once."""
    from schools.participants.consents import consent_alert_mail

    return consent_alert_mail(alert_id=alert_id)


@shared_task(base=TenantScopedTask, name="participants.consent_request_send")
def consent_request_send_task(*, request_id: int) -> bool:
    """Mail the one-time link of an online consent request. Idempotent: sent once."""
    from schools.participants.consents import consent_request_send

    return consent_request_send(request_id=request_id)
