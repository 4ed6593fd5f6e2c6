"""A campaign's target ids come from outside: unknown ones are a 400 next to the field (an
unknown pair or group was an IntegrityError, unknown people a campaign inviting nobody)."""

from __future__ import annotations

import datetime

import pytest
from django_tenants.utils import schema_context

from schools.monitoring.models import SurveyCampaign
from tests.schools.monitoring.test_surveys import _adopt

TODAY = datetime.date.today()


@pytest.mark.parametrize(
    ("target", "field"),
    [
        ({"target_kind": "pair", "target_pair": 987654}, "target_pair"),
        ({"target_kind": "study_group", "target_study_group": 987654}, "target_study_group"),
        ({"target_kind": "explicit", "target_participant_ids": [987654]}, "target_participant_ids"),
    ],
)
def test_unknown_target_ids_are_refused(world, tenant_a, client_for, target, field):
    coordinator = client_for(tenant_a, world.users["coordinator"])
    questionnaire = _adopt(coordinator, "satisfaction-mentor")
    body = {
        "questionnaire": questionnaire["id"],
        "opens_on": str(TODAY),
        "closes_on": str(TODAY + datetime.timedelta(days=3)),
        **target,
    }
    response = coordinator.post("/api/v1/survey-campaigns/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    with schema_context(tenant_a.schema_name):
        assert not SurveyCampaign.objects.exists()
