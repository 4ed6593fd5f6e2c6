"""The public interface of the tenants app for other apps."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.actor import Actor
from tenants import timezones
from tenants.audit import public_audit_record
from tenants.models import Institution, InstitutionStatus, PublicAuditAction
from tenants.timezones import RUSSIAN_TIME_ZONES


def institution_allows_login(tenant: Any) -> bool:
    """Logins work on the public host and on active or archived (read-only) institutions."""
    if getattr(tenant, "schema_name", None) == get_public_schema_name():
        return True
    return getattr(tenant, "status", None) in (InstitutionStatus.ACTIVE, InstitutionStatus.ARCHIVED)


def current_institution() -> InstitutionRef | None:
    """The institution whose schema is active, or None in the public schema: read from the
    request's tenant without a query; where the schema was entered by name (a task, a shell:
    django-tenants' ``FakeTenant`` knows only the schema), read by its schema name."""
    # django-tenants' (untyped) attribute: the Institution of the request's host
    tenant: Any = getattr(connection, "tenant", None)
    schema_name = getattr(tenant, "schema_name", None)
    if schema_name is None or schema_name == get_public_schema_name():
        return None
    if isinstance(tenant, Institution):
        return InstitutionRef.of(tenant)
    return institution_for_schema(schema_name)


def institution_for_schema(schema_name: str) -> InstitutionRef | None:
    """The institution whose schema this is (read in the public schema), or None: for the
    letterhead of a document made where the schema was entered by name (a worker)."""
    with schema_context(get_public_schema_name()):
        institution = Institution.objects.filter(schema_name=schema_name).first()
    return InstitutionRef.of(institution) if institution is not None else None


def host_and_name_for_schema(schema_name: str) -> tuple[str, str]:
    """The host and the name people know for a schema: an institution's, or the region's."""
    if schema_name != get_public_schema_name():
        with schema_context(get_public_schema_name()):
            institution = Institution.objects.filter(schema_name=schema_name).first()
        if institution is not None:
            return institution.host, institution.name
    return settings.BASE_DOMAIN, settings.REGIONAL_CENTRE_NAME


def provisioned_schema_names() -> list[str]:
    """Schemas of every institution that has one, for fan-out tasks."""
    with schema_context(get_public_schema_name()):
        return list(
            Institution.objects.with_schema().order_by("pk").values_list("schema_name", flat=True)
        )


def institution_set_time_zone(*, institution_id: int, time_zone: str, actor: Actor) -> None:
    """Set the zone the institution's times are shown in (``ValidationError`` for a zone
    zoneinfo does not know)."""
    timezones.institution_set_time_zone(
        institution_id=institution_id, time_zone=time_zone, actor=actor
    )


def municipality_name(*, municipality_id: int) -> str:
    """The name of a municipality ("" for an unknown id)."""
    from tenants.models import Municipality

    with schema_context(get_public_schema_name()):
        name = Municipality.objects.filter(pk=municipality_id).values_list("name", flat=True)
        return name.first() or ""


def municipalities_ensure(*, names: Sequence[str]) -> dict[str, int]:
    """Municipality name → id, creating the missing ones (public schema)."""
    from tenants.models import Municipality

    with schema_context(get_public_schema_name()):
        return {name: Municipality.objects.get_or_create(name=name)[0].pk for name in names}


def municipal_access_ensure(*, user_id: int, municipality_id: int, actor: Actor) -> None:
    """Give the municipal account ``user_id`` the municipality, unless it has one already (a
    municipality chosen since is kept)."""
    from accounts.models import User
    from tenants import services
    from tenants.models import MunicipalAccess

    with schema_context(get_public_schema_name()):
        if not MunicipalAccess.objects.filter(user_id=user_id).exists():
            services.municipal_access_grant(
                user=User.objects.get(pk=user_id), municipality_id=municipality_id, actor=actor
            )


def institution_ensure(
    *,
    slug: str,
    name: str,
    short_name: str,
    kind: str,
    municipality_id: int,
    inn: str = "",
    coordinator_email: str,
    coordinator_name: str = "",
    actor: Actor,
) -> InstitutionRef:
    """The institution ``slug``, registered when missing and provisioned in this process
    when its schema is not ready yet (the background task then finds nothing to do).
    An existing institution is left as it is."""
    # tenants.services imports accounts, whose services import this module: by function
    from tenants import services

    with schema_context(get_public_schema_name()):
        institution = Institution.objects.filter(slug=slug).first()
        if institution is None:
            institution = services.institution_create(
                name=name,
                short_name=short_name,
                kind=kind,
                municipality_id=municipality_id,
                slug=slug,
                inn=inn,
                coordinator_email=coordinator_email,
                coordinator_name=coordinator_name,
                actor=actor,
            )
        if institution.status in (InstitutionStatus.PROVISIONING, InstitutionStatus.FAILED):
            provisioned = services.institution_provision(institution_id=institution.pk)
            if provisioned is None:
                raise RuntimeError(f"The institution {slug} disappeared while provisioning.")
            institution = provisioned
    return InstitutionRef.of(institution)


@contextmanager
def institution_context(schema_name: str) -> Iterator[None]:
    with schema_context(schema_name):
        yield


@dataclass(frozen=True)
class InstitutionRef:
    """What another layer needs to know of an institution: where it lives and what it is
    called (plain data; no model leaves the app)."""

    id: int
    slug: str
    schema_name: str
    host: str
    name: str
    short_name: str
    status: str
    kind: str
    municipality_id: int
    time_zone: str
    inn: str = ""

    @classmethod
    def of(cls, institution: Institution) -> InstitutionRef:
        return cls(
            id=institution.pk,
            slug=institution.slug,
            schema_name=institution.schema_name,
            host=institution.host,
            name=institution.name,
            short_name=institution.short_name,
            status=institution.status,
            kind=institution.kind,
            municipality_id=institution.municipality_id,
            time_zone=institution.time_zone,
            inn=institution.inn,
        )


def institution_ref(*, slug: str) -> InstitutionRef | None:
    """The institution with ``slug``, or None."""
    with schema_context(get_public_schema_name()):
        institution = Institution.objects.filter(slug=slug).first()
    return InstitutionRef.of(institution) if institution is not None else None


__all__ = [
    "RUSSIAN_TIME_ZONES",
    "InstitutionRef",
    "PublicAuditAction",
    "current_institution",
    "host_and_name_for_schema",
    "institution_allows_login",
    "institution_context",
    "institution_for_schema",
    "institution_ref",
    "institution_set_time_zone",
    "municipality_name",
    "provisioned_schema_names",
    "public_audit_record",
]
