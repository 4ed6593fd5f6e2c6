"""Sign-in and password reset forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    remember = forms.BooleanField(
        label=_("Remember me on this device"),
        required=False,
        help_text=_(
            "Only on your own device. On a shared computer leave it unticked: you are signed "
            "out when the browser closes."
        ),
    )


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, but the letters are sent by the worker (a slow or failing mail
    relay never holds the request, and the answer takes as long whether the address is known
    or not)."""

    def save(  # type: ignore[override]
        self,
        domain_override: str | None = None,
        use_https: bool = False,
        request: HttpRequest | None = None,
        **kwargs: Any,
    ) -> None:
        from accounts.tasks import password_reset_send
        from config.tasks import enqueue_on_commit

        domain = domain_override or (request.get_host() if request is not None else "")
        language = translation.get_language() or settings.LANGUAGE_CODE
        for user in self.get_users(self.cleaned_data["email"]):
            enqueue_on_commit(
                password_reset_send,
                user_id=user.pk,
                domain=domain,
                language=language,
            )
