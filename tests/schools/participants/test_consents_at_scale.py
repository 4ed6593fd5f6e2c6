"""Consents at class scale: a class's paper consents in one submit, scans, a parent's consent
online through a one-time link, and what a withdrawal does (pairs paused, alerts, e-mail)."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from django_tenants.utils import tenant_context

from accounts.actor import actor_for
from accounts.models import Role
from schools.pairs import api as pairs_api
from schools.pairs.models import Pair, PairMentee, PairStatus
from schools.participants import api as participants
from schools.participants import consents
from schools.participants import services as participant_services
from schools.participants.consents import PaperConsent
from schools.participants.models import (
    ConsentAlert,
    ConsentAlertKind,
    ConsentRequest,
    ConsentScan,
    StudyGroup,
)
from schools.participants.selectors import ConsentState, consent_states_of
from schools.programmes.models import Programme
from tests import builders
from tests.conftest import SETUP, make_user
from tests.schools.participants.conftest import years_ago

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xd9"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


# Pupils «<surname> Роман Семёнович», their consent left to ``builders.consent``.
roman = functools.partial(
    builders.person, first_name="Роман", middle_name="Семёнович", category="pupil", consent=False
)


@pytest.fixture
def in_a(tenant_a: Any) -> Iterator[Any]:
    with tenant_context(tenant_a):
        yield tenant_a


@pytest.fixture
def school(in_a: Any) -> dict[str, Any]:
    curator = make_user(in_a.schema_name, Role.CURATOR, "curator-7b", email="curator@alpha.ru")
    coordinator = make_user(in_a.schema_name, Role.COORDINATOR, "coord-x", email="coord@alpha.ru")
    group = participant_services.study_group_get_or_create(name="7Б", actor=SETUP)
    StudyGroup.objects.filter(pk=group.pk).update(curator=curator)
    group.refresh_from_db()
    programme = Programme.objects.create(
        academic_year=2041, title="Программа", status="active", forms=["pupil_pupil"]
    )
    mentor = roman(
        last_name="Старшеклассников",
        born=years_ago(16, days=10),
    )
    builders.consent(participant=mentor)
    participants.mentor_profile_upsert(participant_id=mentor.pk, capacity=3, actor=SETUP)
    mentees = [
        roman(
            last_name=name,
            born=years_ago(12, days=10),
            study_group_id=group.pk,
        )
        for name in ("Васильев", "Петров")
    ]
    for mentee in mentees:
        builders.consent(participant=mentee)
    return {
        "curator": curator,
        "coordinator": coordinator,
        "group": group,
        "programme": programme,
        "mentor": mentor,
        "mentees": mentees,
    }


def withdraw(person: Any) -> Any:
    return participant_services.consent_withdraw(
        actor=SETUP,
        participant_id=person.pk,
        signed_by="guardian",
        guardian_name="Васильева Ольга Ивановна",
        guardian_relation="mother",
        signed_on=timezone.localdate(),
        method="electronic",
    )


# --- withdrawal -----------------------------------------------------------------------------------


def test_withdrawal_pauses_the_pupils_pair_and_alerts_the_coordinator_and_curator(school):
    mentee = school["mentees"][0]
    pair_id = pairs_api.pair_create(
        programme_id=school["programme"].pk,
        mentor_participant_id=school["mentor"].pk,
        mentee_participant_ids=[mentee.pk],
        form="pupil_pupil",
        actor=SETUP,
    )
    withdraw(mentee)

    pair = Pair.objects.get(pk=pair_id)
    assert pair.status == PairStatus.PAUSED and pair.paused_at is not None
    assert PairMentee.objects.get(pair=pair).paused_at is not None
    alert = ConsentAlert.objects.get(participant=mentee)
    assert (alert.kind, alert.study_group_id, alert.pairs_affected) == (
        ConsentAlertKind.WITHDRAWN,
        school["group"].pk,
        1,
    )
    assert list(consents.consent_alerts_for(actor=actor_for(school["coordinator"]))) == [alert]
    assert list(consents.consent_alerts_for(actor=actor_for(school["curator"]))) == [alert]
    other_curator = make_user("alpha", Role.CURATOR, "curator-other")
    assert not consents.consent_alerts_for(actor=actor_for(other_curator)).exists()

    mail.outbox.clear()
    assert consents.consent_alert_mail(alert_id=alert.pk) == 2
    assert consents.consent_alert_mail(alert_id=alert.pk) == 0  # once
    (letter,) = mail.outbox
    assert sorted(letter.to) == ["coord@alpha.ru", "curator@alpha.ru"]
    assert "Васильев Роман Семёнович (7Б)" in letter.body
    assert "Приостановлено наставнических пар (групп): 1" in letter.body


def test_in_a_group_only_the_withdrawn_mentees_place_pauses(school):
    first, second = school["mentees"]
    pair_id = pairs_api.pair_create(
        programme_id=school["programme"].pk,
        mentor_participant_id=school["mentor"].pk,
        mentee_participant_ids=[first.pk, second.pk],
        form="pupil_pupil",
        actor=SETUP,
    )
    withdraw(first)
    pair = Pair.objects.get(pk=pair_id)
    assert pair.status == PairStatus.ACTIVE
    places = dict(PairMentee.objects.filter(pair=pair).values_list("mentee_id", "paused_at"))
    assert places[first.pk] is not None and places[second.pk] is None

    withdraw(second)
    assert Pair.objects.get(pk=pair_id).status == PairStatus.PAUSED


def test_a_mentors_withdrawal_pauses_the_pair_and_a_new_consent_resumes_it(school):
    mentee = school["mentees"][0]
    pair_id = pairs_api.pair_create(
        programme_id=school["programme"].pk,
        mentor_participant_id=school["mentor"].pk,
        mentee_participant_ids=[mentee.pk],
        form="pupil_pupil",
        actor=SETUP,
    )
    withdraw(school["mentor"])
    assert Pair.objects.get(pk=pair_id).status == PairStatus.PAUSED

    builders.consent(participant=school["mentor"])
    pair = Pair.objects.get(pk=pair_id)
    assert pair.status == PairStatus.ACTIVE and pair.paused_at is None
    assert ConsentAlert.objects.filter(
        participant=school["mentor"], kind=ConsentAlertKind.GIVEN_AGAIN, pairs_affected=1
    ).exists()


def test_a_paused_pair_can_still_be_ended_early(school):
    from schools.pairs import services as pair_services

    mentee = school["mentees"][0]
    pair_id = pairs_api.pair_create(
        programme_id=school["programme"].pk,
        mentor_participant_id=school["mentor"].pk,
        mentee_participant_ids=[mentee.pk],
        form="pupil_pupil",
        actor=SETUP,
    )
    withdraw(mentee)
    pair = pair_services.pair_end_early(
        pair=Pair.objects.get(pk=pair_id), reason="Отзыв согласия", actor=SETUP
    )
    assert pair.status == PairStatus.ENDED_EARLY and pair.paused_at is None


# --- a class's papers in one submit ------------------------------------------------------------


def test_a_class_returns_its_papers_in_one_submit(in_a):
    group = participant_services.study_group_get_or_create(name="5А", actor=SETUP)
    young, teen = (
        roman(
            last_name="Иванов",
            born=years_ago(11, days=10),
            study_group_id=group.pk,
        ),
        roman(
            last_name="Сидоров",
            born=years_ago(15, days=10),
            study_group_id=group.pk,
        ),
    )
    day = timezone.localdate() - datetime.timedelta(days=2)
    ids = consents.consents_record_many(
        rows=[
            PaperConsent(
                participant_id=young.pk,
                signed_on=day,
                signed_by="guardian",
                guardian_name="Иванова Мария Петровна",
                guardian_relation="mother",
            ),
            PaperConsent(
                participant_id=teen.pk,
                signed_on=day,
                signed_by="guardian",
                guardian_name="Сидоров Пётр Ильич",
                guardian_relation="father",
                minor_signed=True,
            ),
        ],
        actor=SETUP,
    )
    assert len(ids) == 2
    states = consent_states_of(participant_ids=[young.pk, teen.pk])
    assert set(states.values()) <= set(ConsentState.VALID_STATES)


def test_one_bad_paper_records_nothing_and_names_the_row(in_a):
    group = participant_services.study_group_get_or_create(name="5Б", actor=SETUP)
    first, teen = (
        roman(
            last_name="Ершов",
            born=years_ago(11, days=10),
            study_group_id=group.pk,
        ),
        roman(
            last_name="Ёлкин",
            born=years_ago(15, days=10),
            study_group_id=group.pk,
        ),
    )
    rows = [
        PaperConsent(
            participant_id=first.pk,
            signed_on=timezone.localdate(),
            signed_by="guardian",
            guardian_name="Ершова Анна",
            guardian_relation="mother",
        ),
        # 15 years old: the minor must sign too
        PaperConsent(
            participant_id=teen.pk,
            signed_on=timezone.localdate(),
            signed_by="guardian",
            guardian_name="Ёлкина Анна",
            guardian_relation="mother",
        ),
    ]
    with pytest.raises(participants.RowsValidationError) as caught:
        consents.consents_record_many(rows=rows, actor=SETUP)
    assert list(caught.value.rows) == [1]
    assert "signed_by" in caught.value.rows[1]
    assert set(consent_states_of(participant_ids=[first.pk, teen.pk]).values()) == {
        ConsentState.MISSING
    }


# --- scans --------------------------------------------------------------------------------------


def test_a_scan_is_checked_by_its_content_and_erased_with_the_person(in_a, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    person = roman(
        last_name="Сканов",
        born=years_ago(12, days=10),
    )
    consent = builders.consent(participant=person)
    scan = consents.consent_scan_attach(
        consent=consent,
        upload=SimpleUploadedFile("Сканов Роман.pdf", PDF, content_type="application/pdf"),
        actor=SETUP,
    )
    assert scan.content_type == "application/pdf" and scan.size == len(PDF)
    assert "Сканов" not in scan.file.name  # our own name, not the uploader's
    assert scan.file.storage.exists(scan.file.name)
    jpeg = consents.consent_scan_attach(
        consent=consent, upload=SimpleUploadedFile("page2.jpg", JPEG), actor=SETUP
    )
    assert jpeg.content_type == "image/jpeg"

    for name, content in (("fake.pdf", b"MZ\x90\x00 not a pdf"), ("empty.pdf", b"")):
        with pytest.raises(ValidationError) as caught:
            consents.consent_scan_attach(
                consent=consent, upload=SimpleUploadedFile(name, content), actor=SETUP
            )
        assert "scan" in caught.value.message_dict

    from schools.participants.services import participant_erase

    withdraw(person)
    name = scan.file.name
    with pytest.MonkeyPatch.context():
        participant_erase(participant_id=person.pk, actor=SETUP)
    assert not ConsentScan.objects.filter(consent__participant=person).exists()
    # the file goes after commit (the test's transaction is rolled back: checked by name only)
    assert name


# --- a parent's consent online --------------------------------------------------------------------


def test_a_parent_gives_consent_online_through_a_one_time_link(in_a):
    child = roman(
        last_name="Онлайнов",
        born=years_ago(15, days=10),
    )
    request = consents.consent_request_create(
        participant_id=child.pk, email="Mama@Example.com", actor=SETUP
    )
    assert request.email == "mama@example.com"
    mail.outbox.clear()
    assert consents.consent_request_send(request_id=request.pk)
    assert not consents.consent_request_send(request_id=request.pk)  # once
    (letter,) = mail.outbox
    link = next(line for line in letter.body.splitlines() if "/consent/" in line)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert consents.consent_request_get_valid(token=token) is not None

    with pytest.raises(ValidationError) as caught:
        consents.consent_request_accept(
            token=token, signer_name="", guardian_relation="", text_read=False, actor=SETUP
        )
    assert set(caught.value.message_dict) == {"text_read", "signer_name", "guardian_relation"}

    consent = consents.consent_request_accept(
        token=token,
        signer_name="Онлайнова  Марина Павловна",
        guardian_relation="mother",
        minor_agrees=True,
        text_read=True,
        actor=SETUP,
    )
    assert (consent.method, consent.signed_by, consent.minor_signed) == (
        "electronic",
        "guardian",
        True,
    )
    assert consent.guardian_name == "Онлайнова Марина Павловна"
    assert consent.text_version == "2026-2"
    assert consent_states_of(participant_ids=[child.pk])[child.pk] in ConsentState.VALID_STATES
    assert consents.consent_request_get_valid(token=token) is None
    with pytest.raises(ValidationError):
        consents.consent_request_accept(
            token=token, signer_name="X", guardian_relation="mother", text_read=True, actor=SETUP
        )
    assert ConsentRequest.objects.get(pk=request.pk).consent_id == consent.pk


def test_a_new_link_replaces_the_old_one_and_an_expired_link_is_refused(in_a):
    child = roman(
        last_name="Ссылкин",
        born=years_ago(12, days=10),
    )
    first = consents.consent_request_create(participant_id=child.pk, actor=SETUP, send=False)
    old = consents.consent_request_link(request=first, host="alpha.nastavnik.test")
    second = consents.consent_request_create(participant_id=child.pk, actor=SETUP, send=False)
    new = consents.consent_request_link(request=second, host="alpha.nastavnik.test")
    token_of = lambda link: link.rstrip("/").rsplit("/", 1)[1]  # noqa: E731
    assert consents.consent_request_get_valid(token=token_of(old)) is None
    assert consents.consent_request_get_valid(token=token_of(new)) is not None
    ConsentRequest.objects.filter(pk=second.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert consents.consent_request_get_valid(token=token_of(new)) is None


def docx_text(content: bytes) -> str:
    import io

    from docx import Document

    document = Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_the_next_approval_order_omits_the_withdrawn_pupil(school):
    from schools.pairs.documents import approval_order_docx
    from schools.pairs.selectors import pair_list

    first, second = school["mentees"]
    pairs_api.pair_create(
        programme_id=school["programme"].pk,
        mentor_participant_id=school["mentor"].pk,
        mentee_participant_ids=[first.pk, second.pk],
        form="pupil_pupil",
        actor=SETUP,
    )
    before = docx_text(approval_order_docx(programme=school["programme"], pairs=pair_list().all()))
    assert "Васильев Роман" in before and "Петров Роман" in before
    withdraw(first)
    after = docx_text(approval_order_docx(programme=school["programme"], pairs=pair_list().all()))
    assert "Васильев" not in after and "Петров Роман" in after
    withdraw(second)
    after = docx_text(approval_order_docx(programme=school["programme"], pairs=pair_list().all()))
    assert "Петров" not in after and "Старшеклассников" not in after
