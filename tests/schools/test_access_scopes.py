"""The row-level scopes that keep whole roles out, asked directly.

The pages and the API name the roles they serve, so a scope whose rule is "the staff read
these, nobody else" is never reached by a mentor through a door, and removing it would leave
every door test green (``tests/access_mutants.py --scopes``). Services, selectors and future
pages call these functions too: here each one is asked for every role of the school's world
(``tests/web/conftest.py``, which holds rows of every kind), and the roles it keeps out must
see none of the rows its readers see."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Model, QuerySet
from django_tenants.utils import schema_context

from accounts.actor import actor_for
from schools.audit import access as audit_access
from schools.audit.models import AuditEntry
from schools.documents import access as documents_access
from schools.documents.models import DocumentJob, Order
from schools.imports import access as imports_access
from schools.imports.models import ImportBatch
from schools.matching import access as matching_access
from schools.matching.models import MatchProposal, MatchRun, UnmatchedMentee
from schools.monitoring import access as monitoring_access
from schools.monitoring.models import SurveyCampaign, SurveyInvitation
from schools.pairs import access as pairs_access
from schools.pairs.models import PracticeCase
from schools.participants import access as participants_access
from schools.participants.models import Topic
from schools.programmes import access as programmes_access
from schools.programmes.models import RoadmapActivity
from tests.conftest import SETUP

# The page tests' school (every role, rows of every kind), built once for this module.
from tests.web.conftest import _school_of_module, school  # noqa: F401

SHARE_SCHOOL = True

STAFF = ("coordinator", "curator", "director", "deputy")
WHOLE_INSTITUTION = ("coordinator", "director", "deputy")
PEOPLE = ("mentor", "mentee", "parent")
EVERY_ROLE = STAFF + PEOPLE

Scope = Callable[..., QuerySet[Any]]

# (the scope, its model, the roles that read every row; every other role reads none)
SCOPES: list[tuple[Scope, type[Model], tuple[str, ...]]] = [
    (documents_access.orders_visible_to, Order, STAFF),
    (documents_access.document_jobs_visible_to, DocumentJob, ("coordinator", "director", "deputy")),
    (imports_access.import_batches_visible_to, ImportBatch, ("coordinator",)),
    (matching_access.match_runs_visible_to, MatchRun, STAFF),
    (matching_access.match_proposals_visible_to, MatchProposal, STAFF),
    (matching_access.unmatched_visible_to, UnmatchedMentee, STAFF),
    # The school's campaigns are the coordinator's, for no class: a curator reads the ones it
    # made or that ask its own classes (tests/schools/monitoring), none of these.
    (monitoring_access.campaigns_visible_to, SurveyCampaign, WHOLE_INSTITUTION),
    (monitoring_access.campaign_reach_visible_to, SurveyCampaign, STAFF),
    (pairs_access.practice_cases_visible_to, PracticeCase, STAFF),
    (participants_access.topics_visible_to, Topic, STAFF),
    (programmes_access.roadmap_activities_visible_to, RoadmapActivity, STAFF),
    (audit_access.audit_entries_visible_to, AuditEntry, ("coordinator",)),
]


@pytest.mark.parametrize(
    ("scope", "model", "readers"), SCOPES, ids=[scope.__name__ for scope, _, _ in SCOPES]
)
def test_a_scope_shows_its_readers_every_row_and_the_others_none(
    school: Any,  # noqa: F811 (the fixture imported above)
    tenant_a: Any,
    scope: Scope,
    model: type[Model],
    readers: tuple[str, ...],
) -> None:
    curator_jobs = set()
    with schema_context(tenant_a.schema_name):
        if model is UnmatchedMentee and not UnmatchedMentee.objects.exists():
            UnmatchedMentee.objects.create(
                run_id=school.ids["matchrun"],
                mentee_id=school.ids["participant"],
                reason="no_consent",
            )
        if model is DocumentJob:
            # A curator reads the jobs it asked for: the rows here are someone else's.
            curator_jobs = set(
                DocumentJob.objects.filter(created_by=school.users["curator"]).values_list(
                    "pk", flat=True
                )
            )
        rows = set(model._default_manager.values_list("pk", flat=True)) - curator_jobs
        assert rows, f"the school holds no {model.__name__} to hide"
        seen = {
            role: set(
                scope(actor_for(school.users[role]), model._default_manager.all()).values_list(
                    "pk", flat=True
                )
            )
            - curator_jobs
            for role in EVERY_ROLE
        }
    assert {role: seen[role] == rows for role in readers} == dict.fromkeys(readers, True)
    assert {role: seen[role] for role in EVERY_ROLE if role not in readers} == {
        role: set() for role in EVERY_ROLE if role not in readers
    }


def test_an_invitation_to_answer_is_seen_by_the_person_invited_only(school: Any, tenant_a: Any):  # noqa: F811
    """Invitations are read by whom they are addressed to — not by the staff, not by a job."""
    with schema_context(tenant_a.schema_name):
        invitations = SurveyInvitation.objects.select_related("participant")
        owners = {
            invitation.pk: {
                invitation.user_id,
                invitation.participant.user_id if invitation.participant else None,
            }
            for invitation in invitations
        }
        seen = {
            role: set(
                monitoring_access.invitations_visible_to(actor_for(user)).values_list(
                    "pk", flat=True
                )
            )
            for role, user in school.users.items()
        }
        by_a_job = monitoring_access.invitations_visible_to(SETUP).exists()
    assert any(seen.values()), "nobody of the school was invited"
    for role, user in school.users.items():
        assert {pk for pk in seen[role] if user.pk not in owners[pk]} == set(), role
    assert not by_a_job
