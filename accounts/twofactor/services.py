"""Second factor devices of a user: set up, confirm, check a code, recovery codes."""

from __future__ import annotations

import base64
import binascii

from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User

DEVICE_NAME = "authenticator"
RECOVERY_NAME = "recovery"


def second_factor_required(user: User) -> bool:
    """The role must have it (``OTP_REQUIRED_ROLES``)."""
    return user.role in settings.OTP_REQUIRED_ROLES


def second_factor_enabled(user: User) -> bool:
    """The user has a confirmed app."""
    enabled: bool = user_has_device(user, confirmed=True)
    return enabled


def second_factor_needed(user: User) -> bool:
    return second_factor_required(user) or second_factor_enabled(user)


def totp_pending(*, user: User) -> TOTPDevice:
    """The app being set up (not confirmed yet): the same key until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The key as people type it into an app: base32 in groups of four."""
    secret = base64.b32encode(binascii.unhexlify(device.key)).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def totp_confirm(*, user: User, code: str) -> tuple[TOTPDevice, list[str]] | None:
    """Confirm the pending app with a code from it; the earlier app and recovery codes are
    replaced. Returns the device and the new recovery codes, or None for a wrong code."""
    device = totp_pending(user=user)
    if not device.verify_token(_digits(code)):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device, recovery_codes_renew(user=user)


@transaction.atomic
def recovery_codes_renew(*, user: User) -> list[str]:
    """New one-time recovery codes; the earlier ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.OTP_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(*, user: User) -> int:
    left: int = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return left


@transaction.atomic
def second_factor_disable(*, user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def _digits(code: str) -> str:
    return "".join(code.split()).lower()


def code_check(*, user: User, code: str) -> Device | None:
    """The device that accepts ``code`` (an app's code or an unused recovery code, which is
    then spent), or None. Each device throttles its own failures (django-otp)."""
    code = _digits(code)
    if not code:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(code):
                return device
    return None
