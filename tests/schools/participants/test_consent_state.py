"""One person's consent state in Python (``consent_state_of``, behind ``has_valid_consent``)
agrees with the SQL annotation every list and count uses, for every age and signer."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.utils import timezone
from django_tenants.utils import schema_context

from schools.participants import api as participants
from schools.participants import services as participant_services
from schools.participants.models import REQUIRED_PURPOSE, Consent, MenteeProfile, Participant
from schools.participants.selectors import ConsentState, consent_state_of, consent_states_of
from tests.conftest import SETUP
from tests.schools.participants.conftest import years_ago

BIRTHS = {
    "adult": years_ago(30),
    "turns 18 soon": years_ago(18, days=-10),
    "teen": years_ago(15),
    "turns 14 soon": years_ago(14, days=-10),
    "child": years_ago(9),
    "unknown": None,
}
# (kind, signed by, signed by the minor too); None: no consent at all
CONSENTS: list[tuple[str, str, bool] | None] = [
    None,
    ("grant", "self", False),
    ("grant", "guardian", False),
    ("grant", "guardian", True),
    ("withdrawal", "self", False),
]


def _consent(person_id: int, kind: str, signed_by: str, minor_signed: bool) -> None:
    Consent.objects.create(
        participant_id=person_id,
        kind=kind,
        purpose=REQUIRED_PURPOSE,
        text_version="1",
        text_checksum="0" * 64,
        signed_by=signed_by,
        guardian_relation="mother" if signed_by == "guardian" else "",
        guardian_name="Мать" if signed_by == "guardian" else "",
        minor_signed=minor_signed,
        signed_on=timezone.localdate() - datetime.timedelta(days=3),
        method="paper_scan",
    )


def test_the_state_of_one_person_is_the_state_lists_show(tenant_a: Any) -> None:
    with schema_context(tenant_a.schema_name):
        ids = []
        for n, ((label, born), consent) in enumerate(itertools.product(BIRTHS.items(), CONSENTS)):
            person = participant_services.participant_create(
                last_name=f"Состояние{n}",
                first_name=label,
                birth_date=born,
                category="pupil",
                actor=SETUP,
            )
            if consent is not None:
                _consent(person.pk, *consent)
            ids.append(person.pk)
        erased, stopped = ids[1], ids[2]  # an adult with a grant: erased; another: withdrawn
        Participant.objects.filter(pk=erased).update(erased_at=timezone.now())
        Participant.objects.filter(pk=stopped).update(processing_stopped_at=timezone.now())

        in_sql = consent_states_of(participant_ids=ids)
        in_python = {pk: consent_state_of(participant_id=pk) for pk in ids}
        assert in_python == in_sql
        # every state is exercised, and the valid ones are the ones that may take part
        assert set(in_sql.values()) == {c for c, _label in ConsentState.CHOICES}
        for pk in ids:
            assert participants.has_valid_consent(participant_id=pk) == (
                in_sql[pk] in ConsentState.VALID_STATES
            )
        assert consent_state_of(participant_id=max(ids) + 1000) is None

        # A row of another model naming the person carries the same answer when annotated
        # (``consent_annotations``: the answering page's invitation), and says nothing when not.
        MenteeProfile.objects.bulk_create(MenteeProfile(participant_id=pk) for pk in ids)
        rows = MenteeProfile.objects.annotate(
            **participants.consent_annotations(person="participant")
        ).filter(participant_id__in=ids)
        carried = {row.participant_id: participants.consent_valid_carried(row) for row in rows}
        assert carried == {pk: in_sql[pk] in ConsentState.VALID_STATES for pk in ids}
        assert set(carried.values()) == {True, False}
        plain = MenteeProfile.objects.filter(participant_id__in=ids).first()
        assert participants.consent_valid_carried(plain) is None
