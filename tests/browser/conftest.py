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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.test import override_settings
from django.test.testcases import LiveServerThread
from django_tenants.utils import schema_context, schema_exists

from config.celery import app
from config.db import tenant_connection
from tests.conftest import SETUP, wait_for

__all__ = ["wait_for"]  # the journeys import it from here

P = ParamSpec("P")
T = TypeVar("T")

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
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

pytestmark = pytest.mark.browser


class Live:
    def __init__(self, port: int, worker: Any = None) -> None:
        self.port = port
        self.worker = worker

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"


# package: one server, one worker and one Chromium for all the journeys of tests/browser (each
# module started its own: seconds per module); the settings below end with the package.
@pytest.fixture(scope="package")
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
                # a task still running at teardown (the NER model loading, say) may take long
                # on a loaded machine: the worker waits for it rather than failing the test
                shutdown_timeout=120,
            ) as package_worker:
                yield Live(server.port, package_worker)
        finally:
            settings_override.disable()
            server.terminate()
            tenant_connection().set_schema_to_public()
            Domain.objects.filter(
                domain__in=[f"{i.slug}.localhost" for i in (tenants.a, tenants.b)]
            ).delete()


@pytest.fixture
def worker(live: Live) -> Any:
    """Here the package's worker (tests/conftest.py's would be a second one in this process:
    stopping it stops every embedded worker, Celery's stop flag being process-wide)."""
    return live.worker


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail(f"Chromium is not installed ({CHROMIUM}): apt-get install -y chromium")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are still synchronous. Only for this package.
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
    from accounts.services import user_create

    with schema_context(schema_name):
        return user_create(username=username, role=role, password=PASSWORD, actor=SETUP, **extra)


def sign_in(page: Any, url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(url)
    page.get_by_label("Логин").fill(username)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()


# --- a journey's own institution ------------------------------------------------------------


class JourneySchool:
    """The set-up most journeys share: an institution of their own at ``<slug>.localhost``
    (provisioned like a real one), its users and programme made through the services, its
    participants by ``tests.builders`` in its schema (``make``), browser contexts for its users;
    ``journey_school`` removes all of it afterwards."""

    def __init__(self, live: Live, browser: Any, institution: Any) -> None:
        self.live = live
        self.browser = browser
        self.institution = institution
        self.slug: str = institution.slug
        self.schema_name: str = institution.schema_name
        self.host = f"{self.slug}.localhost"
        self.contexts: list[Any] = []
        self._named: dict[str, Any] = {}

    def url(self, path: str = "/") -> str:
        return self.live.url(self.host, path)

    def user(self, role: str, username: str, **extra: Any) -> Any:
        return make_user_in(self.schema_name, role, username, **extra)

    def programme(self, title: str, **extra: Any) -> Any:
        """The programme of the current academic year."""
        from schools.programmes.selectors import current_academic_year
        from schools.programmes.services import programme_create

        with schema_context(self.schema_name):
            return programme_create(
                actor=SETUP, academic_year=current_academic_year(), title=title, **extra
            )

    def make(self, builder: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """What ``builder`` (one of ``tests.builders``, say ``builders.person``) makes, made in
        this institution's schema."""
        with schema_context(self.schema_name):
            return builder(*args, **kwargs)

    def context(
        self, *, phone: bool = False, language: str = "ru", timeout: int = 20_000, **extra: Any
    ) -> Any:
        """A browser context (closed with the journey); ``language="en"`` sets the language
        cookie as the switch does."""
        ctx = self.browser.new_context(
            locale="en-US" if language == "en" else "ru-RU",
            viewport=PHONE if phone else DESKTOP,
            **extra,
        )
        ctx.set_default_timeout(timeout)
        if language == "en":
            ctx.add_cookies([{"name": "django_language", "value": "en", "url": self.url()}])
        self.contexts.append(ctx)
        return ctx

    def context_of(self, name: str) -> Any:
        """The one desktop context of ``name`` (a person of the journey), made on first use."""
        if name not in self._named:
            self._named[name] = self.context()
        return self._named[name]

    def page_of(self, username: str, *, phone: bool = False, language: str = "ru") -> Any:
        """A page signed in as ``username`` (the sign-out form is there: in the menu on a
        phone)."""
        page = self.context(phone=phone, language=language).new_page()
        page.goto(self.url("/accounts/login/"))
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.get_by_role("button", name="Sign in" if language == "en" else "Войти").click()
        page.locator("form[action='/accounts/logout/']").wait_for(state="attached")
        return page


@contextmanager
def journey_school(
    live: Live,
    browser: Any,
    django_db_blocker: Any,
    *,
    slug: str,
    name: str,
    short_name: str = "",
) -> Iterator[JourneySchool]:
    """An institution of the journey's own, removed (schema, domains, row) with its browser
    contexts afterwards, whatever happened."""
    from tenants import services
    from tenants.models import Domain, Institution, Municipality
    from tenants.schemas import drop_schema

    with django_db_blocker.unblock():
        tenant_connection().set_schema_to_public()
        municipality = Municipality.objects.get_or_create(name="Тестовый муниципалитет")[0]
        institution = services.institution_create(
            actor=SETUP,
            name=name,
            short_name=short_name or name,
            kind="school",
            municipality_id=municipality.pk,
            slug=slug,
            coordinator_email="",
        )
        school: JourneySchool | None = None
        try:
            provisioned = services.institution_provision(institution_id=institution.pk)
            assert provisioned is not None
            Domain.objects.get_or_create(
                domain=f"{slug}.localhost", defaults={"tenant": provisioned, "is_primary": False}
            )
            school = JourneySchool(live, browser, provisioned)
            yield school
        finally:
            for ctx in school.contexts if school is not None else []:
                ctx.close()
            tenant_connection().set_schema_to_public()
            for made in Institution.objects.filter(slug=slug):
                if schema_exists(made.schema_name):
                    drop_schema(made.schema_name)
                made.domains.all().delete()
                made.delete()


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
