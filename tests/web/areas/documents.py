"""The documents page (exports, orders, consent forms, thank-you letters, generation jobs with
progress), a matching run's progress, and the development plan's goals on the pair page."""

from __future__ import annotations

from typing import Any

from accounts.actor import actor_for
from accounts.models import Role
from tests.conftest import SETUP

STAFF = frozenset({Role.COORDINATOR, Role.CURATOR, Role.DIRECTOR, Role.DEPUTY})
# A curator only sees the jobs it asked for and the people of its own groups.
NOT_CURATOR = STAFF - {Role.CURATOR}

TENANT_ALLOWED = {
    "documents": STAFF,
    "document-approval-order": STAFF,
    "document-encouragement-order": STAFF,
    "document-consent-form": NOT_CURATOR,
    "document-job": NOT_CURATOR,
    "document-job-progress": NOT_CURATOR,
    "document-job-download": NOT_CURATOR,
    "matching-run-progress": STAFF,
    # GET: the goal's edit form (a page without HTMX); the pair's mentor and the coordinator
    "plan-goal-update": {Role.COORDINATOR, Role.MENTOR},
    # GET: the empty form «Add a goal» loads (a page without HTMX); who may add one
    "plan-goal-create": {Role.COORDINATOR, Role.MENTOR},
}
TENANT_ID_OF = {
    "document-consent-form": "participant",
    "document-job": "documentjob",
    "document-job-progress": "documentjob",
    "document-job-download": "documentjob",
    "matching-run-progress": "matchrun",
    "plan-goal-create": "developmentplan",
    "plan-goal-update": "plangoal",
    "plan-goal-done": "plangoal",
}
# Downloads and HTMX fragments: no page frame to look for.
FRAGMENTS = {
    "document-approval-order",
    "document-encouragement-order",
    "document-consent-form",
    "document-job-download",
    "document-job-progress",
    "matching-run-progress",
}


def tenant_objects(schema_name: str, users: dict[str, Any], ids: dict[str, int]) -> dict[str, int]:
    """A finished job (thank-you letters of the pair) and a goal in the pair's plan."""
    from django_tenants.utils import tenant_context

    from schools.documents import services as document_services
    from schools.documents.models import JobKind
    from schools.pairs import selectors as pair_selectors
    from schools.pairs import services as pair_services
    from tenants.models import Institution

    with tenant_context(Institution.objects.get(schema_name=schema_name)):
        job = document_services.document_job_create(
            kind=JobKind.THANK_YOU_LETTERS,
            title="Благодарственные письма",
            item_ids=[ids["pair"]],
            actor=actor_for(users[Role.COORDINATOR]),
        )
        document_services.document_job_run(job_id=job.pk)
        plan = pair_selectors.plan_list().filter(pair_id=ids["pair"]).get()
        goal = pair_services.plan_goal_create(
            actor=SETUP, plan=plan, title="Провести открытый урок"
        )
    return {"documentjob": job.pk, "developmentplan": plan.pk, "plangoal": goal.pk}
