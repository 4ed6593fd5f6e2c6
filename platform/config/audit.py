"""The one shape of an audit entry, shared by both schemas' logs (a tenant's
``schools.audit`` and the public schema's ``tenants.audit``): which fields changed, and the
new values of structured, non-personal fields only. Names, contacts, free text and anything
on ``SENSITIVE_FIELDS`` are logged as "it changed", never with their value."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models

# Field names whose values never enter a log, in any model: only "it changed" is kept.
SENSITIVE_FIELDS = frozenset(
    {
        "last_name",
        "first_name",
        "middle_name",
        "full_name",
        "birth_date",
        "email",
        "phone",
        "address",
        "health",
        "health_notes",
        "disability",
        "passport",
        "snils",
        "guardian_name",
        "scan",
        "request",
        "experience",
        "motivation",
        "training",
        "notes",
        "comment",
        "password",
    }
)


def loggable_value(field: models.Field[Any, Any] | None, value: Any) -> tuple[bool, Any]:
    """(True, json-able value) for a structured non-personal field; (False, None) otherwise.

    Free text is never logged, even when its field name is not on the sensitive list: a
    comment box can hold anything."""
    if field is None:
        return False, None
    if field.is_relation:
        return (True, value) if isinstance(value, int | None) else (False, None)
    if field.choices:
        return True, value
    if isinstance(
        field, models.BooleanField | models.IntegerField | models.DateField | models.DecimalField
    ):
        if isinstance(value, bool | int | None):
            return True, value
        return True, str(value)
    return False, None


def loggable_values(instance: models.Model, names: Iterable[str]) -> dict[str, Any]:
    """The new values of ``instance``'s changed fields ``names`` that may be logged."""
    values: dict[str, Any] = {}
    meta = instance._meta
    for name in names:
        if name in SENSITIVE_FIELDS:
            continue
        try:
            field = meta.get_field(name)
        except FieldDoesNotExist:  # a computed name such as ``needs`` on a profile
            field = None
        concrete = field if isinstance(field, models.Field) else None
        attname = concrete.attname if concrete is not None else name
        ok, value = loggable_value(concrete, getattr(instance, attname, None))
        if ok:
            values[name] = value
    return values


def acting_user(actor: Any) -> Any:
    """The signed-in user behind ``actor`` (a user, or anything carrying one as ``.user``), or
    None for a system job or an anonymous visitor."""
    user = getattr(actor, "user", actor)
    return user if getattr(user, "is_authenticated", False) else None
