"""Test fixtures: real PostgreSQL and Redis; institutions created once per test session.

Two institutions (A and B) are provisioned by cloning the template when the test database is
made, and reused by every test (creating a schema per test costs seconds). Tests run inside a
transaction that is rolled back, so what a test writes in A or B disappears after it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from accounts.actor import Actor
from accounts.models import Role, User
from config.db import tenant_connection
from tenants.models import Institution, Municipality

PASSWORD = "Nastavnik-Test-2026!"
# The actor of a test's setup (data built before the behaviour under test): a named system job.
SETUP = Actor.system("test-setup")


@dataclass(frozen=True)
class Tenants:
    a: Institution
    b: Institution
    municipality: Municipality


def _provision(slug: str, name: str, municipality: Municipality) -> Institution:
    from tenants import services

    institution = services.institution_create(
        actor=SETUP,
        name=name,
        short_name=name,
        kind="school",
        municipality_id=municipality.pk,
        slug=slug,
        coordinator_email="",
    )
    provisioned = services.institution_provision(institution_id=institution.pk)
    if provisioned is None:
        raise RuntimeError(f"Test institution {slug!r} vanished before it was provisioned")
    return provisioned


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment: None, django_db_blocker: Any) -> Iterator[Tenants]:
    """The test database, always (also for tests that commit and use no ``db`` fixture),
    with institutions A and B provisioned once."""
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        db_cfg = setup_databases(
            verbosity=0,
            interactive=False,
            aliases={"default"},  # type: ignore[arg-type]  # a set works: Django only tests `in`
        )
        assert connection.settings_dict["NAME"].startswith("test_"), "not the test database"
        tenant_connection().set_schema_to_public()
        municipality, _ = Municipality.objects.get_or_create(name="Тестовый муниципалитет")
        a = _provision("alpha", "Школа Альфа", municipality)
        b = _provision("beta", "Школа Бета", municipality)
    yield Tenants(a=a, b=b, municipality=municipality)
    with django_db_blocker.unblock():
        tenant_connection().set_schema_to_public()
        _close_other_sessions()
        teardown_databases(db_cfg, verbosity=0)


def _close_other_sessions() -> None:
    """Threads of live servers and workers may leave a connection to the test database behind;
    it can only be dropped without them. Done once, at the very end: a test's own code may hold
    more than one connection (Playwright's greenlets), so no session is closed under a module."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(scope="session")
def tenants(django_db_setup: Tenants) -> Tenants:
    return django_db_setup


@pytest.fixture(autouse=True)
def _mailed_links_lead_somewhere() -> Iterator[None]:
    """After each test, every link in every letter it sent (the letters in Django's outbox
    that were not there before it) names a host of the platform and a path that host serves
    (``tests/mailed_links.py``)."""
    from django.core import mail

    before = {id(message) for message in getattr(mail, "outbox", [])}
    yield
    from tests.mailed_links import mailed_link_problems

    sent = [m for m in getattr(mail, "outbox", []) if id(m) not in before]
    problems = mailed_link_problems(sent)
    assert not problems, "links in letters that lead nowhere:\n" + "\n".join(problems)


@pytest.fixture(autouse=True)
def _public_schema_between_tests() -> Iterator[None]:
    yield
    tenant_connection().set_schema_to_public()
    # A page request leaves its language active in this thread (LocaleMiddleware never
    # deactivates it): the next test would read Russian where it expects the msgids.
    translation.activate(settings.LANGUAGE_CODE)
    # A test's writes are rolled back, not committed: nothing announces them. What this
    # process kept under the versions it read (config.dataversion) must not outlive the test.
    from config import dataversion

    if dataversion.schemas_read():
        dataversion.bump(dataversion.schemas_read())
        dataversion.schemas_read().clear()


@pytest.fixture
def tenant_a(tenants: Tenants, db: None) -> Institution:
    return tenants.a


@pytest.fixture
def tenant_b(tenants: Tenants, db: None) -> Institution:
    return tenants.b


def make_user(schema_name: str, role: str, username: str | None = None, **extra: Any) -> User:
    from accounts.services import user_create

    with schema_context(schema_name):
        return user_create(
            username=username or f"{role}-{User.objects.count() + 1}",
            role=role,
            password=PASSWORD,
            email=extra.pop("email", f"{role}@example.com"),
            actor=SETUP,
            **extra,
        )


def api_client(host: str, user: User | None = None, schema_name: str | None = None) -> APIClient:
    """An API client on ``host``, signed in as ``user`` through a real session of that schema."""
    client = APIClient(HTTP_HOST=host)
    if user is not None:
        with schema_context(schema_name or "public"):
            client.force_login(user, backend="accounts.backends.InstitutionAwareBackend")
    return client


@pytest.fixture
def user_in() -> Callable[..., User]:
    return make_user


@pytest.fixture
def client_for() -> Callable[..., APIClient]:
    def _client(institution: Institution | None, user: User | None = None) -> APIClient:
        if institution is None:
            return api_client(settings.BASE_DOMAIN, user, "public")
        return api_client(institution.host, user, institution.schema_name)

    return _client


@pytest.fixture
def regional_admin(db: None) -> User:
    return make_user("public", Role.REGIONAL_ADMIN, "regional-admin")


@pytest.fixture
def regional_staff(db: None) -> User:
    return make_user("public", Role.REGIONAL_STAFF, "regional-staff")


def wait_for(predicate: Callable[[], Any], timeout: float = 60.0) -> Any:
    """Poll ``predicate`` until it returns something truthy (work done by another thread or
    process: a worker, a live server); fail after ``timeout`` seconds."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


@pytest.fixture(scope="module")
def worker(django_db_setup: Tenants, django_db_blocker: Any) -> Iterator[Any]:
    """A real Celery worker (a thread of this process) on the test database and Redis."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    with (
        django_db_blocker.unblock(),
        start_worker(
            app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30
        ) as w,
    ):
        yield w


@pytest.fixture
def committed(django_db_blocker: Any) -> Iterator[None]:
    """The test writes for real (a worker or a server reads it on its own connection); it
    removes what it made itself."""
    with django_db_blocker.unblock():
        yield
        tenant_connection().set_schema_to_public()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts in the settings' language: a page request of an earlier test leaves
    its language active in this thread (LocaleMiddleware activates, nothing deactivates), and a
    message made later would be Russian in a test that expects the English msgid."""
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture
def announced(
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[Any]],
) -> Callable[[], AbstractContextManager[None]]:
    """``with announced(): ...``: the block's writes as if committed — their on-commit callbacks
    run and their schemas' data versions change (``config.dataversion.announce``, what a
    commit does). A test's own transaction never commits: without this, what is kept under
    the versions is neither read nor filled after its writes."""
    from config import dataversion

    @contextmanager
    def _committed() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield
        dataversion.announce()

    return _committed
