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
    """`check --deploy` with .env.example's values and a real random secret."""
    import secrets

    return run_check_deploy(SECRET_KEY=secrets.token_urlsafe(50))


@pytest.mark.parametrize(
    "secret",
    [
        None,  # .env.example's own placeholder
        "dev-insecure-secret-key-change-me",
        "test-secret-key-not-for-production",
        "CHANGE-ME-please-0123456789abcdefghijklmnopqrstuvwxyz-0123456789",
    ],
)
def test_check_deploy_fails_on_a_known_placeholder_secret(secret) -> None:
    result = run_check_deploy(**({} if secret is None else {"SECRET_KEY": secret}))
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "SECRET_KEY is a placeholder" in output


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
    if missing != "SECRET_KEY":
        env["SECRET_KEY"] = "a-real-random-secret-" + "x7Kq" * 10
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
    assert {"proxy", "postgres", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("proxy", "postgres", "redis", "web", "worker"):
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


def test_compose_publishes_only_the_proxy_and_the_web_believes_only_it() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    proxy_address = services["proxy"]["networks"]["internal"]["ipv4_address"]
    web_env = services["web"]["environment"]
    assert web_env["FORWARDED_ALLOW_IPS"] == proxy_address
    assert web_env["TRUSTED_PROXIES"] == proxy_address == "${PROXY_ADDRESS:-172.30.0.10}"
    template = services["proxy"]["volumes"][0].split(":")[0]
    assert (ROOT / template).is_file()


def test_the_proxy_replaces_forwarded_headers_and_limits_bodies() -> None:
    conf = (ROOT / "deploy" / "nginx" / "nastavnik.conf.template").read_text(encoding="utf-8")
    directives = [line.strip() for line in conf.splitlines() if not line.strip().startswith("#")]
    # the client's own X-Forwarded-For is replaced, never appended to
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in directives
    assert not any("$proxy_add_x_forwarded_for" in line for line in directives)
    assert "proxy_set_header X-Forwarded-Proto https;" in directives
    assert "client_max_body_size 21m;" in directives
    assert any(line.startswith("proxy_read_timeout") for line in directives)
    assert any(line.startswith("client_body_timeout") for line in directives)


def test_gunicorn_never_believes_every_peer() -> None:
    script = (ROOT / "deploy" / "entrypoints" / "web.sh").read_text(encoding="utf-8")
    assert '--forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}"' in script
    assert "FORWARDED_ALLOW_IPS:-*" not in script


def test_prod_trusts_the_shipped_proxy_only() -> None:
    code = "from django.conf import settings; print(settings.TRUSTED_PROXIES)"
    env = {
        **{k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "TMPDIR"}},
        **env_example(),
        "SECRET_KEY": "a-real-random-secret-" + "x7Kq" * 10,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DATABASE_URL": DATABASE_URL,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "['172.30.0.10']", result.stderr
