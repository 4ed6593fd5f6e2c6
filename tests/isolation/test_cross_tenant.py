"""Isolation is sacred: a user of institution A never sees or changes institution B's data.

The test walks EVERY route of the institution URLconf and the regional URLconf. A route that is
not described below fails the test, so every new endpoint must join it:

* with A's credentials (session cookie and API token) on B's host, no route answers 2xx with
  B's data, and no write succeeds;
* on A's own host, B's object ids (which do not exist in A) give 404 (or the admin's
  "does not exist" redirect) — the same answer as for any missing object;
* A's credentials mean nothing on the regional host.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import import_module
from typing import Any

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django_tenants.utils import schema_context
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Invitation, Role, User
from config.api.base import ScopedAPIMixin
from config.db import tenant_connection
from schools.programmes.models import Programme
from tests.conftest import PASSWORD, make_user
from tests.isolation import (
    objects_of_b_axes,  # noqa: F401  (registers the axes factories)
    objects_of_b_sso,  # noqa: F401  (registers the SSO factories)
)
from tests.isolation.objects_of_b import FACTORIES, MARKER, bump_sequence

METHODS = ("get", "post", "put", "patch", "delete")

# Routes anyone may open (they show no institution data); with B's ids they still show none.
OPEN_ROUTES = {
    "home",
    "healthz",
    "login",
    "logout",
    "set_language",
    "api-schema",
    "api-docs",
    "api-token",
    "invitation-accept",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",  # the uid and token are checked in the host's schema only
    "password_reset_complete",
    "api-root",
    "municipality-list",
    "municipality-detail",
    "application-list",  # POST: anyone may apply to join; GET needs a regional role
    "regional:apply",  # the page of the same (throttled, with a honeypot)
    "regional:apply-done",
    # A person's calendar feed at a secret token URL (calendar apps cannot sign in); the token
    # is looked up in the host's schema only (tests/schools/pairs/test_calendar.py).
    "calendar-feed-detail",
    # Answering a survey through a personal one-time link (no login); the token is looked up
    # in the host's schema only, so B's token is not found on A (tests/schools/monitoring).
    "survey-link-detail",
    "survey-link-submit",
    # The page of the same one-time link (school:survey-link): the token is looked up in the
    # host's schema only, so B's token is not found on A (tests/web/test_surveys.py).
    "school:survey-link",
    # The short link of a printed invitation slip (school:survey-short): the same lookup.
    "school:survey-short",
    # A parent's one-time consent link (school:consent-online): the token is looked up by its
    # hash in the host's schema only, so B's token is not found on A (tests/web/test_year_start).
    "school:consent-online",
    # The public programme page of an institution (no login by design; only what the
    # coordinator chose, never a learner's name: tests/web/test_year_end.py).
    "school:public",
    "school:public-embed",
    # Single sign-on (accounts.sso): the start and the callback keep their state in the host's
    # own session, and the callback signs in only people of the host's own schema; a state of
    # B's host is refused on A's (tests/sso/test_sso.py). The signed-out page only redirects.
    "sso-start",
    "sso-callback",
    "sso-signed-out",
}
ADMIN_OPEN_VIEWS = {"login", "logout", "jsi18n"}
# Routes that need a signed-in user but belong to no model: every role may use them.
SIGNED_IN_ROUTES = {
    "api-me",
    # the second factor of the signed-in person (accounts.twofactor): their own devices only
    "two-factor",
    "two-factor-setup",
    "two-factor-manage",
    "two-factor-recovery-codes",
    "two-factor-disable",
}
# Server-rendered pages (not DRF views, so their model is named here: the model of the id in
# their path, or None). They need a signed-in user of the host's own schema: with A's
# credentials on B's host they never answer 2xx, and on A's host B's ids give 404 (or 405 for
# a method the page does not take), like the API.
PAGE_ROUTES: dict[str, str | None] = {
    "school:home": None,
    "school:programme": None,
    "school:programme-create": None,
    "school:participants": None,
    "school:participant": "participants.participant",
    "school:consent-create": "participants.participant",
    "school:imports": None,
    "school:import": "imports.importbatch",
    "school:import-progress": "imports.importbatch",
    "school:import-commit": "imports.importbatch",
    "school:import-cancel": "imports.importbatch",
    "school:import-template": None,
    "school:import-rejected": "imports.importbatch",
    "school:programme-setup": None,
    "school:orders": None,
    "school:order-prepare": None,
    "school:regulation-docx": None,
    "school:order-approve": "documents.order",
    "school:order-discard": "documents.order",
    "school:order-docx": "documents.order",
    "school:classes": None,
    "school:classes-curators": None,
    "school:class": "participants.studygroup",
    "school:class-consents": "participants.studygroup",
    "school:consent-link": "participants.participant",
    "school:consent-scan-add": "participants.consent",
    "school:consent-scan": "participants.consentscan",
    "school:consent-alert-ack": "participants.consentalert",
    "school:matching": None,
    "school:matching-run-create": None,
    "school:matching-run": "matching.matchrun",
    "school:matching-approve": "matching.matchrun",
    "school:matching-run-cancel": "matching.matchrun",
    "school:matching-decide": "matching.matchproposal",
    "school:matching-unmatched": "matching.unmatchedmentee",
    "school:matching-proposal": "matching.matchproposal",
    "school:matching-approve-selected": "matching.matchrun",
    "school:pairs": None,
    "school:pair": "pairs.pair",
    "school:meeting-create": "pairs.pair",
    "school:meeting-edit": "pairs.meeting",
    "school:meeting-held": "pairs.meeting",
    "school:meeting-cancel": "pairs.meeting",
    # The caller's own calendar link (no id: made for the signed-in person only).
    "school:calendar-link-issue": None,
    "school:calendar-link-revoke": None,
    "school:group-meetings": None,
    "school:matching-weights": None,
    "school:invitations": None,
    "school:campaign-dates": "monitoring.surveycampaign",
    "school:activity-delete": "programmes.roadmapactivity",
    "school:group-meeting": "matching.groupmeeting",
    "school:group-meeting-edit": "matching.groupmeeting",
    "school:group-meeting-held": "matching.groupmeeting",
    "school:group-meeting-preferences": "matching.groupmeeting",
    "school:guardianships": "participants.participant",
    "school:guardianship-delete": "participants.guardianship",
    "school:pair-rate": "pairs.pair",
    "school:plan-summary": "pairs.developmentplan",
    "school:plan-goal-delete": "pairs.plangoal",
    "school:campaigns": None,
    "school:questionnaire-adopt": None,
    "school:campaign-create": None,
    "school:campaign-pair-choices": None,
    "school:questionnaire-create": None,
    "school:campaign": "monitoring.surveycampaign",
    "school:campaign-open": "monitoring.surveycampaign",
    "school:campaign-close": "monitoring.surveycampaign",
    "school:campaign-remind": "monitoring.surveycampaign",
    "school:campaign-xlsx": "monitoring.surveycampaign",
    "school:campaign-launch-progress": "monitoring.surveycampaign",
    "school:campaign-reach": "monitoring.surveycampaign",
    "school:campaign-print": "monitoring.surveycampaign",
    "school:monitoring-report": None,
    "school:document-annual-report": None,
    "school:document-employer-letters": None,
    "school:pair-personalised-programme": "pairs.pair",
    "school:programme-next-year": None,
    "school:time-zone": None,
    "school:pair-complete": "pairs.pair",
    "school:pair-end-early": "pairs.pair",
    "school:pair-reassign": "pairs.pair",
    "school:public-settings": None,
    # A public document (no login, but only one marked public; B's factory is not public, and
    # B's id on A's host is a 404 like any other).
    "school:public-document": "publication.publicdocument",
    "school:public-document-add": None,
    "school:public-document-delete": "publication.publicdocument",
    "school:my-surveys": None,
    "school:my-survey": "monitoring.surveyinvitation",
    "school:bases": None,
    "school:bases-mentor": "participants.mentorprofile",
    "school:bases-mentor-edit": "participants.mentorprofile",
    "school:bases-mentee": "participants.menteeprofile",
    "school:bases-mentee-edit": "participants.menteeprofile",
    "school:catalogue": None,
    "school:catalogue-entry": "participants.topic",
    "school:activity-create": None,
    "school:activity-edit": "programmes.roadmapactivity",
    "school:activity-reschedule": "programmes.roadmapactivity",
    "school:activity-done": "programmes.roadmapactivity",
    "school:my-consents": None,
    "school:my-consent-withdraw": "participants.participant",
    "regional:home": None,
    "regional:institution-create": None,
    "regional:institution": "tenants.institution",
    "regional:institution-status": "tenants.institution",
    "regional:institution-lifecycle": "tenants.institution",
    "regional:audit": None,
    "regional:institution-import": None,
    "regional:institution-import-template": None,
    "regional:institution-import-detail": "tenants.institutionimport",
    "regional:institution-import-progress": "tenants.institutionimport",
    "regional:municipal-officers": None,
    "regional:municipal-access-revoke": "tenants.municipalaccess",
    "regional:settings": None,
    "regional:applications": None,
    "regional:application-approve": "tenants.onboardingapplication",
    "regional:application-reject": "tenants.onboardingapplication",
    "regional:kpis": None,
    "regional:kpis-rating": None,
    "regional:announcements": None,
    "school:documents": None,
    "school:document-approval-order": None,
    "school:document-encouragement-order": None,
    "school:document-consent-form": "participants.participant",
    "school:document-consent-forms": None,
    "school:document-thank-you-letters": None,
    "school:document-job": "documents.documentjob",
    "school:document-job-progress": "documents.documentjob",
    "school:document-job-retry": "documents.documentjob",
    "school:document-job-cancel": "documents.documentjob",
    "school:document-job-download": "documents.documentjob",
    "school:matching-run-progress": "matching.matchrun",
    "school:plan-goal-create": "pairs.developmentplan",
    "school:plan-goal-update": "pairs.plangoal",
    "school:plan-goal-done": "pairs.plangoal",
    "regional:kpis-export-region": None,
    "regional:kpis-export-municipalities": None,
    "regional:kpis-export-institutions": None,
    "regional:kpis-export-series": None,
    "regional:kpis-export-report": None,
    "regional:kpis-run-start": None,
    "regional:kpis-period-close": None,
    "regional:kpis-run": "kpis.aggregationrun",
    "regional:kpis-run-progress": "kpis.aggregationrun",
    "regional:templates": None,
    "regional:template-create": None,
    "regional:template-version-new": "questionnaire_templates.questionnairetemplate",
    "regional:template-update": "questionnaire_templates.questionnairetemplate",
    "regional:template-version-retire": "questionnaire_templates.templateversion",
    "regional:template-version": "questionnaire_templates.templateversion",
    "regional:template-version-update": "questionnaire_templates.templateversion",
    "regional:template-version-publish": "questionnaire_templates.templateversion",
    "regional:template-version-delete": "questionnaire_templates.templateversion",
    "regional:template-version-preview": "questionnaire_templates.templateversion",
    "regional:template-question-add": "questionnaire_templates.templateversion",
    "regional:template-question": "questionnaire_templates.question",
    "regional:template-question-move": "questionnaire_templates.question",
    "regional:template-question-delete": "questionnaire_templates.question",
    "regional:survey-results": None,
    "regional:survey-results-xlsx": None,
    "regional:practices": None,
    "regional:practice": "practices.practicecase",
    "school:practices": None,
    "school:announcements": None,
    "school:practice-create": None,
    "school:practice": "pairs.practicecase",
    "school:practice-publish": "pairs.practicecase",
    "school:practice-prepare": "pairs.practicecase",
    "school:practice-preview": "pairs.practicecase",
    # employers: the catalogue (B's paused mentor is in nobody's catalogue) and own requests
    "school:employer-mentors": None,
    "school:employer-mentor-request": "employers.employermentor",
    "school:employer-request-cancel": "employers.mentorrequest",
    "regional:employer-summary": None,
    "regional:employer-offers": None,
    "regional:employer-offer-create": None,
    "regional:employer-offer": "employers.employermentor",
    "regional:employer-requests": None,
    "regional:employer-request-approve": "employers.mentorrequest",
    "regional:employer-request-decline": "employers.mentorrequest",
    "regional:employer-placements": None,
    "regional:employer-placement-end": "employers.placement",
    "regional:employer-placement-cancel": "employers.placement",
    "regional:board": None,
    "regional:board-export": None,
}


@dataclass
class Route:
    name: str
    pattern: str
    params: list[str]
    callback: Any = None


def walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            params = list(entry.pattern.regex.groupindex)
            outer = list(resolver.pattern.regex.groupindex) if hasattr(resolver, "pattern") else []
            yield Route(
                f"{namespace}{entry.name}",
                prefix + str(entry.pattern),
                outer + params,
                entry.callback,
            )


@dataclass
class ObjectsOfB:
    ids: dict[str, str]
    user: User


def make_objects_of_b(schema_name: str) -> ObjectsOfB:
    """One object of B for every model a route can address (see objects_of_b.py)."""
    with schema_context(schema_name):
        bump_sequence("accounts_user")
        user = User.objects.create_user(
            username="b-user",
            password=PASSWORD,
            role=Role.COORDINATOR,
            last_name=MARKER,
            is_staff=True,
            is_superuser=True,
        )
        ids = {label: make(user) for label, make in FACTORIES.items()}
    return ObjectsOfB(ids=ids, user=user)


def view_model_label(route: Route) -> str | None:
    """The model a DRF route's id refers to, read from its view's scoped queryset."""
    view_class = getattr(route.callback, "cls", None)
    if view_class is None or not issubclass(view_class, ScopedAPIMixin):
        return None
    view = view_class()
    view.swagger_fake_view = True
    model = view.scoped_queryset().model
    return f"{model._meta.app_label}.{model._meta.model_name}"


def is_open(route_name: str) -> bool:
    if is_admin(route_name):
        return route_name.split(":", 1)[1] in ADMIN_OPEN_VIEWS
    return route_name in OPEN_ROUTES


def is_admin(route_name: str) -> bool:
    return route_name.split(":", 1)[0] in ("tenant_admin", "public_admin") and ":" in route_name


def admin_model_label(route_name: str) -> str | None:
    """admin:programmes_programme_change -> programmes.programme"""
    from django.apps import apps

    short = route_name.split(":", 1)[1]
    if short == "view_on_site":
        return "programmes.programme"
    for model in apps.get_models():
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if short.startswith(prefix):
            return f"{model._meta.app_label}.{model._meta.model_name}"
    return None


PARAM_RE = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")
OBJECT_PARAMS = ("pk", "object_id", "id")


def fill(route: Route, ids: dict[str, str], *, label: str | None) -> str:
    """The route's path with its parameters filled; object ids are those of ``label``."""
    values: dict[str, str] = {
        "format": "json",
        "app_label": "programmes",
        "token": "x" * 43,
        "url": "nothing/here/",
    }
    for param in route.params:
        if param in OBJECT_PARAMS:
            assert label is not None, f"{route.name}: cannot tell which model its id refers to"
            value = ids[label] if isinstance(ids, defaultdict) else ids.get(label)
            assert value, f"route {route.name}: add an object of B for {label}"
            values[param] = value
        elif param == "content_type_id":
            from django.contrib.contenttypes.models import ContentType

            values[param] = str(ContentType.objects.get_for_model(Programme).pk)
    path = PARAM_RE.sub(lambda m: values.get(m.group(1) or m.group(2), "1"), route.pattern)
    path = path.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "/")
    return "/" + path.lstrip("/")


def label_for(route: Route) -> str | None:
    if route.name in PAGE_ROUTES:
        return PAGE_ROUTES[route.name]
    if is_admin(route.name):
        from django.apps import apps

        parts = route.pattern.split("/")
        if len(parts) > 3:
            try:
                model = apps.get_model(parts[1], parts[2])
            except (LookupError, ValueError):
                model = None
            if model is not None:
                return f"{model._meta.app_label}.{model._meta.model_name}"
        return admin_model_label(route.name)
    return view_model_label(route)


def assert_route_known(route: Route) -> None:
    """Every route is an admin route, a scoped API route (its model found automatically), or
    listed above as open or signed-in-only."""
    if is_admin(route.name) or view_model_label(route) is not None:
        return
    assert route.name in OPEN_ROUTES | SIGNED_IN_ROUTES | PAGE_ROUTES.keys(), (
        f"Route {route.name!r} ({route.pattern}) is not covered by the cross-tenant test: "
        "build it on the scoped API base classes, or list it in OPEN_ROUTES / "
        "SIGNED_IN_ROUTES / PAGE_ROUTES."
    )


def request(client: APIClient, method: str, path: str) -> Any:
    return getattr(client, method)(path, {}, format="json")


@pytest.fixture
def setup(tenants, db):
    a, b = tenants.a, tenants.b
    a_user = make_user(a.schema_name, Role.COORDINATOR, "a-coord", is_staff=True, is_superuser=True)
    with schema_context(a.schema_name):
        Programme.objects.create(academic_year=2030, title="Программа А")
        a_token = Token.objects.create(user=a_user).key
    objects = make_objects_of_b(b.schema_name)
    tenant_connection().set_schema_to_public()
    return a, b, a_user, a_token, objects


def fresh_session_keys(user: User, schema_name: str) -> Callable[[], str]:
    """Keys of new sessions of ``user`` in ``schema_name``, each a session of its own: ``user``
    signs in once (``force_login``), every key is a new session holding what that sign-in
    stored (one INSERT instead of a whole sign-in: its signals, key cycling, ``last_login``)."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    signed_in = APIClient()
    with schema_context(schema_name):
        signed_in.force_login(user, backend="accounts.backends.InstitutionAwareBackend")
        signed_in_data = dict(signed_in.session.items())

    def key() -> str:
        session = store_class()
        session.update(signed_in_data)
        with schema_context(schema_name):
            session.create()
        return str(session.session_key)

    return key


def clients_with_a_credentials(host: str, session_key: str, token: str) -> list[APIClient]:
    """A client with a session of A's user (``session_key``, a new one for each route: a POST
    to the logout route ends it) and a client with A's user's API token, on ``host``."""
    session = APIClient(HTTP_HOST=host)
    session.cookies[settings.SESSION_COOKIE_NAME] = session_key
    token_client = APIClient(HTTP_HOST=host)
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return [session, token_client]


def test_every_tenant_route_refuses_a_users_of_institution_a_on_b(setup):
    a, b, a_user, a_token, objects = setup
    routes = list(walk(get_resolver("config.urls_tenant")))
    session_of_a = fresh_session_keys(a_user, a.schema_name)
    # the sessions are A's user's: on A's own host they sign in
    own = clients_with_a_credentials(a.host, session_of_a(), a_token)
    assert [client.get("/api/v1/me/").json()["username"] for client in own] == ["a-coord"] * 2
    checked = 0
    for route in routes:
        assert_route_known(route)
        label = label_for(route)
        path = fill(route, objects.ids, label=label)
        for client in clients_with_a_credentials(b.host, session_of_a(), a_token):
            for method in METHODS:
                response = request(client, method, path)
                body = response.content.decode(errors="replace")
                assert MARKER not in body, f"{method.upper()} {path} on B leaked B's data"
                if not is_open(route.name):
                    assert response.status_code not in range(200, 300), (
                        f"{method.upper()} {path} on B's host answered {response.status_code} "
                        "to a user of A"
                    )
                checked += 1
    assert checked > 100


def test_ids_of_b_on_a_host_are_not_found(setup):
    a, _b, a_user, _a_token, objects = setup
    client = APIClient(HTTP_HOST=a.host)
    with schema_context(a.schema_name):
        client.force_login(a_user, backend="accounts.backends.InstitutionAwareBackend")
    for route in walk(get_resolver("config.urls_tenant")):
        if not any(p in OBJECT_PARAMS for p in route.params):
            continue
        label = label_for(route)
        path = fill(route, objects.ids, label=label)
        for method in METHODS:
            response = request(client, method, path)
            body = response.content.decode(errors="replace")
            assert MARKER not in body, f"{method.upper()} {path} on A showed B's data"
            if is_admin(route.name):
                assert response.status_code in (302, 404, 405), (path, response.status_code)
            else:
                assert response.status_code in (404, 405), (
                    f"{method.upper()} {path}: {response.status_code}, want 404"
                )


def test_b_invitation_link_does_not_open_on_a(setup):
    a, b, *_ = setup
    token = "b-invitation-token-for-isolation-test-000000"
    with schema_context(b.schema_name):
        Invitation.objects.create(
            email="inv-b@beta.ru",
            role=Role.MENTOR,
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
            sent_at="2026-01-01T00:00:00Z",
            expires_at="2099-01-01T00:00:00Z",
        )
    assert APIClient(HTTP_HOST=b.host).get(f"/accounts/invite/{token}/").status_code == 200
    for host in (a.host, "nastavnik.test"):
        response = APIClient(HTTP_HOST=host).get(f"/accounts/invite/{token}/")
        assert response.status_code == 404
        response = APIClient(HTTP_HOST=host).post(
            f"/accounts/invite/{token}/", {"username": "intruder", "password": "Str0ng-Pass!"}
        )
        assert response.status_code == 404
    with schema_context(a.schema_name):
        assert not User.objects.filter(username="intruder").exists()


def test_every_regional_route_refuses_institution_users(setup):
    a, b, a_user, a_token, _objects = setup
    from tenants.models import Institution, OnboardingApplication

    application = OnboardingApplication.objects.create(
        name=MARKER,
        short_name=MARKER,
        kind="school",
        municipality=b.municipality,
        desired_slug="isolation-x",
        applicant_name=MARKER,
        applicant_email="x@x.ru",
    )
    # Public models get the ids of real rows: B itself, a pending application, else "1".
    ids = defaultdict(
        lambda: "1",
        {
            "tenants.institution": str(b.pk),
            "tenants.onboardingapplication": str(application.pk),
        },
    )
    session_of_a = fresh_session_keys(a_user, a.schema_name)
    for route in walk(get_resolver("config.urls_public")):
        assert_route_known(route)
        label = label_for(route) or "none"
        path = fill(route, ids, label=label)
        for client in clients_with_a_credentials("nastavnik.test", session_of_a(), a_token):
            for method in METHODS:
                response = request(client, method, path)
                if is_open(route.name):
                    continue
                assert response.status_code not in range(200, 300), (
                    f"{method.upper()} {path} on the regional host answered "
                    f"{response.status_code} to a user of an institution"
                )
                assert MARKER not in response.content.decode(errors="replace")
    assert Institution.objects.filter(pk=b.pk, status="active").exists()
    assert OnboardingApplication.objects.get(pk=application.pk).status == "pending"


def test_a_route_nobody_described_fails_the_walk():
    unknown = Route(name="report-export", pattern="api/v1/reports/<pk>/", params=["pk"])
    with pytest.raises(AssertionError, match="not covered"):
        assert_route_known(unknown)
