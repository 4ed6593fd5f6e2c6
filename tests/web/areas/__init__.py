"""Per-area descriptions of the pages for the page tests (tests/web/test_pages.py).

Each module of this package describes the pages of one area of the UI, so that areas grow
without touching each other's lines. A module may define:

- ``TENANT_ALLOWED`` / ``PUBLIC_ALLOWED``: ``{url name: roles that get 200 from a GET}``;
  routes not listed are POST-only (a GET gets 405); roles not listed get 403 (or 404 when the
  object in the path is out of their scope);
- ``TENANT_ID_OF`` / ``PUBLIC_ID_OF``: ``{url name: key of the id in the path}``;
- ``tenant_objects(schema_name, users, ids) -> dict[str, int]``: makes the area's objects in
  institution A (through the apps' services) and returns their ids by key;
- ``public_objects(tenant) -> dict[str, int]``: the same in the public schema.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import Any


def modules() -> list[ModuleType]:
    return [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name)
    ]


def merged(attribute: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for module in modules():
        part = getattr(module, attribute, {})
        overlap = set(result) & set(part)
        assert not overlap, f"{module.__name__}.{attribute} repeats {sorted(overlap)}"
        result.update(part)
    return result


def tenant_objects(schema_name: str, users: dict[str, Any], ids: dict[str, int]) -> None:
    for module in modules():
        maker = getattr(module, "tenant_objects", None)
        if maker is not None:
            ids.update(maker(schema_name, users, dict(ids)))


def public_objects(tenant: Any, ids: dict[str, int]) -> None:
    for module in modules():
        maker = getattr(module, "public_objects", None)
        if maker is not None:
            ids.update(maker(tenant))
