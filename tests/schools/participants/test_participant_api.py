"""Participants, consents and bases through the API: filters, bad input, withdrawal and
erasure, the consent form, the audit log."""

from __future__ import annotations

import datetime
import io

from django.utils import timezone
from django_tenants.utils import schema_context
from docx import Document

from schools.audit.models import AuditEntry
from schools.participants import api, services
from schools.participants.models import Consent, MenteeProfile, Participant
from tests.schools.participants.conftest import years_ago

URL = "/api/v1/participants/"


def _create(client, **extra):
    data = {"last_name": "Иванова", "first_name": "Мария", "category": "pupil"}
    data.update(extra)
    response = client.post(URL, data, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_create_filter_search_and_consent_state(tenant_a, coordinator_client):
    pupil = _create(coordinator_client, birth_date=str(years_ago(12)))
    teacher = _create(
        coordinator_client, last_name="Орлов", category="teacher", birth_date=str(years_ago(40))
    )
    assert pupil["is_minor"] and pupil["age"] == 12
    assert pupil["consent_state"] == "missing" and not pupil["has_valid_consent"]
    consent = coordinator_client.post(
        "/api/v1/consents/",
        {
            "participant": teacher["id"],
            "kind": "grant",
            "signed_by": "self",
            "signed_on": str(timezone.localdate()),
            "method": "electronic",
        },
        format="json",
    )
    assert consent.status_code == 201, consent.json()
    assert len(consent.json()["text_checksum"]) == 64
    listed = coordinator_client.get(URL, {"consent_state": "valid"}).json()
    assert [p["id"] for p in listed["results"]] == [teacher["id"]]
    assert coordinator_client.get(URL, {"minor": "true"}).json()["count"] == 1
    assert coordinator_client.get(URL, {"category": "teacher"}).json()["count"] == 1
    assert coordinator_client.get(URL, {"search": "орлов"}).json()["count"] == 1


def test_bad_input_is_400_with_field_errors_and_writes_nothing(tenant_a, coordinator_client):
    bad = coordinator_client.post(
        URL, {"last_name": "", "first_name": "А", "category": "wizard"}, format="json"
    )
    assert bad.status_code == 400
    assert {"last_name", "category"} <= set(bad.json()["errors"])
    future = coordinator_client.post(
        URL,
        {"last_name": "А", "first_name": "Б", "category": "pupil", "birth_date": "2999-01-01"},
        format="json",
    )
    assert future.status_code == 400 and "birth_date" in future.json()["errors"]
    person = _create(coordinator_client, birth_date=str(years_ago(15)))
    # A 15-year-old needs the guardian and the minor's own signature.
    consent = coordinator_client.post(
        "/api/v1/consents/",
        {
            "participant": person["id"],
            "kind": "grant",
            "signed_by": "guardian",
            "guardian_name": "Иванова Ольга",
            "guardian_relation": "mother",
            "signed_on": str(timezone.localdate()),
            "method": "paper_scan",
        },
        format="json",
    )
    assert consent.status_code == 400 and "signed_by" in consent.json()["errors"]
    scores = coordinator_client.post(
        "/api/v1/mentor-profiles/",
        {"participant": person["id"], "selection_scores": {"wish": 9, "charm": 1}},
        format="json",
    )
    assert scores.status_code == 400 and "selection_scores" in scores.json()["errors"]
    unknown_tag = coordinator_client.post(
        "/api/v1/mentee-profiles/",
        {"participant": person["id"], "need_codes": ["nope"]},
        format="json",
    )
    assert unknown_tag.status_code == 400 and "need_codes" in unknown_tag.json()["errors"]
    with schema_context(tenant_a.schema_name):
        assert Participant.objects.count() == 1
        assert not Consent.objects.exists() and not MenteeProfile.objects.exists()


def test_withdrawal_stops_processing_and_erasure_anonymises(tenant_a, coordinator_client):
    person = _create(
        coordinator_client,
        category="student",
        birth_date=str(years_ago(19)),
        email="maria@example.com",
        phone="+7 900 000-00-00",
    )
    base = {
        "participant": person["id"],
        "signed_by": "self",
        "signed_on": str(timezone.localdate()),
        "method": "electronic",
    }
    assert (
        coordinator_client.post("/api/v1/consents/", {**base, "kind": "grant"}).status_code == 201
    )
    mentee = coordinator_client.post(
        "/api/v1/mentee-profiles/",
        {"participant": person["id"], "request": "Хочу в IT", "need_codes": ["career_guidance"]},
        format="json",
    )
    assert mentee.status_code == 201, mentee.json()
    with schema_context(tenant_a.schema_name):
        assert api.has_valid_consent(participant_id=person["id"])
    withdrawal = coordinator_client.post("/api/v1/consents/", {**base, "kind": "withdrawal"})
    assert withdrawal.status_code == 201
    shown = coordinator_client.get(f"{URL}{person['id']}/").json()
    assert shown["consent_state"] == "withdrawn" and shown["processing_stopped_at"]
    assert coordinator_client.patch(f"{URL}{person['id']}/", {"phone": "1"}).status_code == 400
    with schema_context(tenant_a.schema_name):
        assert not api.has_valid_consent(participant_id=person["id"])
        assert api.mentee_count() == 0
        assert services.participants_erase_due() == 0  # not yet: 30 days
        later = timezone.localdate() + datetime.timedelta(days=30)
        assert services.participants_erase_due(today=later) == 1
        assert services.participants_erase_due(today=later) == 0  # idempotent
        erased = Participant.objects.get(pk=person["id"])
        assert erased.erased_at and erased.birth_date is None
        assert (erased.email, erased.phone, erased.middle_name) == ("", "", "")
        assert "Иванова" not in erased.full_name
        assert MenteeProfile.objects.get(participant=erased).request == ""
        assert MenteeProfile.objects.get(participant=erased).needs.count() == 1  # anonymous
        assert Consent.objects.filter(participant=erased).count() == 2  # the register stays
        assert AuditEntry.objects.filter(action="erase", object_id=str(erased.pk)).exists()


def test_audit_log_names_fields_never_sensitive_values(tenant_a, coordinator_client):
    person = _create(coordinator_client, birth_date=str(years_ago(11)))
    coordinator_client.patch(
        f"{URL}{person['id']}/", {"birth_date": str(years_ago(12)), "category": "student"}
    )
    log = coordinator_client.get("/api/v1/audit-log/", {"object_id": person["id"]}).json()
    update = next(e for e in log["results"] if e["action"] == "update")
    assert set(update["changed_fields"]) == {"birth_date", "category"}
    assert update["values"] == {"category": "student"}
    assert str(years_ago(12)) not in str(log)


def test_consent_form_docx(tenant_a, coordinator_client):
    child = _create(coordinator_client, birth_date=str(years_ago(15)))
    response = coordinator_client.get(f"{URL}{child['id']}/consent-form/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "Иванова Мария" in text
    assert tenant_a.name in text
    assert "152-ФЗ" in text
    bad = coordinator_client.get(f"{URL}{child['id']}/consent-form/", {"purpose": "x"})
    assert bad.status_code == 400


def test_reconsent_flag_for_people_turning_18(tenant_a, coordinator_client):
    # Turns 18 in ten days; the guardian and the minor signed.
    person = _create(coordinator_client, birth_date=str(years_ago(18, -10)))
    response = coordinator_client.post(
        "/api/v1/consents/",
        {
            "participant": person["id"],
            "kind": "grant",
            "signed_by": "guardian",
            "guardian_name": "Иванов Пётр",
            "guardian_relation": "father",
            "minor_signed": True,
            "signed_on": str(timezone.localdate()),
            "method": "paper_scan",
        },
    )
    assert response.status_code == 201, response.json()
    shown = coordinator_client.get(f"{URL}{person['id']}/").json()
    assert shown["consent_state"] == "reconsent_due"
    assert shown["has_valid_consent"] and shown["needs_reconsent"]
    assert coordinator_client.get(URL, {"needs_reconsent": "true"}).json()["count"] == 1
    with schema_context(tenant_a.schema_name):
        assert api.participant_ids_needing_reconsent() == [person["id"]]
