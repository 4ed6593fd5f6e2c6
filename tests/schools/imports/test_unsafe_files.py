"""Hostile spreadsheets: a formula typed as a name is exported as text, a name with a control
character (kept by older versions) still exports, an expanding XLSX is refused unparsed."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from schools.imports.models import ImportBatch
from schools.participants import api as participants_api
from schools.participants import services as participant_services
from schools.participants.models import Participant
from tests.config.test_spreadsheets import HYPERLINK, bomb_xlsx
from tests.conftest import SETUP
from tests.schools.imports.files import upload

pytestmark = pytest.mark.django_db


def cells(content: bytes, row: int) -> list:
    return list(load_workbook(io.BytesIO(content)).worksheets[0][row])


def test_a_participant_named_like_a_formula_is_exported_as_text(tenant_a, coord_client):
    with schema_context(tenant_a.schema_name):
        participants_api.participant_create(
            last_name=HYPERLINK,
            first_name="Иван",
            birth_date=date(2012, 1, 1),
            category="pupil",
            actor=SETUP,
        )
    response = coord_client.get("/api/v1/exports/participants/")
    assert response.status_code == 200
    last_name = cells(response.content, 2)[0]
    assert last_name.value == HYPERLINK
    assert last_name.data_type == "s" and last_name.quotePrefix


@pytest.mark.parametrize("name", ["participants", "study-groups", "consents", "mentees"])
def test_a_control_character_stored_earlier_does_not_break_the_exports(
    tenant_a, coord_client, name
):
    with schema_context(tenant_a.schema_name):
        group = participant_services.study_group_get_or_create(name="5А", actor=SETUP)
        person = participant_services.participant_create(
            last_name="Иванов",
            first_name="Пётр",
            category="pupil",
            study_group_id=group.pk,
            actor=SETUP,
        )
        # as older versions stored it, before names were cleaned at the edge
        Participant.objects.filter(pk=person.pk).update(last_name="Ива\x05нов\x1a")
        type(group).objects.filter(pk=group.pk).update(name="5\x05А")
    response = coord_client.get(f"/api/v1/exports/{name}/")
    assert response.status_code == 200
    assert "\x05" not in str([c.value for c in cells(response.content, 2)])


def test_an_expanding_xlsx_upload_is_refused_without_being_parsed(
    tenant_a, coord_client, monkeypatch, settings
):
    """Checked in the request here (the worker runs the same check on larger files)."""
    import openpyxl

    settings.IMPORTS_INLINE_MAX_BYTES = 1024 * 1024

    def parsed(*args, **kwargs):
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(openpyxl, "load_workbook", parsed)
    response = coord_client.post(
        "/api/v1/imports/",
        {"kind": "participants", "file": upload(bomb_xlsx(), "bomb.xlsx")},
        format="multipart",
    )
    assert response.status_code == 201
    batch = response.json()
    assert batch["status"] == "failed"
    assert [e["code"] for e in batch["report"]["file_errors"]] in (
        ["ratio"],
        ["shared_strings"],
        ["too_large"],
    )
    assert "safely" in batch["report"]["file_errors"][0]["message"]
    assert coord_client.post(f"/api/v1/imports/{batch['id']}/commit/").status_code == 400
    with schema_context(tenant_a.schema_name):
        assert ImportBatch.objects.get(pk=batch["id"]).status == "failed"
        assert not Participant.objects.exists()
