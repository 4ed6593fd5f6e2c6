"""Writes of the monitoring app: questionnaires, campaigns, invitations and responses.

Every write is atomic and changes nothing when it raises ``ValidationError({field: [...]})``.
E-mails go out from tasks enqueued on commit."""

from __future__ import annotations

import datetime
import functools
import hashlib
import logging
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actor import Actor, author_id
from config.compiled import CompiledFirst
from config.db import tenant_connection
from config.tasks import enqueue_on_commit
from regional.questionnaires import api as templates
from schools.monitoring import access
from schools.monitoring.models import (
    CampaignStatus,
    Question,
    Questionnaire,
    QuestionnaireOrigin,
    ResponseChannel,
    ResponseStatus,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
    TargetKind,
)
from schools.pairs import api as pairs_api
from schools.participants import api as participants_api
from schools.programmes.models import MentoringForm

QUESTION_FIELDS = (
    "code",
    "text",
    "help_text",
    "kind",
    "required",
    "min_value",
    "max_value",
    "min_label",
    "max_label",
    "options",
    "condition_question",
    "condition_value",
)
FORM_CODES = frozenset(MentoringForm.values)

logger = logging.getLogger(__name__)


def _error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- questionnaires ------------------------------------------------------------------------------


def questionnaire_is_locked(questionnaire: Questionnaire) -> bool:
    """Once a campaign has been opened the questions stay as they were answered."""
    return questionnaire.campaigns.exclude(status=CampaignStatus.DRAFT).exists()


@transaction.atomic
def questionnaire_adopt(*, version_id: int, title: str = "", actor: Actor) -> Questionnaire:
    """Copy a published regional template version into the institution (pinned)."""
    access.require(access.may_adopt_questionnaires(actor))
    version = templates.version_get(version_id=version_id)
    if version is None or version.status != templates.VersionStatus.PUBLISHED:
        raise _error("template_version", _("Choose a published version of a regional template."))
    questionnaire = Questionnaire.objects.create(
        title=title.strip() or version.title,
        description=version.description,
        intro=version.intro,
        purpose=version.purpose,
        growth_phase=version.growth_phase,
        origin=QuestionnaireOrigin.ADOPTED,
        template_version_id=version.id,
        template_code=version.template_code,
        template_version_number=version.number,
        created_by_id=author_id(actor),
    )
    Question.objects.bulk_create(
        Question(
            questionnaire=questionnaire,
            order=question["order"],
            regional=True,
            **{field: question[field] for field in QUESTION_FIELDS},
        )
        for question in version.questions
    )
    return questionnaire


def _check_questions(questions: Sequence[Any]) -> None:
    problems = templates.questions_problems(questions=questions)
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def questionnaire_create_local(
    *,
    title: str,
    purpose: str,
    questions: Sequence[Mapping[str, Any]],
    description: str = "",
    intro: str = "",
    growth_phase: str = "",
    actor: Actor,
) -> Questionnaire:
    """A questionnaire written by the institution (questions in the order given)."""
    access.require(access.may_adopt_questionnaires(actor))
    if purpose not in templates.Purpose.values:
        raise _error("purpose", _("Unknown purpose."))
    if (purpose == templates.Purpose.GROWTH) != (growth_phase in ("before", "after")):
        raise _error(
            "growth_phase",
            _(
                "A growth questionnaire is answered before or after the programme; "
                "others have no phase."
            ),
        )
    if not title.strip():
        raise _error("title", _("The questionnaire needs a title."))
    questionnaire = Questionnaire.objects.create(
        title=title.strip(),
        purpose=purpose,
        growth_phase=growth_phase,
        description=description,
        intro=intro,
        origin=QuestionnaireOrigin.LOCAL,
        created_by_id=author_id(actor),
    )
    built = [_question(questionnaire, order, data) for order, data in enumerate(questions, 1)]
    _check_questions(built)
    Question.objects.bulk_create(built)
    return questionnaire


def _question(questionnaire: Questionnaire, order: int, data: Mapping[str, Any]) -> Question:
    values = {field: data[field] for field in QUESTION_FIELDS if field in data}
    values.setdefault("options", [])
    for field in ("help_text", "min_label", "max_label", "condition_question", "condition_value"):
        values[field] = values.get(field) or ""
    return Question(questionnaire=questionnaire, order=order, regional=False, **values)


def _editable(questionnaire: Questionnaire) -> Questionnaire:
    locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if questionnaire_is_locked(locked):
        raise _error(
            "questionnaire",
            _(
                "A campaign has been opened with this questionnaire: "
                "its questions no longer change."
            ),
        )
    return locked


@transaction.atomic
def question_add(
    *, questionnaire: Questionnaire, data: Mapping[str, Any], actor: Actor
) -> Question:
    """Add a local question at the end (adopted questionnaires keep their regional ones)."""
    access.require(access.may_adopt_questionnaires(actor))
    questionnaire = _editable(questionnaire)
    existing = list(questionnaire.questions.all())
    order = max((q.order for q in existing), default=0) + 1
    question = _question(questionnaire, order, data)
    _check_questions([*existing, question])
    question.save()
    return question


@transaction.atomic
def question_update(*, question: Question, data: Mapping[str, Any], actor: Actor) -> Question:
    access.require(access.may_adopt_questionnaires(actor))
    _editable(question.questionnaire)
    if question.regional:
        raise _error("question", _("Questions of the regional template do not change."))
    for field in QUESTION_FIELDS:
        if field in data:
            setattr(question, field, data[field] if data[field] is not None else "")
    siblings = [q for q in question.questionnaire.questions.all() if q.pk != question.pk]
    _check_questions([*siblings, question])
    question.save()
    return question


@transaction.atomic
def question_delete(*, question: Question, actor: Actor) -> None:
    access.require(access.may_adopt_questionnaires(actor))
    _editable(question.questionnaire)
    if question.regional:
        raise _error("question", _("Questions of the regional template do not change."))
    siblings = [q for q in question.questionnaire.questions.all() if q.pk != question.pk]
    _check_questions(siblings)
    question.delete()


# --- campaigns -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    kind: str
    form: str = ""
    pair_id: int | None = None
    study_group_id: int | None = None
    participant_ids: tuple[int, ...] = ()


def _check_target(*, target: Target, programme_id: int | None) -> None:
    if target.kind not in TargetKind.values:
        raise _error("target_kind", _("Unknown target group."))
    if target.kind in (TargetKind.FORM_MENTEES, TargetKind.MENTORS) and programme_id is None:
        raise _error("programme", _("Choose the programme whose pairs are surveyed."))
    if target.kind == TargetKind.FORM_MENTEES and target.form not in FORM_CODES:
        raise _error("target_form", _("Choose a form of mentoring."))
    if target.kind == TargetKind.MENTORS and target.form and target.form not in FORM_CODES:
        raise _error("target_form", _("Choose a form of mentoring."))
    if target.kind == TargetKind.PAIR and target.pair_id is None:
        raise _error("target_pair", _("Choose a pair or group."))
    if target.kind == TargetKind.STUDY_GROUP and target.study_group_id is None:
        raise _error("target_study_group", _("Choose a study group."))
    if target.kind == TargetKind.EXPLICIT and not target.participant_ids:
        raise _error("target_participant_ids", _("Choose at least one person."))


def _check_target_rows(*, target: Target) -> None:
    """Ids from outside must name rows of this institution (an unknown pair or group was an
    IntegrityError, an unknown person a campaign inviting nobody)."""
    if target.pair_id is not None and not pairs_api.pair_exists(pair_id=target.pair_id):
        raise _error("target_pair", _("Choose a pair or group."))
    if target.study_group_id is not None and not participants_api.study_group_exists(
        study_group_id=target.study_group_id
    ):
        raise _error("target_study_group", _("Choose a study group."))
    if target.participant_ids:
        wanted = set(target.participant_ids)
        found = participants_api.existing_participant_ids(participant_ids=wanted)
        if found != wanted:
            raise _error("target_participant_ids", _("Some of the chosen people are not found."))


def _check_dates(opens_on: datetime.date, closes_on: datetime.date) -> None:
    if closes_on < opens_on:
        raise _error("closes_on", _("A campaign cannot close before it opens."))


@transaction.atomic
def campaign_create(
    *,
    questionnaire: Questionnaire,
    title: str,
    target: Target,
    opens_on: datetime.date,
    closes_on: datetime.date,
    programme_id: int | None = None,
    actor: Actor,
) -> SurveyCampaign:
    _check_target(target=target, programme_id=programme_id)
    _check_dates(opens_on, closes_on)
    _check_target_rows(target=target)
    # a curator surveys one of its own classes (the coordinator any audience)
    access.check_audience(
        actor=actor, target_kind=target.kind, study_group_id=target.study_group_id
    )
    if not questionnaire.questions.exists():
        raise _error("questionnaire", _("The questionnaire has no questions."))
    return SurveyCampaign.objects.create(
        questionnaire=questionnaire,
        title=title.strip() or questionnaire.title,
        programme_id=programme_id,
        target_kind=target.kind,
        target_form=target.form,
        target_pair_id=target.pair_id,
        target_study_group_id=target.study_group_id,
        target_participant_ids=list(target.participant_ids),
        opens_on=opens_on,
        closes_on=closes_on,
        created_by_id=author_id(actor),
    )


@transaction.atomic
def campaign_update_dates(
    *,
    campaign: SurveyCampaign,
    opens_on: datetime.date | None,
    closes_on: datetime.date | None,
    actor: Actor,
) -> SurveyCampaign:
    """Change the dates (also to extend an open campaign); a closed one stays closed."""
    campaign = SurveyCampaign.objects.select_for_update().get(pk=campaign.pk)
    access.check_campaign_manage(actor, campaign)
    if campaign.status == CampaignStatus.CLOSED:
        raise _error("status", _("The campaign is closed."))
    if opens_on is not None and campaign.status == CampaignStatus.DRAFT:
        campaign.opens_on = opens_on
    campaign.closes_on = closes_on or campaign.closes_on
    _check_dates(campaign.opens_on, campaign.closes_on)
    campaign.save(update_fields=["opens_on", "closes_on", "updated_at"])
    return campaign


@dataclass(frozen=True)
class Member:
    participant_id: int
    pair_id: int | None = None
    form: str = ""


def target_members(campaign: SurveyCampaign) -> list[Member]:
    """The people the campaign's target group names (consent not yet checked), with the pair
    and form each is in within the campaign's programme."""
    pairs = (
        pairs_api.active_pairs(programme_id=campaign.programme_id) if campaign.programme_id else []
    )
    place: dict[int, tuple[int, str]] = {}
    for pair in pairs:
        for person in (pair["mentor_id"], *pair["mentee_ids"]):
            place.setdefault(person, (pair["id"], pair["form"]))
    kind = campaign.target_kind
    ids: list[int]
    if kind == TargetKind.FORM_MENTEES:
        ids = [m for p in pairs if p["form"] == campaign.target_form for m in p["mentee_ids"]]
        place.update(
            {
                m: (p["id"], p["form"])
                for p in pairs
                if p["form"] == campaign.target_form
                for m in p["mentee_ids"]
            }
        )
    elif kind == TargetKind.MENTORS:
        ids = [
            p["mentor_id"]
            for p in pairs
            if not campaign.target_form or p["form"] == campaign.target_form
        ]
    elif kind == TargetKind.PAIR:
        chosen = pairs_api.pair_members(pair_id=campaign.target_pair_id or 0)
        if chosen is None:
            return []
        ids = [chosen.mentor_id, *chosen.mentee_ids]
        place.update(dict.fromkeys(ids, (chosen.id, chosen.form)))
    elif kind == TargetKind.STUDY_GROUP:
        ids = participants_api.study_group_member_ids(
            study_group_id=campaign.target_study_group_id or 0
        )
    else:
        ids = list(campaign.target_participant_ids)
    unique = list(dict.fromkeys(ids))
    return [
        Member(
            participant_id=pk,
            pair_id=place.get(pk, (None, ""))[0],
            form=place.get(pk, (None, ""))[1],
        )
        for pk in unique
    ]


@dataclass(frozen=True)
class OpenResult:
    campaign: SurveyCampaign
    invited: int
    without_consent: int
    # the worker prepares the invitations (``campaign_launch`` of a large group): counts later
    queued: bool = False


def _check_launchable(campaign: SurveyCampaign) -> None:
    if campaign.status != CampaignStatus.DRAFT:
        raise _error("status", _("Only a draft campaign can be opened."))
    if campaign.closes_on < timezone.localdate():
        raise _error("closes_on", _("The closing date has passed: move it first."))


@transaction.atomic
def campaign_open(*, campaign: SurveyCampaign, actor: Actor) -> OpenResult:
    """Invite the target group's people who have valid consent, open the campaign and send the
    invitations (on commit), all now. The others are counted, never invited. The pages and the
    API launch through ``campaign_launch`` (the worker prepares a large group)."""
    access.check_campaign_manage(actor, campaign)
    campaign = SurveyCampaign.objects.select_for_update().get(pk=campaign.pk)
    _check_launchable(campaign)
    return _open_now(campaign)


@dataclass(frozen=True)
class _Invitees:
    participants: list[Member]
    user_ids: list[int]
    without_consent: int

    @property
    def count(self) -> int:
        return len(self.participants) + len(self.user_ids)


def _invitees(campaign: SurveyCampaign) -> _Invitees:
    """Who the campaign invites: the target group's people with valid consent (the staff of a
    staff campaign); raises the reason when nobody."""
    if campaign.target_kind == TargetKind.STAFF:
        from accounts.models import User

        users = list(
            User.objects.filter(role__in=STAFF_AUDIENCE, is_active=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not users:
            raise _error("target_kind", _("The institution has no curators or coordinator yet."))
        return _Invitees(participants=[], user_ids=users, without_consent=0)
    members = target_members(campaign)
    allowed = set(
        participants_api.consenting_participant_ids(
            participant_ids=[m.participant_id for m in members]
        )
    )
    invited = [m for m in members if m.participant_id in allowed]
    if not invited:
        raise _error(
            "target_kind", _("Nobody in the target group has valid consent to be surveyed.")
        )
    return _Invitees(participants=invited, user_ids=[], without_consent=len(members) - len(invited))


def _invitations(campaign: SurveyCampaign, invitees: _Invitees) -> list[SurveyInvitation]:
    return [
        *(
            SurveyInvitation(
                campaign=campaign, participant_id=m.participant_id, pair_id=m.pair_id, form=m.form
            )
            for m in invitees.participants
        ),
        *(SurveyInvitation(campaign=campaign, user_id=user_id) for user_id in invitees.user_ids),
    ]


def _mark_open(campaign: SurveyCampaign) -> None:
    """Open it and send the invitations once this transaction commits."""
    campaign.status = CampaignStatus.OPEN
    campaign.opened_at = timezone.now()
    campaign.launch_error = ""
    campaign.save(update_fields=["status", "opened_at", "launch_error", "updated_at"])
    from schools.monitoring import tasks

    enqueue_on_commit(tasks.invitations_send, campaign_id=campaign.pk)


def _open_now(campaign: SurveyCampaign) -> OpenResult:
    invitees = _invitees(campaign)
    SurveyInvitation.objects.bulk_create(_invitations(campaign, invitees))
    _mark_open(campaign)
    return OpenResult(
        campaign=campaign, invited=invitees.count, without_consent=invitees.without_consent
    )


STAFF_AUDIENCE = ("coordinator", "curator")


# --- a launch done by the worker -----------------------------------------------------------------

DEFAULT_LAUNCH_INLINE_MAX = 40  # a pair, a class: prepared in the request itself
LAUNCH_BATCH = 200  # invitations written (and progress shown) per batch


def launch_inline_max() -> int:
    from django.conf import settings

    return int(getattr(settings, "CAMPAIGN_LAUNCH_INLINE_MAX", DEFAULT_LAUNCH_INLINE_MAX))


def launch_size_estimate(campaign: SurveyCampaign) -> int:
    """How many people the target group names, by one count (consent not checked): decides
    whether the request prepares the invitations itself or leaves them to the worker."""
    kind = campaign.target_kind
    if kind == TargetKind.STAFF:
        from accounts.models import User

        return User.objects.filter(role__in=STAFF_AUDIENCE, is_active=True).count()
    if kind == TargetKind.EXPLICIT:
        return len(campaign.target_participant_ids)
    if kind == TargetKind.STUDY_GROUP:
        return participants_api.study_group_size(study_group_id=campaign.target_study_group_id or 0)
    if kind == TargetKind.PAIR:
        return pairs_api.pair_head_count(pair_id=campaign.target_pair_id or 0)
    return pairs_api.active_pairs_head_count(
        programme_id=campaign.programme_id,
        form=campaign.target_form,
        mentees=kind == TargetKind.FORM_MENTEES,
    )


def launch_interrupted_message() -> str:
    return str(
        _(
            "The launch was interrupted (the background worker stopped): nobody was invited. "
            "Launch the campaign again."
        )
    )


def launch_failed_message() -> str:
    return str(_("The invitations could not be prepared. Launch again or ask for help."))


@transaction.atomic
def campaign_launch(*, campaign: SurveyCampaign, actor: Actor) -> OpenResult:
    """Launch the campaign: a small group is invited at once (``campaign_open``); for a larger
    one the launch is recorded (``launching``, with the number of people) and the worker
    prepares the invitations in batches, showing its progress, then opens the campaign and
    sends them. The request returns at once either way. A failed launch (nobody with consent,
    a worker lost) makes it a draft again with the reason; launching again retries it."""
    access.check_campaign_manage(actor, campaign)
    campaign = SurveyCampaign.objects.select_for_update().get(pk=campaign.pk)
    _check_launchable(campaign)
    size = launch_size_estimate(campaign)
    if size <= launch_inline_max():
        return _open_now(campaign)
    campaign.status = CampaignStatus.LAUNCHING
    campaign.launch_requested_at = timezone.now()
    campaign.launch_total, campaign.launch_done, campaign.launch_without_consent = size, 0, 0
    campaign.launch_error = ""
    campaign.save(
        update_fields=[
            "status",
            "launch_requested_at",
            "launch_total",
            "launch_done",
            "launch_without_consent",
            "launch_error",
            "updated_at",
        ]
    )
    from schools.monitoring import tasks

    enqueue_on_commit(tasks.campaign_launch_run, campaign_id=campaign.pk)
    return OpenResult(campaign=campaign, invited=0, without_consent=0, queued=True)


def _launch_fail(campaign_id: int, reason: str) -> None:
    """The launch failed: nobody is invited (nothing was mailed: it never opened), the campaign
    is a draft again with the reason on its page."""
    with transaction.atomic():
        campaign = SurveyCampaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None or campaign.status != CampaignStatus.LAUNCHING:
            return
        SurveyInvitation.objects.filter(campaign_id=campaign_id).delete()
        campaign.status = CampaignStatus.DRAFT
        campaign.launch_error, campaign.launch_done = reason[:300], 0
        campaign.save(update_fields=["status", "launch_error", "launch_done", "updated_at"])


def campaign_launch_run(*, campaign_id: int) -> str:
    """The worker's part of a launch: find who is invited, write their invitations in batches
    (``launch_done`` shows the progress), then open the campaign and send them. Idempotent: a
    launch found under way again (its worker died) resumes (invitations are written once); a
    campaign no longer launching is left alone. Returns the campaign's status."""
    campaign = SurveyCampaign.objects.filter(pk=campaign_id).first()
    if campaign is None or campaign.status != CampaignStatus.LAUNCHING:
        return str(campaign.status) if campaign is not None else ""
    try:
        invitees = _invitees(campaign)
    except ValidationError as exc:
        _launch_fail(campaign_id, " ".join(exc.messages))
        return CampaignStatus.DRAFT
    try:
        SurveyCampaign.objects.filter(pk=campaign_id).update(
            launch_total=invitees.count, launch_without_consent=invitees.without_consent
        )
        rows = _invitations(campaign, invitees)
        for start in range(0, len(rows), LAUNCH_BATCH):
            # each batch commits on its own: the page polling the launch sees it at once
            SurveyInvitation.objects.bulk_create(
                rows[start : start + LAUNCH_BATCH], ignore_conflicts=True
            )
            SurveyCampaign.objects.filter(pk=campaign_id).update(
                launch_done=min(start + LAUNCH_BATCH, len(rows))
            )
    except Exception:
        logger.exception("campaign %s: launch failed", campaign_id)
        _launch_fail(campaign_id, launch_failed_message())
        return CampaignStatus.DRAFT
    with transaction.atomic():
        campaign = SurveyCampaign.objects.select_for_update().get(pk=campaign_id)
        if campaign.status != CampaignStatus.LAUNCHING:  # failed by the sweep meanwhile
            return str(campaign.status)
        _mark_open(campaign)
    return CampaignStatus.OPEN


def launches_sweep() -> int:
    """Beat's ``config.jobs_sweep``: launches under way longer than ``JOB_STUCK_AFTER`` whose
    task is no longer pending (lost or abandoned by the worker) fail with the reason, the
    campaign a draft again to launch anew; one never sent through the outbox is sent again."""
    from config import jobs
    from schools.monitoring import tasks

    count = 0
    for campaign_id in SurveyCampaign.objects.filter(
        status=CampaignStatus.LAUNCHING, launch_requested_at__lt=jobs.stuck_before()
    ).values_list("pk", flat=True):
        state = jobs.task_state(tasks.campaign_launch_run, campaign_id=campaign_id)
        if state == jobs.PENDING:
            continue
        if state is None:
            with transaction.atomic():
                enqueue_on_commit(tasks.campaign_launch_run, campaign_id=campaign_id)
        else:
            _launch_fail(campaign_id, launch_interrupted_message())
        count += 1
    return count


@transaction.atomic
def campaign_close(*, campaign: SurveyCampaign, actor: Actor) -> SurveyCampaign:
    campaign = SurveyCampaign.objects.select_for_update().get(pk=campaign.pk)
    access.check_campaign_manage(actor, campaign)
    if campaign.status != CampaignStatus.OPEN:
        raise _error("status", _("Only an open campaign can be closed."))
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = timezone.now()
    campaign.save(update_fields=["status", "closed_at", "updated_at"])
    return campaign


def campaigns_close_due(*, today: datetime.date | None = None) -> int:
    """Close open campaigns whose closing date has passed (daily)."""
    today = today or timezone.localdate()
    return SurveyCampaign.objects.filter(status=CampaignStatus.OPEN, closes_on__lt=today).update(
        status=CampaignStatus.CLOSED, closed_at=timezone.now(), updated_at=timezone.now()
    )


@transaction.atomic
def campaign_remind(*, campaign: SurveyCampaign, actor: Actor) -> None:
    access.check_campaign_manage(actor, campaign)
    if not campaign_accepts_answers(campaign):
        raise _error("status", _("The campaign is not open."))
    from schools.monitoring import tasks

    enqueue_on_commit(tasks.campaign_reminders_send, campaign_id=campaign.pk)


def campaign_accepts_answers(
    campaign: SurveyCampaign, *, today: datetime.date | None = None
) -> bool:
    today = today or timezone.localdate()
    return (
        campaign.status == CampaignStatus.OPEN and campaign.opens_on <= today <= campaign.closes_on
    )


# --- one-time links ------------------------------------------------------------------------------


@transaction.atomic
def invitation_link_issue(*, invitation_id: int) -> str:
    """A new personal link for the invitation (a previous one stops working). The token is
    returned once; only its hash is kept. The link works until the answers are submitted."""
    token = secrets.token_urlsafe(32)
    updated = SurveyInvitation.objects.filter(pk=invitation_id).update(token_hash=token_hash(token))
    if not updated:
        raise _error("invitation", _("No such invitation."))
    return token


def _invitation_by_hashes(*, token: str, code: str) -> QuerySet[SurveyInvitation]:
    """The invitation whose link's hash is ``token`` or whose printed code's is ``code``, with
    its campaign, questionnaire and response (None when there is none yet: the page shows the
    draft or says the link is used up without a query of its own) and what the consent check
    of an answer reads of its person (``participants_api.consent_annotations``)."""
    return (
        SurveyInvitation.objects.select_related("campaign__questionnaire", "response")
        .annotate(**participants_api.consent_annotations(person="participant"))
        .filter(Q(token_hash=token) | Q(short_code_hash=code))
        .order_by("pk")  # not the model's ordering by campaign (sorting on joined columns)
    )


# Compiled once per process: a class answering at once looks an invitation up on every form
# and every submission, and building and compiling this four-table query cost more CPU than
# the rest of the lookup (issue #17 item 4).
_INVITATION_BY_HASHES = CompiledFirst(_invitation_by_hashes, names=("token", "code"))


def invitation_by_token(token: str) -> SurveyInvitation | None:
    """The invitation of this institution whose link (or printed short code, typed in any case
    with or without its dash) this is, or None. It carries its person's consent as read now
    (``_check_can_answer`` takes it from there)."""
    from schools.monitoring.printing import short_code_normalise

    code = short_code_normalise(token)
    return _INVITATION_BY_HASHES.first(
        token=token_hash(token),
        # not a code: a NULL hash, which matches nothing
        code=token_hash(code) if code is not None else None,
    )


# --- responses -----------------------------------------------------------------------------------


class AlreadySubmitted(ValidationError):
    """The response was submitted before: it never changes."""


def _check_can_answer(invitation: SurveyInvitation) -> None:
    if not campaign_accepts_answers(invitation.campaign):
        raise _error("campaign", _("This survey is closed: answers are not accepted."))
    if invitation.participant_id is not None and not _has_valid_consent(invitation):
        raise _error(
            "participant",
            _("Answers cannot be taken without valid consent to personal-data processing."),
        )


def _has_valid_consent(invitation: SurveyInvitation) -> bool:
    """The invitation's person's consent, as read with the invitation when it was
    (``invitation_by_token``: one statement fewer for every answer), else read now."""
    carried = participants_api.consent_valid_carried(invitation)
    if carried is not None:
        return carried
    assert invitation.participant_id is not None
    return participants_api.has_valid_consent(participant_id=invitation.participant_id)


# The questions of questionnaires answered in an open campaign, per process: such a
# questionnaire never changes (``questionnaire_is_locked``: a campaign once opened never goes
# back to draft), and a class answering at once reads them on every form and submission.
# Keyed by the schema and the questionnaire's id and creation time (a school's schema made
# anew reuses ids); a few questionnaires are answered at a time, so a small table suffices.
_ANSWERED_QUESTIONS: dict[tuple[str, int, Any], list[Question]] = {}
_ANSWERED_QUESTIONS_MAX = 256


def questions_of(
    questionnaire: Questionnaire, *, campaign: SurveyCampaign | None = None
) -> list[Question]:
    """The questions in order, read once per questionnaire object (kept in its prefetch
    cache): the answering page, ``answers_shown`` and the checks of the submission share one
    query. Given the ``campaign`` being answered and it open (the questionnaire then locked),
    they are read once per process: the answering page passes it."""
    cached = getattr(questionnaire, "_prefetched_objects_cache", {}).get("questions")
    if cached is not None:
        return sorted(cached, key=lambda q: q.order)
    key = None
    if (
        campaign is not None
        and campaign.questionnaire_id == questionnaire.pk
        and campaign.status == CampaignStatus.OPEN
    ):
        key = (tenant_connection().schema_name, questionnaire.pk, questionnaire.created_at)
        questions = _ANSWERED_QUESTIONS.get(key)
        if questions is not None:
            _keep_questions(questionnaire, questions)
            return list(questions)
    # Ordered by their own column (the model's ordering joins the questionnaire to sort by it).
    ordered = Prefetch("questions", queryset=Question.objects.order_by("order"))
    prefetch_related_objects([questionnaire], ordered)
    questions = sorted(questionnaire.questions.all(), key=lambda q: q.order)
    if key is not None:
        if len(_ANSWERED_QUESTIONS) >= _ANSWERED_QUESTIONS_MAX:
            _ANSWERED_QUESTIONS.clear()
        _ANSWERED_QUESTIONS[key] = questions
    return list(questions)


def _keep_questions(questionnaire: Questionnaire, questions: list[Question]) -> None:
    """Put ``questions`` in the questionnaire's prefetch cache, as a prefetch would."""
    manager = questionnaire.questions.all()
    manager._result_cache = list(questions)
    manager._prefetch_done = True  # type: ignore[attr-defined]
    questionnaire._prefetched_objects_cache = {  # type: ignore[attr-defined]
        **getattr(questionnaire, "_prefetched_objects_cache", {}),
        "questions": manager,
    }


def answers_errors(
    questionnaire: Questionnaire, answers: Mapping[str, Any], *, complete: bool
) -> dict[str, list[str]]:
    """Problems of ``answers``: the regional questions of an adopted questionnaire through the
    template library's ``answers_validate`` (against the pinned version), the institution's own
    questions through the same rules (``answers_problems``). A draft (``complete=False``) may
    leave any question unanswered, but what it answers must be valid."""
    if not isinstance(answers, Mapping):
        return {"answers": [_("Answers are an object of question codes and values.")]}
    questions = questions_of(questionnaire)
    if not complete:
        optional = [_optional(q) for q in questions]
        return templates.answers_problems(questions=optional, answers=answers)
    if not (questionnaire.is_adopted and questionnaire.template_version_id):
        return templates.answers_problems(questions=questions, answers=answers)
    regional = {q.code for q in questions if q.regional}
    errors: dict[str, list[str]] = {}
    try:
        templates.answers_validate(
            version_id=questionnaire.template_version_id,
            answers={code: value for code, value in answers.items() if code in regional},
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    # Local questions (and unknown codes), with the regional answers as context for conditions.
    for code, messages in templates.answers_problems(questions=questions, answers=answers).items():
        if code not in regional:
            errors[code] = messages
    return errors


def answers_shown(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> dict[str, Any]:
    """``answers`` without those to questions their conditions hide (a question whose
    controlling question is hidden or unanswered is hidden too). Pages use it so that an answer
    left in a field that became hidden does not block the form; the validation still decides."""
    questions = questions_of(questionnaire)
    known = {q.code for q in questions}
    # Unknown codes stay: the validation reports them.
    kept: dict[str, Any] = {code: value for code, value in answers.items() if code not in known}
    for question in questions:
        if question.code not in answers:
            continue
        if question.condition_question:
            source = kept.get(question.condition_question)
            if isinstance(source, bool):
                source = "yes" if source else "no"
            if source != question.condition_value:
                continue
        kept[question.code] = answers[question.code]
    return kept


@dataclass
class _Optional:
    """A question seen as optional (drafts may be incomplete)."""

    order: int
    code: str
    text: str
    kind: str
    min_value: int | None
    max_value: int | None
    min_label: str
    max_label: str
    options: Any
    condition_question: str
    condition_value: str
    required: bool = False


def _optional(question: Question) -> _Optional:
    fields = (
        "order",
        "code",
        "text",
        "kind",
        "min_value",
        "max_value",
        "min_label",
        "max_label",
        "options",
        "condition_question",
        "condition_value",
    )
    return _Optional(**{field: getattr(question, field) for field in fields})


def _locked_response(invitation: SurveyInvitation) -> SurveyResponse | None:
    """The invitation's response locked for the write, or None. Ordered by its own key: the
    model's ordering (by campaign) would join the campaign into ``FOR UPDATE`` and lock the
    campaign's row too, one lock that every answer of the campaign waits for."""
    return (
        SurveyResponse.objects.select_for_update()
        .filter(invitation=invitation)
        .order_by("pk")
        .first()
    )


def _response_for(invitation: SurveyInvitation, channel: str) -> SurveyResponse:
    response = _locked_response(invitation)
    if response is None:
        try:
            with transaction.atomic():
                response = SurveyResponse.objects.create(
                    campaign_id=invitation.campaign_id,
                    invitation=invitation,
                    participant_id=invitation.participant_id,
                    user_id=invitation.user_id,
                    channel=channel,
                )
        except IntegrityError:  # created concurrently
            response = SurveyResponse.objects.select_for_update().get(invitation=invitation)
    if response.status == ResponseStatus.SUBMITTED:
        raise AlreadySubmitted({"response": [_("These answers have already been submitted.")]})
    return response


@transaction.atomic
def response_save_draft(
    *,
    invitation: SurveyInvitation,
    answers: Mapping[str, Any],
    channel: str = ResponseChannel.SIGNED_IN,
) -> SurveyResponse:
    """Keep the answers given so far (each checked; unanswered questions allowed)."""
    _check_can_answer(invitation)
    errors = answers_errors(invitation.campaign.questionnaire, answers, complete=False)
    if errors:
        raise ValidationError(errors)
    response = _response_for(invitation, channel)
    response.answers = dict(answers)
    response.channel = channel
    response.save(update_fields=["answers", "channel", "updated_at"])
    return response


@transaction.atomic
def response_submit(
    *,
    invitation: SurveyInvitation,
    answers: Mapping[str, Any] | None = None,
    channel: str = ResponseChannel.SIGNED_IN,
) -> SurveyResponse:
    """Submit the answers (those given now, else the saved draft). Complete answers only; once
    submitted, a response never changes and a one-time link stops working.

    Answers given now (a pupil answering through a link, at once) are written in one
    statement, already submitted: ``INSERT … ON CONFLICT (invitation) DO NOTHING``. When the
    invitation has a response already (submitted meanwhile, or a draft) nothing is inserted:
    a submitted one is refused (``AlreadySubmitted``), a draft is locked and submitted."""
    _check_can_answer(invitation)
    questionnaire = invitation.campaign.questionnaire
    if answers is None:  # the saved draft
        response = _locked_response(invitation)
        if response is not None and response.status == ResponseStatus.SUBMITTED:
            raise AlreadySubmitted({"response": [_("These answers have already been submitted.")]})
        final = dict(response.answers if response else {})
        errors = answers_errors(questionnaire, final, complete=True)
        if errors:
            raise ValidationError(errors)
    else:
        final = dict(answers)
        errors = answers_errors(questionnaire, final, complete=True)
        if errors:
            # the refusal of a second submission comes first, as when nothing is wrong
            _refuse_if_submitted(invitation)
            raise ValidationError(errors)
        now = timezone.now()
        created = SurveyResponse(
            campaign_id=invitation.campaign_id,
            invitation=invitation,
            participant_id=invitation.participant_id,
            user_id=invitation.user_id,
            channel=channel,
            answers=final,
            status=ResponseStatus.SUBMITTED,
            submitted_at=now,
        )
        if _insert_unless_answered(created):
            return created
        response = _locked_response(invitation)  # answered before: submitted, or a draft
        if response is None or response.status == ResponseStatus.SUBMITTED:
            raise AlreadySubmitted({"response": [_("These answers have already been submitted.")]})
    if response is None:
        response = _response_for(invitation, channel)
    response.answers = final
    response.status = ResponseStatus.SUBMITTED
    response.submitted_at = timezone.now()
    response.channel = channel
    response.save(update_fields=["answers", "status", "submitted_at", "channel", "updated_at"])
    return response


def _refuse_if_submitted(invitation: SurveyInvitation) -> None:
    if SurveyResponse.objects.filter(
        invitation=invitation, status=ResponseStatus.SUBMITTED
    ).exists():
        raise AlreadySubmitted({"response": [_("These answers have already been submitted.")]})


@functools.cache
def _insert_statement() -> tuple[str, list[Any]]:
    """``_insert_unless_answered``'s statement and the fields of its values, in order: the
    same for every schema (the table is the search path's), written once per process."""
    meta = SurveyResponse._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    columns = ", ".join(quote(f.column) for f in fields)
    params = ", ".join(["%s"] * len(fields))
    target = quote(meta.get_field("invitation").column)
    # only the model's own table and column names (quoted) are in the text; values are params
    sql = f"INSERT INTO {table} ({columns}) VALUES ({params}) ON CONFLICT ({target}) DO NOTHING"  # noqa: S608
    return f"{sql} RETURNING {pk}", fields


def _insert_unless_answered(response: SurveyResponse) -> bool:
    """Insert the new ``response`` unless its invitation has one: one statement, ``INSERT …
    ON CONFLICT (invitation_id) DO NOTHING RETURNING id`` (no savepoint and no lock before
    it; a concurrent insert of the same invitation is waited for, then skipped). True, with
    the response's id set, when it was inserted. Another constraint's violation raises as
    an ordinary insert's would."""
    sql, fields = _insert_statement()
    values = [f.get_db_prep_save(f.pre_save(response, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    response.pk = row[0]
    response._state.adding = False
    response._state.db = connection.alias
    return True


def invitation_of_user(*, campaign: SurveyCampaign, user: Any) -> SurveyInvitation | None:
    return (
        SurveyInvitation.objects.select_related("campaign__questionnaire")
        .filter(campaign=campaign)
        .filter(Q(participant__user=user) | Q(user=user))
        .first()
    )


def participants_ids(values: Iterable[Any]) -> tuple[int, ...]:
    return tuple(int(v) for v in values)


def mailings_sweep() -> int:
    """Beat's ``config.jobs_sweep``: open campaigns with invitations never mailed, opened more
    than ``JOB_STUCK_AFTER`` ago, whose mailing task is no longer pending (config.jobs: lost,
    abandoned, or failed on a mail server that was down) get their mailing sent again (it
    mails only what was not mailed, once). Returns the campaigns sent again."""
    from config import jobs
    from schools.monitoring import tasks

    count = 0
    unsent = (
        SurveyCampaign.objects.filter(
            status=CampaignStatus.OPEN,
            opened_at__lt=jobs.stuck_before(),
            invitations__email_sent_at__isnull=True,
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    for campaign_id in unsent:
        if jobs.task_state(tasks.invitations_send, campaign_id=campaign_id) == jobs.PENDING:
            continue
        with transaction.atomic():
            enqueue_on_commit(tasks.invitations_send, campaign_id=campaign_id)
        count += 1
    return count
