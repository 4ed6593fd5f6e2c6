"""Matching pages beyond the run itself: why a mentee was left without a mentor (criterion by
criterion, what would fix it) with the mentors that could take them — the coordinator makes
the pair by hand there; a proposal's mentor changed by hand; some proposals approved while the
rest wait."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.actor import actor_of
from accounts.models import Role
from config.pages import COORDINATOR, STAFF, ObjectPage, is_htmx
from schools.matching import access as matching_access
from schools.matching import selectors as matching_selectors
from schools.matching import services as matching_services
from schools.matching.explain import explanations
from schools.matching.models import (
    MatchProposal,
    MatchRun,
    ProposalStatus,
    RunStatus,
    UnmatchedMentee,
)
from schools.matching.services import EXCLUSION_MESSAGES
from schools.participants import api as participants_api

CATEGORY_LABELS = dict(participants_api.Category.choices)


def _is_coordinator(request: HttpRequest) -> bool:
    return actor_of(request).role == Role.COORDINATOR


def _options(run: Any, mentee_id: int) -> list[dict[str, Any]]:
    """The mentors the coordinator could give the mentee, for the table: labels resolved."""
    topics = participants_api.topic_names()
    return [
        {
            "id": o.id,
            "name": o.name,
            "category": CATEGORY_LABELS.get(o.category, o.category),
            "score": o.score,
            "covers": [topics.get(c, c) for c in o.covered],
            "places_left": o.places_left,
            "refused": [str(EXCLUSION_MESSAGES.get(c, c)) for c in o.refused],
            "warnings": [str(EXCLUSION_MESSAGES.get(c, c)) for c in o.warnings],
        }
        for o in matching_selectors.mentor_options(run=run, mentee_id=mentee_id)
    ]


def _with_mentor(request: HttpRequest, do: Callable[[int], Any]) -> bool:
    """Call ``do`` with the mentor chosen in the form; errors become messages (False)."""
    try:
        do(int(request.POST.get("mentor", "")))
    except ValueError:
        messages.error(request, _("Choose a mentor."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        return True
    return False


class MatchingUnmatched(ObjectPage):
    """One mentee left without a mentor: why, by criterion, and what would fix it; the
    coordinator gives the mentee a mentor by hand here (a POST by other staff: 403)."""

    roles = STAFF
    access_by_id = staticmethod(matching_access.access_unmatched_by_id)

    def object_queryset(self) -> QuerySet[UnmatchedMentee]:
        return matching_selectors.unmatched_rows()

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _unmatched_page(request, self.object)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _unmatched_page(request, self.object)


matching_unmatched = MatchingUnmatched.as_view()


def _unmatched_page(request: HttpRequest, row: UnmatchedMentee) -> HttpResponse:
    run = row.run
    paired_by_hand = run.proposals.filter(mentee_id=row.mentee_id).first()
    can_pair = _is_coordinator(request) and run.status == RunStatus.DONE and not paired_by_hand
    status = 200
    if request.method == "POST":
        if not _is_coordinator(request):
            return render(request, "403.html", status=403)
        made = _with_mentor(
            request,
            lambda mentor_id: matching_services.proposal_add(
                run=run, mentee_id=row.mentee_id, mentor_id=mentor_id, actor=actor_of(request)
            ),
        )
        status = 400
        if made:
            messages.success(
                request,
                _("The pair of %(mentee)s is made by hand; approve it with the run.")
                % {"mentee": row.mentee.full_name},
            )
            return redirect(f"{reverse('school:matching-run', args=[run.pk])}#unmatched")
    return render(
        request,
        "school/matching_unmatched.html",
        {
            "row": row,
            "run": run,
            "explanation": explanations([row])[row.mentee_id],
            "paired_by_hand": paired_by_hand,
            "can_pair": can_pair,
            "options": _options(run, row.mentee_id) if can_pair else [],
        },
        status=status,
    )


CRITERION_LABELS = {
    "form": gettext_lazy("form of mentoring"),
    "needs": gettext_lazy("competences fit the requests"),
    "preference": gettext_lazy("mutual preference"),
    "time": gettext_lazy("time resource"),
    "peer": gettext_lazy("peer rules"),
}


class MatchingProposal(ObjectPage):
    """A proposal with its score explained; the coordinator gives the mentee another mentor
    (re-assigns) while the run waits for approval (a POST by other staff: 403). An HTMX GET
    gets the score by criterion alone: the run page's «Why this score» loads it."""

    roles = STAFF
    access_by_id = staticmethod(matching_access.access_match_proposal_by_id)

    def object_queryset(self) -> QuerySet[MatchProposal]:
        return matching_selectors.match_proposal_list()

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _proposal_page(request, self.object)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _proposal_page(request, self.object)


matching_proposal = MatchingProposal.as_view()


def _proposal_page(request: HttpRequest, proposal: MatchProposal) -> HttpResponse:
    run = proposal.run
    can_change = (
        _is_coordinator(request)
        and run.status == RunStatus.DONE
        and proposal.pair_id is None
        and not proposal.fixed
    )
    status = 200
    if request.method == "POST":
        if not can_change:
            return render(request, "403.html", status=403)
        changed = _with_mentor(
            request,
            lambda mentor_id: matching_services.proposal_change(
                proposal=proposal, mentor_id=mentor_id, actor=actor_of(request)
            ),
        )
        status = 400
        if changed:
            messages.success(
                request,
                _("%(mentee)s now has another mentor.") % {"mentee": proposal.mentee.full_name},
            )
            return redirect("school:matching-run", pk=run.pk)
    reasons = _reasons(proposal)
    if request.method == "GET" and is_htmx(request):
        # «Why this score» on the run page: the reasons alone, no mentor options.
        return render(request, "school/matching_proposal_criteria.html", reasons)
    return render(
        request,
        "school/matching_proposal.html",
        {
            "proposal": proposal,
            "run": run,
            **reasons,
            "can_change": can_change,
            "options": _options(run, proposal.mentee_id) if can_change else [],
        },
        status=status,
    )


def _reasons(proposal: MatchProposal) -> dict[str, Any]:
    """The proposal's score by criterion, labelled, and what a pair made by hand overrode."""
    topics = participants_api.topic_names()
    breakdown = proposal.breakdown if isinstance(proposal.breakdown, dict) else {}
    criteria = []
    for c in breakdown.get("criteria") or []:
        if not isinstance(c, dict) or c.get("code") not in CRITERION_LABELS:
            continue
        detail = c.get("detail") or {}
        criteria.append(
            {
                "label": str(CRITERION_LABELS[c["code"]]),
                "points": c.get("points"),
                "weight": c.get("weight"),
                "covered": [topics.get(t, t) for t in detail.get("covered", ())]
                if c["code"] == "needs"
                else [],
                "missing": [topics.get(t, t) for t in detail.get("missing", ())]
                if c["code"] == "needs"
                else [],
                "mutual": c["code"] == "preference" and bool(detail.get("mutual")),
            }
        )
    return {
        "criteria": criteria,
        "overridden": [
            str(EXCLUSION_MESSAGES.get(code, code)) for code in breakdown.get("excluded") or ()
        ],
    }


class MatchingApproveSelected(ObjectPage):
    """Approve the ticked proposals now (they become pairs and groups); the rest wait."""

    roles = COORDINATOR
    http_method_names = ["post"]
    access_by_id = staticmethod(matching_access.access_match_run_by_id)

    def object_queryset(self) -> QuerySet[MatchRun]:
        return matching_selectors.match_run_list()

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _approve_selected(request, self.object)


matching_approve_selected = MatchingApproveSelected.as_view()


def _approve_selected(request: HttpRequest, run: MatchRun) -> HttpResponse:
    try:
        ids = [int(value) for value in request.POST.getlist("proposal")]
        pair_ids = matching_services.proposals_approve(
            run=run, proposal_ids=ids, actor=actor_of(request)
        )
    except ValueError:
        messages.error(request, _("Choose the proposals to approve."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        waiting = run.proposals.filter(pair_id__isnull=True, status=ProposalStatus.PROPOSED).count()
        messages.success(
            request,
            ngettext(
                "%(count)s pair or group is formed.",
                "%(count)s pairs and groups are formed.",
                len(pair_ids),
            )
            % {"count": len(pair_ids)}
            + (
                " "
                + ngettext(
                    "%(count)s proposal still waits for a decision.",
                    "%(count)s proposals still wait for a decision.",
                    waiting,
                )
                % {"count": waiting}
                if waiting
                else ""
            ),
        )
    return redirect("school:matching-run", pk=run.pk)
