"""Fixtures of the programmes tests: institution A's staff and a programme built through the
services, as a coordinator would set it up."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import schema_context

from schools.programmes import services
from schools.programmes.models import Programme
from schools.programmes.selectors import current_academic_year
from tests.conftest import SETUP


@pytest.fixture
def in_a(tenant_a: Any) -> Iterator[Any]:
    with schema_context(tenant_a.schema_name):
        yield tenant_a


@pytest.fixture
def staff(tenant_a: Any, user_in: Any) -> dict[str, Any]:
    """One user of each staff role in A (plus a mentor), with e-mail addresses."""
    return {
        role: user_in(tenant_a.schema_name, role, f"{role}-p", email=f"{role}@alpha.ru")
        for role in ("coordinator", "curator", "director", "deputy", "mentor", "mentee", "parent")
    }


@pytest.fixture
def coordinator_client(tenant_a: Any, staff: dict[str, Any], client_for: Any) -> Any:
    return client_for(tenant_a, staff["coordinator"])


@pytest.fixture
def programme(tenant_a: Any, staff: dict[str, Any]) -> Programme:
    """This academic year's programme, from the default roadmap."""
    with schema_context(tenant_a.schema_name):
        return services.programme_create(
            actor=SETUP,
            academic_year=current_academic_year(),
            title="Программа наставничества «Вместе к успеху»",
            forms=["pupil_pupil", "teacher_teacher"],
            coordinator_id=staff["coordinator"].pk,
            curator_ids=[staff["curator"].pk],
        )
