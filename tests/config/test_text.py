"""Clean text at the edge (config.text): one rule for the API, the pages and the importer."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from accounts.models import Role
from config.text import clean_text, normalise_text, xml_safe
from schools.participants.models import Participant
from tests.conftest import SETUP

RLO = "\u202e"


def test_nfc_control_and_invisible_characters():

    assert normalise_text("И\u0306ван") == "\u0419ван"
    assert normalise_text("Ива\x05нов\x1a") == "Иванов"
    assert normalise_text("\ufeffПётр\u200b\u00ad\u200e") == "Пётр"
    assert normalise_text("строка\r\nвторая\tтаб\x00") == "строка\nвторая\tтаб"
    assert normalise_text("\ud800x") == "x"  # a lone surrogate (JSON "\ud800")
    assert normalise_text("plain ascii") == "plain ascii"


@pytest.mark.parametrize("control", ["\u202a", "\u202b", "\u202d", RLO, "\u2066", "\u2067"])
def test_bidirectional_controls_are_refused_without_repeating_the_value(control):
    with pytest.raises(ValidationError) as refused:
        clean_text(f"Иванов{control}вонавИ")
    assert refused.value.code == "bidi_control"
    assert "Иванов" not in str(refused.value)


def test_xml_safe_keeps_what_xml_can_hold():
    assert xml_safe("Ива\x05нов\tИ\nван") == "Иванов\tИ\nван"


# --- the API ------------------------------------------------------------------------------------


@pytest.fixture
def coordinator_client(tenant_a, user_in, client_for):
    return client_for(tenant_a, user_in(tenant_a.schema_name, Role.COORDINATOR, "text-coord"))


def test_api_bodies_are_normalised_before_any_serializer(tenant_a, coordinator_client):
    response = coordinator_client.post(
        "/api/v1/participants/",
        {
            "last_name": "Ива\x05нов\u200b",
            "first_name": "Пётр\x1a",
            "middle_name": "Фе\u0308дорович",
            "birth_date": "2012-03-04",
            "category": "pupil",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    with schema_context(tenant_a.schema_name):
        person = Participant.objects.get(pk=response.json()["id"])
    assert (person.last_name, person.first_name) == ("Иванов", "Пётр")
    assert person.middle_name == "Фёдорович"  # е + combining diaeresis is ё (NFC)


def test_api_refuses_a_bidi_override_next_to_the_field(tenant_a, coordinator_client, caplog):
    caplog.set_level(logging.INFO)
    response = coordinator_client.post(
        "/api/v1/participants/",
        {"last_name": f"Секретов{RLO}", "first_name": "Пётр", "category": "pupil"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["errors"]["last_name"] and "Секретов" not in str(body)
    assert "Секретов" not in caplog.text
    with schema_context(tenant_a.schema_name):
        assert not Participant.objects.filter(first_name="Пётр").exists()


def test_multipart_form_bodies_are_cleaned_too(tenant_a, coordinator_client):
    response = coordinator_client.post(
        "/api/v1/participants/",
        {"last_name": "Иванов\x05", "first_name": "Пётр", "category": "teacher"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["last_name"] == "Иванов"


def test_a_nul_in_a_query_string_is_not_a_server_error(tenant_a, coordinator_client):
    for path in ("/api/v1/participants/?search=%00A", "/api/v1/participants/?search=%E2%80%AE"):
        assert coordinator_client.get(path).status_code == 200


def test_a_consent_form_for_a_name_stored_with_a_control_character(
    tenant_a, coordinator_client, caplog
):
    with schema_context(tenant_a.schema_name):
        from schools.participants import services as participant_services

        person = participant_services.participant_create(
            last_name="Иванов",
            first_name="Пётр",
            birth_date=date(2012, 1, 1),
            category="pupil",
            actor=SETUP,
        )
        Participant.objects.filter(pk=person.pk).update(last_name="Ива\x05нов")
    response = coordinator_client.get(f"/api/v1/participants/{person.pk}/consent-form/")
    assert response.status_code == 200
    assert "Ива" not in caplog.text


# --- the pages ----------------------------------------------------------------------------------


def test_page_forms_normalise_text_and_refuse_bidi_next_to_the_field():
    from schools.web.forms_records import ActivityForm

    data = {"stage": "1", "deadline": "2026-10-01", "status": "planned"}
    form = ActivityForm(data={**data, "title": "Встреча\x05 с\u200b наставником"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["title"] == "Встреча с наставником"
    form = ActivityForm(data={**data, "title": f"Встреча{RLO}"})
    assert not form.is_valid()
    assert list(form.errors) == ["title"]
    assert form.fields["title"].widget.attrs["aria-invalid"] == "true"


def test_page_forms_clean_the_text_fields_a_subclass_adds_after_init():
    """A field added after ``PageForm.__init__`` (the questions of a questionnaire, a class's
    rows) is cleaned as a declared one: normalised, bidi refused once, next to the field."""
    from django import forms
    from django.http import QueryDict

    from config.pages import PageForm

    class LateForm(PageForm):
        title = forms.CharField(required=False)

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.fields["note"] = forms.CharField(required=False, widget=forms.Textarea)

    typed = QueryDict(mutable=True)
    typed.update({"title": "Ёлка", "note": "Ещ\u0435\u0308 раз\u200b\r\nпотом"})
    form = LateForm(typed)
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"title": "Ёлка", "note": "Ещё раз\nпотом"}
    refused = LateForm({"title": f"Ёлка{RLO}", "note": f"Всё{RLO}"})
    assert not refused.is_valid() and not refused.is_valid()
    assert {name: len(errors) for name, errors in refused.errors.items()} == {"title": 1, "note": 1}
    assert refused.fields["note"].widget.attrs["aria-invalid"] == "true"
    # clean text is taken as given: nothing to copy
    clean = QueryDict("title=plain&note=text")
    kept = LateForm(clean)
    assert kept.is_valid() and kept.data is clean


# --- the importer -------------------------------------------------------------------------------


def test_the_importer_cleans_names_and_reports_bidi_per_row():
    from schools.imports import columns
    from schools.imports.models import ImportKind

    header_map = columns.match_headers(
        ImportKind.PARTICIPANTS, ["ФИО", "Дата рождения", "Категория"], 1
    )
    today = date(2026, 9, 1)
    clean = columns.parse_row(
        ImportKind.PARTICIPANTS,
        header_map,
        2,
        ["Ива\x05нов Пётр\u200b Серге\u0301евич", "01.02.2012", "ученик"],
        default_category="",
        today=today,
    )
    assert not clean.errors
    assert clean.values["last_name"] == "Иванов" and clean.values["first_name"] == "Пётр"
    hostile = columns.parse_row(
        ImportKind.PARTICIPANTS,
        header_map,
        3,
        [f"Иванов{RLO} Пётр", "01.02.2012", "ученик"],
        default_category="",
        today=today,
    )
    assert [e["column"] for e in hostile.errors] == ["ФИО"]
