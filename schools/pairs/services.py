"""Writes of the pairs app: keyword-only, typed, atomic, audited.

Errors are ``django.core.exceptions.ValidationError({field: [messages]})``; nothing is changed
when one is raised."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actor import Actor, author_id
from schools.audit.api import AuditAction, audit_record
from schools.pairs import access
from schools.pairs.models import (
    MEETING_SEQUENCE,
    ONE_OFF_KINDS,
    OPEN_PAIR_STATUSES,
    RATING_MAX,
    RATING_MIN,
    CalendarToken,
    DevelopmentPlan,
    GoalStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Pair,
    PairMentee,
    PairStatus,
    PlanGoal,
    PracticeCase,
    PracticeCaseStatus,
    PreviewStatus,
)
from schools.participants.api import (
    has_valid_consent,
    lock_people,
    mentor_capacity,
    participant_full_names,
)
from schools.programmes.models import MentoringForm, Programme, ProgrammeStatus

# --- pairs -------------------------------------------------------------------------------------


def _active_load(mentor_id: int) -> int:
    """Mentees the mentor has in active pairs now (any programme)."""
    return PairMentee.objects.filter(pair__mentor_id=mentor_id, is_active=True).count()


@transaction.atomic
def pair_create(
    *,
    programme_id: int,
    mentor_participant_id: int,
    mentee_participant_ids: Iterable[int],
    form: str,
    started_on: datetime.date | None = None,
    actor: Actor,
) -> Pair:
    """Form a pair (one mentee) or a group (several) and open a development plan for each
    mentee. Refused, with every reason at once, when the programme is closed, the form unknown,
    someone lacks a valid consent, a mentee is already in an active pair of the programme, or
    the mentor's capacity would be exceeded."""
    access.check_pair_manage(actor)
    mentee_ids = [int(m) for m in mentee_participant_ids]
    errors: dict[str, list[str]] = {}

    programme = Programme.objects.filter(pk=programme_id).first()
    if programme is None:
        errors["programme"] = [_("No such programme.")]
    elif programme.status == ProgrammeStatus.CLOSED:
        errors["programme"] = [_("The programme is closed: no new pairs can be formed.")]

    if form not in MentoringForm.values:
        errors["form"] = [_("Unknown form of mentoring.")]
    elif programme is not None and programme.forms and form not in programme.forms:
        errors["form"] = [_("The programme does not run this form of mentoring.")]

    if not mentee_ids:
        errors["mentees"] = [_("A pair needs at least one mentee.")]
    elif len(set(mentee_ids)) != len(mentee_ids):
        errors["mentees"] = [_("A mentee is listed twice.")]
    elif mentor_participant_id in mentee_ids:
        errors["mentees"] = [_("The mentor cannot be its own mentee.")]

    # Lock the people in a fixed order: concurrent approvals of one mentor or one mentee wait
    # for each other, so the capacity and "one active pair" checks below cannot race.
    people = lock_people(participant_ids=[mentor_participant_id, *mentee_ids])

    mentor = people.get(mentor_participant_id)
    if mentor is None:
        errors["mentor"] = [_("No such participant.")]
    elif not has_valid_consent(participant_id=mentor.id):
        errors["mentor"] = [_("The mentor has no valid consent to personal-data processing.")]
    else:
        capacity = mentor_capacity(participant_id=mentor.id)
        if capacity is None:
            errors["mentor"] = [_("This person is not in the mentor base.")]
        elif _active_load(mentor.id) + len(set(mentee_ids)) > capacity:
            errors["mentor"] = [
                _("The mentor's capacity (%(capacity)s mentees) would be exceeded.")
                % {"capacity": capacity}
            ]

    mentee_errors: list[str] = []
    for mentee_id in dict.fromkeys(mentee_ids):
        if mentee_id == mentor_participant_id:
            continue
        mentee = people.get(mentee_id)
        if mentee is None:
            mentee_errors.append(_("No such participant: %(id)s.") % {"id": mentee_id})
            continue
        if not has_valid_consent(participant_id=mentee_id):
            mentee_errors.append(
                _("%(name)s has no valid consent to personal-data processing.")
                % {"name": mentee.full_name}
            )
        if PairMentee.objects.filter(
            programme_id=programme_id, mentee_id=mentee_id, is_active=True
        ).exists():
            mentee_errors.append(
                _("%(name)s is already in an active pair of this programme.")
                % {"name": mentee.full_name}
            )
    if mentee_errors:
        errors.setdefault("mentees", []).extend(mentee_errors)
    if errors:
        raise ValidationError(errors)
    assert programme is not None and mentor is not None

    pair = Pair.objects.create(
        programme=programme,
        form=form,
        mentor_id=mentor.id,
        started_on=started_on or timezone.localdate(),
        created_by_id=author_id(actor),
    )
    try:
        with transaction.atomic():
            PairMentee.objects.bulk_create(
                [PairMentee(pair=pair, mentee_id=m, programme=programme) for m in mentee_ids]
            )
    except IntegrityError as exc:  # the partial unique index: a concurrent approval won
        raise ValidationError(
            {"mentees": [_("A mentee is already in an active pair of this programme.")]}
        ) from exc
    DevelopmentPlan.objects.bulk_create(
        [DevelopmentPlan(pair=pair, mentee_id=m) for m in mentee_ids]
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=pair,
        changed_fields=["programme", "form", "mentor", "mentees", "started_on", "status"],
    )
    return pair


def _require_active(pair: Pair) -> None:
    if pair.status != PairStatus.ACTIVE:
        raise ValidationError({"status": [_("The pair is no longer active.")]})


def _require_open(pair: Pair) -> None:
    """Active or paused (a paused pair may still be ended early)."""
    if pair.status not in OPEN_PAIR_STATUSES:
        raise ValidationError({"status": [_("The pair is no longer active.")]})


def _check_end_date(pair: Pair, ended_on: datetime.date) -> None:
    if ended_on < pair.started_on:
        raise ValidationError({"ended_on": [_("A pair cannot end before it started.")]})


@transaction.atomic
def pair_end_early(
    *, pair: Pair, reason: str, ended_on: datetime.date | None = None, actor: Actor
) -> Pair:
    access.check_pair_manage(actor)
    pair = Pair.objects.select_for_update().get(pk=pair.pk)
    _require_open(pair)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the pair ends early.")]})
    ended_on = ended_on or timezone.localdate()
    _check_end_date(pair, ended_on)
    pair.status = PairStatus.ENDED_EARLY
    pair.end_reason = reason
    pair.ended_on = ended_on
    pair.paused_at = None
    pair.save(update_fields=["status", "end_reason", "ended_on", "paused_at", "updated_at"])
    PairMentee.objects.filter(pair=pair).update(is_active=False)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=pair,
        changed_fields=["status", "end_reason", "ended_on"],
    )
    return pair


def _check_rating(name: str, rating: int | None) -> None:
    if rating is not None and not RATING_MIN <= rating <= RATING_MAX:
        raise ValidationError(
            {name: [_("The rating must be from %(min)s to %(max)s.") % {"min": 1, "max": 10}]}
        )


@transaction.atomic
def pair_complete(
    *,
    pair: Pair,
    outcome: str,
    mentor_rating: int | None = None,
    ended_on: datetime.date | None = None,
    actor: Actor,
) -> Pair:
    """Close a pair with its result (stage 6): the outcome, and the mentor's final rating.
    The coordinator, or the pair's own mentor."""
    access.check_pair_complete(actor, pair)
    pair = Pair.objects.select_for_update().get(pk=pair.pk)
    _require_active(pair)
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": [_("Describe the result of the pair.")]})
    _check_rating("mentor_rating", mentor_rating)
    ended_on = ended_on or timezone.localdate()
    _check_end_date(pair, ended_on)
    pair.status = PairStatus.COMPLETED
    pair.outcome = outcome
    pair.ended_on = ended_on
    if mentor_rating is not None:
        pair.mentor_rating = mentor_rating
    pair.save(update_fields=["status", "outcome", "ended_on", "mentor_rating", "updated_at"])
    PairMentee.objects.filter(pair=pair).update(is_active=False)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=pair,
        changed_fields=["status", "outcome", "ended_on", "mentor_rating"],
    )
    return pair


@transaction.atomic
def pair_rate(*, pair: Pair, participant_id: int, rating: int, actor: Actor) -> Pair:
    """A person's own final rating (1–10) of the pair's work: the mentor's goes to the pair,
    each mentee's to its membership."""
    access.check_pair_rate(actor, pair, participant_id)
    _check_rating("rating", rating)
    if pair.status == PairStatus.ENDED_EARLY:
        raise ValidationError({"status": [_("The pair ended early; it has no final rating.")]})
    if participant_id == pair.mentor_id:
        Pair.objects.filter(pk=pair.pk).update(mentor_rating=rating, updated_at=timezone.now())
        pair.refresh_from_db()
        audit_record(
            actor=actor, action=AuditAction.UPDATE, instance=pair, changed_fields=["mentor_rating"]
        )
        return pair
    membership = PairMentee.objects.filter(pair=pair, mentee_id=participant_id).first()
    if membership is None:
        raise ValidationError({"rating": [_("Only the pair's mentor and mentees rate it.")]})
    membership.rating = rating
    membership.save(update_fields=["rating"])
    audit_record(
        actor=actor, action=AuditAction.UPDATE, instance=membership, changed_fields=["rating"]
    )
    return pair


# --- development plans ---------------------------------------------------------------------------


@transaction.atomic
def plan_update(*, plan: DevelopmentPlan, summary: str, actor: Actor) -> DevelopmentPlan:
    access.check_plan_summary_write(actor, plan)
    plan.summary = summary.strip()
    plan.save(update_fields=["summary", "updated_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, instance=plan, changed_fields=["summary"])
    return plan


GOAL_FIELDS = ("title", "tasks", "deadline", "progress", "status", "position")


def _goal_clean(goal: PlanGoal) -> None:
    errors: dict[str, list[str]] = {}
    goal.title = (goal.title or "").strip()
    if not goal.title:
        errors["title"] = [_("Name the goal.")]
    if not 0 <= goal.progress <= 100:
        errors["progress"] = [_("Progress is a percentage from 0 to 100.")]
    if goal.status not in GoalStatus.values:
        errors["status"] = [_("Unknown status.")]
    if errors:
        raise ValidationError(errors)
    if goal.status == GoalStatus.DONE:
        goal.progress = 100


@transaction.atomic
def plan_goal_create(
    *,
    plan: DevelopmentPlan,
    title: str,
    tasks: str = "",
    deadline: datetime.date | None = None,
    progress: int = 0,
    status: str = GoalStatus.PLANNED,
    position: int | None = None,
    actor: Actor,
) -> PlanGoal:
    access.check_plan_write(actor, plan)
    if plan.pair.status != PairStatus.ACTIVE:
        raise ValidationError({"plan": [_("The pair is no longer active.")]})
    if position is None:
        position = plan.goals.count()
    goal = PlanGoal(
        plan=plan,
        title=title,
        tasks=tasks,
        deadline=deadline,
        progress=progress,
        status=status,
        position=position,
    )
    _goal_clean(goal)
    goal.save()
    audit_record(actor=actor, action=AuditAction.CREATE, instance=goal, changed_fields=GOAL_FIELDS)
    return goal


@transaction.atomic
def plan_goal_update(*, goal: PlanGoal, actor: Actor, **fields: Any) -> PlanGoal:
    access.check_plan_write(actor, goal.plan)
    unknown = set(fields) - set(GOAL_FIELDS)
    if unknown:
        raise ValueError(f"Unknown goal fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(goal, name, value)
    _goal_clean(goal)
    goal.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, instance=goal, changed_fields=fields)
    return goal


@transaction.atomic
def plan_goal_delete(*, goal: PlanGoal, actor: Actor) -> None:
    access.check_plan_write(actor, goal.plan)
    audit_record(actor=actor, action=AuditAction.DELETE, instance=goal, changed_fields=[])
    goal.delete()


# --- meetings ------------------------------------------------------------------------------------


def _check_meeting(
    *, pair: Pair, kind: str, starts_at: datetime.datetime, place: str, link: str, pk: int | None
) -> None:
    """The methodology's order: organisational, trial, planning, regular meetings, final.
    A meeting may not come before one of an earlier kind nor after one of a later kind; the
    one-off kinds happen once per pair."""
    errors: dict[str, list[str]] = {}
    if kind not in MeetingKind.values:
        errors["kind"] = [_("Unknown kind of meeting.")]
    if not (place or "").strip() and not (link or "").strip():
        errors["place"] = [_("Give the place or the link of the meeting.")]
    if timezone.localdate(starts_at) < pair.started_on:
        errors["starts_at"] = [_("The meeting is before the pair was formed.")]
    if errors:
        raise ValidationError(errors)
    others = pair.meetings.exclude(status=MeetingStatus.CANCELLED)
    if pk is not None:
        others = others.exclude(pk=pk)
    if kind in ONE_OFF_KINDS and others.filter(kind=kind).exists():
        raise ValidationError({"kind": [_("This pair already has a meeting of this kind.")]})
    rank = MEETING_SEQUENCE.index(kind)
    earlier_kinds, later_kinds = MEETING_SEQUENCE[:rank], MEETING_SEQUENCE[rank + 1 :]
    clash = others.filter(
        Q(kind__in=earlier_kinds, starts_at__gt=starts_at)
        | Q(kind__in=later_kinds, starts_at__lt=starts_at)
    ).first()
    if clash is not None:
        raise ValidationError(
            {
                "starts_at": [
                    _(
                        "Meetings follow the order organisational, trial, planning, regular, "
                        "final: this one would break it (see the %(kind)s meeting of %(date)s)."
                    )
                    % {
                        "kind": clash.get_kind_display(),
                        "date": timezone.localtime(clash.starts_at).strftime("%d.%m.%Y %H:%M"),
                    }
                ]
            }
        )


@transaction.atomic
def meeting_create(
    *,
    pair: Pair,
    kind: str,
    starts_at: datetime.datetime,
    duration_minutes: int = 60,
    place: str = "",
    link: str = "",
    notes: str = "",
    actor: Actor,
) -> Meeting:
    access.check_meeting_write(actor, pair)
    pair = Pair.objects.select_for_update().get(pk=pair.pk)  # serialises the order checks
    _require_active(pair)
    _check_meeting(pair=pair, kind=kind, starts_at=starts_at, place=place, link=link, pk=None)
    meeting = Meeting(
        pair=pair,
        kind=kind,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        place=place.strip(),
        link=link.strip(),
        notes=notes,
        created_by_id=author_id(actor),
    )
    meeting.full_clean(exclude=["pair", "attendees", "created_by"], validate_constraints=False)
    meeting.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=meeting,
        changed_fields=["pair", "kind", "starts_at", "duration_minutes", "place", "link"],
    )
    return meeting


MEETING_FIELDS = ("kind", "starts_at", "duration_minutes", "place", "link", "notes", "outcomes")


@transaction.atomic
def meeting_update(*, meeting: Meeting, actor: Actor, **fields: Any) -> Meeting:
    unknown = set(fields) - set(MEETING_FIELDS)
    if unknown:
        raise ValueError(f"Unknown meeting fields: {sorted(unknown)}")
    pair = Pair.objects.select_for_update().get(pk=meeting.pair_id)
    access.check_meeting_write(actor, pair)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError({"status": [_("The meeting was cancelled.")]})
    moved = "starts_at" in fields and fields["starts_at"] != meeting.starts_at
    for name, value in fields.items():
        setattr(meeting, name, value)
    if {"kind", "starts_at", "place", "link"} & set(fields):
        if meeting.status == MeetingStatus.PLANNED:
            _require_active(pair)
        _check_meeting(
            pair=pair,
            kind=meeting.kind,
            starts_at=meeting.starts_at,
            place=meeting.place,
            link=meeting.link,
            pk=meeting.pk,
        )
    if moved:
        meeting.reminder_sent_at = None  # a moved meeting is reminded of again
        meeting.mark_reminder_sent_at = None  # and asked about again after its new day
        meeting.reminder_claimed_at = meeting.mark_reminder_claimed_at = None
    meeting.full_clean(exclude=["pair", "attendees", "created_by"], validate_constraints=False)
    meeting.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, instance=meeting, changed_fields=fields)
    return meeting


@transaction.atomic
def meeting_record_attendance(
    *,
    meeting: Meeting,
    participant_ids: Iterable[int],
    outcomes: str | None = None,
    notes: str | None = None,
    actor: Actor,
    now: datetime.datetime | None = None,
) -> Meeting:
    """Record who attended (members of the pair only); the meeting is then held."""
    now = now or timezone.now()
    ids = {int(i) for i in participant_ids}
    pair = meeting.pair
    access.check_meeting_write(actor, pair)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError({"status": [_("The meeting was cancelled.")]})
    if meeting.starts_at > now:
        raise ValidationError({"attendees": [_("The meeting has not taken place yet.")]})
    members = {pair.mentor_id, *pair.memberships.values_list("mentee_id", flat=True)}
    strangers = ids - members
    if strangers:
        raise ValidationError({"attendees": [_("Only the pair's mentor and mentees attend.")]})
    if not ids:
        raise ValidationError({"attendees": [_("Name at least one person who attended.")]})
    meeting.attendees.set(ids)
    meeting.status = MeetingStatus.HELD
    if outcomes is not None:
        meeting.outcomes = outcomes
    if notes is not None:
        meeting.notes = notes
    meeting.save(update_fields=["status", "outcomes", "notes", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=meeting,
        changed_fields=["status", "attendees", "outcomes", "notes"],
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor: Actor) -> Meeting:
    access.check_meeting_write(actor, meeting.pair)
    if meeting.status == MeetingStatus.HELD:
        raise ValidationError({"status": [_("A meeting that was held cannot be cancelled.")]})
    meeting.status = MeetingStatus.CANCELLED
    meeting.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor, action=AuditAction.UPDATE, instance=meeting, changed_fields=["status"]
    )
    return meeting


# --- calendar feed -------------------------------------------------------------------------------


def calendar_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_token_issue(*, participant_id: int, actor: Actor) -> str:
    """A new secret for the person's calendar feed (the previous link stops working). The
    token is returned once; only its hash is kept. Only for one's own feed (``access``)."""
    access.check_calendar_link(actor, participant_id)
    token = secrets.token_urlsafe(32)
    CalendarToken.objects.update_or_create(
        participant_id=participant_id, defaults={"token_hash": calendar_token_hash(token)}
    )
    return token


@transaction.atomic
def calendar_token_revoke(*, participant_id: int, actor: Actor) -> None:
    access.check_calendar_link(actor, participant_id)
    CalendarToken.objects.filter(participant_id=participant_id).delete()


# --- success stories -----------------------------------------------------------------------------


def institution_names() -> list[str]:
    """The full names of everyone the institution records: its participants (learners in no
    pair, parents and guardians too) and its users (staff, mentors, parents who sign in)."""
    from accounts.models import User

    people = participant_full_names()
    users = [
        " ".join(part for part in (last, first, middle) if part)
        for last, first, middle in User.objects.values_list(
            "last_name", "first_name", "middle_name"
        )
    ]
    return people + [name for name in users if name]


def practice_case_digest(case: PracticeCase) -> str:
    """Which draft a prepared copy was made from: a digest of its title and text."""
    return hashlib.sha256(f"{case.title}\0{case.text}".encode()).hexdigest()


@transaction.atomic
def practice_case_create(
    *,
    programme_id: int,
    title: str,
    text: str,
    form: str,
    pair_id: int | None = None,
    actor: Actor,
) -> PracticeCase:
    access.check_practice_case_write(actor)
    errors: dict[str, list[str]] = {}
    if not Programme.objects.filter(pk=programme_id).exists():
        errors["programme"] = [_("No such programme.")]
    if form not in MentoringForm.values:
        errors["form"] = [_("Unknown form of mentoring.")]
    if (
        pair_id is not None
        and not Pair.objects.filter(pk=pair_id, programme_id=programme_id).exists()
    ):
        errors["pair"] = [_("No such pair in this programme.")]
    if not title.strip():
        errors["title"] = [_("Give the case a title.")]
    if not text.strip():
        errors["text"] = [_("Write the case.")]
    if errors:
        raise ValidationError(errors)
    case = PracticeCase.objects.create(
        programme_id=programme_id,
        pair_id=pair_id,
        form=form,
        title=title.strip(),
        text=text.strip(),
        created_by_id=author_id(actor),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=case,
        changed_fields=["programme", "pair", "form", "title", "text"],
    )
    return case


@transaction.atomic
def practice_case_update(*, case: PracticeCase, actor: Actor, **fields: Any) -> PracticeCase:
    access.check_practice_case_write(actor)
    unknown = set(fields) - {"title", "text", "form"}
    if unknown:
        raise ValueError(f"Unknown practice case fields: {sorted(unknown)}")
    if "form" in fields and fields["form"] not in MentoringForm.values:
        raise ValidationError({"form": [_("Unknown form of mentoring.")]})
    for name, value in fields.items():
        setattr(case, name, value.strip() if isinstance(value, str) else value)
    if not case.title or not case.text:
        raise ValidationError({"text": [_("A case needs a title and a text.")]})
    case.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, instance=case, changed_fields=fields)
    return case


@transaction.atomic
def practice_case_prepare(*, case: PracticeCase, actor: Actor) -> PracticeCase:
    """Ask the worker for the anonymised copy of the current draft (``practice_case_anonymise``),
    for the coordinator to check before publishing: names and identifiers are found with a
    language model that loads slowly, so never in a page request."""
    from config.db import tenant_connection
    from config.tasks import enqueue_on_commit
    from schools.pairs.tasks import practice_case_anonymise_task

    access.check_practice_case_publish(actor)
    case = PracticeCase.objects.select_for_update().get(pk=case.pk)
    case.preview_status = PreviewStatus.PENDING
    case.preview_title = case.preview_text = case.preview_of = ""
    case.preview_hidden = []
    case.save(
        update_fields=[
            "preview_status",
            "preview_title",
            "preview_text",
            "preview_of",
            "preview_hidden",
            "updated_at",
        ]
    )
    enqueue_on_commit(
        practice_case_anonymise_task,
        schema_name=tenant_connection().schema_name,
        case_id=case.pk,
    )
    return case


def practice_case_anonymise(*, case_id: int) -> bool:
    """The anonymised copy of the case's current draft (``regional.privacy.anonymise_text``:
    the names of everyone the institution records in any case and spelling, names a Russian
    NER model finds, ИНН, СНИЛС, phones, e-mails, links), stored with the list of what was
    hidden and the digest of the draft it was made from. Idempotent; False when the case is
    gone. Runs in the worker (the model takes a second to load)."""
    from regional.privacy import api as privacy

    case = PracticeCase.objects.filter(pk=case_id).first()
    if case is None:
        return False
    names = institution_names()
    title = privacy.anonymise_text(case.title, names=names)
    text = privacy.anonymise_text(case.text, names=names)
    digest = practice_case_digest(case)
    hidden = [{"kind": h.kind, "text": h.text} for h in (*title.hidden, *text.hidden)]
    with transaction.atomic():
        locked = PracticeCase.objects.select_for_update().filter(pk=case_id).first()
        if locked is None:
            return False
        if practice_case_digest(locked) != digest:
            return False  # edited meanwhile: a later preparation covers the new draft
        locked.preview_title = title.text
        locked.preview_text = text.text
        locked.preview_hidden = hidden
        locked.preview_of = digest
        locked.preview_status = PreviewStatus.READY
        locked.save(
            update_fields=[
                "preview_title",
                "preview_text",
                "preview_hidden",
                "preview_of",
                "preview_status",
            ]
        )
    return True


@transaction.atomic
def practice_case_publish(*, case: PracticeCase, actor: Actor) -> PracticeCase:
    """Publish the prepared anonymised copy that the coordinator has seen: refused unless a
    copy of the *current* draft is ready (``practice_case_prepare``). The region collects
    published copies nightly (``regional.practices`` task ``practices.collect_institution``
    reads ``schools.pairs.api.success_stories_published``); nothing here writes to the public
    schema. Publishing again after an edit needs a new preparation."""
    access.check_practice_case_publish(actor)
    case = PracticeCase.objects.select_for_update().get(pk=case.pk)
    if case.preview_status != PreviewStatus.READY or case.preview_of != practice_case_digest(case):
        raise ValidationError(
            {
                "preview": [
                    _(
                        "Prepare the anonymised copy of the current text and check it before "
                        "publishing."
                    )
                ]
            }
        )
    case.published_title = case.preview_title
    case.published_text = case.preview_text
    case.status = PracticeCaseStatus.PUBLISHED
    case.published_at = timezone.now()
    case.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=case,
        changed_fields=["status", "published_at", "published_title", "published_text"],
    )
    return case
