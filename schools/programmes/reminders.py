"""Daily e-mail reminders of roadmap activities that are overdue or due within three days.

One letter per person per day listing their activities. Each (activity, person, day) is recorded
before the letter goes out, so a second run on the same day (a retry, a duplicate beat) sends
nothing already sent; the unique constraint makes two concurrent runs safe too."""

from __future__ import annotations

from datetime import date

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.api import site_url
from accounts.models import User
from config.db import tenant_connection
from schools.programmes.models import ReminderKind, RoadmapActivity, RoadmapReminder
from schools.programmes.selectors import roadmap_activities_to_remind
from tenants.api import host_and_name_for_schema

REMIND_DAYS_AHEAD = 3


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
        try:
            with transaction.atomic():
                if _remind_one(
                    user=user,
                    activities=activities,
                    today=today,
                    host=host,
                    organisation=organisation,
                ):
                    sent += 1
        except IntegrityError:  # a concurrent run recorded these first and mails them
            continue
    return sent


def _remind_one(
    *, user: User, activities: list[RoadmapActivity], today: date, host: str, organisation: str
) -> bool:
    already = set(
        RoadmapReminder.objects.filter(
            user=user, sent_on=today, activity__in=activities
        ).values_list("activity_id", flat=True)
    )
    fresh = [a for a in activities if a.pk not in already]
    if not fresh:
        return False
    RoadmapReminder.objects.bulk_create(
        [
            RoadmapReminder(
                activity=a,
                user=user,
                sent_on=today,
                kind=ReminderKind.OVERDUE if a.deadline < today else ReminderKind.DUE_SOON,
            )
            for a in fresh
        ]
    )
    overdue = [a for a in fresh if a.deadline < today]
    due_soon = [a for a in fresh if a.deadline >= today]
    subject = ngettext(
        "Mentoring programme: %(count)d roadmap activity needs your attention",
        "Mentoring programme: %(count)d roadmap activities need your attention",
        len(fresh),
    ) % {"count": len(fresh)}
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
    recipient = user.email
    transaction.on_commit(
        lambda: send_mail(
            subject=subject, message=message, from_email=None, recipient_list=[recipient]
        )
    )
    return True
