from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connection

from accounts.rows import by_pk
from tenants.api import institution_allows_login


class InstitutionAwareBackend(ModelBackend):
    """Refuses every login on the host of a suspended (or not yet provisioned) institution.

    The signed-in user of every request is read by one statement written once (``get_user``,
    ``accounts.rows``): the ORM's ``User.objects.get(pk=…)``, built and compiled on every
    request, cost about as much CPU as the rest of the request's middleware (issue #17 item
    2)."""

    def user_can_authenticate(self, user: Any) -> bool:
        tenant = getattr(connection, "tenant", None)
        if tenant is not None and not institution_allows_login(tenant):
            return False
        return super().user_can_authenticate(user)

    def get_user(self, user_id: Any) -> Any:
        user = by_pk(get_user_model(), user_id)
        if user is None:
            return None
        return user if self.user_can_authenticate(user) else None


class LoginLockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check (by login and address together, see settings), first in
    AUTHENTICATION_BACKENDS. A call without a request is not a login from outside (a
    management command, a service): there is no address to lock, so it passes through."""

    def authenticate(
        self,
        request: Any,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
