from __future__ import annotations

import datetime

from django_tenants.utils import schema_context

from accounts.actor import actor_for
from schools.audit.api import audit_record
from schools.audit.models import AuditEntry
from schools.participants.models import Participant


def test_values_only_for_non_sensitive_structured_fields(tenant_a, user_in):
    user = user_in(tenant_a.schema_name, "coordinator")
    actor = actor_for(user, schema=tenant_a.schema_name)
    with schema_context(tenant_a.schema_name):
        person = Participant.objects.create(
            last_name="Секретов",
            first_name="Иван",
            category="pupil",
            birth_date=datetime.date(2012, 1, 2),
            email="s@example.com",
            is_young_specialist=False,
        )
        entry = AuditEntry.objects.get(
            pk=audit_record(
                actor=actor,
                action="update",
                instance=person,
                changed_fields=[
                    "last_name",
                    "birth_date",
                    "email",
                    "category",
                    "is_young_specialist",
                ],
            )
        )
    assert entry.model_label == "participants.participant"
    assert entry.changed_fields == sorted(
        ["last_name", "birth_date", "email", "category", "is_young_specialist"]
    )
    assert entry.values == {"category": "pupil", "is_young_specialist": False}
    assert entry.actor_id == user.pk
