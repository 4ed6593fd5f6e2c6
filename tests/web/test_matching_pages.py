"""A matching run computed by the worker shows a live progress bar until it is done or failed
(with the reason); the pair page lets the mentor write the development plan's goals and mark
them done, and shows them to the mentee."""

from __future__ import annotations

import datetime
from typing import Any

from django_tenants.utils import schema_context, tenant_context

from accounts.models import Role
from schools.matching import tasks as matching_tasks
from schools.matching.models import MatchRun, RunStatus
from schools.pairs.models import DevelopmentPlan, GoalStatus, PlanGoal
from tests.conftest import SETUP, make_user
from tests.web.conftest import School, page_client

# Every test takes ``school``: built once for the module, each test in a savepoint of it
# (tests/web/conftest.py).
SHARE_SCHOOL = True


def _client(tenant: Any, school: School, role: str) -> Any:
    return page_client(tenant.host, school.users[role], tenant.schema_name, "en")


def test_a_large_run_goes_to_the_worker_with_a_progress_bar(
    tenant_a, school: School, settings, django_capture_on_commit_callbacks
) -> None:
    settings.MATCHING_SYNC_MAX_MENTEES = 0  # every run is "large"
    client = _client(tenant_a, school, Role.COORDINATOR)
    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        response = client.post("/matching/runs/")
    assert response.status_code == 302 and len(enqueued) == 1
    with schema_context(tenant_a.schema_name):
        run = MatchRun.objects.exclude(pk=school.ids["matchrun"]).get()
        assert run.status == RunStatus.QUEUED
    page = client.get(f"/matching/runs/{run.pk}/").content.decode()
    assert f'hx-get="/matching/runs/{run.pk}/progress/"' in page
    progress = client.get(f"/matching/runs/{run.pk}/progress/", HTTP_HX_REQUEST="true")
    assert progress.status_code == 200 and "HX-Refresh" not in progress
    assert 'aria-valuenow="0"' in progress.content.decode()

    with tenant_context(tenant_a):
        assert matching_tasks.match_run_execute(run_id=run.pk) is True
        assert matching_tasks.match_run_execute(run_id=run.pk) is False  # idempotent
        run.refresh_from_db()
        assert run.status == RunStatus.DONE and run.progress == 100
    done = client.get(f"/matching/runs/{run.pk}/progress/", HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"
    page = client.get(f"/matching/runs/{run.pk}/").content.decode()
    assert "hx-get" not in page and 'data-status="done"' in page


def test_a_failed_run_shows_the_reason(tenant_a, school: School) -> None:
    with schema_context(tenant_a.schema_name):
        MatchRun.objects.filter(pk=school.ids["matchrun"]).update(
            status=RunStatus.FAILED, error="the programme is closed"
        )
    page = _client(tenant_a, school, Role.DIRECTOR).get(f"/matching/runs/{school.ids['matchrun']}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "The run failed." in body and "the programme is closed" in body


def test_another_institutions_run_is_not_found(tenant_a, tenant_b, school: School) -> None:
    from schools.programmes import services as programme_services

    make_user(tenant_b.schema_name, Role.COORDINATOR, "b-match-coord")
    with tenant_context(tenant_a):
        ids_of_a = set(MatchRun.objects.values_list("pk", flat=True))
    with tenant_context(tenant_b):
        programme = programme_services.programme_create(
            actor=SETUP, academic_year=2031, title="B", forms=["pupil_pupil"]
        )
        run = MatchRun.objects.create(programme=programme)
        # Each schema numbers its own rows: B's run must carry an id that names no run of A,
        # or A's own run would answer (run alone, both schemas start at 1).
        while run.pk in ids_of_a:
            run = MatchRun.objects.create(programme=programme)
    client = _client(tenant_a, school, Role.COORDINATOR)
    assert client.get(f"/matching/runs/{run.pk}/progress/").status_code == 404


def _plan(tenant: Any, school: School) -> DevelopmentPlan:
    with schema_context(tenant.schema_name):
        return DevelopmentPlan.objects.get(pair_id=school.ids["pair"])


def test_the_mentor_writes_goals_and_marks_them_done(tenant_a, school: School) -> None:
    plan = _plan(tenant_a, school)
    mentor = _client(tenant_a, school, Role.MENTOR)
    page = mentor.get(f"/pairs/{school.ids['pair']}/").content.decode()
    assert f'hx-get="/plans/{plan.pk}/goals/"' in page  # «Add a goal» loads the form

    bad = mentor.post(
        f"/plans/{plan.pk}/goals/", {f"plan-{plan.pk}-title": "", f"plan-{plan.pk}-status": "x"}
    )
    assert bad.status_code == 400
    body = bad.content.decode()
    assert f'id="id_plan-{plan.pk}-title-errors"' in body
    assert f'id="id_plan-{plan.pk}-status-errors"' in body
    with schema_context(tenant_a.schema_name):
        assert PlanGoal.objects.filter(plan=plan).count() == 1  # only the page data's goal

    created = mentor.post(
        f"/plans/{plan.pk}/goals/",
        {
            f"plan-{plan.pk}-title": "Подготовить проект",
            f"plan-{plan.pk}-tasks": "Выбрать тему\nСоставить план",
            f"plan-{plan.pk}-deadline": (
                datetime.date.today() + datetime.timedelta(30)
            ).isoformat(),
            f"plan-{plan.pk}-progress": "10",
            f"plan-{plan.pk}-status": GoalStatus.IN_PROGRESS,
        },
    )
    assert created.status_code == 302
    with schema_context(tenant_a.schema_name):
        goal = PlanGoal.objects.get(plan=plan, title="Подготовить проект")
        assert goal.progress == 10 and goal.tasks == "Выбрать тему\nСоставить план"

    prefix = f"goal-{goal.pk}"
    too_much = mentor.post(
        f"/goals/{goal.pk}/",
        {
            f"{prefix}-title": "Подготовить проект",
            f"{prefix}-progress": "150",
            f"{prefix}-status": GoalStatus.IN_PROGRESS,
        },
    )
    assert too_much.status_code == 400
    assert f'id="id_{prefix}-progress-errors"' in too_much.content.decode()

    assert mentor.post(f"/goals/{goal.pk}/done/").status_code == 302
    with schema_context(tenant_a.schema_name):
        goal.refresh_from_db()
        assert goal.status == GoalStatus.DONE and goal.progress == 100

    mentee = _client(tenant_a, school, Role.MENTEE)
    page = mentee.get(f"/pairs/{school.ids['pair']}/").content.decode()
    assert "Подготовить проект" in page and "Выбрать тему" in page
    assert f"/plans/{plan.pk}/goals/" not in page  # the mentee reads the plan


def test_the_goal_edit_form_is_loaded_when_opened(tenant_a, school: School) -> None:
    """The pair page writes no edit form per goal: «Edit the goal» loads it (an HTMX GET of
    the goal's address, guarded as its POST is), and without HTMX that address is a page."""
    goal_id = school.ids["plangoal"]
    with schema_context(tenant_a.schema_name):
        title = PlanGoal.objects.get(pk=goal_id).title
    mentor = _client(tenant_a, school, Role.MENTOR)
    page = mentor.get(f"/pairs/{school.ids['pair']}/").content.decode()
    assert f'hx-get="/goals/{goal_id}/"' in page
    assert f'name="goal-{goal_id}-title"' not in page
    assert f'action="/plan-goals/{goal_id}/delete/"' not in page  # in the loaded form too
    fragment = mentor.get(f"/goals/{goal_id}/", HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in body
    assert f'id="id_goal-{goal_id}-title"' in body and f'value="{title}"' in body
    assert f'action="/goals/{goal_id}/"' in body
    assert f'action="/plan-goals/{goal_id}/delete/"' in body
    full = mentor.get(f"/goals/{goal_id}/")
    assert full.status_code == 200 and "<html" in full.content.decode()
    assert f'id="id_goal-{goal_id}-title"' in full.content.decode()
    # who may not write the plan is refused the form as the save: 403 when seen, else 404
    for role in (Role.MENTEE, Role.DIRECTOR, Role.CURATOR):
        refused = _client(tenant_a, school, role).get(f"/goals/{goal_id}/", HTTP_HX_REQUEST="true")
        assert refused.status_code == 403, role
    parent = _client(tenant_a, school, Role.PARENT)
    assert parent.get(f"/goals/{goal_id}/", HTTP_HX_REQUEST="true").status_code == 404
    stranger = make_user(tenant_a.schema_name, Role.MENTOR, "other-pair-mentor")
    other = page_client(tenant_a.host, stranger, tenant_a.schema_name, "en")
    assert other.get(f"/goals/{goal_id}/", HTTP_HX_REQUEST="true").status_code == 404
    # the loaded form saves the goal
    saved = mentor.post(
        f"/goals/{goal_id}/",
        {
            f"goal-{goal_id}-title": "Новая формулировка",
            f"goal-{goal_id}-progress": "40",
            f"goal-{goal_id}-status": GoalStatus.IN_PROGRESS,
        },
    )
    assert saved.status_code == 302
    with schema_context(tenant_a.schema_name):
        goal = PlanGoal.objects.get(pk=goal_id)
        assert (goal.title, goal.progress) == ("Новая формулировка", 40)


def test_the_pair_pages_rare_forms_are_loaded_when_opened(tenant_a, school: School) -> None:
    """Adding a goal, the plan's summary, completing and ending the pair early are not written
    on every visit: each «details» loads its form (an HTMX GET of the address it posts to,
    guarded as the POST is); without HTMX that address is a page with the form; a refused
    submission comes back on the pair page with the errors next to the field, open."""
    plan = _plan(tenant_a, school)
    pair = school.ids["pair"]
    coordinator = _client(tenant_a, school, Role.COORDINATOR)
    page = coordinator.get(f"/pairs/{pair}/").content.decode()
    forms = {
        f"/plans/{plan.pk}/goals/": f'id="id_plan-{plan.pk}-title"',
        f"/plans/{plan.pk}/summary/": f'id="id_summary-{plan.pk}-summary"',
        f"/pairs/{pair}/complete/": 'id="id_complete-outcome"',
        f"/pairs/{pair}/end-early/": 'id="id_end-reason"',
    }
    for path, field in forms.items():
        assert f'hx-get="{path}"' in page and f'href="{path}"' in page, path
        assert field not in page and f'action="{path}"' not in page, path
        fragment = coordinator.get(path, HTTP_HX_REQUEST="true")
        body = fragment.content.decode()
        assert fragment.status_code == 200 and "<html" not in body, path
        assert field in body and f'action="{path}"' in body and "csrfmiddlewaretoken" in body
        full = coordinator.get(path).content.decode()
        assert "<html" in full and field in full and f'href="/pairs/{pair}/"' in full, path
    # whoever may not use a form is refused it as its POST
    for role in (Role.MENTEE, Role.DIRECTOR, Role.CURATOR):
        client = _client(tenant_a, school, role)
        for path in (f"/plans/{plan.pk}/goals/", f"/pairs/{pair}/complete/"):
            refused = client.get(path, HTTP_HX_REQUEST="true")
            assert refused.status_code == 403, (role, path)
    director = _client(tenant_a, school, Role.DIRECTOR)
    assert director.get(f"/pairs/{pair}/end-early/").status_code == 403
    stranger = make_user(tenant_a.schema_name, Role.MENTOR, "other-pair-mentor")
    other = page_client(tenant_a.host, stranger, tenant_a.schema_name, "en")
    for path in forms:  # ending early is the coordination's alone: a mentor's role is refused
        expected = 403 if path.endswith("/end-early/") else 404
        assert other.get(path, HTTP_HX_REQUEST="true").status_code == expected, path
    # errors next to the field, on the pair page, the form open
    refused = coordinator.post(f"/pairs/{pair}/complete/", {"complete-outcome": ""})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert 'id="id_complete-outcome-errors"' in body and 'data-testid="pair-complete-open"' in body
    assert '<details open data-testid="pair-complete-open">' in body
    assert f'hx-get="/pairs/{pair}/end-early/"' in body  # the others still loaded on demand


def test_only_the_mentor_edits_the_plan(tenant_a, school: School) -> None:
    """The pair's mentor writes the plan (the coordinator may correct it: schools.pairs.access);
    the mentee and the other staff read it."""
    plan = _plan(tenant_a, school)
    goal_id = school.ids["plangoal"]
    for role in (Role.MENTEE, Role.DIRECTOR, Role.CURATOR):
        client = _client(tenant_a, school, role)
        assert client.post(f"/goals/{goal_id}/done/").status_code == 403, role
        answer = client.post(f"/plans/{plan.pk}/goals/", {f"plan-{plan.pk}-title": "x"})
        assert answer.status_code == 403, role
    # a parent of nobody in the pair does not even see it
    assert _client(tenant_a, school, Role.PARENT).post(f"/goals/{goal_id}/done/").status_code == 404
    with schema_context(tenant_a.schema_name):
        assert PlanGoal.objects.get(pk=goal_id).status == GoalStatus.PLANNED
        assert PlanGoal.objects.filter(plan=plan).count() == 1


def test_a_plan_of_someone_elses_pair_is_not_found(tenant_a, school: School) -> None:
    plan = _plan(tenant_a, school)
    stranger = make_user(tenant_a.schema_name, Role.MENTOR, "other-mentor")
    client = page_client(tenant_a.host, stranger, tenant_a.schema_name, "en")
    assert client.post(f"/plans/{plan.pk}/goals/", {}).status_code == 404
    assert client.post(f"/goals/{school.ids['plangoal']}/done/").status_code == 404
    assert client.post(f"/goals/{school.ids['plangoal']}/", {}).status_code == 404
