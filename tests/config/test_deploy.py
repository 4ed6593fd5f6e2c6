"""Production settings pass Django's deployment checklist with the values of .env.example."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def env_example() -> dict[str, str]:
    """The assignments of .env.example (comments and commented-out defaults skipped)."""
    values: dict[str, str] = {}
    for raw in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, f"not KEY=value: {raw!r}"
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def run_check_deploy(**overrides: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT"}
    }
    env.update(env_example())
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        DATABASE_URL=DATABASE_URL,
        PYTHONPATH=os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
    )
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "-m", "config.cli", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def check_deploy() -> subprocess.CompletedProcess[str]:
    return run_check_deploy()


def test_env_example_names_the_required_variables() -> None:
    values = env_example()
    for name in ("SECRET_KEY", "BASE_DOMAIN", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"):
        assert values.get(name), name
    assert len(values["SECRET_KEY"]) >= 50


def test_prod_settings_raise_no_security_warnings(check_deploy) -> None:
    output = check_deploy.stdout + check_deploy.stderr
    assert "(security." not in output, output


def test_check_deploy_reports_no_issues(check_deploy) -> None:
    output = check_deploy.stdout + check_deploy.stderr
    assert check_deploy.returncode == 0, output
    assert "WARNINGS" not in output, output
    assert "System check identified some issues" not in output, output
    assert "System check identified no issues" in output, output


@pytest.mark.parametrize("missing", ["SECRET_KEY", "REDIS_URL", "EMAIL_URL", "DATABASE_URL"])
def test_prod_settings_refuse_to_start_without_a_required_variable(missing) -> None:
    env_without = {key: value for key, value in env_example().items() if key != missing}
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.prod"}
    if missing != "DATABASE_URL":
        env["DATABASE_URL"] = DATABASE_URL
    code = (
        "import os, sys\n"
        f"os.environ.pop({missing!r}, None)\n"
        "from django.conf import settings\n"
        "from django.core.exceptions import ImproperlyConfigured\n"
        "try:\n"
        "    settings.SECRET_KEY\n"
        "except ImproperlyConfigured as exc:\n"
        "    print('refused:', exc)\n"
        "    sys.exit(3)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "TMPDIR"}},
            **env_without,
            **env,
            "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3, result.stdout + result.stderr
    assert missing in result.stdout


def test_compose_file_runs_the_image_roles_with_healthchecks() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("postgres", "redis", "web", "worker"):
        assert "healthcheck" in services[name], name
    for name in ("web", "worker", "beat"):
        assert services[name]["command"] == [f"/app/deploy/entrypoints/{name}.sh"]
        assert (ROOT / "deploy" / "entrypoints" / f"{name}.sh").stat().st_mode & 0o111
        assert services[name]["env_file"] == ".env"
        for dependency in services[name]["depends_on"].values():
            assert dependency["condition"] == "service_healthy"


def test_entrypoints_are_valid_posix_shell() -> None:
    for script in sorted((ROOT / "deploy" / "entrypoints").glob("*.sh")):
        subprocess.run(["sh", "-n", str(script)], check=True)
