"""The region's history built by the real aggregation (``regional.kpis.api``): each period
records the institutions' data as it stood when it was aggregated, and a closed period keeps
its numbers while the data moves on."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from regional.kpis import api
from regional.kpis.models import InstitutionSnapshot, Period
from tests.regional.kpis.conftest import PERIOD, fill_institution

EARLIER = f"{PERIOD}-01"  # the same day as PERIOD (its first), an earlier period in the series


def test_each_period_records_the_data_of_its_time_and_a_closed_one_stays(
    tenants: Any, db: None
) -> None:
    fill_institution(tenants.a.schema_name, learner_mentees=4)
    first = api.aggregate_period(period=EARLIER, close=True)
    assert first["ok"] == first["institutions"] >= 2 and first["failed"] == 0
    fill_institution(tenants.a.schema_name, learner_mentees=7, surname="Петров")  # data moves
    second = api.aggregate_period(period=PERIOD)
    assert second["ok"] == second["institutions"]
    earlier = InstitutionSnapshot.objects.get(period=EARLIER, institution=tenants.a)
    later = InstitutionSnapshot.objects.get(period=PERIOD, institution=tenants.a)
    assert earlier.values["learner_mentees_10_plus"] == 4
    assert later.values["learner_mentees_10_plus"] == 11
    assert Period.objects.get(code=EARLIER).is_closed
    assert not Period.objects.get(code=PERIOD).is_closed
    with pytest.raises(ValidationError):
        api.aggregate_period(period=EARLIER)  # closed: final
    assert InstitutionSnapshot.objects.get(pk=earlier.pk).values == earlier.values
