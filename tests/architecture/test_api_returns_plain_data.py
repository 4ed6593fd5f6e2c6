"""Apps talk through each other's ``api.py``, and an ``api.py`` hands out plain data: ids,
numbers, strings, dataclasses, dicts and lists of them — never a model instance, a queryset or
a manager, which would let the caller read (and write) the other app's tables behind its back.

Every public function of every ``api.py`` (defined there, or re-exported in its ``__all__``)
must say what it returns, and that type must not name a model or a queryset. The exceptions
below are named with their reason and may only shrink: the test also fails when a listed
function has become plain."""

from __future__ import annotations

import ast
import dataclasses
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
EXCEPTIONS: dict[str, str] = {}

# "module.Name": a model class an api.py still exports in ``__all__`` (its manager is a
# queryset by another name), with the reason. The list may only shrink.
MODEL_CLASS_EXCEPTIONS: dict[str, str] = {}


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


def _is_model_type(value: Any) -> bool:
    return isinstance(value, type) and issubclass(
        value, models.Model | models.QuerySet | models.Manager
    )


def _record_fields(hint: Any) -> dict[str, Any]:
    """The field types of a dataclass, a TypedDict or a NamedTuple (else nothing)."""
    if isinstance(hint, type) and (
        dataclasses.is_dataclass(hint)
        or typing.is_typeddict(hint)
        or (issubclass(hint, tuple) and hasattr(hint, "_fields"))
    ):
        return typing.get_type_hints(hint)
    return {}


def _leaks(hint: Any, seen: frozenset[Any] = frozenset()) -> bool:
    """Whether the type names a model, a queryset or a manager anywhere inside (the fields of
    a dataclass, a TypedDict or a NamedTuple included)."""
    if _is_model_type(hint):
        return True
    if isinstance(hint, list):  # the parameters of a Callable
        return any(_leaks(item, seen) for item in hint)
    fields = _record_fields(hint)
    if fields:
        if hint in seen:  # a recursive record: its fields are being looked at
            return False
        if any(_leaks(field, seen | {hint}) for field in fields.values()):
            return True
    origin = typing.get_origin(hint)
    if origin is not None and _leaks(origin, seen):
        return True
    return any(_leaks(arg, seen) for arg in typing.get_args(hint) if arg is not Ellipsis)


def _says_nothing(hint: Any) -> bool:
    """``Any`` or ``object`` as the returned type (or one of its alternatives): a model would
    pass unseen. Inside a container (``dict[str, Any]``) it stands for plain values."""
    if hint is Any or hint is object:
        return True
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return any(_says_nothing(arg) for arg in typing.get_args(hint))
    return False


def returns_model(function: Callable[..., Any]) -> bool:
    hint = typing.get_type_hints(function)["return"]
    return _says_nothing(hint) or _leaks(hint)


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


def exported_model_classes() -> list[str]:
    found = []
    for module_name in api_modules():
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            if _is_model_type(getattr(module, name, None)):
                found.append(f"{module_name}.{name}")
    return found


def test_no_api_exports_a_model_class() -> None:
    exported = exported_model_classes()
    assert sorted(set(exported) - set(MODEL_CLASS_EXCEPTIONS)) == [], (
        "api.py exports a model class: hand out plain data through functions instead"
    )
    assert sorted(set(MODEL_CLASS_EXCEPTIONS) - set(exported)) == [], (
        "no longer exported: strike it from MODEL_CLASS_EXCEPTIONS (the list only shrinks)"
    )


@dataclasses.dataclass(frozen=True)
class _Plain:
    id: int
    names: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class _Wrapping:
    id: int
    row: models.Model


class _Row(typing.TypedDict):
    id: int
    owner: models.Model | None


@dataclasses.dataclass(frozen=True)
class _Tree:
    id: int
    children: tuple[_Tree, ...]


@pytest.mark.parametrize(
    ("hint", "leaks"),
    [
        (int, False),
        (list[dict[str, Any]], False),
        (int | None, False),
        (Callable[..., list[int]], False),
        (Callable[[models.Model], int], True),
        (_Plain | None, False),
        (_Tree, False),
        (models.Model, True),
        (list[models.Model] | None, True),
        (list[models.Model], True),
        (dict[int, list[models.Model]], True),
        (models.QuerySet, True),
        (_Wrapping, True),
        (list[_Wrapping], True),
        (_Row, True),
    ],
)
def test_the_check_sees_a_model_anywhere_in_the_type(hint: Any, leaks: bool) -> None:
    assert _leaks(hint) is leaks


def _returns_any() -> Any:
    return None


def _returns_object_or_none() -> object | None:
    return None


def _returns_rows() -> list[dict[str, Any]]:
    return []


def test_a_return_type_that_says_nothing_counts_as_a_model() -> None:
    assert returns_model(_returns_any) and returns_model(_returns_object_or_none)
    assert not returns_model(_returns_rows)


# Where code outside an app still reaches a model class through the app's ``api.py`` (imported
# there for the app's own use, exported or not): "importing module: api module.Name", with the
# reason. The list may only shrink.
MODEL_USE_EXCEPTIONS: dict[str, str] = {}

SCANNED = (*PACKAGES, "seeding", "bench")


def _api_names_used(tree: ast.Module, api_names: set[str]) -> Iterator[tuple[str, str]]:
    """(api module, name) for each ``from x.api import Name`` and each ``alias.Name`` where
    ``alias`` is bound by ``from x import api as alias`` / ``import x.api as alias``."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module in api_names:
                for alias in node.names:
                    yield node.module, alias.name
            for alias in node.names:
                if f"{node.module}.{alias.name}" in api_names:
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in api_names and alias.asname:
                    aliases[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ):
            yield aliases[node.value.id], node.attr


def model_uses() -> list[str]:
    modules = {name: importlib.import_module(name) for name in api_modules()}
    found = set()
    for package in SCANNED:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            module_name = ".".join(parts)
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for api_name, name in _api_names_used(tree, set(modules)):
                if module_name.startswith(api_name.rsplit(".", 1)[0] + "."):
                    continue  # the app itself
                if _is_model_type(getattr(modules[api_name], name, None)):
                    found.add(f"{module_name}: {api_name}.{name}")
    return sorted(found)


def test_no_other_app_reaches_a_model_through_an_api() -> None:
    """``__all__`` is what an api.py offers, but its module still holds the models it imported
    for itself: ``from x.api import Model`` or ``x_api.Model`` outside the app is caught here."""
    used = model_uses()
    assert sorted(set(used) - set(MODEL_USE_EXCEPTIONS)) == [], (
        "a model class reached through another app's api.py: ask for plain data instead"
    )
    assert sorted(set(MODEL_USE_EXCEPTIONS) - set(used)) == [], (
        "no longer used: strike it from MODEL_USE_EXCEPTIONS (the list only shrinks)"
    )
