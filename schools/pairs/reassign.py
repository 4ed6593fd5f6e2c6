"""Re-assigning a mentee (stage 4–5): the mentee of an active pair or group goes to another
mentor — into another active pair or group of the programme, or into a new pair with a mentor
of the mentor base — with the reason. The mentee's development plan goes along (its request and
unfinished goals); what was done stays with the old pair. A pair left without mentees ends early
with the same reason."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actor import Actor
from schools.audit.api import AuditAction, audit_record
from schools.pairs import access
from schools.pairs.models import DevelopmentPlan, GoalStatus, Pair, PairMentee, PairStatus, PlanGoal
from schools.participants.api import has_valid_consent, mentor_capacity


def can_reassign_mentee(*, actor: Actor) -> bool:
    """The coordinator re-assigns mentees (a system job may too)."""
    return access.may_manage_pairs(actor)


def _carry_plan(*, mentee_id: int, old: Pair, new: Pair) -> None:
    source = DevelopmentPlan.objects.filter(pair=old, mentee_id=mentee_id).first()
    target, _created = DevelopmentPlan.objects.get_or_create(pair=new, mentee_id=mentee_id)
    if source is None:
        return
    if source.summary and not target.summary:
        target.summary = source.summary
        target.save(update_fields=["summary", "updated_at"])
    start = target.goals.count()
    PlanGoal.objects.bulk_create(
        PlanGoal(
            plan=target,
            title=goal.title,
            tasks=goal.tasks,
            deadline=goal.deadline,
            progress=goal.progress,
            status=goal.status,
            position=start + index,
        )
        for index, goal in enumerate(
            source.goals.exclude(status__in=[GoalStatus.DONE, GoalStatus.DROPPED]).order_by(
                "position", "pk"
            )
        )
    )


@transaction.atomic
def pair_mentee_reassign(
    *,
    actor: Actor,
    pair: Pair,
    mentee_id: int,
    reason: str,
    to_pair_id: int | None = None,
    to_mentor_id: int | None = None,
) -> Pair:
    """Move the mentee to ``to_pair_id`` (an active pair or group of the same programme) or to
    a new pair with ``to_mentor_id``; returns the mentee's new pair. Refused, changing nothing,
    with the reason next to the field."""
    from schools.pairs import services

    if not can_reassign_mentee(actor=actor):
        raise PermissionDenied
    pair = Pair.objects.select_for_update().get(pk=pair.pk)
    errors: dict[str, list[str]] = {}
    if pair.status != PairStatus.ACTIVE:
        errors["status"] = [_("The pair is no longer active.")]
    membership = PairMentee.objects.filter(pair=pair, mentee_id=mentee_id, is_active=True).first()
    if membership is None:
        errors["mentee"] = [_("Choose a mentee of this pair.")]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("Say why the mentee changes mentor.")]
    if (to_pair_id is None) == (to_mentor_id is None):
        errors["to_pair"] = [_("Choose either a pair or group, or a mentor.")]
    if errors:
        raise ValidationError(errors)
    assert membership is not None
    membership.is_active = False
    membership.save(update_fields=["is_active"])

    if to_pair_id is not None:
        target = (
            Pair.objects.select_for_update()
            .filter(pk=to_pair_id, programme_id=pair.programme_id, status=PairStatus.ACTIVE)
            .exclude(pk=pair.pk)
            .first()
        )
        if target is None:
            raise ValidationError(
                {"to_pair": [_("Choose an active pair or group of this programme.")]}
            )
        capacity = mentor_capacity(participant_id=target.mentor_id) or 0
        if services._active_load(target.mentor_id) + 1 > capacity:
            raise ValidationError(
                {
                    "to_pair": [
                        _("The mentor's capacity (%(capacity)s mentees) would be exceeded.")
                        % {"capacity": capacity}
                    ]
                }
            )
        if not has_valid_consent(participant_id=mentee_id):
            raise ValidationError(
                {"mentee": [_("The mentee has no valid consent to personal-data processing.")]}
            )
        joined, created = PairMentee.objects.get_or_create(
            pair=target,
            mentee_id=mentee_id,
            defaults={"programme_id": target.programme_id, "is_active": True},
        )
        if not created:
            joined.is_active = True
            joined.save(update_fields=["is_active"])
    else:
        assert to_mentor_id is not None
        try:
            target = services.pair_create(
                programme_id=pair.programme_id,
                mentor_participant_id=to_mentor_id,
                mentee_participant_ids=[mentee_id],
                form=pair.form,
                actor=actor,
            )
        except ValidationError as error:
            messages = error.message_dict
            raise ValidationError(
                {
                    "to_mentor": [
                        m
                        for field in ("mentor", "mentees", "programme", "form")
                        for m in messages.get(field, [])
                    ]
                    or error.messages
                }
            ) from error
    _carry_plan(mentee_id=mentee_id, old=pair, new=target)
    if not PairMentee.objects.filter(pair=pair, is_active=True).exists():
        pair.status = PairStatus.ENDED_EARLY
        pair.end_reason = reason
        pair.ended_on = max(timezone.localdate(), pair.started_on)
        pair.save(update_fields=["status", "end_reason", "ended_on", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=membership,
        changed_fields=["is_active", "reassigned_to"],
    )
    return target
