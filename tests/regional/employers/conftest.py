"""Employers, their users and mentors for the employer tests (public schema)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import Role, User
from regional.employers import services
from regional.employers.models import Employer, EmployerMentor
from tests.conftest import SETUP, make_user

_counter = itertools.count(1)


def valid_inn(seed: int) -> str:
    """A 10-digit organisation INN with a correct check digit."""
    body = f"77{seed:07d}"[-9:]
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    check = sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11 % 10
    return f"{body}{check}"


def create_employer(name: str = "ООО «Агрохолдинг»") -> Employer:
    return services.employer_create(name=name, inn=valid_inn(next(_counter) + 500000), actor=SETUP)


def create_employer_user(employer: Employer, username: str | None = None) -> User:
    user = make_user("public", Role.EMPLOYER, username or f"employer-{next(_counter)}")
    services.employer_member_add(employer=employer, user=user, actor=SETUP)
    return user


def create_mentor(employer: Employer, **overrides: Any) -> EmployerMentor:
    values: dict[str, Any] = {
        "last_name": "Орлов",
        "first_name": "Игорь",
        "middle_name": "Петрович",
        "position": "Главный агроном",
        "bio": "20 лет в растениеводстве.",
        "competences": ["Агрономия", "Проектная деятельность"],
        "forms": ["employer_pupil", "employer_student"],
        "remote": False,
        "capacity": 5,
        "contact_email": f"mentor-{next(_counter)}@agro.ru",
    }
    values.update(overrides)
    return services.employer_mentor_create(employer=employer, actor=SETUP, **values)


@pytest.fixture
def employer(db: None) -> Employer:
    return create_employer()


@pytest.fixture
def employer_user(employer: Employer) -> User:
    return create_employer_user(employer)


@pytest.fixture
def mentor_of(tenants: Any) -> Callable[..., EmployerMentor]:
    def _make(employer: Employer, **overrides: Any) -> EmployerMentor:
        overrides.setdefault("municipalities", [tenants.municipality.pk])
        return create_mentor(employer, **overrides)

    return _make


@pytest.fixture(autouse=True)
def _english_by_default(settings: Any) -> None:
    """These tests read message texts in the English msgids; users get Russian by default."""
    settings.LANGUAGE_CODE = "en"
