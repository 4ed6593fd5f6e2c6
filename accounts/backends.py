from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db import connection

from tenants.api import institution_allows_login


class InstitutionAwareBackend(ModelBackend):
    """Refuses every login on the host of a suspended (or not yet provisioned) institution."""

    def user_can_authenticate(self, user: Any) -> bool:
        tenant = getattr(connection, "tenant", None)
        if tenant is not None and not institution_allows_login(tenant):
            return False
        return super().user_can_authenticate(user)
