"""The second factor's pages: confirm a sign-in, set up the app, recovery codes, turn it off."""

from __future__ import annotations

import django_otp
import segno
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.twofactor import services
from accounts.twofactor.middleware import SESSION_ENABLED

VERIFY_URL = "/accounts/two-factor/"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autofocus": True,
            }
        ),
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return str(settings.LOGIN_REDIRECT_URL)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # login_required: never anonymous


def _verified(request: HttpRequest) -> bool:
    return bool(request.user.is_verified())  # type: ignore[union-attr]  # OTPMiddleware


def _locked(request: HttpRequest, user: User) -> bool:
    return not AxesProxyHandler.is_allowed(request, {"username": user.username})


def _lockout(request: HttpRequest) -> HttpResponse:
    auth.logout(request)
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, status=settings.AXES_HTTP_RESPONSE_CODE)


def _failed(request: HttpRequest, user: User) -> None:
    """A wrong code counts towards the lockout of this login from this address (django-axes),
    like a wrong password."""
    user_login_failed.send(
        sender=__name__, credentials={"username": user.username}, request=request
    )


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Confirm this sign-in with a code from the app or a recovery code."""
    user = _user(request)
    if _verified(request):
        return HttpResponseRedirect(_next(request))
    if not services.second_factor_enabled(user):
        return HttpResponseRedirect(f"{VERIFY_URL}setup/?{request.GET.urlencode()}")
    if _locked(request, user):
        return _lockout(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.code_check(user=user, code=form.cleaned_data["code"])
        if device is not None:
            django_otp.login(request, device)
            request.session[SESSION_ENABLED] = True
            return HttpResponseRedirect(_next(request))
        _failed(request, user)
        if _locked(request, user):
            return _lockout(request)
        form.add_error("code", _("Wrong code. Enter the current code from the app."))
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": _next(request)},
        status=400 if form.errors else 200,
    )


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Connect an authenticator app: scan the QR code (or type the key), confirm with a code;
    the recovery codes are shown once."""
    user = _user(request)
    if services.second_factor_enabled(user) and not _verified(request):
        # replacing the app takes the app (or a recovery code) first
        return HttpResponseRedirect(f"{VERIFY_URL}?{request.GET.urlencode()}")
    if _locked(request, user):
        return _lockout(request)
    device = services.totp_pending(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = services.totp_confirm(user=user, code=form.cleaned_data["code"])
        if confirmed is not None:
            totp, codes = confirmed
            django_otp.login(request, totp)
            request.session[SESSION_ENABLED] = True
            return render(
                request,
                "accounts/two_factor_recovery_codes.html",
                {"codes": codes, "next": _next(request)},
            )
        _failed(request, user)
        if _locked(request, user):
            return _lockout(request)
        form.add_error("code", _("Wrong code. Check the time on the phone and try again."))
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "next": _next(request),
            "qr": qr.svg_data_uri(scale=4, border=2),
            "secret": services.totp_secret(device),
            "required": services.second_factor_required(user),
        },
        status=400 if form.errors else 200,
    )


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    """The second factor of the signed-in person: on or off, recovery codes left."""
    user = _user(request)
    return render(
        request,
        "accounts/two_factor_manage.html",
        {
            "enabled": services.second_factor_enabled(user),
            "required": services.second_factor_required(user),
            "codes_left": services.recovery_codes_left(user=user),
        },
    )


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes (the earlier ones stop working), for a confirmed session only."""
    user = _user(request)
    if not (_verified(request) and services.second_factor_enabled(user)):
        return HttpResponseRedirect(VERIFY_URL)
    codes = services.recovery_codes_renew(user=user)
    return render(
        request,
        "accounts/two_factor_recovery_codes.html",
        {"codes": codes, "next": f"{VERIFY_URL}manage/"},
    )


@login_required
@require_POST
def disable(request: HttpRequest) -> HttpResponse:
    """Turn the second factor off: only a confirmed session, and never for a role that must
    have it."""
    user = _user(request)
    if services.second_factor_required(user) or not _verified(request):
        return HttpResponseRedirect(f"{VERIFY_URL}manage/")
    services.second_factor_disable(user=user)
    request.session[SESSION_ENABLED] = False
    return HttpResponseRedirect(f"{VERIFY_URL}manage/")
