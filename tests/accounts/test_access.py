"""Who brings people in, asked of the services themselves: an institution's coordinator
invites the institution's roles only; logins are made directly by the system only."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django_tenants.utils import schema_context

from accounts import services
from accounts.actor import actor_for
from accounts.models import Invitation, Role
from tests.conftest import make_user


def test_the_coordinator_invites_the_institutions_roles_and_nobody_else_invites(tenant_a):
    coordinator = make_user(tenant_a.schema_name, Role.COORDINATOR, "acl-inviter")
    mentor = make_user(tenant_a.schema_name, Role.MENTOR, "acl-mentor-inviter")
    with schema_context(tenant_a.schema_name):
        with pytest.raises(PermissionDenied):
            services.invitation_create(
                email="new-curator@school.ru", role=Role.CURATOR, actor=actor_for(mentor)
            )
        with pytest.raises(PermissionDenied):  # not a role of an institution
            services.invitation_create(
                email="boss@region.ru", role=Role.REGIONAL_ADMIN, actor=actor_for(coordinator)
            )
        assert not Invitation.objects.filter(email__in=["new-curator@school.ru", "boss@region.ru"])
        services.invitation_create(
            email="new-curator@school.ru", role=Role.CURATOR, actor=actor_for(coordinator)
        )


def test_a_login_is_made_directly_by_the_system_only(tenant_a):
    coordinator = make_user(tenant_a.schema_name, Role.COORDINATOR, "acl-login-maker")
    with schema_context(tenant_a.schema_name), pytest.raises(PermissionDenied):
        services.user_create(
            username="made-by-hand", role=Role.MENTOR, actor=actor_for(coordinator)
        )
