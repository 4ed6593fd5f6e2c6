"""Sign-in and sign-out through the region's provider, on every host."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import auth
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from mozilla_django_oidc.utils import (
    add_state_and_verifier_and_nonce_to_session,
    generate_code_challenge,
)
from mozilla_django_oidc.views import OIDCLogoutView, get_next_url

from accounts.backends import InstitutionAwareBackend
from accounts.services import site_url
from accounts.sso import (
    callback_url,
    host_slug,
    signed_out_url,
    slug_of_state,
    sso_enabled,
    state_for_host,
)
from accounts.sso.backend import RegionalOidcBackend
from accounts.sso.services import SsoRefused
from tenants.api import institution_allows_login, institution_ref

logger = logging.getLogger(__name__)

SESSION_ID_TOKEN = "oidc_id_token"
SESSION_NEXT = "oidc_login_next"
PASSWORD_BACKEND = "accounts.backends.InstitutionAwareBackend"
# What the provider may send back to the callback (RFC 6749 4.1.2, RFC 9207 "iss").
CALLBACK_PARAMS = ("code", "state", "error", "error_description", "iss", "session_state")


def _refused(request: HttpRequest, *, reason: str, status: int) -> HttpResponse:
    return render(
        request,
        "accounts/sso_refused.html",
        {"reason": reason, "message": refusal_reasons()[reason]},
        status=status,
    )


def start(request: HttpRequest) -> HttpResponse:
    """Send the browser to the provider: authorization code with PKCE (S256) and a nonce; the
    state, nonce and verifier wait in this host's session."""
    if not sso_enabled():
        raise Http404
    state = state_for_host(get_random_string(32))
    nonce = get_random_string(32)
    code_verifier = get_random_string(64)
    params = {
        "response_type": "code",
        "scope": settings.OIDC_RP_SCOPES,
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "redirect_uri": callback_url(),
        "state": state,
        "nonce": nonce,
        "code_challenge": generate_code_challenge(code_verifier, "S256"),
        "code_challenge_method": "S256",
    }
    add_state_and_verifier_and_nonce_to_session(request, state, params, code_verifier)
    request.session[SESSION_NEXT] = get_next_url(request, "next")
    return HttpResponseRedirect(f"{settings.OIDC_OP_AUTHORIZATION_ENDPOINT}?{urlencode(params)}")


def _relay(request: HttpRequest, slug: str) -> HttpResponse:
    """The regional host passes an institution's answer on to the institution's own host."""
    institution = institution_ref(slug=slug)
    if institution is None or not institution_allows_login(institution):
        return _refused(request, reason="state", status=400)
    query = urlencode([(key, request.GET[key]) for key in CALLBACK_PARAMS if key in request.GET])
    return HttpResponseRedirect(f"{site_url(institution.host)}/oidc/callback/?{query}")


def callback(request: HttpRequest) -> HttpResponse:
    """The provider's answer: relayed to the institution it belongs to, or signed in here."""
    if not sso_enabled():
        raise Http404
    state = request.GET.get("state", "")
    slug = slug_of_state(state)
    if slug and not host_slug():
        return _relay(request, slug)
    states = request.session.get("oidc_states")
    entry = states.pop(state, None) if isinstance(states, dict) else None
    if entry is not None:
        request.session.modified = True
        request.session.save()  # a state is used once, whatever happens next
    if slug != host_slug() or entry is None:
        # not started in this browser on this host (or used already)
        return _refused(request, reason="state", status=400)
    if request.GET.get("error"):
        return _refused(request, reason="provider", status=400)
    issuer = request.GET.get("iss")
    if issuer is not None and issuer != settings.OIDC_OP_ISSUER:
        return _refused(request, reason="provider", status=400)  # RFC 9207: a mix-up
    backend = RegionalOidcBackend()
    try:
        user = backend.authenticate(
            request, nonce=entry.get("nonce"), code_verifier=entry.get("code_verifier")
        )
    except SsoRefused as refusal:
        return _refused(request, reason=refusal.reason, status=403)
    except (SuspiciousOperation, requests.RequestException) as exc:
        logger.warning("single sign-on refused: %s", type(exc).__name__)
        return _refused(request, reason="token", status=400)
    if user is None or not InstitutionAwareBackend().user_can_authenticate(user):
        return _refused(request, reason="token" if user is None else "inactive", status=403)
    next_url = request.session.get(SESSION_NEXT)
    auth.login(request, user, backend=PASSWORD_BACKEND)
    request.session[SESSION_ID_TOKEN] = backend.id_token
    return HttpResponseRedirect(next_url or settings.LOGIN_REDIRECT_URL)


def provider_logout_url(request: HttpRequest) -> str:
    """Where signing out continues: the provider's end-session endpoint when the session came
    from it (its own session ends too), else the sign-in page."""
    id_token = request.session.get(SESSION_ID_TOKEN)
    if not (sso_enabled() and id_token and settings.OIDC_OP_LOGOUT_ENDPOINT):
        return str(settings.LOGOUT_REDIRECT_URL)
    params = {
        "id_token_hint": id_token,
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": signed_out_url(),
        "state": state_for_host(get_random_string(16)),
    }
    return f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{urlencode(params)}"


class LogoutView(OIDCLogoutView):
    """Sign-out (POST): ends this session, then the provider's when the session came from it."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        logout_url = provider_logout_url(request)
        auth.logout(request)
        return HttpResponseRedirect(logout_url)


def signed_out(request: HttpRequest) -> HttpResponse:
    """The provider sends the browser back here after its sign-out: to the sign-in page of the
    host the person signed out of."""
    slug = slug_of_state(request.GET.get("state", ""))
    institution = institution_ref(slug=slug) if slug and not host_slug() else None
    if institution is None:
        return HttpResponseRedirect(str(settings.LOGOUT_REDIRECT_URL))
    return HttpResponseRedirect(f"{site_url(institution.host)}{settings.LOGOUT_REDIRECT_URL}")


def refusal_reasons() -> dict[str, str]:
    """The words of the refusal page, by reason (kept here for the template and the tests)."""
    return {
        SsoRefused.UNKNOWN: _(
            "The identity provider confirmed who you are, but this workspace has no account "
            "for you. Ask the coordinator to add you with the e-mail you use at the provider."
        ),
        SsoRefused.AMBIGUOUS: _(
            "Several accounts here have your e-mail address. Ask the coordinator to leave one."
        ),
        SsoRefused.INACTIVE: _("Your account here is blocked. Ask the coordinator."),
        SsoRefused.LINKED_ELSEWHERE: _(
            "Your account here is linked to another account at the identity provider. Ask "
            "the coordinator."
        ),
        "state": _(
            "This sign-in was started in another browser or has been used already. Start "
            "again from the sign-in page."
        ),
        "provider": _("The identity provider did not confirm the sign-in."),
        "token": _("The identity provider's answer could not be verified."),
    }
