"""``nastavnik matching-report SLUG``: how matching places an institution's mentees.

Runs the engine on the institution's current programme as a coordinator's run would — the
optimal assignment and the greedy baseline — without storing anything, and prints::

    matched X of Y mentees with a feasible mentor; Z without one

followed by the reasons counted for everyone left without a mentor, the two algorithms' total
scores and, with ``--examples N``, the explanations of N of them."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django_tenants.utils import schema_context

from schools.matching import candidates, services
from schools.matching.engine import MatchResult, match_greedy, match_optimal
from schools.matching.explain import explanations
from schools.matching.models import UnmatchedMentee, UnmatchedReason
from schools.programmes import api as programmes_api
from schools.programmes.models import Programme
from tenants import api as tenants_api


def report_lines(optimal: MatchResult, greedy: MatchResult | None = None) -> list[str]:
    """The report of a result: the headline, the reasons counted, the comparison."""
    feasible = len(optimal.feasible_mentee_ids)
    without = sum(
        1
        for u in optimal.unmatched
        if u.mentee_id not in optimal.feasible_mentee_ids and u.reason != "already_paired"
    )
    lines = [
        f"matched {optimal.placed_feasible} of {feasible} mentees with a feasible mentor; "
        f"{without} without one"
    ]
    reasons = Counter(u.reason for u in optimal.unmatched if u.reason != "already_paired")
    labels = dict(UnmatchedReason.choices)
    for reason, count in reasons.most_common():
        lines.append(f"  {count:>4}  {reason}: {labels.get(reason, reason)}")
    paired = sum(1 for u in optimal.unmatched if u.reason == "already_paired")
    if paired:
        lines.append(f"  ({paired} already in an active pair, not counted)")
    if greedy is not None:
        gain = optimal.total_score - greedy.total_score
        share = gain / greedy.total_score * 100 if greedy.total_score else 0.0
        lines.append(
            f"total score: optimal {optimal.total_score:.1f} ({len(optimal.assignments)} pairs), "
            f"greedy baseline {greedy.total_score:.1f} ({len(greedy.assignments)} pairs), "
            f"{gain:+.1f} ({share:+.1f} %)"
        )
    timings = ", ".join(f"{k} {v:.2f} s" for k, v in optimal.timings.items())
    lines.append(
        f"{optimal.candidate_count} feasible pairs of {optimal.pair_count} considered; {timings}"
    )
    return lines


class Command(BaseCommand):
    help = (
        "Run matching on an institution's current programme (nothing is stored) and print how "
        "many mentees with a feasible mentor it places, and why the others have none."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the institution's address: <slug>.<BASE_DOMAIN>")
        parser.add_argument(
            "--examples", type=int, default=0, help="explain this many unmatched mentees"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        institution = tenants_api.institution_ref(slug=options["slug"])
        if institution is None:
            raise CommandError(f"No institution with address {options['slug']!r}.")
        schema_name = institution.schema_name
        with schema_context(schema_name), translation.override(settings.LANGUAGE_CODE):
            programme_id = programmes_api.current_programme_id()
            if programme_id is None:
                raise CommandError("The institution has no programme for this academic year.")
            programme = Programme.objects.get(pk=programme_id)
            problem = candidates.problem_build(
                programme_id=programme.pk,
                forms=programme.forms,
                weights=services.weights_get(programme=programme).as_dict(),
            )
            optimal, greedy = match_optimal(problem), match_greedy(problem)
            for line in report_lines(optimal, greedy):
                self.stdout.write(line)
            # One of each reason first, then the rest.
            unmatched = [u for u in optimal.unmatched if u.reason != "already_paired"]
            firsts = {u.reason: u for u in reversed(unmatched)}
            examples = list(firsts.values()) + [u for u in unmatched if u not in firsts.values()]
            if options["examples"] and examples:
                rows = [
                    UnmatchedMentee(mentee_id=u.mentee_id, reason=u.reason, detail=u.detail)
                    for u in examples[: options["examples"]]
                ]
                self.stdout.write("")
                for row in rows:
                    e = explanations([row])[row.mentee_id]
                    self.stdout.write(f"#{row.mentee_id}: {e.because} {e.fix}".strip())
                    if e.steps:
                        self.stdout.write(
                            "      " + "; ".join(f"{s.label}: {s.mentors}" for s in e.steps)
                        )
