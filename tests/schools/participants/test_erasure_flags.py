"""Erasure lets the consent register's append-only trigger through with a SET LOCAL flag that
Citus forwards to the worker node holding the institution (docs/scaling.md): never with
``set_config()``, which Citus does not forward, so erasure was refused on a distributed school."""

from __future__ import annotations

import pathlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from config.db import set_local
from schools.participants.models import Consent
from schools.participants.services import participant_erase
from tests import builders
from tests.conftest import SETUP
from tests.schools.participants.conftest import years_ago
from tests.schools.participants.test_consents_at_scale import roman

ROOT = pathlib.Path(__file__).resolve().parents[3]


@pytest.fixture
def in_a(tenant_a: Any) -> Iterator[Any]:
    with tenant_context(tenant_a):
        yield tenant_a


def _flag() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('nastavnik.consent_erasure', true)")
        return cursor.fetchone()[0]


def test_erasure_blanks_the_consent_with_set_local_flags_forwarded_to_citus(in_a):
    person = roman(last_name="Стиров", born=years_ago(12, days=10))
    consent = builders.consent(participant=person)

    with CaptureQueriesContext(connection) as queries:
        assert participant_erase(participant_id=person.pk, actor=SETUP)

    consent.refresh_from_db()
    assert consent.guardian_name == ""
    statements = [q["sql"] for q in queries.captured_queries]
    flags = [s for s in statements if "nastavnik.consent_erasure" in s]
    assert flags == [
        "SET LOCAL citus.propagate_set_commands = 'local'; "
        "SET LOCAL nastavnik.consent_erasure = 'on'",
        "SET LOCAL citus.propagate_set_commands = 'local'; "
        "SET LOCAL nastavnik.consent_erasure = 'off'",
    ]
    assert _flag() == "off"  # closed again inside the transaction


class _Rollback(Exception):
    pass


def test_the_flag_ends_with_the_transaction_and_the_register_stays_append_only(in_a):
    consent = builders.consent(participant=roman(last_name="Локалов", born=years_ago(12, days=10)))
    with pytest.raises(_Rollback), transaction.atomic():
        set_local("nastavnik.consent_erasure", "on")
        assert _flag() == "on"
        raise _Rollback
    assert _flag() in (None, "")  # transaction-scoped: never left on for the connection

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Consent.objects.filter(pk=consent.pk).update(guardian_name="")


def test_set_local_refuses_outside_a_transaction_and_a_bad_name():
    with pytest.raises(ValueError):
        set_local("nastavnik.x'; DROP TABLE y; --", "on")


def test_no_code_sets_a_flag_with_set_config():
    """Every flag a trigger reads goes through config.db.set_local. (The tenant lookup sets
    the search path with set_config in its one statement: that is not a flag.)"""
    flag_set = re.compile(r"set_config\(\s*(?!'search_path')")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("accounts", "platform", "regional", "schools", "seeding", "tenants")
        for path in (ROOT / folder).rglob("*.py")
        if flag_set.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
