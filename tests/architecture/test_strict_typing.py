"""The access layer, the services and the selectors are typed strictly (#11 item 8).

mypy's configuration in ``pyproject.toml`` is read with mypy's own parser, and the options mypy
would apply to each module are asked of it (``clone_for_module``: the patterns and their
precedence as mypy resolves them). Every ``access``, ``services`` and ``selectors`` module of
the apps must get each flag of ``--strict`` that mypy allows per module, unless it is listed in
``NOT_YET_STRICT``; that list may only shrink: a module relaxed in ``pyproject.toml`` and not
listed fails, and so does a listed module that has become strict (or is gone)."""

from __future__ import annotations

import io
from pathlib import Path

from mypy.config_parser import parse_config_file
from mypy.options import Options

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("accounts", "tenants", "regional", "schools")
KINDS = ("access", "services", "selectors")

# The per-module flags of ``mypy --strict`` and their strict values, as mypy's options name
# them (``no_implicit_reexport = true`` is ``implicit_reexport`` off). The global ones,
# check_untyped_defs and warn_unused_ignores, are on for the whole project.
STRICT_FLAGS = {
    "disallow_any_generics": True,
    "disallow_subclassing_any": True,
    "disallow_untyped_calls": True,
    "disallow_untyped_defs": True,
    "disallow_incomplete_defs": True,
    "disallow_untyped_decorators": True,
    "warn_return_any": True,
    "implicit_reexport": False,
    "strict_equality": True,
    "extra_checks": True,
}

# Modules that may still be checked less strictly, each until it is made strict-clean. Frozen:
# a module leaves this list, none joins it. Empty since every module passed (#11).
NOT_YET_STRICT: frozenset[str] = frozenset()


def _layer_modules() -> list[str]:
    found = []
    for package in PACKAGES:
        for kind in KINDS:
            for path in sorted((ROOT / package).glob(f"**/{kind}.py")):
                found.append(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return found


def _options() -> Options:
    options = Options()
    errors = io.StringIO()
    parse_config_file(options, lambda: None, str(ROOT / "pyproject.toml"), io.StringIO(), errors)
    assert not errors.getvalue(), errors.getvalue()
    return options


def _relaxed(options: Options, module: str) -> list[str]:
    effective = options.clone_for_module(module)
    return [flag for flag, strict in STRICT_FLAGS.items() if getattr(effective, flag) != strict]


def test_the_layer_modules_are_found() -> None:
    modules = _layer_modules()
    assert {"accounts.access", "tenants.services", "schools.pairs.selectors"} <= set(modules)
    assert "regional.employers.access" in modules


def test_every_access_services_and_selectors_module_is_strict() -> None:
    options = _options()
    loose = {
        module: flags
        for module in _layer_modules()
        if module not in NOT_YET_STRICT and (flags := _relaxed(options, module))
    }
    assert not loose, (
        f"Not checked strictly (add them to the strict patterns of pyproject.toml and make them "
        f"strict-clean; the list of exceptions may not grow): {loose}"
    )


def test_the_list_of_modules_not_yet_strict_only_shrinks() -> None:
    options = _options()
    modules = set(_layer_modules())
    stale = sorted(m for m in NOT_YET_STRICT if m not in modules or not _relaxed(options, m))
    assert not stale, f"Strict now (or gone): remove them from NOT_YET_STRICT: {stale}"


def test_a_module_outside_the_layer_is_not_made_strict_by_accident() -> None:
    """The check above can fail: mypy's defaults are not strict."""
    assert _relaxed(_options(), "schools.pairs.models") == list(STRICT_FLAGS)
