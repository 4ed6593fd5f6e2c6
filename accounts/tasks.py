from __future__ import annotations

from celery import shared_task

from accounts import services
from config.tasks import DurableTask, TenantScopedTask


@shared_task(base=TenantScopedTask, name="accounts.invitation_send")
def invitation_send(invitation_id: int) -> bool:
    """Mail one invitation, inside the schema the message names. Safe to run twice."""
    return services.invitation_send(invitation_id=invitation_id)


@shared_task(base=DurableTask, name="accounts.password_reset_send")
def password_reset_send(
    user_id: int, domain: str, language: str, use_https: bool | None = None
) -> bool:
    """Mail a password reset link, in the schema of the host it was asked on (an institution's
    or the regional one: both have users). ``use_https`` is ignored (the scheme is
    ``SITE_SCHEME``); it is accepted for letters queued before it was dropped."""
    del use_https
    return services.password_reset_send(user_id=user_id, domain=domain, language=language)
