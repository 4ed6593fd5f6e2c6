"""Writes on accounts, in whatever schema is active: invitations and their acceptance."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import access
from accounts.actor import Actor
from accounts.models import Invitation, User
from config import links
from config.db import tenant_connection
from tenants.api import host_and_name_for_schema


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def site_url(host: str) -> str:
    """The root of ``host`` (see ``config.links``: the one link builder)."""
    return links.site_url(host)


def invitation_url(*, host: str, token: str) -> str:
    return f"{site_url(host)}/accounts/invite/{token}/"


@transaction.atomic
def invitation_create(
    *,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    middle_name: str = "",
    actor: Actor,
) -> Invitation:
    """Record an invitation in the active schema and send it by e-mail after commit (who may
    invite whom: ``accounts.access``)."""
    access.check_invite(actor, role)
    from accounts.tasks import invitation_send
    from config.tasks import enqueue_on_commit

    if User.objects.filter(email__iexact=email, is_active=True).exists():
        raise ValidationError({"email": [_("A user with this e-mail already exists.")]})
    invitation = Invitation.objects.create(
        email=email,
        role=role,
        first_name=first_name,
        last_name=last_name,
        middle_name=middle_name,
        expires_at=timezone.now() + settings.INVITATION_TTL,
    )
    enqueue_on_commit(invitation_send, invitation_id=invitation.pk)
    return invitation


@transaction.atomic
def invitation_send(*, invitation_id: int) -> bool:
    """Make the one-time token and mail the link. Idempotent: a sent invitation is not resent.

    Returns True if a letter was sent now."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation_id)
    if invitation.sent_at is not None or invitation.accepted_at is not None:
        return False
    token = secrets.token_urlsafe(32)
    invitation.token_hash = _hash(token)
    invitation.sent_at = timezone.now()
    invitation.expires_at = invitation.sent_at + settings.INVITATION_TTL
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
    host, organisation = host_and_name_for_schema(tenant_connection().schema_name)
    context = {
        "invitation": invitation,
        "link": invitation_url(host=host, token=token),
        "organisation": organisation,
        "days": settings.INVITATION_TTL.days,
    }
    subject = _("Invitation to Nastavnik")
    message = render_to_string("accounts/email/invitation.txt", context)
    recipient = invitation.email
    transaction.on_commit(
        lambda: send_mail(
            subject=subject, message=message, from_email=None, recipient_list=[recipient]
        )
    )
    return True


def invitation_get_valid(*, token: str) -> Invitation | None:
    invitation = Invitation.objects.filter(token_hash=_hash(token)).exclude(token_hash="").first()
    if invitation is None or invitation.accepted_at or invitation.expires_at < timezone.now():
        return None
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, username: str, password: str) -> User:
    """Turn a valid invitation into an account. A used, expired or unknown link is refused."""
    invitation = (
        Invitation.objects.select_for_update()
        .filter(token_hash=_hash(token))
        .exclude(token_hash="")
        .first()
    )
    if invitation is None or invitation.accepted_at or invitation.expires_at < timezone.now():
        raise ValidationError({"token": [_("This invitation link is invalid or has expired.")]})
    username = username.strip()
    if not username:
        raise ValidationError({"username": [_("Choose a login.")]})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": [_("This login is taken.")]})
    user = User(
        username=username,
        email=invitation.email,
        role=invitation.role,
        first_name=invitation.first_name,
        last_name=invitation.last_name,
        middle_name=invitation.middle_name,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.save()
    invitation.accepted_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["accepted_at", "user"])
    return user


def user_create(
    *,
    username: str,
    role: str,
    password: str | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    middle_name: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
    actor: Actor,
) -> User:
    """A login made directly (seeding, benchmarks): people otherwise join by invitation."""
    access.check_login_create(actor)
    user = User(
        username=username,
        role=role,
        email=email,
        first_name=first_name,
        last_name=last_name,
        middle_name=middle_name,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def api_token_issue(*, user: User) -> Any:
    """A new API token for ``user``: the previous one stops working (rotation)."""
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def password_reset_send(*, user_id: int, domain: str, language: str) -> bool:
    """Mail the password reset link to one user (the worker does it: the request only looks
    the address up). The link is made here, so no secret travels through the broker, by the one
    link builder (``config.links``: the configured scheme and port, ``domain``'s own port
    dropped). A user gone, inactive or without a usable password gets nothing."""
    from django.contrib.auth.tokens import default_token_generator
    from django.core.mail import EmailMultiAlternatives
    from django.urls import reverse
    from django.utils import translation
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password() or not user.email:
        return False
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {
        "domain": links.bare_host(domain or settings.BASE_DOMAIN),
        "user": user,
        "reset_url": links.absolute_url(domain, path),
    }
    with translation.override(language):
        subject = "".join(
            render_to_string("registration/password_reset_subject.txt", context).splitlines()
        )
        body = render_to_string("registration/password_reset_email.txt", context)
    EmailMultiAlternatives(subject, body, None, [user.email]).send()
    return True
