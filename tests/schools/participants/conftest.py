from __future__ import annotations

import datetime

import pytest
from django.utils import timezone


def years_ago(years: int, days: int = 0) -> datetime.date:
    today = timezone.localdate()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    return day - datetime.timedelta(days=days)


@pytest.fixture
def coordinator(tenant_a, user_in):
    return user_in(tenant_a.schema_name, "coordinator")


@pytest.fixture
def coordinator_client(tenant_a, coordinator, client_for):
    return client_for(tenant_a, coordinator)
