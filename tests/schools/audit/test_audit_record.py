from __future__ import annotations

import datetime

from django_tenants.utils import schema_context

from schools.audit.api import audit_record
from schools.participants.models import Participant


def test_values_only_for_non_sensitive_structured_fields(tenant_a, user_in):
    actor = user_in(tenant_a.schema_name, "coordinator")
    with schema_context(tenant_a.schema_name):
        person = Participant.objects.create(
            last_name="Секретов",
            first_name="Иван",
            category="pupil",
            birth_date=datetime.date(2012, 1, 2),
            email="s@example.com",
            is_young_specialist=False,
        )
        entry = audit_record(
            actor=actor,
            action="update",
            instance=person,
            changed_fields=["last_name", "birth_date", "email", "category", "is_young_specialist"],
        )
    assert entry.model_label == "participants.participant"
    assert entry.changed_fields == sorted(
        ["last_name", "birth_date", "email", "category", "is_young_specialist"]
    )
    assert entry.values == {"category": "pupil", "is_young_specialist": False}
    assert entry.actor_id == actor.pk
