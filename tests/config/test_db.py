"""``timestamptz`` loaded by psycopg's C loader (``config.db``) gives exactly the values Django's
own loader gives: the same instants, as ``datetime.timezone.utc`` date-times, which the pages
and the API then show in the institution's zone."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.utils import timezone
from psycopg.pq import Format

from config import db

TIMESTAMPTZ_OID = 1184

# Text as PostgreSQL receives it: whole seconds and microseconds, offsets east and west and a
# half-hour one, the change to and from summer time in a zone that had it, year 1, far future.
VALUES = [
    "2026-09-01 09:00:00+00",
    "2026-09-01 09:00:00.000001+03",
    "2026-03-01 23:59:59.999999-05",
    "2011-03-27 01:59:59+03",
    "2011-03-27 03:00:00+04",
    "2014-10-26 01:30:00+04",
    "2014-10-26 01:30:00+03",
    "2021-06-15 12:00:00+05:30",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
]


def _load(sql: str, params: list[str]) -> list[tuple[datetime.datetime | None, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _values_sql() -> str:
    return "SELECT v::timestamptz FROM unnest(%s::text[]) WITH ORDINALITY AS t(v, n) ORDER BY n"


@pytest.mark.django_db
def test_a_connection_loads_timestamptz_with_the_c_loader() -> None:
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    if db._c_timestamptz_loader() is None:
        pytest.skip("psycopg's C extension is not installed: Django's loader stays")
    assert loader is db._CTimestamptzLoader
    # Django's create_cursor compares it with the connection's zone: no loader per cursor
    assert loader.timezone == connection.timezone


@pytest.mark.django_db
def test_the_c_loader_gives_what_djangos_loader_gives() -> None:
    if db._c_timestamptz_loader() is None:
        pytest.skip("psycopg's C extension is not installed")
    ours = _load(_values_sql(), [VALUES])  # type: ignore[list-item]
    with connection.cursor() as cursor:
        register_tzloader(connection.timezone, cursor.cursor)  # Django's, on this cursor only
        cursor.execute(_values_sql(), [VALUES])
        djangos = list(cursor.fetchall())
    assert len(ours) == len(VALUES)
    assert ours == djangos
    for (mine,), (theirs,) in zip(ours, djangos, strict=True):
        assert mine is not None and theirs is not None
        assert mine.tzinfo is datetime.UTC
        assert mine.isoformat() == theirs.isoformat()


@pytest.mark.django_db
def test_times_are_shown_in_the_institutions_zone() -> None:
    ((value,),) = _load("SELECT %s::timestamptz", ["2026-09-01 06:30:00+00"])
    assert value == datetime.datetime(2026, 9, 1, 6, 30, tzinfo=datetime.UTC)
    moscow = timezone.localtime(value, ZoneInfo("Europe/Moscow"))
    assert (moscow.hour, moscow.minute, moscow.utcoffset()) == (9, 30, datetime.timedelta(hours=3))
    assert timezone.localtime(value, ZoneInfo("Asia/Yekaterinburg")).hour == 11


@pytest.mark.django_db
def test_a_session_in_another_zone_still_gives_the_same_instants() -> None:
    """Django's loader labels whatever the session's zone gives as UTC; the C loader reads the
    session's zone, so a statement that changed it still gets the right instants."""
    if db._c_timestamptz_loader() is None:
        pytest.skip("psycopg's C extension is not installed")
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'Europe/Moscow'")
    try:
        ((value,),) = _load("SELECT %s::timestamptz", ["2026-09-01 06:30:00+00"])
        assert value == datetime.datetime(2026, 9, 1, 6, 30, tzinfo=datetime.UTC)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")


def test_another_database_zone_keeps_djangos_loader() -> None:
    class Stub:
        vendor = "postgresql"
        timezone_name = "Europe/Moscow"
        timezone = ZoneInfo("Europe/Moscow")
        connection = None  # never reached

    db.use_c_timestamptz_loader(sender=None, connection=Stub())
