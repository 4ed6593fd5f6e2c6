"""Data for the page tests: a small programme in institution A with one pair, made through
the apps' public services (as the pages themselves do)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Role, User
from config.db import tenant_connection
from tests import builders
from tests.conftest import SETUP, make_user


@dataclass
class School:
    users: dict[str, User]
    ids: dict[str, int]


def page_client(host: str, user: User | None, schema_name: str, language: str = "ru") -> Client:
    client = Client(HTTP_HOST=host)
    client.cookies["django_language"] = language
    if user is not None:
        with schema_context(schema_name):
            client.force_login(user, backend="accounts.backends.InstitutionAwareBackend")
    return client


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def build_school(schema_name: str) -> School:
    """Users of every tenant role, a programme with its roadmap, a mentor and a mentee with
    consents and profiles, one pair with a meeting, an import batch and a matching run."""
    from schools.imports import services as import_services
    from schools.matching import services as matching_services
    from schools.pairs import api as pairs_api
    from schools.pairs import services as pair_services
    from schools.pairs.models import Pair
    from schools.programmes import services as programme_services
    from schools.programmes.selectors import current_academic_year

    users: dict[str, User] = {
        str(role): make_user(schema_name, role, f"web-{role}", email=f"web-{role}@alpha.ru")
        for role in (
            Role.COORDINATOR,
            Role.CURATOR,
            Role.DIRECTOR,
            Role.DEPUTY,
            Role.MENTOR,
            Role.MENTEE,
            Role.PARENT,
        )
    }
    with schema_context(schema_name):
        programme = programme_services.programme_create(
            actor=SETUP,
            academic_year=current_academic_year(),
            title="Программа наставничества",
            forms=["teacher_teacher", "pupil_pupil"],
        )
        mentor = builders.person(
            names="Иванова Мария Петровна",
            born=datetime.date(1980, 3, 1),
            user_id=users[Role.MENTOR].pk,
            mentor_capacity=2,
        )
        mentee = builders.person(
            last_name="Петров",
            first_name="Олег",
            born=datetime.date(1999, 5, 2),
            is_young_specialist=True,
            user_id=users[Role.MENTEE].pk,
            mentee=True,
        )
        run = matching_services.run_create(programme=programme, actor=SETUP)
        pair_id = pairs_api.pair_create(
            programme_id=programme.pk,
            mentor_participant_id=mentor.pk,
            mentee_participant_ids=[mentee.pk],
            form="teacher_teacher",
            actor=SETUP,
        )
        pair = Pair.objects.get(pk=pair_id)
        pair_services.meeting_create(
            pair=pair,
            kind="organisational",
            starts_at=timezone.now() + datetime.timedelta(days=1),
            place="Кабинет 12",
            actor=SETUP,
        )
        from django.core.files.uploadedfile import SimpleUploadedFile

        batch = import_services.import_batch_create(
            kind="participants",
            uploaded_file=SimpleUploadedFile(
                "people.xlsx",
                xlsx_bytes(
                    [
                        ["ФИО", "Дата рождения", "Категория", "Класс/Группа"],
                        ["Сидоров Пётр Ильич", "01.02.2012", "ученик", "7А"],
                        ["Без Даты", "", "ученик", "7А"],
                    ]
                ),
            ),
            actor=SETUP,
        )
        proposal = run.proposals.first()
    ids = {
        "programme": programme.pk,
        "participant": mentor.pk,
        "pair": pair_id,
        "importbatch": batch.pk,
        "matchrun": run.pk,
        "matchproposal": proposal.pk if proposal else 1,
    }
    from tests.web import areas  # each area adds its own objects (tests/web/areas/)

    with schema_context(schema_name):
        areas.tenant_objects(schema_name, users, ids)
    return School(users=users, ids=ids)


@pytest.fixture(scope="module")
def _school_of_module(
    request: pytest.FixtureRequest, tenants: Any, django_db_blocker: Any
) -> Iterator[School | None]:
    """For a module that sets ``SHARE_SCHOOL = True`` (every test of it takes ``school``): the
    school built once, inside a transaction rolled back after the module. Each test runs in a
    savepoint of it (pytest-django's ``db``), so what a test changes is undone before the next
    one and the test sees the school as built, whatever ran before it. Other modules: None."""
    if not getattr(request.module, "SHARE_SCHOOL", False):
        yield None
        return
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_school(tenants.a.schema_name)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            tenant_connection().set_schema_to_public()


@pytest.fixture
def school(_school_of_module: School | None, tenant_a: Any) -> School:
    """The school of ``build_school`` in A: made for the test, or the module's shared one with
    its users read afresh (a test may change a user object it holds)."""
    if _school_of_module is None:
        return build_school(tenant_a.schema_name)
    with schema_context(tenant_a.schema_name):
        users = {
            role: User.objects.get(pk=user.pk) for role, user in _school_of_module.users.items()
        }
    return School(users=users, ids=dict(_school_of_module.ids))
