"""Pairs paused by a withdrawn consent (152-FZ): once a person's consent to personal-data
processing is withdrawn, nothing of the programme may process their data, so their pairs stop.

- A withdrawn mentee's place in each open pair is paused (``PairMentee.paused_at``); a pair
  whose every mentee is paused, or whose mentor withdrew, is paused as a whole
  (``PairStatus.PAUSED``): no meetings, reminders or plans, and it is left out of new documents.
- A consent given again (before the data are erased) resumes what the withdrawal paused.

The participants app calls these through ``schools.pairs.api`` when it records the consent,
inside the same transaction."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.actor import Actor
from schools.audit.api import AuditAction, AuditChange, audit_record_many
from schools.pairs.models import OPEN_PAIR_STATUSES, Pair, PairMentee, PairStatus
from schools.participants import api as participants_api


@transaction.atomic
def pairs_pause_for_participant(*, participant_id: int, actor: Actor) -> list[int]:
    """Pause the participant's open pairs (as mentor) and places (as mentee); the ids of the
    pairs touched, in order. Idempotent: what is already paused stays as it was."""
    now = timezone.now()
    touched: set[int] = set()
    places = PairMentee.objects.select_for_update().filter(
        mentee_id=participant_id, paused_at__isnull=True, pair__status__in=OPEN_PAIR_STATUSES
    )
    place_pairs = set(places.values_list("pair_id", flat=True))
    places.update(paused_at=now)
    touched |= place_pairs
    mentored = set(
        Pair.objects.filter(mentor_id=participant_id, status=PairStatus.ACTIVE).values_list(
            "pk", flat=True
        )
    )
    unpaused_place = PairMentee.objects.filter(pair=OuterRef("pk"), paused_at__isnull=True)
    emptied = set(
        Pair.objects.filter(pk__in=place_pairs, status=PairStatus.ACTIVE)
        .exclude(Exists(unpaused_place))
        .values_list("pk", flat=True)
    )
    to_pause = mentored | emptied
    if to_pause:
        Pair.objects.filter(pk__in=to_pause).update(
            status=PairStatus.PAUSED, paused_at=now, updated_at=now
        )
    touched |= to_pause
    pairs = list(Pair.objects.filter(pk__in=touched).order_by("pk"))
    audit_record_many(
        actor=actor,
        changes=[
            AuditChange(
                AuditAction.UPDATE,
                pair,
                ["status", "paused_at"] if pair.pk in to_pause else ["mentees"],
            )
            for pair in pairs
        ],
    )
    return [pair.pk for pair in pairs]


@transaction.atomic
def pairs_resume_for_participant(*, participant_id: int, actor: Actor) -> list[int]:
    """Undo ``pairs_pause_for_participant`` once the participant may be processed again: their
    places come back, and a paused pair resumes when its mentor and at least one mentee may be
    processed. The ids of the pairs touched."""
    places = PairMentee.objects.select_for_update().filter(
        mentee_id=participant_id, paused_at__isnull=False, pair__status__in=OPEN_PAIR_STATUSES
    )
    touched = set(places.values_list("pair_id", flat=True))
    places.update(paused_at=None)
    touched |= set(
        Pair.objects.filter(mentor_id=participant_id, status=PairStatus.PAUSED).values_list(
            "pk", flat=True
        )
    )
    unpaused_place = PairMentee.objects.filter(pair=OuterRef("pk"), paused_at__isnull=True)
    candidates = dict(
        Pair.objects.filter(pk__in=touched, status=PairStatus.PAUSED)
        .filter(Exists(unpaused_place))
        .values_list("pk", "mentor_id")
    )
    stopped = participants_api.processing_stopped_ids(participant_ids=set(candidates.values()))
    resumable = {pk for pk, mentor_id in candidates.items() if mentor_id not in stopped}
    if resumable:
        Pair.objects.filter(pk__in=resumable).update(
            status=PairStatus.ACTIVE, paused_at=None, updated_at=timezone.now()
        )
    pairs = list(Pair.objects.filter(pk__in=touched).order_by("pk"))
    audit_record_many(
        actor=actor,
        changes=[
            AuditChange(
                AuditAction.UPDATE,
                pair,
                ["status", "paused_at"] if pair.pk in resumable else ["mentees"],
            )
            for pair in pairs
        ],
    )
    return [pair.pk for pair in pairs]
