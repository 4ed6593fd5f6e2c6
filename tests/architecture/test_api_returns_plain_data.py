"""Apps talk through each other's ``api.py``, and an ``api.py`` hands out plain data: ids,
numbers, strings, dataclasses, dicts and lists of them — never a model instance, a queryset or
a manager, which would let the caller read (and write) the other app's tables behind its back.

Every public function of every ``api.py`` (defined there, or re-exported in its ``__all__``)
must say what it returns, and that type must not name a model or a queryset. The exceptions
below are named with their reason and may only shrink: the test also fails when a listed
function has become plain."""

from __future__ import annotations

import importlib
import inspect
import types
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import models

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("accounts", "tenants", "regional", "schools")

# "module.function": why it still returns a model. The list may only shrink.
EXCEPTIONS: dict[str, str] = {
    "tenants.api.current_institution": (
        "the connection's own tenant object (django-tenants sets it on the connection, no query):"
        " pages, the monitoring API and the employers' requests read and write it as the model"
        " (its municipality, time zone; a request is created for it)"
    ),
    "tenants.api.institution_for_schema": (
        "the fallback of current_institution() for a schema entered by name (a worker's"
        " letterhead): the same object as current_institution() returns"
    ),
}

def api_modules() -> Iterator[str]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("api.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" not in parts:
                yield ".".join(parts)


def public_functions(module: types.ModuleType) -> Iterator[tuple[str, Callable[..., Any]]]:
    exported = set(getattr(module, "__all__", ()))
    for name, value in vars(module).items():
        if name.startswith("_") or not inspect.isfunction(value):
            continue
        if value.__module__ == module.__name__ or name in exported:
            yield name, value


def _leaks(hint: Any) -> bool:
    """Whether the type names a model, a queryset or a manager anywhere inside."""
    if isinstance(hint, type) and issubclass(hint, models.Model | models.QuerySet | models.Manager):
        return True
    origin = typing.get_origin(hint)
    if origin is not None and _leaks(origin):
        return True
    return any(_leaks(arg) for arg in typing.get_args(hint))


def returns_model(function: Callable[..., Any]) -> bool:
    hints = typing.get_type_hints(function)
    return _leaks(hints["return"])


def violations() -> tuple[list[str], list[str]]:
    unannotated, leaking = [], []
    for module_name in api_modules():
        module = importlib.import_module(module_name)
        for name, function in public_functions(module):
            key = f"{module_name}.{name}"
            if inspect.signature(function).return_annotation is inspect.Signature.empty:
                unannotated.append(key)
            elif returns_model(function):
                leaking.append(key)
    return unannotated, leaking


def test_every_api_function_says_what_it_returns_and_returns_plain_data() -> None:
    unannotated, leaking = violations()
    assert unannotated == [], "api.py functions without a return annotation"
    assert sorted(set(leaking) - set(EXCEPTIONS)) == [], (
        "api.py functions that hand out models or querysets: return ids, dataclasses or dicts"
    )
    assert sorted(set(EXCEPTIONS) - set(leaking)) == [], (
        "no longer returns a model: strike it from EXCEPTIONS (the list only shrinks)"
    )


@pytest.mark.parametrize(
    ("hint", "leaks"),
    [
        (int, False),
        (list[dict[str, Any]], False),
        (int | None, False),
        (models.Model, True),
        (list[models.Model] | None, True),
        (list[models.Model], True),
        (dict[int, list[models.Model]], True),
    ],
)
def test_the_check_sees_a_model_anywhere_in_the_type(hint: Any, leaks: bool) -> None:
    assert _leaks(hint) is leaks
