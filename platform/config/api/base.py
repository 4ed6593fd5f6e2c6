"""Base API classes: scoping that a view cannot forget.

Every view that returns data names the roles that may use it and builds its queryset in
``scoped_queryset()``. ``get_queryset()`` is final: the base checks that the request is in the
schema the view belongs to and hands the queryset and the request's ``Actor`` to
``scope_for_actor()``, which calls the app's access layer (``<app>/access.py``) for row-level
rules, so a lookup by id always happens inside the caller's scope and "missing" and "not
yours" give the same 404."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from django.db.models import Model, QuerySet
from django.http import Http404
from django_tenants.utils import get_public_schema_name
from rest_framework import mixins, permissions, viewsets
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts import roles
from accounts.actor import Actor, actor_of
from config.api.rows import RowsListMixin
from config.db import tenant_connection

if TYPE_CHECKING:
    # The mixins below are only ever combined with an APIView; for the type checker they are
    # one, so that ``request``, ``permission_classes`` and ``initial()`` keep APIView's types.
    _APIViewBase = APIView
else:
    _APIViewBase = object


class HasAllowedRole(permissions.BasePermission):
    """The caller's role is in the view's ``read_roles`` (safe methods) or ``write_roles``."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        allowed: Iterable[str]
        if request.method in permissions.SAFE_METHODS:
            allowed = getattr(view, "read_roles", ())
        else:
            allowed = getattr(view, "write_roles", ())
        action = getattr(view, "action", None)
        action_roles = getattr(view, "action_roles", {})
        if action in action_roles:
            allowed = action_roles[action]
        return actor_of(request).role in set(allowed)


class ScopedAPIMixin(_APIViewBase):
    """Shared by tenant and public views. Subclasses set ``schema_scope``."""

    schema_scope: ClassVar[str] = ""
    read_roles: ClassVar[frozenset[str]] = frozenset()
    write_roles: ClassVar[frozenset[str]] = frozenset()
    action_roles: ClassVar[dict[str, frozenset[str]]] = {}
    permission_classes = [HasAllowedRole]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} overrides get_queryset(); define scoped_queryset() instead "
                "so that the tenant and role scope cannot be skipped."
            )
        if "scope_for_user" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} defines scope_for_user(); the hook is scope_for_actor("
                "queryset, actor) now, calling the app's access layer."
            )

    def check_schema(self) -> None:
        in_public = tenant_connection().schema_name == get_public_schema_name()
        if (self.schema_scope == "tenant" and in_public) or (
            self.schema_scope == "public" and not in_public
        ):
            raise Http404

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self.check_schema()
        super().initial(request, *args, **kwargs)

    def scoped_queryset(self) -> QuerySet[Any]:
        raise NotImplementedError

    @property
    def actor(self) -> Actor:
        """The request's actor (built once per request, shared with the pages' code)."""
        return actor_of(self.request)

    def scope_for_actor(self, queryset: QuerySet[Any], actor: Actor) -> QuerySet[Any]:
        """Row-level rules: the app's ``<things>_visible_to(actor, queryset)``. The default
        lets every allowed role see every row (data of the whole schema, such as settings)."""
        return queryset

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # OpenAPI generation: no request scope
            return self.scoped_queryset().none()
        self.check_schema()
        return self.scope_for_actor(self.scoped_queryset(), self.actor)


class TenantAPIMixin(ScopedAPIMixin):
    """For views on an institution's host: the data of the current schema only."""

    schema_scope = "tenant"


class PublicAPIMixin(ScopedAPIMixin):
    """For views of the regional layer on the base domain (public schema)."""

    schema_scope = "public"


class TenantViewSet(TenantAPIMixin, viewsets.GenericViewSet):
    pass


class TenantModelViewSet(
    TenantAPIMixin,
    RowsListMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    http_method_names = ["get", "post", "patch", "head", "options"]


class PublicViewSet(PublicAPIMixin, viewsets.GenericViewSet):
    pass


class PublicAPIView(PublicAPIMixin, APIView):
    def scoped_queryset(self) -> QuerySet[Model]:  # pragma: no cover - views without data
        raise NotImplementedError


class TenantAPIView(TenantAPIMixin, APIView):
    def scoped_queryset(self) -> QuerySet[Model]:  # pragma: no cover - views without data
        raise NotImplementedError


# The role sets come from accounts.roles (one vocabulary); the names views have used stay.
REGIONAL = roles.REGIONAL
REGIONAL_ADMIN = roles.REGIONAL_ADMIN
INSTITUTION_MANAGERS = roles.COORDINATION
INSTITUTION_STAFF = roles.STAFF
EVERY_TENANT_ROLE = roles.TENANT
