"""Daily e-mail reminders of roadmap activities that are overdue or due within three days.

One letter per person per day listing their activities, sent once per (activity, person, day)
on the claim pattern: the ``RoadmapReminder`` rows of a letter are created as a claim in a
transaction that commits before the letter goes out (the unique constraint lets one of two
concurrent runs have them), and stamped ``sent_at`` after it went out. A crash before the claim's
commit sends nothing; a crash after it leaves unsent claims that lapse after ``CLAIM_MINUTES``
and are sent by the next run of the day (``claims_in_flight`` tells the task to run again
then); a failed send deletes the claims so that the next run tries again."""

from __future__ import annotations

import datetime
import logging
from datetime import date

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.api import site_url
from accounts.models import User
from config.db import tenant_connection
from schools.programmes.models import ReminderKind, RoadmapActivity, RoadmapReminder
from schools.programmes.selectors import roadmap_activities_to_remind
from tenants.api import host_and_name_for_schema

logger = logging.getLogger(__name__)

REMIND_DAYS_AHEAD = 3
CLAIM_MINUTES = 15  # an unsent claim this old was left by a run that died before its letter


def _recipients(activity: RoadmapActivity) -> list[User]:
    """The activity's responsible people; without any, the programme's coordinator."""
    people = list(activity.responsible_people.all())
    if not people and activity.programme.coordinator is not None:
        people = [activity.programme.coordinator]
    return [p for p in people if p.is_active and p.email]


def roadmap_reminders_send(*, today: date | None = None) -> int:
    """Mail today's reminders in the active institution's schema. Returns the letters sent."""
    today = today or timezone.localdate()
    per_user: dict[int, tuple[User, list[RoadmapActivity]]] = {}
    for activity in roadmap_activities_to_remind(today=today, days_ahead=REMIND_DAYS_AHEAD):
        for user in _recipients(activity):
            per_user.setdefault(user.pk, (user, []))[1].append(activity)
    if not per_user:
        return 0
    host, organisation = host_and_name_for_schema(tenant_connection().schema_name)
    sent = 0
    for user, activities in per_user.values():
        claimed = _claim(user=user, activities=activities, today=today)
        if not claimed:
            continue
        # claimed and committed: the letter now, then the record that it went out
        ids = [reminder.pk for reminder in claimed]
        try:
            _mail(
                user=user,
                activities=[r.activity for r in claimed],
                today=today,
                host=host,
                organisation=organisation,
            )
        except Exception:
            logger.exception("roadmap reminder to user %s failed", user.pk)
            RoadmapReminder.objects.filter(pk__in=ids, sent_at__isnull=True).delete()
            continue
        RoadmapReminder.objects.filter(pk__in=ids).update(sent_at=timezone.now())
        sent += 1
    return sent


def claims_in_flight(*, today: date | None = None) -> bool:
    """Whether today's reminders include claims not yet sent (another run is mailing them, or
    died doing so): a run that met them runs again once they would have lapsed."""
    today = today or timezone.localdate()
    return RoadmapReminder.objects.filter(sent_on=today, sent_at__isnull=True).exists()


def _claim(*, user: User, activities: list[RoadmapActivity], today: date) -> list[RoadmapReminder]:
    """Claim the reminders of ``activities`` to ``user`` today that were not sent and are not
    being sent (fresh ones, and lapsed claims of a run that died); committed on return. Empty
    when a concurrent run claimed them first."""
    by_id = {a.pk: a for a in activities}
    now = timezone.now()
    lapsed = now - datetime.timedelta(minutes=CLAIM_MINUTES)
    try:
        with transaction.atomic():
            known = set(
                RoadmapReminder.objects.filter(
                    user=user, sent_on=today, activity_id__in=by_id
                ).values_list("activity_id", flat=True)
            )
            retaken = list(
                RoadmapReminder.objects.select_for_update(skip_locked=True)
                .filter(user=user, sent_on=today, activity_id__in=by_id, sent_at__isnull=True)
                .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=lapsed))
            )
            RoadmapReminder.objects.filter(pk__in=[r.pk for r in retaken]).update(claimed_at=now)
            fresh = RoadmapReminder.objects.bulk_create(
                [
                    RoadmapReminder(
                        activity=a,
                        user=user,
                        sent_on=today,
                        claimed_at=now,
                        kind=ReminderKind.OVERDUE if a.deadline < today else ReminderKind.DUE_SOON,
                    )
                    for a in activities
                    if a.pk not in known
                ]
            )
    except IntegrityError:  # a concurrent run claimed these first and mails them
        return []
    claimed = [*retaken, *fresh]
    for reminder in claimed:
        reminder.activity = by_id[reminder.activity_id]
    return sorted(claimed, key=lambda r: (r.activity.deadline, r.activity_id))


def _mail(
    *, user: User, activities: list[RoadmapActivity], today: date, host: str, organisation: str
) -> None:
    overdue = [a for a in activities if a.deadline < today]
    due_soon = [a for a in activities if a.deadline >= today]
    subject = ngettext(
        "Mentoring programme: %(count)d roadmap activity needs your attention",
        "Mentoring programme: %(count)d roadmap activities need your attention",
        len(activities),
    ) % {"count": len(activities)}
    message = render_to_string(
        "programmes/email/roadmap_reminder.txt",
        {
            "user": user,
            "organisation": organisation,
            "overdue": overdue,
            "due_soon": due_soon,
            "link": site_url(host) + "/",
        },
    )
    send_mail(subject=subject, message=message, from_email=None, recipient_list=[user.email])
