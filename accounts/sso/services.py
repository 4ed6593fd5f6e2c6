"""Who a provider's token signs in to: an account of the active schema, never a new learner."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from accounts.models import ExternalIdentity, Role, User


class SsoRefused(Exception):
    """The provider vouched for a person this host does not let in; ``reason`` names why."""

    UNKNOWN = "unknown"  # nobody here has this subject or this verified e-mail
    AMBIGUOUS = "ambiguous"  # several accounts here share the e-mail
    INACTIVE = "inactive"  # the account here is blocked
    LINKED_ELSEWHERE = "linked_elsewhere"  # the account is linked to another subject already

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _verified_email(claims: Mapping[str, Any]) -> str:
    email = str(claims.get("email") or "").strip()
    verified = claims.get("email_verified")
    if isinstance(verified, str):
        verified = verified.lower() == "true"
    return email if email and verified is True else ""


def _groups(claims: Mapping[str, Any]) -> set[str]:
    value = claims.get(settings.OIDC_GROUPS_CLAIM) or []
    if isinstance(value, str):
        value = [value]
    return {str(group).strip("/") for group in value}


def _on_regional_host() -> bool:
    tenant = getattr(connection, "tenant", None)
    return tenant is None or tenant.schema_name == get_public_schema_name()


def _link(*, user: User, issuer: str, subject: str) -> None:
    try:
        with transaction.atomic():
            ExternalIdentity.objects.create(
                user=user, issuer=issuer, subject=subject, last_sign_in_at=timezone.now()
            )
    except IntegrityError:
        # the account holds another subject of this provider (or a parallel sign-in won)
        raise SsoRefused(SsoRefused.LINKED_ELSEWHERE) from None


def _regional_staff_create(*, issuer: str, subject: str, claims: Mapping[str, Any]) -> User:
    digest = hashlib.sha256(f"{issuer} {subject}".encode()).hexdigest()[:12]
    preferred = str(claims.get("preferred_username") or "").strip()[:100]
    taken = not preferred or User.objects.filter(username=preferred).exists()
    with transaction.atomic():
        user = User(
            username=f"sso-{digest}" if taken else preferred,
            role=Role.REGIONAL_STAFF,
            email=_verified_email(claims),
            first_name=str(claims.get("given_name") or "")[:150],
            last_name=str(claims.get("family_name") or "")[:150],
            middle_name=str(claims.get("middle_name") or "")[:150],
        )
        user.set_unusable_password()
        user.save()
        _link(user=user, issuer=issuer, subject=subject)
    return user


def identity_resolve(*, issuer: str, claims: Mapping[str, Any]) -> User:
    """The account of the active schema that these verified claims sign in to.

    1. The subject, once linked, decides (the e-mail may change at the provider).
    2. Otherwise one active account with the provider's *verified* e-mail, not yet linked to
       another subject, is linked to this subject.
    3. Otherwise, on the regional host only and when the region enables it, a member of the
       regional staff group gets a regional staff account.
    Anything else is refused: an institution's people (and learners above all) exist only
    when the institution registered them."""
    subject = str(claims["sub"])
    identity = (
        ExternalIdentity.objects.select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    if identity is not None:
        if not identity.user.is_active:
            raise SsoRefused(SsoRefused.INACTIVE)
        ExternalIdentity.objects.filter(pk=identity.pk).update(last_sign_in_at=timezone.now())
        return identity.user

    email = _verified_email(claims)
    if email:
        candidates = list(User.objects.filter(email__iexact=email)[:2])
        if len(candidates) > 1:
            raise SsoRefused(SsoRefused.AMBIGUOUS)
        if candidates:
            user = candidates[0]
            if not user.is_active:
                raise SsoRefused(SsoRefused.INACTIVE)
            _link(user=user, issuer=issuer, subject=subject)
            return user

    group = settings.OIDC_REGIONAL_STAFF_GROUP
    if group and _on_regional_host() and group in _groups(claims):
        return _regional_staff_create(issuer=issuer, subject=subject, claims=claims)
    raise SsoRefused(SsoRefused.UNKNOWN)
