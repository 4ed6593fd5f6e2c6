"""The municipal tier: a user of a municipal education department sees its own
municipality's institutions (list, pages, indicators, laggards, the report) and no other
municipality's, through every route of the regional host; nothing they send changes a thing."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import get_resolver
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.models import Role
from regional.kpis import metrics
from regional.kpis import services as kpis
from tenants import services
from tenants.models import (
    Institution,
    InstitutionStatus,
    Municipality,
    OnboardingApplication,
)
from tests.conftest import SETUP, make_user
from tests.isolation.objects_of_b import MARKER
from tests.isolation.test_cross_tenant import (
    METHODS,
    assert_route_known,
    fill,
    label_for,
    request,
    walk,
)

pytestmark = pytest.mark.django_db

HOST = "nastavnik.test"
PERIOD = "2026-10"


def snapshot(institution_id: int) -> None:
    kpis.snapshot_record(
        run_id=None,
        period=PERIOD,
        institution_id=institution_id,
        academic_year=metrics.academic_year_of(metrics.period_date(PERIOD)),
        values={"headcount_learners": 100, "learner_mentees_10_plus": 40, "pairs_active": 30},
    )


@pytest.fixture
def region(tenants: Any) -> Any:
    """A and B in the test municipality; C (no schema needed: numbers only) in another."""
    other = Municipality.objects.create(name="Другой район")
    gamma = Institution.objects.create(
        slug="gamma-mun",
        schema_name="gamma_mun",
        name="МБОУ Школа Гамма",
        short_name="Школа Гамма",
        kind="school",
        municipality=other,
        status=InstitutionStatus.ACTIVE,
    )
    for institution in (tenants.a, tenants.b, gamma):
        snapshot(institution.pk)
    application = OnboardingApplication.objects.create(
        name=MARKER,
        short_name=MARKER,
        kind="school",
        municipality=tenants.municipality,
        desired_slug="municipal-x",
        applicant_name=MARKER,
        applicant_email="x@x.ru",
    )
    return SimpleNamespace(
        a=tenants.a,
        b=tenants.b,
        municipality=tenants.municipality,
        other=other,
        gamma=gamma,
        application=application,
    )


def officer(municipality: Municipality, username: str) -> Any:
    user = make_user("public", Role.MUNICIPAL, username)
    services.municipal_access_grant(actor=SETUP, user=user, municipality_id=municipality.pk)
    return user


def signed_in(user: Any) -> APIClient:
    client = APIClient(HTTP_HOST=HOST)
    client.force_login(user, backend="accounts.backends.InstitutionAwareBackend")
    return client


def officer_client(municipality: Municipality, username: str) -> APIClient:
    return signed_in(officer(municipality, username))


def fresh_sessions(user: Any) -> Callable[[], APIClient]:
    """Clients signed in as ``user``, each with a session of its own: ``user`` signs in once
    (``force_login``), every client gets a new session holding what that sign-in stored (one
    INSERT instead of a whole sign-in: its signals, key cycling, ``last_login``)."""
    from importlib import import_module

    from django.conf import settings

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    signed_in_data = dict(signed_in(user).session.items())

    def client() -> APIClient:
        session = store_class()
        session.update(signed_in_data)
        session.create()
        made = APIClient(HTTP_HOST=HOST)
        made.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
        return made

    return client


def test_a_municipal_user_sees_no_other_municipalitys_institution_through_any_route(
    region: Any,
) -> None:
    user = officer(region.other, "mun-other")
    ids = defaultdict(
        lambda: "1",
        {
            "tenants.institution": str(region.a.pk),
            "tenants.onboardingapplication": str(region.application.pk),
        },
    )
    names = {region.a.name, region.a.short_name, region.b.name, region.b.short_name, MARKER}
    session_of_user = fresh_sessions(user)
    for route in walk(get_resolver("config.urls_public")):
        assert_route_known(route)
        path = fill(route, ids, label=label_for(route) or "none")
        for method in METHODS:
            # a session of its own for every request: a POST to the logout route ends one
            response = request(session_of_user(), method, path)
            body = response.content.decode(errors="replace")
            seen = [name for name in names if name in body]
            assert not seen, f"{method.upper()} {path} ({response.status_code}) shows {seen}"
    assert Institution.objects.get(pk=region.a.pk).status == InstitutionStatus.ACTIVE
    assert OnboardingApplication.objects.get(pk=region.application.pk).status == "pending"


def test_a_municipal_user_sees_its_own_institutions_numbers_and_report(region: Any) -> None:
    client = officer_client(region.municipality, "mun-own")
    home = client.get("/").content.decode()
    assert region.a.short_name in home and region.b.short_name in home
    assert region.gamma.short_name not in home
    assert client.get(f"/institutions/{region.a.pk}/").status_code == 200
    assert client.get(f"/institutions/{region.gamma.pk}/").status_code == 404
    dashboard = client.get(f"/kpis/?period={PERIOD}")
    body = dashboard.content.decode()
    assert dashboard.status_code == 200
    assert region.a.short_name in body and region.gamma.short_name not in body
    assert 'data-testid="aggregate-now"' not in body and 'data-testid="period-close"' not in body
    # another municipality chosen by hand: refused next to the field
    assert client.get(f"/kpis/?period={PERIOD}&municipality={region.other.pk}").status_code == 400
    report = client.get(f"/kpis/export/report.xlsx?period={PERIOD}")
    assert report.status_code == 200
    book = load_workbook(io.BytesIO(report.content))
    for sheet in ("По организациям", "Мониторинг ЦМН"):
        cells = {str(c.value) for row in book[sheet].iter_rows() for c in row}
        assert region.a.short_name in cells and region.gamma.short_name not in cells, sheet
    applications = client.get("/applications/").content.decode()
    assert MARKER in applications and "application-approve" not in applications
    # regional decisions stay with the regional centre
    assert client.post(f"/applications/{region.application.pk}/approve/").status_code == 403
    assert client.post("/kpis/runs/", {"period": PERIOD}).status_code == 403


def test_a_municipal_user_without_a_municipality_sees_nothing(region: Any) -> None:
    user = make_user("public", Role.MUNICIPAL, "mun-none")
    client = APIClient(HTTP_HOST=HOST)
    client.force_login(user, backend="accounts.backends.InstitutionAwareBackend")
    home = client.get("/").content.decode()
    assert region.a.short_name not in home and region.gamma.short_name not in home
