"""Guards of the project layout."""

import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]


def test_import_platform_is_the_standard_library_module() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import platform, sys; print(platform.__file__); print(platform.system())",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    assert out[0].startswith(sys.base_prefix) or "/lib/python3" in out[0]
    assert not out[0].startswith(str(ROOT))
    assert out[1] in {"Linux", "Darwin", "Windows"}
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_every_app_is_shared_or_tenant_and_dual_apps_are_declared() -> None:
    shared, tenant = set(settings.SHARED_APPS), set(settings.TENANT_APPS)
    assert shared & tenant == set(settings.DUAL_APPS)
    assert set(settings.INSTALLED_APPS) == shared | tenant


def test_every_project_app_has_an_explicit_label() -> None:
    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.split(".")[0] in {"accounts", "tenants", "regional", "schools"}:
            assert "label" in type(config).__dict__, config.name


def _imported_modules(path: Path) -> set[str]:
    import ast

    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_tenants_imports_nothing_from_the_apps_above_it() -> None:
    """Arrows point down: ``tenants`` (institutions) sits below ``schools`` and ``regional``;
    the demo that builds on all of them lives in ``seeding``, above every app."""
    offending = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in (ROOT / "tenants").rglob("*.py")
        for module in _imported_modules(path)
        if module.split(".")[0] in {"schools", "regional", "seeding"}
    }
    assert not offending, sorted(offending)
