"""Writes of the matching app. Every service is atomic and raises
``django.core.exceptions.ValidationError({field: [messages]})`` with nothing changed when the
input is bad (a closed programme, a mentor without consent, a capacity below the load…)."""

from __future__ import annotations

import datetime
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.actor import Actor, author_id
from config.tasks import enqueue_on_commit
from schools.audit.api import AuditAction, audit_record
from schools.matching import access, candidates
from schools.matching.engine import (
    MatchingInputError,
    MatchResult,
    MentorIn,
    PreferenceIndex,
    Weights,
    match_greedy,
    match_optimal,
    score_pair,
)
from schools.matching.models import (
    MAX_RANK,
    TAKEN_STATUSES,
    Algorithm,
    GroupMeeting,
    MatchingSettings,
    MatchProposal,
    MatchRun,
    Preference,
    PreferenceKind,
    ProposalStatus,
    RunStatus,
    UnmatchedMentee,
)
from schools.programmes.models import Programme, ProgrammeStatus

logger = logging.getLogger(__name__)

# Runs with more mentees than this go to a Celery task; smaller ones run in the request.
SYNC_MAX_MENTEES_DEFAULT = 1000

EXCLUSION_MESSAGES = {
    "same_person": gettext_lazy("a person cannot mentor themselves"),
    "form_mismatch": gettext_lazy("no form of the programme fits both roles"),
    "needs_not_covered": gettext_lazy(
        "the mentor's competences cover none of the mentee's requests"
    ),
    "mentor_younger": gettext_lazy("the mentor is younger than the mentee"),
    "avoid": gettext_lazy("one of them asked not to be paired"),
    "excluded": gettext_lazy("the coordinator rejected this pair earlier"),
    "mentor_no_consent": gettext_lazy("the mentor has no valid consent"),
    "mentor_full": gettext_lazy("the mentor's capacity is full"),
    "mentee_no_consent": gettext_lazy("the mentee has no valid consent"),
    "already_paired": gettext_lazy("the mentee is already in an active pair"),
}


# What the coordinator may override when making or changing a pair by hand (the explanation
# still shows it); the other exclusions are refused.
SOFT_EXCLUSIONS = frozenset({"needs_not_covered", "mentor_younger", "excluded"})


def _score_by_hand(programme: Programme, run: MatchRun, mentor: MentorIn, mentee: Any) -> Any:
    """A pair the coordinator makes or changes by hand, scored and explained like the run's;
    refused when it breaks a rule that cannot be overlooked (``SOFT_EXCLUSIONS`` can)."""
    b = score_pair(
        mentor,
        mentee,
        forms=programme.forms,
        weights=Weights.from_dict(run.weights),
        preferences=PreferenceIndex(candidates.preferences_of(programme.pk)),
        exclusions=candidates.rejected_pairs(programme.pk),
        ignore_load=True,
    )
    hard = [code for code in b.excluded if code not in SOFT_EXCLUSIONS]
    if hard:
        raise ValidationError(
            {"mentor": [_("This pair is not possible: %(reasons)s.") % {"reasons": _reasons(hard)}]}
        )
    assert b.form is not None
    return b


def _reasons(codes: Iterable[str]) -> str:
    return "; ".join(str(EXCLUSION_MESSAGES.get(c, c)) for c in codes)


def _require_open(programme: Programme) -> None:
    if programme.status == ProgrammeStatus.CLOSED:
        raise ValidationError(
            {"programme": [_("The programme is closed: matching is no longer possible.")]}
        )


# --- weights ------------------------------------------------------------------------------------


def weights_get(*, programme: Programme) -> Weights:
    row = MatchingSettings.objects.filter(programme=programme).first()
    return Weights.from_dict(row.weights if row else None)


@transaction.atomic
def weights_update(*, programme: Programme, data: Mapping[str, Any], actor: Actor) -> Weights:
    access.check_matching_manage(actor)
    _require_open(programme)
    weights = Weights.from_dict({**weights_get(programme=programme).as_dict(), **data})
    problems = weights.problems()
    if problems:
        raise ValidationError({name: [_("Must be a non-negative number.")] for name in problems})
    row, _created = MatchingSettings.objects.update_or_create(
        programme=programme,
        defaults={"weights": weights.as_dict(), "updated_by_id": author_id(actor)},
    )
    audit_record(actor=actor, action=AuditAction.UPDATE, instance=row, changed_fields=["weights"])
    return weights


# --- group meetings and preferences --------------------------------------------------------------


def _check_people(ids: Iterable[int], field: str) -> list[int]:
    ids = sorted({int(i) for i in ids})
    known = candidates.participants_api.existing_participant_ids(
        participant_ids=ids, include_erased=False
    )
    missing = [i for i in ids if i not in known]
    if missing:
        raise ValidationError(
            {field: [_("Unknown participants: %(ids)s") % {"ids": ", ".join(map(str, missing))}]}
        )
    return ids


@transaction.atomic
def group_meeting_create(
    *,
    programme: Programme,
    held_on: datetime.date,
    place: str = "",
    notes: str = "",
    attendee_ids: Sequence[int] = (),
    actor: Actor,
) -> GroupMeeting:
    access.check_matching_manage(actor)
    _require_open(programme)
    ids = _check_people(attendee_ids, "attendee_ids")
    meeting = GroupMeeting.objects.create(
        programme=programme,
        held_on=held_on,
        place=place,
        notes=notes,
        created_by_id=author_id(actor),
    )
    meeting.attendees.set(ids)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=meeting,
        changed_fields=["programme", "held_on", "place", "notes", "attendees"],
    )
    return meeting


@transaction.atomic
def group_meeting_update(*, meeting: GroupMeeting, actor: Actor, **fields: Any) -> GroupMeeting:
    access.check_matching_manage(actor)
    _require_open(meeting.programme)
    changed = []
    for name in ("held_on", "place", "notes"):
        if name in fields:
            setattr(meeting, name, fields[name])
            changed.append(name)
    meeting.save()
    if "attendee_ids" in fields:
        meeting.attendees.set(_check_people(fields["attendee_ids"], "attendee_ids"))
        changed.append("attendees")
    audit_record(actor=actor, action=AuditAction.UPDATE, instance=meeting, changed_fields=changed)
    return meeting


@transaction.atomic
def group_meeting_mark_held(
    *,
    meeting: GroupMeeting,
    attendee_ids: Sequence[int],
    notes: str | None = None,
    actor: Actor,
    today: datetime.date | None = None,
) -> GroupMeeting:
    """The group meeting took place: who came (only they state preferences afterwards).
    Refused before its day and without anyone named."""
    access.check_matching_manage(actor)
    _require_open(meeting.programme)
    today = today or timezone.localdate()
    if meeting.held_on > today:
        raise ValidationError({"attendee_ids": [_("The meeting has not taken place yet.")]})
    ids = _check_people(attendee_ids, "attendee_ids")
    if not ids:
        raise ValidationError({"attendee_ids": [_("Name at least one person who attended.")]})
    meeting.attendees.set(ids)
    changed = ["attendees"]
    if notes is not None:
        meeting.notes = notes
        meeting.save(update_fields=["notes", "updated_at"])
        changed.append("notes")
    audit_record(actor=actor, action=AuditAction.UPDATE, instance=meeting, changed_fields=changed)
    return meeting


@transaction.atomic
def preferences_record(
    *,
    meeting: GroupMeeting,
    from_participant_id: int,
    items: Sequence[Mapping[str, Any]],
    actor: Actor,
) -> list[Preference]:
    """Replace what ``from_participant_id`` said after ``meeting``: whom they would prefer
    (ranked) and whom they would rather not be paired with. Both must have attended. The
    person itself, or the coordinator on its behalf."""
    access.check_preferences_write(actor, meeting, from_participant_id)
    _require_open(meeting.programme)
    attendees = set(meeting.attendees.values_list("pk", flat=True))
    errors: dict[str, list[str]] = {}
    if from_participant_id not in attendees:
        errors["from_participant"] = [
            _("Only participants of the group meeting state preferences.")
        ]
    seen: set[int] = set()
    ranks: Counter[int] = Counter()
    for item in items:
        to_id, kind, rank = int(item["to_participant"]), item["kind"], item.get("rank")
        if to_id == from_participant_id:
            errors.setdefault("items", []).append(_("Nobody states a preference about themselves."))
        elif to_id not in attendees:
            errors.setdefault("items", []).append(
                _("Participant %(id)s did not attend the group meeting.") % {"id": to_id}
            )
        if to_id in seen:
            errors.setdefault("items", []).append(
                _("Participant %(id)s is named twice.") % {"id": to_id}
            )
        seen.add(to_id)
        if kind not in PreferenceKind.values:
            errors.setdefault("items", []).append(_("Unknown kind of preference."))
        if rank is not None:
            if kind != PreferenceKind.PREFER or not 1 <= int(rank) <= MAX_RANK:
                errors.setdefault("items", []).append(
                    _("A rank from 1 to %(max)s goes with a preferred person only.")
                    % {"max": MAX_RANK}
                )
            ranks[int(rank)] += 1
    if any(count > 1 for count in ranks.values()):
        errors.setdefault("items", []).append(_("Each rank can be given once."))
    if errors:
        raise ValidationError(errors)
    Preference.objects.filter(meeting=meeting, from_participant_id=from_participant_id).delete()
    created = Preference.objects.bulk_create(
        Preference(
            meeting=meeting,
            from_participant_id=from_participant_id,
            to_participant_id=int(item["to_participant"]),
            kind=item["kind"],
            rank=item.get("rank"),
            recorded_by_id=author_id(actor),
        )
        for item in items
    )
    audit_record(
        actor=actor, action=AuditAction.UPDATE, instance=meeting, changed_fields=["preferences"]
    )
    return created


# --- runs ----------------------------------------------------------------------------------------


def _fixed_problems(
    *, programme: Programme, fixed: Sequence[tuple[int, int]], weights: Weights
) -> None:
    """Refuse fixed pairs that cannot be: unknown people, no consent, no fitting form, an
    "avoid" mark, a mentee fixed twice, or more than the mentor's places left."""
    if not fixed:
        return
    mentors = candidates.mentors_by_id({r for r, _e in fixed}, programme_id=programme.pk)
    mentees = candidates.mentees_by_id({e for _r, e in fixed}, programme_id=programme.pk)
    prefs = PreferenceIndex(candidates.preferences_of(programme.pk))
    errors: list[str] = []
    used: Counter[int] = Counter()
    seen: set[int] = set()
    for mentor_id, mentee_id in fixed:
        mentor, mentee = mentors.get(mentor_id), mentees.get(mentee_id)
        if mentor is None or mentee is None:
            errors.append(
                _("%(mentor)s → %(mentee)s: not in the mentor and mentee bases.")
                % {"mentor": mentor_id, "mentee": mentee_id}
            )
            continue
        if mentee_id in seen:
            errors.append(_("Mentee %(id)s is fixed twice.") % {"id": mentee_id})
        seen.add(mentee_id)
        b = score_pair(
            mentor,
            mentee,
            forms=programme.forms,
            weights=weights,
            preferences=prefs,
            ignore_load=True,
        )
        if b.excluded:
            errors.append(
                _("%(mentor)s → %(mentee)s cannot be fixed: %(reasons)s.")
                % {"mentor": mentor_id, "mentee": mentee_id, "reasons": _reasons(b.excluded)}
            )
        used[mentor_id] += 1
    for mentor_id, count in used.items():
        mentor = mentors.get(mentor_id)
        if mentor and mentor.current_load + count > mentor.capacity:
            errors.append(
                _(
                    "Mentor %(id)s has %(left)s place(s) left (capacity %(cap)s, current load "
                    "%(load)s) and %(count)s fixed mentee(s)."
                )
                % {
                    "id": mentor_id,
                    "left": max(mentor.capacity - mentor.current_load, 0),
                    "cap": mentor.capacity,
                    "load": mentor.current_load,
                    "count": count,
                }
            )
    if errors:
        raise ValidationError({"fixed": errors})


@transaction.atomic
def run_create(
    *,
    programme: Programme,
    algorithm: str = Algorithm.OPTIMAL,
    fixed: Sequence[tuple[int, int]] = (),
    actor: Actor,
) -> MatchRun:
    """Start a matching run. Small programmes are matched at once; larger ones by a task
    (the run's status and progress show where it is)."""
    access.check_matching_manage(actor)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    _require_open(programme)
    if not programme.forms:
        raise ValidationError(
            {"programme": [_("Choose the programme's forms of mentoring first.")]}
        )
    if algorithm not in Algorithm.values:
        raise ValidationError({"algorithm": [_("Unknown algorithm.")]})
    weights = weights_get(programme=programme)
    fixed = [(int(r), int(e)) for r, e in fixed]
    _fixed_problems(programme=programme, fixed=fixed, weights=weights)
    run = MatchRun.objects.create(
        programme=programme,
        algorithm=algorithm,
        weights=weights.as_dict(),
        fixed_pairs=[list(p) for p in fixed],
        created_by_id=author_id(actor),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=run,
        changed_fields=["programme", "algorithm", "fixed_pairs"],
    )
    _supersede_older(run, actor=actor)
    limit = getattr(settings, "MATCHING_SYNC_MAX_MENTEES", SYNC_MAX_MENTEES_DEFAULT)
    mentees = candidates.participants_api.mentee_base_size()
    if mentees <= limit:
        run_execute(run_id=run.pk, raise_errors=True)
        run.refresh_from_db()
    else:
        from schools.matching.tasks import match_run_execute

        enqueue_on_commit(match_run_execute, run_id=run.pk)
    return run


def _supersede_older(run: MatchRun, *, actor: Actor) -> None:
    """A new run replaces the programme's earlier runs that still wait for a review: their
    proposals can no longer be approved (pairs already formed from them stay)."""
    older = list(
        MatchRun.objects.select_for_update()
        .filter(programme_id=run.programme_id, status__in=(RunStatus.QUEUED, RunStatus.DONE))
        .exclude(pk=run.pk)
    )
    for old in older:
        old.status, old.superseded_by = RunStatus.SUPERSEDED, run
        old.save(update_fields=["status", "superseded_by"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=old,
            changed_fields=["status", "superseded_by"],
        )


def _run_progress(run_id: int, percent: int) -> None:
    MatchRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(progress=percent)


def run_execute(*, run_id: int, raise_errors: bool = False, resume: bool = False) -> bool:
    """Run the engine for a queued run and store its proposals; idempotent (a run that is
    done, failed or superseded is left alone). Returns whether it ran.

    ``resume``: the task's delivery holds the run's outbox lease (config.tasks), so a run found
    ``running`` was interrupted (its worker died before storing anything, as the proposals are
    stored in one transaction with the final status) and starts over."""
    startable = (RunStatus.QUEUED, RunStatus.RUNNING) if resume else (RunStatus.QUEUED,)
    with transaction.atomic():
        run = MatchRun.objects.select_for_update().select_related("programme").get(pk=run_id)
        if run.status not in startable:
            return False
        run.status, run.progress, run.started_at = RunStatus.RUNNING, 10, timezone.now()
        run.save(update_fields=["status", "progress", "started_at"])
    try:
        # Each phase reports its progress outside the run's lock (a worker's run is in no
        # outer transaction, so the page polling the run sees it move).
        with transaction.atomic():
            run = MatchRun.objects.select_related("programme").get(pk=run_id)
            _require_open(run.programme)
            problem = candidates.problem_build(
                programme_id=run.programme_id,
                forms=run.programme.forms,
                weights=run.weights,
                fixed=[tuple(p) for p in run.fixed_pairs],
            )
        _run_progress(run_id, 40)
        solve = match_optimal if run.algorithm == Algorithm.OPTIMAL else match_greedy
        try:
            result = solve(problem)
        except MatchingInputError as error:
            raise ValidationError(
                {"fixed": [f"{code}: {detail}" for code, detail in error.problems]}
            ) from error
        _run_progress(run_id, 70)
        with transaction.atomic():
            run = MatchRun.objects.select_for_update().select_related("programme").get(pk=run_id)
            if run.status != RunStatus.RUNNING:  # cancelled meanwhile: nothing is stored
                return True
            _require_open(run.programme)
            _store(run, problem, result)
    except ValidationError as error:
        if raise_errors:
            raise
        MatchRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED, error="; ".join(error.messages), finished_at=timezone.now()
        )
    except Exception:
        if raise_errors:
            raise
        # A worker's run must not stay "running" for ever: the page shows that it failed.
        logger.exception("matching run %s failed", run_id)
        MatchRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED,
            error=str(_("The run stopped on an unexpected error. Start it again.")),
            finished_at=timezone.now(),
        )
    return True


def _store(run: MatchRun, problem: Any, result: MatchResult) -> None:
    mentors = {y.id: y for y in problem.mentors}
    mentees = {x.id: x for x in problem.mentees}
    prefs = PreferenceIndex(problem.preferences)
    proposals = []
    for a in result.assignments:
        b = score_pair(
            mentors[a.mentor_id],
            mentees[a.mentee_id],
            forms=problem.forms,
            weights=problem.weights,
            preferences=prefs,
            exclusions=problem.exclusions,
            ignore_load=True,
        )
        proposals.append(
            MatchProposal(
                run=run,
                mentor_id=a.mentor_id,
                mentee_id=a.mentee_id,
                proposed_mentor_id=a.mentor_id,
                form=a.form,
                score=round(a.score, 4),
                breakdown=b.as_dict(),
                fixed=a.fixed,
                status=ProposalStatus.ACCEPTED if a.fixed else ProposalStatus.PROPOSED,
            )
        )
    MatchProposal.objects.bulk_create(proposals, batch_size=1000)
    UnmatchedMentee.objects.bulk_create(
        (
            UnmatchedMentee(run=run, mentee_id=u.mentee_id, reason=u.reason, detail=u.detail)
            for u in result.unmatched
            if u.reason != "already_paired"
        ),
        batch_size=1000,
    )
    newer = (
        MatchRun.objects.filter(programme_id=run.programme_id, created_at__gt=run.created_at)
        .order_by("created_at")
        .first()
    )
    run.status, run.progress, run.finished_at = RunStatus.DONE, 100, timezone.now()
    if newer is not None:
        run.status, run.superseded_by = RunStatus.SUPERSEDED, newer
    run.total_score = round(result.total_score, 4)
    run.mentee_count, run.mentor_count = len(problem.mentees), len(problem.mentors)
    run.matched_count = len(result.assignments)
    run.unmatched_count = sum(1 for u in result.unmatched if u.reason != "already_paired")
    run.candidate_count = result.candidate_count
    run.timings = {k: round(v, 4) for k, v in result.timings.items()}
    run.save()


# --- proposals -----------------------------------------------------------------------------------


def _require_reviewable(proposal: MatchProposal) -> None:
    if proposal.run.status != RunStatus.DONE:
        raise ValidationError(
            {"run": [_("Only proposals of a finished, unapproved run can be reviewed.")]}
        )
    _require_open(proposal.run.programme)


def _check_mentor(proposal: MatchProposal, mentor: MentorIn | None) -> None:
    """The mentor has a valid consent and a place for this mentee in this run."""
    if mentor is None:
        raise ValidationError({"mentor": [_("Not in the mentor base.")]})
    if not mentor.has_consent:
        raise ValidationError(
            {"mentor": [_("The mentor has no valid consent to personal-data processing.")]}
        )
    # Proposals already approved are pairs now: the mentor's load counts them.
    taken = (
        MatchProposal.objects.filter(run=proposal.run, mentor_id=mentor.id, pair_id__isnull=True)
        .exclude(status=ProposalStatus.REJECTED)
        .exclude(pk=proposal.pk)
        .count()
    )
    if mentor.current_load + taken + 1 > mentor.capacity:
        raise ValidationError(
            {
                "mentor": [
                    _(
                        "The mentor's capacity (%(cap)s) is below the load: %(load)s in pairs and "
                        "%(taken)s in this run."
                    )
                    % {"cap": mentor.capacity, "load": mentor.current_load, "taken": taken}
                ]
            }
        )


def _decide(proposal: MatchProposal, status: str, actor: Actor) -> MatchProposal:
    proposal.status, proposal.decided_at = status, timezone.now()
    proposal.decided_by_id = author_id(actor)
    proposal.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=proposal,
        changed_fields=["status", "mentor", "score"],
    )
    return proposal


def _lock(proposal: MatchProposal) -> MatchProposal:
    return (
        MatchProposal.objects.select_for_update()
        .select_related("run__programme")
        .get(pk=proposal.pk)
    )


@transaction.atomic
def proposal_accept(*, proposal: MatchProposal, actor: Actor) -> MatchProposal:
    access.check_matching_manage(actor)
    proposal = _lock(proposal)
    _require_reviewable(proposal)
    mentor = candidates.mentors_by_id([proposal.mentor_id], programme_id=proposal.run.programme_id)
    _check_mentor(proposal, mentor.get(proposal.mentor_id))
    return _decide(proposal, ProposalStatus.ACCEPTED, actor)


@transaction.atomic
def proposal_reject(*, proposal: MatchProposal, actor: Actor) -> MatchProposal:
    """Not this pair: the mentee goes back to the search; later runs never propose it again."""
    access.check_matching_manage(actor)
    proposal = _lock(proposal)
    _require_reviewable(proposal)
    if proposal.fixed:
        raise ValidationError(
            {"status": [_("A pair fixed by the coordinator cannot be rejected here.")]}
        )
    return _decide(proposal, ProposalStatus.REJECTED, actor)


@transaction.atomic
def proposal_change(*, proposal: MatchProposal, mentor_id: int, actor: Actor) -> MatchProposal:
    """Give the mentee another mentor; the new pair is scored and explained the same way."""
    access.check_matching_manage(actor)
    proposal = _lock(proposal)
    _require_reviewable(proposal)
    programme = proposal.run.programme
    mentor = candidates.mentors_by_id([mentor_id], programme_id=programme.pk).get(mentor_id)
    _check_mentor(proposal, mentor)
    assert mentor is not None
    mentee = candidates.mentees_by_id([proposal.mentee_id], programme_id=programme.pk)[
        proposal.mentee_id
    ]
    b = _score_by_hand(programme, proposal.run, mentor, mentee)
    proposal.mentor_id = mentor_id
    proposal.form, proposal.score, proposal.breakdown = b.form, round(b.total, 4), b.as_dict()
    return _decide(proposal, ProposalStatus.CHANGED, actor)


@transaction.atomic
def run_approve(*, run: MatchRun, accept_proposed: bool = False, actor: Actor) -> MatchRun:
    """Turn the accepted (and changed) proposals into pairs and groups: one per mentor and
    form. All or nothing: when any pair is refused, nothing is formed."""
    access.check_matching_manage(actor)
    run = MatchRun.objects.select_for_update().select_related("programme").get(pk=run.pk)
    if run.status != RunStatus.DONE:
        raise ValidationError({"run": [_("Only a finished, unapproved run can be approved.")]})
    _require_open(run.programme)
    undecided = run.proposals.filter(status=ProposalStatus.PROPOSED)
    if undecided.exists():
        if not accept_proposed:
            raise ValidationError(
                {
                    "proposals": [
                        _("%(count)s proposal(s) still await a decision.")
                        % {"count": undecided.count()}
                    ]
                }
            )
        for proposal in undecided:
            proposal_accept(proposal=proposal, actor=actor)
    _form_pairs(
        run,
        run.proposals.filter(status__in=TAKEN_STATUSES, pair_id__isnull=True),
        actor=actor,
    )
    _close_if_decided(run, actor=actor)
    return run


def _form_pairs(
    run: MatchRun,
    proposals: Iterable[MatchProposal],
    *,
    actor: Actor,
    started_on: datetime.date | None = None,
) -> list[int]:
    """Pairs and groups from taken proposals: one per mentor and form (through
    ``schools.pairs.api.pair_create``, which refuses what breaks its rules), started on
    ``started_on`` (default: today)."""
    groups: dict[tuple[int, str], list[MatchProposal]] = defaultdict(list)
    for proposal in sorted(proposals, key=lambda p: (p.mentor_id, p.mentee_id)):
        groups[(proposal.mentor_id, proposal.form)].append(proposal)
    from schools.pairs import api as pairs_api

    pair_ids = []
    for (mentor_id, form), members in groups.items():
        pair_id = pairs_api.pair_create(
            programme_id=run.programme_id,
            mentor_participant_id=mentor_id,
            mentee_participant_ids=[p.mentee_id for p in members],
            form=form,
            started_on=started_on,
            actor=actor,
        )
        MatchProposal.objects.filter(pk__in=[p.pk for p in members]).update(pair_id=pair_id)
        pair_ids.append(pair_id)
    return pair_ids


def _close_if_decided(run: MatchRun, *, actor: Actor) -> None:
    """The run is approved once no proposal waits for a decision or a pair."""
    waiting = run.proposals.filter(pair_id__isnull=True).exclude(status=ProposalStatus.REJECTED)
    if waiting.exists():
        return
    run.status, run.approved_at = RunStatus.APPROVED, timezone.now()
    run.approved_by_id = author_id(actor)
    run.save(update_fields=["status", "approved_at", "approved_by"])
    audit_record(actor=actor, action=AuditAction.UPDATE, instance=run, changed_fields=["status"])


@transaction.atomic
def proposals_approve(
    *,
    run: MatchRun,
    proposal_ids: Iterable[int],
    actor: Actor,
    started_on: datetime.date | None = None,
) -> list[int]:
    """Approve some proposals of a run and leave the rest for later: the chosen ones are
    accepted (with the same checks as ``proposal_accept``) and become pairs and groups at once
    (started on ``started_on``, default today); the run is approved when nothing is left
    undecided. All or nothing. Returns the pair ids."""
    # A mutant without this line survives, and is equivalent: nothing is written before
    # proposal_accept or pairs_api.pair_create, which refuse the same actors (the coordinator's
    # rule) themselves. Kept so the refusal comes before the row locks and the validation.
    access.check_matching_manage(actor)
    run = MatchRun.objects.select_for_update().select_related("programme").get(pk=run.pk)
    if run.status != RunStatus.DONE:
        raise ValidationError({"run": [_("Only a finished, unapproved run can be approved.")]})
    _require_open(run.programme)
    wanted = {int(pk) for pk in proposal_ids}
    if not wanted:
        raise ValidationError({"proposals": [_("Choose the proposals to approve.")]})
    chosen = list(run.proposals.select_for_update().filter(pk__in=wanted))
    if len(chosen) != len(wanted):
        raise ValidationError({"proposals": [_("Some proposals are not of this run.")]})
    errors = []
    for proposal in chosen:
        if proposal.status == ProposalStatus.REJECTED:
            errors.append(_("A rejected proposal cannot be approved."))
        elif proposal.pair_id is not None:
            errors.append(_("A proposal already approved cannot be approved again."))
    if errors:
        raise ValidationError({"proposals": sorted(set(errors))})
    for proposal in chosen:
        if proposal.status == ProposalStatus.PROPOSED:
            proposal_accept(proposal=proposal, actor=actor)
    pair_ids = _form_pairs(
        run, run.proposals.filter(pk__in=wanted), actor=actor, started_on=started_on
    )
    _close_if_decided(run, actor=actor)
    return pair_ids


@transaction.atomic
def proposal_add(*, run: MatchRun, mentee_id: int, mentor_id: int, actor: Actor) -> MatchProposal:
    """A pair made by hand in a run: the coordinator gives a mentee left without a mentor one
    (a group when the mentor takes several). It is scored and explained like the others and
    accepted; what the coordinator may override (requests not covered, a younger mentor, an
    earlier rejection) stays visible in the explanation; the rest (no consent, no fitting
    form, no place, a wish not to be paired) is refused."""
    access.check_matching_manage(actor)
    run = MatchRun.objects.select_for_update().select_related("programme").get(pk=run.pk)
    if run.status != RunStatus.DONE:
        raise ValidationError(
            {"run": [_("Only proposals of a finished, unapproved run can be reviewed.")]}
        )
    programme = run.programme
    _require_open(programme)
    mentee = candidates.mentees_by_id([mentee_id], programme_id=programme.pk).get(mentee_id)
    if mentee is None:
        raise ValidationError({"mentee": [_("Not in the mentee base.")]})
    if run.proposals.filter(mentee_id=mentee_id).exists():
        raise ValidationError(
            {"mentee": [_("The mentee already has a proposal in this run: change its mentor.")]}
        )
    mentor = candidates.mentors_by_id([mentor_id], programme_id=programme.pk).get(mentor_id)
    probe = MatchProposal(run=run, mentee_id=mentee_id)
    _check_mentor(probe, mentor)
    assert mentor is not None
    b = _score_by_hand(programme, run, mentor, mentee)
    proposal = MatchProposal.objects.create(
        run=run,
        mentor_id=mentor_id,
        mentee_id=mentee_id,
        form=b.form,
        score=round(b.total, 4),
        breakdown=b.as_dict(),
        status=ProposalStatus.ACCEPTED,
        made_by_hand=True,
        decided_by_id=author_id(actor),
        decided_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=proposal,
        changed_fields=["run", "mentor", "mentee", "form", "status"],
    )
    return proposal


def interrupted_message() -> str:
    return str(_("The run was interrupted (the server stopped it several times). Start it again."))


def match_run_cancellable(run: MatchRun) -> bool:
    """Queued, or left behind by its task: no worker computes it right now."""
    from config import jobs
    from schools.matching.tasks import match_run_execute

    return run.status in (RunStatus.QUEUED, RunStatus.RUNNING) and not jobs.task_running(
        match_run_execute, run_id=run.pk
    )


@transaction.atomic
def match_run_cancel(*, run_id: int, actor: Actor) -> MatchRun:
    """Cancel a run not finished yet (queued, or left behind by its task): it fails with the
    reason and a new run may be started. A run a worker is computing right now is refused (it
    ends in moments); one that ended is returned as it is. The coordinator's (``access``)."""
    access.check_matching_manage(actor)
    run = MatchRun.objects.select_for_update().get(pk=run_id)
    if run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
        return run
    if not match_run_cancellable(run):
        raise ValidationError(
            {"status": [_("The run is being computed right now: it ends in a moment.")]}
        )
    run.status, run.finished_at = RunStatus.FAILED, timezone.now()
    run.error = str(_("Cancelled: no proposals were made. Start a new run when needed."))
    run.save(update_fields=["status", "error", "finished_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, instance=run, changed_fields=["status"])
    return run


def runs_sweep() -> int:
    """Runs queued or running whose task is no longer pending (config.jobs): failed with the
    reason when the task was lost or failed, sent again when it was never sent through the
    outbox. The page then offers to start a new run."""
    from config import jobs
    from schools.matching.tasks import match_run_execute

    count = 0
    for run in MatchRun.objects.filter(
        status__in=(RunStatus.QUEUED, RunStatus.RUNNING), created_at__lt=jobs.stuck_before()
    ):
        state = jobs.task_state(match_run_execute, run_id=run.pk)
        if state == jobs.PENDING:
            continue
        if state is None:
            MatchRun.objects.filter(pk=run.pk).update(status=RunStatus.QUEUED, progress=0)
            enqueue_on_commit(match_run_execute, run_id=run.pk)
        else:
            MatchRun.objects.filter(
                pk=run.pk, status__in=(RunStatus.QUEUED, RunStatus.RUNNING)
            ).update(
                status=RunStatus.FAILED, error=interrupted_message(), finished_at=timezone.now()
            )
        count += 1
    return count
