"""Schemathesis against a live server: every operation of both hosts, a few generated requests
each, signed in with every role's token in turn (and without one). A 5xx, a status code the
schema does not list, or a body or content type that contradicts the schema fails the test.

The run is bounded (``EXAMPLES`` per operation, no shrinking, a fixed seed) so that it stays a
small part of the suite; it prints its own time. It writes only into an institution made for
it (removed afterwards) and removes what it created in the public schema."""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import schemathesis
from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.db.models import Max
from django.test.testcases import LiveServerThread
from django_tenants.utils import schema_context
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import Role
from accounts.roles import PUBLIC as PUBLIC_ROLES
from accounts.roles import TENANT as TENANT_ROLES
from config.db import tenant_connection
from tenants.models import Institution
from tests.conftest import SETUP, _provision, make_user

# generated requests per operation and host (FUZZ_EXAMPLES=30 for a deeper run by hand)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Public-schema apps whose rows the run may create; removed afterwards (ids above the start).
PUBLIC_APPS = ("tenants", "employers", "questionnaires", "survey_results", "kpis", "practices")
# Operations left out, and why.
SKIPPED = {
    # Sign-in attempts with generated names would lock the run's own users out (django-axes);
    # the token endpoint has its own tests (tests/accounts).
    ("POST", "/api/v1/auth/token/"),
}


@dataclass
class Host:
    name: str
    tokens: list[str | None]
    schema: dict[str, Any] = field(default_factory=dict)


@dataclass
class Run:
    base_url: str
    hosts: list[Host]


def _public_high_water() -> dict[Any, int]:
    marks = {}
    for model in apps.get_models():
        if model._meta.app_label in PUBLIC_APPS:
            marks[model] = model._default_manager.aggregate(top=Max("pk"))["top"] or 0
    return marks


def _remove_public_rows(marks: dict[Any, int]) -> None:
    from tenants.models import Institution

    for institution in Institution.objects.filter(pk__gt=marks.get(Institution, 0)):
        institution.delete(force_drop=True)
    for _attempt in range(3):  # protected foreign keys: the referring rows go first
        left = False
        for model, top in marks.items():
            try:
                model._default_manager.filter(pk__gt=top).delete()
            except Exception:
                left = True
        if not left:
            return


def _tokens(schema_name: str, roles: Any) -> list[str | None]:
    from rest_framework.authtoken.models import Token

    tokens: list[str | None] = [None]  # anonymous too
    with schema_context(schema_name):
        for role in sorted(roles):
            user = make_user(schema_name, role, f"fuzz-{role}")
            if role == Role.EMPLOYER:
                from regional.employers import services as employer_services

                employer = employer_services.employer_create(
                    name="ООО «Фаззинг»", inn="7707083893", actor=SETUP
                )
                employer_services.employer_member_add(employer=employer, user=user, actor=SETUP)
            tokens.append(Token.objects.create(user=user).key)
    return tokens


@pytest.fixture(scope="module")
def run(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Run]:
    tenants = django_db_setup
    with django_db_blocker.unblock():
        tenant_connection().set_schema_to_public()
        marks = _public_high_water()
        # generated requests may archive or suspend the shared institutions: put them back after
        statuses = dict(Institution.objects.values_list("pk", "status"))
        fuzz = _provision("fuzz", "Школа для фаззинга", tenants.municipality)
        public_tokens = _tokens("public", PUBLIC_ROLES)
        tenant_tokens = _tokens(fuzz.schema_name, TENANT_ROLES)
        server = LiveServerThread("127.0.0.1", StaticFilesHandler)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        try:
            base_url = f"http://127.0.0.1:{server.port}"
            hosts = [Host(settings.BASE_DOMAIN, public_tokens), Host(fuzz.host, tenant_tokens)]
            for host in hosts:
                response = requests.get(
                    f"{base_url}/api/schema/?format=json", headers={"Host": host.name}, timeout=60
                )
                assert response.status_code == 200, response.text[:500]
                host.schema = response.json()
            yield Run(base_url, hosts)
        finally:
            server.terminate()
            # tasks the generated requests enqueued (no worker ran): never left for a later
            # module's worker to pick up
            from config.celery import app

            app.control.purge()
            tenant_connection().set_schema_to_public()
            _remove_public_rows(marks)
            for pk, status in statuses.items():
                Institution.objects.filter(pk=pk).exclude(status=status).update(status=status)
            fuzz.delete(force_drop=True)
            from rest_framework.authtoken.models import Token

            Token.objects.filter(user__username__startswith="fuzz-").delete()
            apps.get_model("accounts", "User").objects.filter(username__startswith="fuzz-").delete()


def _fuzz(run: Run, host: Host) -> tuple[list[str], int, int]:
    schema = schemathesis.openapi.from_dict(host.schema)
    session = requests.Session()
    tokens = itertools.cycle(host.tokens)
    failures: list[str] = []
    refused_by_server: list[str] = []
    requests_sent = operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an invalid schema fails here
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        operations += 1

        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            nonlocal requests_sent
            token = next(tokens)
            headers = {"Host": host.name}
            if token:
                headers["Authorization"] = f"Token {token}"
            try:
                response = case.call(base_url=run.base_url, session=session, headers=headers)
            except requests.exceptions.ConnectionError:
                # A request line the test server's own HTTP parser (http.server) cannot read
                # gets an HTTP/0.9 error page: refused before reaching the application, as
                # gunicorn and nginx refuse it with a 400.
                refused_by_server.append(f"{case.method} {case.formatted_path}")
                return
            requests_sent += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (Exception, BaseExceptionGroup) as exc:  # schemathesis: a FailureGroup
                failures.append(
                    f"{case.method.upper()} {case.path} -> {response.status_code} "
                    f"({'token' if token else 'anonymous'}): {str(exc).strip()[:400]}"
                )

        check()
    # the server's HTTP parser refusing a request is rare and never the rule
    assert len(refused_by_server) <= max(3, requests_sent // 100), refused_by_server
    return failures, requests_sent, operations


def test_no_server_error_and_no_schema_violation_on_either_host(run: Run, capsys: Any) -> None:
    failures: list[str] = []
    for host in run.hosts:
        started = time.perf_counter()
        found, sent, operations = _fuzz(run, host)
        failures.extend(found)
        with capsys.disabled():
            print(
                f"\nschemathesis {host.name}: {operations} operations, {sent} requests, "
                f"{len(found)} failures, {time.perf_counter() - started:.1f} s"
            )
    assert not failures, "\n".join(failures)
