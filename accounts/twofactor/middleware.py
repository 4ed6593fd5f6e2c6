"""A session that has not passed the second factor it needs reaches nothing but the second
factor's own pages, signing out and static files."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.translation import gettext as _
from django_otp.middleware import OTPMiddleware as DjangoOTPMiddleware
from django_otp.models import Device

from accounts.rows import by_pk
from accounts.twofactor.services import second_factor_enabled, second_factor_required

# Paths a half-signed-in session may open (prefixes).
OPEN_PREFIXES = (
    "/accounts/two-factor/",
    "/accounts/logout/",
    "/accounts/login/",
    "/oidc/",
    "/i18n/",
    "/static/",
    "/healthz",
)
# Whether the user has turned the second factor on, read once per session (a role that requires
# it needs no query); the second factor's pages keep it current.
SESSION_ENABLED = "otp_enabled"
VERIFY_URL = "/accounts/two-factor/"
SETUP_URL = "/accounts/two-factor/setup/"


class OTPMiddleware(DjangoOTPMiddleware):
    """django-otp's middleware (``request.user.otp_device``, ``is_verified()``) with the device
    of a verified session read by a statement written once (``accounts.rows``) instead of an
    ORM query built on every request; the same checks follow (django-otp's
    ``_finalize_device``: the device must still exist, be the user's and be confirmed)."""

    def _device_from_persistent_id(self, persistent_id: str) -> Any:
        persistent_id = self._normalize_persistent_id(persistent_id)
        try:  # django_otp.models.Device.from_persistent_id's parsing and its errors
            model_label, device_id = persistent_id.rsplit("/", 1)
            app_label, model_name = model_label.split(".")
            device_cls = apps.get_model(app_label, model_name)
            pk = int(device_id)
        except (ValueError, LookupError):
            return None
        if not issubclass(device_cls, Device):
            return None
        return by_pk(device_cls, pk)


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(OPEN_PREFIXES)
            and not user.is_verified()  # type: ignore[attr-defined]  # OTPMiddleware installs it
        ):
            enabled = request.session.get(SESSION_ENABLED)
            if enabled is None:
                enabled = second_factor_enabled(user)
                request.session[SESSION_ENABLED] = enabled
            if enabled or second_factor_required(user):
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": _("Confirm the sign-in with the second factor first.")},
                        status=403,
                    )
                target = VERIFY_URL if enabled else SETUP_URL
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{target}?{query}")
        return self.get_response(request)
