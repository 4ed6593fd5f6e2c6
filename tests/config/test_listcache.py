"""The API lists kept rendered under the school's data version (``config.api.listcache``).

What a client relies on: a second read of the same list is the same answer without reading
the rows again; a committed change shows on the next read; a change not committed yet is
never kept; every user, school, page and filter has its own answer; a session's reads are
not kept; an entry is never older than ``FRESH_SECONDS``.

A test's writes are "committed" by ``announced()``: it runs their on-commit callbacks and
announces them as a commit does (``dataversion.announce``); the transaction of the test itself
is rolled back at its end, and until then the test's connection holds writes no other
connection sees (so nothing is kept, as after any uncommitted write)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from accounts.services import api_token_issue
from config import dataversion
from config.api import listcache
from schools.participants import services as participant_services
from tests import builders
from tests.conftest import SETUP, api_client, make_user

Commit = Callable[..., AbstractContextManager[Any]]


def _token_client(institution: Any, user: Any) -> APIClient:
    with schema_context(institution.schema_name):
        token = api_token_issue(user=user)
    return APIClient(
        HTTP_HOST=institution.host,
        HTTP_AUTHORIZATION=f"Token {token.key}",
        HTTP_ACCEPT="application/json",
    )


class School:
    def __init__(self, institution: Any) -> None:
        self.institution = institution
        schema = institution.schema_name
        self.coordinator = make_user(schema, "coordinator", "cache-coordinator")
        self.curator = make_user(schema, "curator", "cache-curator")
        with schema_context(schema):
            self.group = participant_services.study_group_create(
                name="7Б", curator_id=self.curator.pk, actor=SETUP
            )
            builders.person(
                names="Ёлкина Алёна Сергеевна",
                category="pupil",
                grade=7,
                class_letter="Б",
                study_group_id=self.group.pk,
            )
            builders.person(names="Петров Пётр", middle_name="", category="pupil", grade=9)
            builders.person(names="Семёнова Ольга Викторовна", category="teacher")


@pytest.fixture
def school(tenant_a: Any, announced: Commit) -> Iterator[School]:
    with announced():
        made = School(tenant_a)
    yield made


def _names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    return sorted(row["full_name"] for row in response.json()["results"])


def _reads_rows(client: APIClient, path: str = "/api/v1/participants/") -> tuple[Any, bool]:
    """The answer, and whether the request read the participants' table."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response, any("participants_participant" in q["sql"] for q in queries)


def test_a_second_read_is_the_same_answer_without_the_rows(
    school: School, announced: Commit
) -> None:
    with announced():
        client = _token_client(school.institution, school.coordinator)
    first, first_read = _reads_rows(client)
    second, second_read = _reads_rows(client)
    assert first_read and not second_read
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"] == "application/json"
    assert len(_names(second)) == 3


def test_a_committed_change_shows_on_the_next_read(school: School, announced: Commit) -> None:
    with announced():
        client = _token_client(school.institution, school.coordinator)
    assert "Новикова Яна Игоревна" not in _names(client.get("/api/v1/participants/"))
    with (
        announced(),
        schema_context(school.institution.schema_name),
    ):
        builders.person(names="Новикова Яна Игоревна", category="pupil", grade=5)
    response, read = _reads_rows(client)
    assert read and "Новикова Яна Игоревна" in _names(response)
    # a change through the API itself (its own transaction, committed)
    with announced():
        created = client.post(
            "/api/v1/participants/",
            {"last_name": "Зуев", "first_name": "Илья", "category": "teacher"},
            format="json",
        )
    assert created.status_code == 201, created.content[:300]
    assert "Зуев Илья" in _names(client.get("/api/v1/participants/"))


def test_an_uncommitted_write_is_read_fresh_and_not_kept(school: School, announced: Commit) -> None:
    with announced():
        client = _token_client(school.institution, school.coordinator)
    client.get("/api/v1/participants/")  # kept
    with schema_context(school.institution.schema_name):
        builders.person(names="Орлов Глеб Ильич", category="teacher")  # not committed
        assert not dataversion.cacheable()
    response, read = _reads_rows(client)
    assert read and "Орлов Глеб Ильич" in _names(response)
    again, read_again = _reads_rows(client)
    assert read_again and again.content == response.content


def test_each_user_page_and_filter_has_its_own_answer(school: School, announced: Commit) -> None:
    with announced():
        coordinator = _token_client(school.institution, school.coordinator)
        curator = _token_client(school.institution, school.curator)
    everyone = _names(coordinator.get("/api/v1/participants/"))
    assert len(everyone) == 3
    for _ in range(2):  # the second read of each comes from the cache
        assert _names(curator.get("/api/v1/participants/")) == ["Ёлкина Алёна Сергеевна"]
        assert _names(coordinator.get("/api/v1/participants/")) == everyone
        assert _names(coordinator.get("/api/v1/participants/?category=teacher")) == [
            "Семёнова Ольга Викторовна"
        ]
        page = coordinator.get("/api/v1/participants/?page_size=1&page=2").json()
        assert page["count"] == 3 and len(page["results"]) == 1
        assert "page=3" in page["next"]


def test_another_schools_reads_are_its_own(
    school: School,
    tenant_b: Any,
    announced: Commit,
) -> None:
    with announced():
        other = make_user(tenant_b.schema_name, "coordinator", "cache-coordinator-b")
        with schema_context(tenant_b.schema_name):
            builders.person(names="Бетова Бета Бетовна", category="teacher")
        ours = _token_client(school.institution, school.coordinator)
        theirs = _token_client(tenant_b, other)
    for _ in range(2):
        assert "Бетова Бета Бетовна" not in _names(ours.get("/api/v1/participants/"))
        assert _names(theirs.get("/api/v1/participants/")) == ["Бетова Бета Бетовна"]


def test_a_sessions_reads_are_not_kept(school: School, announced: Commit) -> None:
    with announced():
        client = api_client(
            school.institution.host, school.coordinator, school.institution.schema_name
        )
    for _ in range(2):
        response, read = _reads_rows(client)
        assert read and len(_names(response)) == 3


def test_an_entry_is_not_served_after_fresh_seconds(
    school: School,
    announced: Commit,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What the clock changes and no write announces (an age, a stale pair) is at most
    ``FRESH_SECONDS`` late."""
    with announced():
        client = _token_client(school.institution, school.coordinator)
    client.get("/api/v1/participants/")
    assert not _reads_rows(client)[1]
    later = listcache._now() + listcache.FRESH_SECONDS + 1
    monkeypatch.setattr(listcache, "_now", lambda: later)
    assert _reads_rows(client)[1]


def test_an_error_is_not_kept(school: School, announced: Commit) -> None:
    with announced():
        client = _token_client(school.institution, school.coordinator)
    for _ in range(2):
        assert client.get("/api/v1/participants/?page=99").status_code == 404
    assert len(_names(client.get("/api/v1/participants/"))) == 3
