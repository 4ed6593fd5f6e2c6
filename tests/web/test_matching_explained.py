"""The matching pages on a generated school: every mentee left without a mentor says why by
criterion and what would help; the coordinator makes a pair by hand from there, changes a
proposal's mentor, approves some proposals and leaves the rest; a new run supersedes the old
one. Other staff read the same pages and change nothing."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Role
from schools.matching.models import (
    MatchProposal,
    MatchRun,
    RunStatus,
    UnmatchedMentee,
    UnmatchedReason,
)
from seeding.school import school_generate
from tests import builders
from tests.conftest import SETUP
from tests.web.conftest import School, page_client

# Every test takes ``school``: built once for the module, each test in a savepoint of it
# (tests/web/conftest.py).
SHARE_SCHOOL = True


def _client(tenant: Any, school: School, role: str, language: str = "ru") -> Any:
    return page_client(tenant.host, school.users[role], tenant.schema_name, language)


def _lonely_pupil() -> int:
    """A pupil with a consent whose one request no mentor covers."""
    from schools.participants import api as participants
    from schools.participants import services

    topic = services.topic_create(name="Шахматная композиция", group="leisure", actor=SETUP)
    today = timezone.localdate()
    pupil = builders.person(
        names="Ёлкина Алёна Фёдоровна",
        category="pupil",
        born=today.replace(year=today.year - 12) - datetime.timedelta(days=30),
        guardian="Ёлкина Ольга Петровна",
    )
    participants.mentee_profile_upsert(
        participant_id=pupil.pk, need_codes=[topic.code], actor=SETUP
    )
    return pupil.pk


def test_coordinator_reads_why_pairs_by_hand_and_approves_some(tenant_a, school: School):
    school_generate(
        schema_name=tenant_a.schema_name, learners=70, staff=10, seed=5, preferences=False
    )
    with schema_context(tenant_a.schema_name):
        lonely = _lonely_pupil()
    coordinator = _client(tenant_a, school, Role.COORDINATOR)
    response = coordinator.post("/matching/runs/")
    assert response.status_code == 302
    with schema_context(tenant_a.schema_name):
        run = MatchRun.objects.latest("pk")
        assert run.status == RunStatus.DONE
        row = UnmatchedMentee.objects.get(run=run, mentee_id=lonely)
    old = coordinator.get(f"/matching/runs/{school.ids['matchrun']}/").content.decode()
    assert 'data-testid="run-superseded"' in old

    page = coordinator.get(f"/matching/runs/{run.pk}/").content.decode()
    assert "Остались без наставника" in page and "Ёлкина Алёна Фёдоровна" in page
    assert "никто не покрывает «Шахматная композиция»" in page

    # Why, by criterion, and the mentors that could take her.
    page = coordinator.get(f"/matching/unmatched/{row.pk}/").content.decode()
    assert 'data-testid="funnel"' in page and "Покрывает запросы" in page
    assert "Что поможет:" in page and 'data-testid="mentor-options"' in page
    options = re.findall(r'name="mentor" value="(\d+)"', page)
    assert options
    refused = coordinator.post(f"/matching/unmatched/{row.pk}/", {"mentor": "0"})
    assert refused.status_code == 400
    made = coordinator.post(f"/matching/unmatched/{row.pk}/", {"mentor": options[0]})
    assert made.status_code == 302
    with schema_context(tenant_a.schema_name):
        by_hand = MatchProposal.objects.get(run=run, mentee_id=lonely)
        assert by_hand.made_by_hand and by_hand.status == "accepted"
        assert "needs_not_covered" in by_hand.breakdown["excluded"]
    page = coordinator.get(f"/matching/runs/{run.pk}/").content.decode()
    assert f'data-testid="unmatched-{lonely}"' not in page  # paired by hand now

    # Change a proposal's mentor on its page.
    with schema_context(tenant_a.schema_name):
        proposal = run.proposals.filter(status="proposed").order_by("pk").first()
        assert proposal is not None
    page = coordinator.get(f"/matching/proposals/{proposal.pk}/").content.decode()
    others = re.findall(r'name="mentor" value="(\d+)"', page)
    other = next(m for m in others if int(m) != proposal.mentor_id)
    changed = coordinator.post(f"/matching/proposals/{proposal.pk}/", {"mentor": other})
    assert changed.status_code == 302
    with schema_context(tenant_a.schema_name):
        proposal.refresh_from_db()
        assert (proposal.mentor_id, proposal.status) == (int(other), "changed")

    # Approve two, leave the rest.
    with schema_context(tenant_a.schema_name):
        two = [by_hand.pk, proposal.pk]
        waiting_before = run.proposals.filter(status="proposed").count()
    response = coordinator.post(
        f"/matching/runs/{run.pk}/approve-selected/", {"proposal": [str(pk) for pk in two]}
    )
    assert response.status_code == 302
    with schema_context(tenant_a.schema_name):
        run.refresh_from_db()
        assert run.status == RunStatus.DONE
        assert run.proposals.filter(pk__in=two, pair_id__isnull=False).count() == 2
        assert run.proposals.filter(status="proposed").count() == waiting_before
    page = coordinator.get(f"/matching/runs/{run.pk}/").content.decode()
    assert page.count("Утверждено: пара сформирована") == 2


def test_other_staff_read_the_explanations_and_change_nothing(tenant_a, school: School):
    with schema_context(tenant_a.schema_name):
        row = UnmatchedMentee.objects.get(pk=school.ids["unmatchedmentee"])
        MatchRun.objects.filter(pk=row.run_id).update(status=RunStatus.DONE)
    for role in (Role.CURATOR, Role.DIRECTOR, Role.DEPUTY):
        client = _client(tenant_a, school, role)
        page = client.get(f"/matching/unmatched/{row.pk}/")
        assert (
            page.status_code == 200 and 'data-testid="mentor-options"' not in page.content.decode()
        )
        assert client.post(f"/matching/unmatched/{row.pk}/", {"mentor": "1"}).status_code == 403
        proposal = school.ids["matchproposal"]
        assert client.post(f"/matching/proposals/{proposal}/", {"mentor": "1"}).status_code == 403
        approve = client.post(f"/matching/runs/{row.run_id}/approve-selected/", {"proposal": "1"})
        assert approve.status_code == 403
    with schema_context(tenant_a.schema_name):
        assert not MatchProposal.objects.filter(mentee_id=row.mentee_id).exists()


# The run's list of mentees left without a mentor as the page wrote it when it read every
# row as a model and explained it in full (``explanations``); now it reads values and says
# only the label and the sentence (``briefs``).
_OLD_UNMATCHED = (
    '{% for u in unmatched %}<li class="list-group-item" data-testid="unmatched-'
    '{{ u.row.mentee_id }}">\n  <a href="{{ u.url }}" class="fw-semibold">'
    "{{ u.row.mentee.full_name }}</a> "
    '<span class="badge text-bg-warning text-wrap text-start">'
    "{{ u.explanation.reason_label }}</span>\n"
    '  <div class="small">{{ u.explanation.because }}</div>\n</li>{% endfor %}'
)


def _synthetic_unmatched(run: MatchRun) -> None:
    """Rows of every reason, with names, requests, mentors' coverage, an unknown mentor and an
    unknown reason, for mentees the run left alone (the generated run gives few reasons); a
    few more without a detail (said once per reason and category)."""
    from schools.participants.models import Participant, Topic

    taken = set(run.proposals.values_list("mentee_id", flat=True)) | set(
        run.unmatched.values_list("mentee_id", flat=True)
    )
    people = list(Participant.objects.exclude(pk__in=taken).order_by("pk")[:17])
    mentors = [p.pk for p in people[:3]] + [10**8]
    codes = [*Topic.objects.order_by("code").values_list("code", flat=True)[:2], "gone"]
    funnel = [
        {"criterion": c, "mentors": n}
        for c, n in (("form", 9), ("needs", 4), ("consent", 3), ("capacity", 0))
    ]
    reasons = [*UnmatchedReason.values, "retired_reason"]
    alone = ["no_consent", "no_consent", "no_form"]
    for i, (mentee, reason) in enumerate(zip(people[3:], reasons + alone, strict=False)):
        detail: dict[str, Any] = {}
        if i % 3 and i < len(reasons):
            detail = {
                "blocking": ["capacity", "needs", None][i % 3],
                "funnel": funnel[: 1 + i % 4],
                "needs": codes[: 1 + i % 3],
                "per_need": {codes[0]: {"any": 3, "fitting_form": i % 2}},
                "mentors": [
                    {
                        "id": m,
                        "covers": codes[j % 3 :][:1],
                        "load": 2,
                        "capacity": 2,
                        "taken_in_run": 1,
                    }
                    for j, m in enumerate(mentors[: i % 5])
                ],
                "wishes": [{"mentor": mentors[0], "dropped_at": "wishes"}],
            }
        UnmatchedMentee.objects.create(run=run, mentee=mentee, reason=reason, detail=detail)


def test_the_run_page_lists_the_unmatched_as_the_full_explanations_did(tenant_a, school: School):
    from django.template import Context, Template
    from django.utils import translation

    from schools.matching import selectors as matching_selectors
    from schools.matching.explain import explanations

    school_generate(
        schema_name=tenant_a.schema_name, learners=70, staff=10, seed=5, preferences=False
    )
    with schema_context(tenant_a.schema_name):
        _lonely_pupil()
    assert _client(tenant_a, school, Role.COORDINATOR).post("/matching/runs/").status_code == 302
    with schema_context(tenant_a.schema_name):
        run = MatchRun.objects.latest("pk")
        _synthetic_unmatched(run)
        rows = list(matching_selectors.unmatched_list(run))
        assert len({row.reason for row in rows}) >= len(UnmatchedReason.values)
    for language in ("ru", "en"):
        with schema_context(tenant_a.schema_name), translation.override(language):
            explained = explanations(rows)
            old = Template(_OLD_UNMATCHED).render(
                Context(
                    {
                        "unmatched": [
                            {
                                "row": row,
                                "explanation": explained[row.mentee_id],
                                "url": f"/matching/unmatched/{row.pk}/",
                            }
                            for row in rows
                        ]
                    }
                )
            )
        page = _client(tenant_a, school, Role.COORDINATOR, language).get(
            f"/matching/runs/{run.pk}/"
        )
        listed = page.content.decode().split('<ul class="list-group mb-3">')[1]
        assert listed.split("</ul></section>")[0] == old
