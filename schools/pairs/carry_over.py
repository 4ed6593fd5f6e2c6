"""Pairs and groups that go on into the next academic year (see
``schools.programmes.next_year``): each continuing pair is closed in the old year as
*continued* and formed again in the new one, with the same mentor, mentees and form, linked to
the old one (``previous``), its development plans carried with their unfinished goals. The
meetings and everything the pair did stay with the old year."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actor import Actor
from schools.audit.api import AuditAction, audit_record
from schools.pairs import access
from schools.pairs.models import DevelopmentPlan, GoalStatus, Pair, PairMentee, PairStatus, PlanGoal
from schools.participants.api import has_valid_consent
from schools.programmes.models import Programme


@dataclass
class CarryOver:
    carried: list[tuple[int, int]] = field(default_factory=list)  # (old pair id, new pair id)
    not_carried: list[tuple[int, str]] = field(default_factory=list)  # (old pair id, reason)


def _copy_plans(old: Pair, new: Pair) -> None:
    for plan in DevelopmentPlan.objects.filter(pair=old).prefetch_related("goals"):
        target = DevelopmentPlan.objects.filter(pair=new, mentee_id=plan.mentee_id).first()
        if target is None:
            continue
        target.summary = plan.summary
        target.save(update_fields=["summary", "updated_at"])
        PlanGoal.objects.bulk_create(
            PlanGoal(
                plan=target,
                title=goal.title,
                tasks=goal.tasks,
                deadline=None,
                progress=goal.progress,
                status=goal.status,
                position=goal.position,
            )
            for goal in plan.goals.all()
            if goal.status not in (GoalStatus.DONE, GoalStatus.DROPPED)
        )


@transaction.atomic
def pairs_carry_over(
    *,
    actor: Actor,
    from_programme_id: int,
    to_programme_id: int,
    today: datetime.date | None = None,
) -> CarryOver:
    """Carry the active pairs of one programme into another (the next year's)."""
    from schools.pairs import services

    access.check_pair_manage(actor)
    today = today or timezone.localdate()
    target = Programme.objects.get(pk=to_programme_id)
    starts_on = max(today, target.starts_on)
    result = CarryOver()
    pairs = (
        Pair.objects.select_for_update()
        .filter(programme_id=from_programme_id, status=PairStatus.ACTIVE)
        .order_by("pk")
    )
    for pair in pairs:
        mentee_ids = list(
            PairMentee.objects.filter(pair=pair, is_active=True).values_list("mentee_id", flat=True)
        )
        lapsed = [
            p for p in (pair.mentor_id, *mentee_ids) if not has_valid_consent(participant_id=p)
        ]
        if lapsed or not mentee_ids:
            result.not_carried.append(
                (pair.pk, _("A member has no valid consent to personal-data processing."))
            )
            continue
        ended_on = max(today, pair.started_on)
        pair.status = PairStatus.CONTINUED
        pair.ended_on = ended_on
        pair.save(update_fields=["status", "ended_on", "updated_at"])
        PairMentee.objects.filter(pair=pair).update(is_active=False)
        try:
            with transaction.atomic():
                new = services.pair_create(
                    programme_id=target.pk,
                    mentor_participant_id=pair.mentor_id,
                    mentee_participant_ids=mentee_ids,
                    form=pair.form,
                    started_on=starts_on,
                    actor=actor,
                )
        except ValidationError as error:
            Pair.objects.filter(pk=pair.pk).update(status=PairStatus.ACTIVE, ended_on=None)
            PairMentee.objects.filter(pair=pair, mentee_id__in=mentee_ids).update(is_active=True)
            result.not_carried.append((pair.pk, "; ".join(error.messages)))
            continue
        Pair.objects.filter(pk=new.pk).update(previous=pair)
        _copy_plans(pair, new)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=pair,
            changed_fields=["status", "ended_on"],
        )
        result.carried.append((pair.pk, new.pk))
    return result
