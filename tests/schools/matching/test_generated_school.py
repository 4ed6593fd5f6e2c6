"""Matching on a generated school (seeding.school) of the size issue #12 names, 600 learners and
60 staff: it places at least 95 % of the mentees who have a feasible mentor (consent, form, free
capacity), explains everyone else by criterion, and the optimal run scores at least the greedy
baseline. `nastavnik matching-report` prints the same figures for any school."""

from __future__ import annotations

from django_tenants.utils import schema_context

from schools.matching import candidates
from schools.matching.engine import (
    FUNNEL,
    PreferenceIndex,
    Weights,
    match_greedy,
    match_optimal,
)
from schools.matching.management.commands.matching_report import report_lines
from schools.matching.models import UnmatchedReason
from schools.programmes.models import Programme
from seeding.school import school_generate


def test_matching_places_a_generated_school(tenant_a) -> None:
    school = school_generate(schema_name=tenant_a.schema_name, learners=600, staff=60, seed=1)
    with schema_context(tenant_a.schema_name):
        programme = Programme.objects.get(pk=school.programme_id)
        problem = candidates.problem_build(
            programme_id=programme.pk, forms=programme.forms, weights={}
        )
        optimal, greedy = match_optimal(problem), match_greedy(problem)
    print("\n".join(report_lines(optimal, greedy)))
    assert len(problem.mentees) == school.mentees and len(problem.mentors) == school.mentors
    feasible = optimal.feasible_mentee_ids
    assert len(feasible) >= school.mentees * 0.6
    assert optimal.placed_feasible >= 0.95 * len(feasible)
    assert optimal.total_score >= greedy.total_score - 1e-6
    # the group meeting's wishes feed the scores: pairs who chose each other are placed
    prefs = PreferenceIndex(problem.preferences)
    mutual = [
        a
        for a in optimal.assignments
        if (m := prefs.get(a.mentee_id, a.mentor_id)) is not None
        and m.kind == "prefer"
        and (r := prefs.get(a.mentor_id, a.mentee_id)) is not None
        and r.kind == "prefer"
    ]
    assert mutual and all(a.score >= Weights().preference * 0.5 for a in mutual)
    for u in optimal.unmatched:
        assert u.reason in UnmatchedReason.values
        if u.reason not in ("no_consent", "already_paired"):
            assert u.detail["blocking"] in FUNNEL and u.detail["funnel"][-1]["mentors"] == 0
