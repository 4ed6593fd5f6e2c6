"""Deleting a row whose model lives in both schemas (users) must not look into tables that
the current schema does not have.

``accounts.User`` exists in the public schema and in every institution's schema, and tenant
models point at it (programme curators, consents recorded by, ...). Django's deletion collector
follows every reverse relation of the model, so deleting a regional user in ``public`` queried
tenant tables that only exist in institution schemas and failed. The collector here skips
relations from models the current schema does not hold, as decided by django-tenants' router
(the same rule that decides where tables are created)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import router
from django.db.models import deletion

_original = deletion.get_candidate_relations_to_delete


def _relations_in_current_schema(opts: Any) -> Iterator[Any]:
    for relation in _original(opts):
        model = relation.related_model
        if not isinstance(model, type) or router.allow_migrate_model("default", model):
            yield relation


def install() -> None:
    deletion.get_candidate_relations_to_delete = _relations_in_current_schema
