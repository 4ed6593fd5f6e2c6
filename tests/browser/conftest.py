"""Browser tests: Playwright drives the system Chromium against a live server (a thread of
this process, on 127.0.0.1), real PostgreSQL, Redis and a Celery worker (a thread too).

Hosts: the regional layer is ``localhost`` and an institution ``<slug>.localhost`` (Chromium
resolves every ``*.localhost`` to the loopback), so BASE_DOMAIN is ``localhost`` here. These
tests commit their data (the server and the worker have their own connections) and remove it
afterwards. Chromium must be installed (Debian package ``chromium``): without it the tests
fail, they never skip."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.test import override_settings
from django.test.testcases import LiveServerThread
from django_tenants.utils import schema_context

from config.celery import app
from config.db import tenant_connection
from tests.conftest import wait_for

__all__ = ["wait_for"]  # the journeys import it from here

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
PASSWORD = "Nastavnik-Browser-2026!"

pytestmark = pytest.mark.browser


class Live:
    def __init__(self, port: int) -> None:
        self.port = port

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"


@pytest.fixture(scope="module")  # module: the settings below must not outlive the module
def live(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Live]:
    """The live server and the worker, with A and B reachable at alpha/beta.localhost."""
    from tenants.models import Domain

    tenants = django_db_setup
    with django_db_blocker.unblock():
        tenant_connection().set_schema_to_public()
        for institution in (tenants.a, tenants.b):
            Domain.objects.get_or_create(
                domain=f"{institution.slug}.localhost",
                defaults={"tenant": institution, "is_primary": False},
            )
        server = LiveServerThread("127.0.0.1", StaticFilesHandler)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        settings_override = override_settings(
            BASE_DOMAIN="localhost",
            ALLOWED_HOSTS=["localhost", ".localhost"],
            SITE_PORT=str(server.port),
            # every import goes through the worker, so that its progress bar shows
            IMPORTS_INLINE_MAX_BYTES=1,
            AXES_FAILURE_LIMIT=50,
        )
        settings_override.enable()
        try:
            with start_worker(
                app,
                pool="solo",
                perform_ping_check=False,
                loglevel="WARNING",
                shutdown_timeout=30,
            ):
                yield Live(server.port)
        finally:
            settings_override.disable()
            server.terminate()
            tenant_connection().set_schema_to_public()
            Domain.objects.filter(
                domain__in=[f"{i.slug}.localhost" for i in (tenants.a, tenants.b)]
            ).delete()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail(f"Chromium is not installed ({CHROMIUM}): apt-get install -y chromium")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are still synchronous. Only for this module.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def make_user_in(schema_name: str, role: str, username: str, **extra: Any) -> Any:
    from accounts.api import user_create

    with schema_context(schema_name):
        return user_create(username=username, role=role, password=PASSWORD, **extra)


def sign_in(page: Any, url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(url)
    page.get_by_label("Логин").fill(username)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Iterator[None]:
    """On a failure, keep a screenshot and the HTML of every open page for the post-mortem."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when != "call" or not report.failed:
        return
    browser = item.funcargs.get("browser")
    if browser is None:
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for c, ctx in enumerate(browser.contexts):
        for p, page in enumerate(ctx.pages):
            name = f"FAILED-{item.name}-{c}-{p}"
            try:
                page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
                (SCREENSHOTS / f"{name}.html").write_text(page.content())
            except Exception:
                continue
