"""Objects of institution B for single sign-on (the admin lists the linked provider accounts)."""

from __future__ import annotations

from accounts.models import ExternalIdentity, User
from tests.isolation.objects_of_b import MARKER, bump_sequence, factory


@factory("accounts.externalidentity")
def _external_identity(user: User) -> str:
    bump_sequence("accounts_externalidentity")
    identity = ExternalIdentity.objects.create(
        user=user, issuer="https://idp.region.example", subject=MARKER
    )
    return str(identity.pk)


@factory("otp_totp.totpdevice")
def _totp_device(user: User) -> str:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    bump_sequence("otp_totp_totpdevice")
    return str(TOTPDevice.objects.create(user=user, name=MARKER, confirmed=True).pk)


@factory("otp_static.staticdevice")
def _static_device(user: User) -> str:
    from django_otp.plugins.otp_static.models import StaticDevice

    bump_sequence("otp_static_staticdevice")
    device = StaticDevice.objects.create(user=user, name=MARKER, confirmed=True)
    device.token_set.create(token="b7f3a0000")
    return str(device.pk)
