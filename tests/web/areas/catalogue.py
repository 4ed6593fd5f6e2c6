"""The catalogue of requests and competences: its list and an entry's page."""

from __future__ import annotations

from typing import Any

from tests.web.areas.core import STAFF

TENANT_ALLOWED = {
    "catalogue": STAFF,
    "catalogue-entry": STAFF,
}
TENANT_ID_OF = {
    "catalogue-entry": "topic",
}


def tenant_objects(schema_name: str, users: dict[str, Any], ids: dict[str, int]) -> dict[str, int]:
    """An entry of the seeded catalogue."""
    from schools.participants import selectors

    return {"topic": selectors.topic_catalogue().get(code="olympiads").pk}
