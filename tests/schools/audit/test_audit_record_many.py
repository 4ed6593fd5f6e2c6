from __future__ import annotations

import datetime

import pytest
from django_tenants.utils import schema_context

from accounts.actor import actor_for
from schools.audit.api import AuditChange, audit_record, audit_record_many
from schools.audit.models import AuditEntry
from schools.participants.models import Participant
from tests.conftest import SETUP


def test_many_entries_follow_the_rules_of_one(tenant_a, user_in):
    user = user_in(tenant_a.schema_name, "coordinator")
    actor = actor_for(user, schema=tenant_a.schema_name)
    with schema_context(tenant_a.schema_name):
        people = [
            Participant.objects.create(
                last_name=f"Секретов{i}",
                first_name="Иван",
                category="pupil",
                birth_date=datetime.date(2012, 1, 2 + i),
            )
            for i in range(3)
        ]
        fields = ["last_name", "birth_date", "category", "is_young_specialist"]
        one = AuditEntry.objects.get(
            pk=audit_record(actor=actor, action="create", instance=people[0], changed_fields=fields)
        )
        many = audit_record_many(
            actor=actor,
            changes=[
                AuditChange("create", people[1], fields),
                AuditChange("update", people[2], ["category", "category"]),
            ],
        )
        assert all(many)
        stored = list(AuditEntry.objects.filter(pk__in=many).order_by("pk"))
        assert [(e.action, e.object_id) for e in stored] == [
            ("create", str(people[1].pk)),
            ("update", str(people[2].pk)),
        ]
        assert (stored[0].changed_fields, stored[0].values) == (one.changed_fields, one.values)
        assert stored[0].values == {"category": "pupil", "is_young_specialist": False}
        assert stored[1].changed_fields == ["category"]
        assert {e.actor_id for e in stored} == {user.pk}
        assert audit_record_many(actor=SETUP, changes=[]) == []
        with pytest.raises(ValueError):
            audit_record_many(actor=actor, changes=[AuditChange("nonsense", people[0], [])])
        with pytest.raises(ValueError):
            audit_record_many(
                actor=actor,
                changes=[AuditChange("create", Participant(last_name="Новый"), ["last_name"])],
            )
        assert AuditEntry.objects.count() == 3
