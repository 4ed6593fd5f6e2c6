"""Parity of the two doors: every write action that a role can take through the API, that
role can take in the pages.

The API's write actions are enumerated from the DRF routers (each viewset action answering
POST, PUT, PATCH or DELETE, with the roles its permission admits); the pages are the URL names
of the page views that accept POST, with the roles ``role_required`` admits (``page_roles``).
``TENANT`` and ``PUBLIC`` map each action to its pages, to a reason why it has none (e.g. a
login by token), or to a known gap with the issue that will close it. The test fails on an
action in none of them, on a table entry that names no action or no page, on a page that does
not take POST, and on a role the API admits that the page does not.

Keep the table honest: a page listed must really do what the action does; ``roles`` narrows
the API's roles only where the API itself refuses the others after looking the object up (say
where, in ``note``); a gap is moved to a page when the page lands, never the other way."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.module_loading import import_string

from accounts.models import Role
from config.pages import TenantPage

WRITE_METHODS = {"post", "put", "patch", "delete"}
STANDARD = {"create": "post", "update": "put", "partial_update": "patch", "destroy": "delete"}

COORDINATOR = frozenset({Role.COORDINATOR})
MENTOR_MENTEE = frozenset({Role.MENTOR, Role.MENTEE})


@dataclass(frozen=True)
class Pages:
    """The pages that do what the action does (any one of them, for its roles)."""

    names: tuple[str, ...]
    roles: frozenset[str] | None = None  # None: the roles the API's permission admits
    note: str = ""


@dataclass(frozen=True)
class Reason:
    """No page, on purpose."""

    why: str


@dataclass(frozen=True)
class Gap:
    """No page yet: a known gap, with the issue (and stream) that closes it."""

    issue: str


Entry = Pages | Reason | Gap

TENANT: dict[tuple[str, str], Entry] = {
    ("invitation", "create"): Pages(("school:invitations",)),
    ("programme", "create"): Pages(("school:programme-create",)),
    ("programme", "partial_update"): Gap("#12 item 1: the programme set-up page"),
    ("programme", "stage_mark"): Gap("#12 item 1: marking a stage done on the roadmap"),
    ("roadmap-activity", "create"): Pages(("school:activity-create",)),
    ("roadmap-activity", "partial_update"): Pages(
        ("school:activity-edit", "school:activity-reschedule", "school:activity-done"),
        note="a curator marks done the activities it is responsible for (both doors)",
    ),
    ("roadmap-activity", "destroy"): Pages(("school:activity-delete",)),
    ("participant", "create"): Pages(
        ("school:imports",), roles=COORDINATOR, note="one person or many, by import"
    ),
    ("participant", "partial_update"): Gap("#12 item 2: editing a person on the class page"),
    ("study-group", "create"): Gap("#12 item 2: the class page (stream school-start)"),
    ("study-group", "partial_update"): Gap("#12 item 2: the class page (stream school-start)"),
    ("guardianship", "create"): Pages(("school:guardianships",)),
    ("consent", "create"): Pages(
        ("school:consent-create", "school:my-consent-withdraw"),
        note="a parent withdraws a child's consent on their own page; giving it online by "
        "a one-time link is #12 item 3",
    ),
    ("mentee-profile", "create"): Pages(
        ("school:imports",), roles=COORDINATOR, note="the bases are filled by import"
    ),
    ("mentee-profile", "partial_update"): Pages(("school:bases-mentee-edit",)),
    ("mentor-profile", "create"): Pages(("school:imports",), note="filled by import"),
    ("mentor-profile", "partial_update"): Pages(("school:bases-mentor-edit",)),
    ("import-batch", "create"): Pages(("school:imports",)),
    ("import-batch", "commit"): Pages(("school:import-commit",)),
    ("group-meeting", "create"): Pages(("school:group-meetings",)),
    ("group-meeting", "partial_update"): Pages(
        ("school:group-meeting-edit", "school:group-meeting-held")
    ),
    ("group-meeting", "preferences"): Pages(
        ("school:group-meeting-preferences",),
        roles=COORDINATOR | MENTOR_MENTEE,
        note="POST: a mentor or mentee for themselves, the coordinator for anyone who came; "
        "the other staff only read (GET)",
    ),
    ("match-run", "create"): Pages(("school:matching-run-create",)),
    ("match-run", "approve"): Pages(("school:matching-approve",)),
    ("match-run", "approve_some"): Pages(("school:matching-approve-selected",)),
    ("match-run", "pair_by_hand"): Pages(("school:matching-unmatched",)),
    ("match-proposal", "accept"): Pages(("school:matching-decide",)),
    ("match-proposal", "reject"): Pages(("school:matching-decide",)),
    ("match-proposal", "change"): Pages(("school:matching-proposal",)),
    ("matching-weights", "partial_update"): Pages(("school:matching-weights",)),
    ("pair", "create"): Pages(
        ("school:matching-unmatched",), note="a pair made by hand, within a matching run"
    ),
    ("pair", "complete"): Pages(("school:pair-complete",)),
    ("pair", "end_early"): Pages(("school:pair-end-early",)),
    ("pair", "rate"): Pages(
        ("school:pair-rate",),
        roles=MENTOR_MENTEE,
        note="the API admits every role, then refuses all but the pair's members (PLAN_WRITERS)",
    ),
    ("development-plan", "partial_update"): Pages(
        ("school:plan-summary",),
        roles=MENTOR_MENTEE,
        note="the API refuses all but the two who write the plan (PLAN_WRITERS)",
    ),
    ("plan-goal", "create"): Pages(
        ("school:plan-goal-create",),
        roles=frozenset({Role.MENTOR}),
        note="the mentor writes the goals (#11 item 9: the API's mentee write is the drift)",
    ),
    ("plan-goal", "partial_update"): Pages(
        ("school:plan-goal-update", "school:plan-goal-done"),
        roles=frozenset({Role.MENTOR}),
        note="as above",
    ),
    ("plan-goal", "destroy"): Pages(
        ("school:plan-goal-delete",), roles=frozenset({Role.MENTOR}), note="as above"
    ),
    ("meeting", "create"): Pages(("school:meeting-create",)),
    ("meeting", "partial_update"): Pages(("school:meeting-edit",)),
    ("meeting", "attendance"): Pages(("school:meeting-held", "school:meeting-create")),
    ("meeting", "cancel"): Pages(("school:meeting-cancel",)),
    ("practice-case", "create"): Pages(("school:practice-create",)),
    ("practice-case", "partial_update"): Pages(("school:practice",)),
    ("practice-case", "prepare"): Pages(("school:practice-prepare",)),
    ("practice-case", "publish"): Pages(("school:practice-publish",)),
    ("calendar-link", "create"): Pages(("school:calendar-link-issue",)),
    ("calendar-link", "revoke"): Pages(("school:calendar-link-revoke",)),
    ("questionnaire", "create"): Pages(("school:questionnaire-create",)),
    ("questionnaire", "adopt"): Pages(("school:questionnaire-adopt",)),
    ("questionnaire", "questions"): Gap("#13 item 2: adding a question to a questionnaire"),
    ("questionnaire-question", "partial_update"): Gap(
        "#13 item 2: editing a question of the institution's questionnaire"
    ),
    ("questionnaire-question", "destroy"): Gap(
        "#13 item 2: removing a question of the institution's questionnaire"
    ),
    ("survey-campaign", "create"): Pages(("school:campaign-create",)),
    ("survey-campaign", "partial_update"): Pages(("school:campaign-dates",)),
    ("survey-campaign", "open"): Pages(("school:campaign-open",)),
    ("survey-campaign", "close"): Pages(("school:campaign-close",)),
    ("survey-campaign", "remind"): Pages(("school:campaign-remind",)),
    ("survey-invitation", "draft"): Pages(("school:my-survey",)),
    ("survey-invitation", "submit"): Pages(("school:my-survey",)),
    ("survey-invitation", "link"): Pages(
        ("school:campaign-print",), note="printed slips carry each person's one-time link"
    ),
    ("survey-link", "update"): Pages(("school:survey-link",), note="no login: the token"),
    ("survey-link", "submit"): Pages(("school:survey-link",), note="no login: the token"),
    ("mentor-request", "create"): Pages(("school:employer-mentor-request",)),
    ("mentor-request", "cancel"): Pages(("school:employer-request-cancel",)),
}

PUBLIC: dict[tuple[str, str], Entry] = {
    ("institution", "create"): Pages(("regional:institution-create",)),
    ("institution", "activate"): Gap("#14: the institution's lifecycle on its page"),
    ("institution", "archive"): Gap("#14: the institution's lifecycle on its page"),
    ("institution", "retry"): Gap("#14: the institution's lifecycle on its page"),
    ("institution", "suspend"): Gap("#14: the institution's lifecycle on its page"),
    ("application", "create"): Reason(
        "an institution applies from its own site through the open API (no account yet)"
    ),
    ("application", "approve"): Pages(("regional:application-approve",)),
    ("application", "reject"): Pages(("regional:application-reject",)),
    ("employer", "create"): Gap("#14: employers' accounts on the regional pages"),
    ("employer", "partial_update"): Gap("#14: employers' accounts on the regional pages"),
    ("employer", "members"): Gap("#14: employers' accounts on the regional pages"),
    ("employer-mentor", "create"): Pages(("regional:employer-offer-create",)),
    ("employer-mentor", "partial_update"): Pages(("regional:employer-offer",)),
    ("mentor-request", "approve"): Pages(("regional:employer-request-approve",)),
    ("mentor-request", "reject"): Pages(("regional:employer-request-decline",)),
    ("placement", "end"): Pages(("regional:employer-placement-end",)),
    ("placement", "cancel"): Pages(("regional:employer-placement-cancel",)),
    ("questionnaire-template", "create"): Pages(("regional:template-create",)),
    ("questionnaire-template", "partial_update"): Pages(("regional:template-update",)),
    ("questionnaire-template", "new_draft"): Pages(("regional:template-version-new",)),
    ("questionnaire-template-version", "partial_update"): Pages(
        ("regional:template-version-update",)
    ),
    ("questionnaire-template-version", "destroy"): Pages(("regional:template-version-delete",)),
    ("questionnaire-template-version", "add_question"): Pages(("regional:template-question-add",)),
    ("questionnaire-template-version", "check_answers"): Reason(
        "a check of sample answers for integrators; the preview page shows the questions"
    ),
    ("questionnaire-template-version", "publish"): Pages(("regional:template-version-publish",)),
    ("questionnaire-template-version", "retire"): Pages(("regional:template-version-retire",)),
    ("questionnaire-template-question", "partial_update"): Pages(
        ("regional:template-question", "regional:template-question-move")
    ),
    ("questionnaire-template-question", "destroy"): Pages(("regional:template-question-delete",)),
    ("survey-result", "publish"): Gap("#14: publishing survey results from their page"),
    ("kpi-run", "create"): Pages(("regional:kpis-run-start",)),
}


@dataclass
class ApiAction:
    basename: str
    action: str
    roles: frozenset[str]
    methods: set[str] = field(default_factory=set)


def api_write_actions(router_path: str) -> dict[tuple[str, str], ApiAction]:
    """Every viewset action of the router that answers a write method, with the roles the
    view's permission admits for it."""
    router = import_string(router_path)
    found: dict[tuple[str, str], ApiAction] = {}
    for _prefix, viewset, basename in router.registry:
        allowed = set(getattr(viewset, "http_method_names", []))
        write_roles = frozenset(getattr(viewset, "write_roles", ()))
        action_roles = getattr(viewset, "action_roles", {})
        names: dict[str, set[str]] = {}
        for action, method in STANDARD.items():
            if hasattr(viewset, action) and method in allowed:
                names[action] = {method}
        for extra in viewset.get_extra_actions():
            methods = set(extra.mapping) & WRITE_METHODS & allowed
            if methods:
                names[extra.__name__] = methods
        for action, methods in names.items():
            roles = frozenset(action_roles.get(action, write_roles))
            found[(basename, action)] = ApiAction(basename, action, roles, methods)
    return found


def page_views(urlconf: str) -> dict[str, Any]:
    """URL name (with its namespace) → (pattern, view) of every page."""
    views: dict[str, Any] = {}

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                if str(entry.pattern).startswith("api/"):
                    continue
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern) and entry.name:
                views[f"{namespace}{entry.name}"] = (prefix + str(entry.pattern), entry.callback)

    walk(get_resolver(urlconf), "", "")
    return views


def page_roles(view: Any) -> frozenset[str] | None:
    """The roles a page admits (``role_required``'s, or a ``TenantPage``'s ``roles``); None
    for a page open without signing in."""
    roles = getattr(view, "page_roles", None)
    view_class: Any = getattr(view, "view_class", None)
    if roles is None and hasattr(view_class, "page_roles"):
        roles = view_class.page_roles
    if roles is None and isinstance(view_class, type) and issubclass(view_class, TenantPage):
        roles = view_class.roles
    return frozenset(roles) if roles is not None else None


DOORS = [
    ("config.urls_tenant.router", "config.urls_tenant", TENANT),
    ("config.urls_public.router", "config.urls_public", PUBLIC),
]


@pytest.mark.parametrize(("router", "urlconf", "table"), DOORS, ids=["tenant", "public"])
def test_every_api_write_action_has_a_page_a_reason_or_a_known_gap(router, urlconf, table):
    actions = api_write_actions(router)
    missing = sorted(set(actions) - set(table))
    assert not missing, f"API write actions with no page, reason or gap: {missing}"
    stale = sorted(set(table) - set(actions))
    assert not stale, f"table entries that name no API write action: {stale}"


@pytest.mark.parametrize(("router", "urlconf", "table"), DOORS, ids=["tenant", "public"])
def test_the_pages_named_exist_and_admit_every_role_the_api_admits(router, urlconf, table):
    actions = api_write_actions(router)
    views = page_views(urlconf)
    problems = []
    for key, entry in table.items():
        if not isinstance(entry, Pages):
            continue
        api_roles = actions[key].roles
        if entry.roles is not None:
            assert entry.roles <= api_roles, (key, "roles may only narrow the API's")
            assert entry.note, (key, "say where the API refuses the other roles")
            api_roles = entry.roles
        admitted: set[str] = set()
        for name in entry.names:
            if name not in views:
                problems.append(f"{key}: no page called {name}")
                continue
            roles = page_roles(views[name][1])
            admitted |= set(Role) if roles is None else roles
        lacking = sorted(api_roles - admitted)
        if lacking:
            problems.append(f"{key}: the API admits {lacking}, the pages {entry.names} do not")
    assert not problems, "\n".join(problems)


def test_the_pages_named_take_post(tenant_a):
    """An anonymous POST to each page named in the table is sent to the login page (or, for a
    page open by a token, answered), never refused as a method the page does not take."""
    for urlconf, table, host in (
        ("config.urls_tenant", TENANT, tenant_a.host),
        ("config.urls_public", PUBLIC, "nastavnik.test"),
    ):
        views = page_views(urlconf)
        client = Client(HTTP_HOST=host)
        names = {n for entry in table.values() if isinstance(entry, Pages) for n in entry.names}
        for name in sorted(names):
            pattern, _view = views[name]
            path = "/" + _fill(pattern)
            response = client.post(path)
            assert response.status_code != 405, (name, path)


def _fill(pattern: str) -> str:
    """The path with a value for each parameter (an id, or a token)."""
    return re.sub(
        r"<(?:(\w+):)?(\w+)>", lambda m: "1" if m.group(1) == "int" else "x" * 24, pattern
    )
