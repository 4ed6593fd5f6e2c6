"""Inputs that made the API answer 5xx (found by schemathesis) get a 4xx in the error shape;
an unexpected failure is a 500 in the JSON error shape, logged without the failing values."""

from __future__ import annotations

import logging

import pytest

from accounts.models import Role


@pytest.fixture
def coordinator(tenant_a, user_in, client_for):
    return client_for(tenant_a, user_in(tenant_a.schema_name, Role.COORDINATOR, "err-coord"))


@pytest.mark.parametrize(
    "value",
    ["0001-01-01T00:00:00%2B05:00", "9999-12-31T23:59:59-05:00", "2026-09-01T10:00:00%2B05:17:33"],
)
def test_meeting_filters_with_odd_offsets_are_not_server_errors(coordinator, value):
    response = coordinator.get(f"/api/v1/meetings/?starts_before={value}")
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert "starts_before" in str(response.json())


def test_a_nul_in_a_filter_is_not_a_server_error(regional_staff, client_for):
    response = client_for(None, regional_staff).get("/api/v1/employer-mentors/?competence=%00A")
    assert response.status_code == 200


def test_a_capacity_beyond_the_column_is_a_400(regional_admin, client_for, tenants):
    response = client_for(None, regional_admin).post(
        "/api/v1/employer-mentors/", {"capacity": 2**40, "municipalities": [2**70]}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "capacity" in errors and "municipalities" in errors


def test_options_of_an_action_without_a_serializer(tenant_a, user_in, client_for):
    mentor = client_for(tenant_a, user_in(tenant_a.schema_name, Role.MENTOR, "err-mentor"))
    response = mentor.options("/api/v1/calendar-links/revoke/")
    assert response.status_code == 200
    assert response.json()["name"]


def test_an_unexpected_failure_is_a_json_500_without_the_values_in_the_log(
    coordinator, monkeypatch, caplog
):
    from schools.participants import views

    person = "".join(["Ива", "нов Пётр"])  # a value, as a library error would quote it

    def failing(*args, **kwargs):
        raise RuntimeError(f"duplicate key ({person})")

    monkeypatch.setattr(views.ParticipantViewSet, "list", failing)
    caplog.set_level(logging.ERROR)
    response = coordinator.get("/api/v1/participants/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}
    assert "RuntimeError" in caplog.text and "ParticipantViewSet" in caplog.text
    assert "Иванов" not in caplog.text


def test_an_unknown_api_path_is_a_json_404(coordinator):
    response = coordinator.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_errors_of_file_endpoints_are_json(tenant_a, user_in, client_for):
    mentee = client_for(tenant_a, user_in(tenant_a.schema_name, Role.MENTEE, "err-mentee"))
    response = mentee.get("/api/v1/exports/participants/")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]
