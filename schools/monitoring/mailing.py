"""E-mail invitations and reminders with personal one-time links.

Each letter is sent once per due item, on the claim pattern of the meeting reminders: the
invitation is locked (``skip_locked``: a concurrent run takes the others), *claimed*
(``mail_claimed_at``) and given a fresh link in a transaction that commits before the letter
goes out; once it went out, the invitation is stamped sent (``email_sent_at`` or
``reminded_at``) and the claim cleared. A crash before the claim's commit sends nothing; a crash
between the claim and the stamp leaves a claim that lapses after ``CLAIM_MINUTES``; beat's jobs
sweep (``config.jobs_sweep``, every five minutes: ``lapsed_claims_send``) sends it then, minutes
later rather than at the next day's run; a failed send clears the claim at once so the next run
tries again. Never twice, never never. A reminder gives a new link (the previous
one stops working; the draft stays)."""

from __future__ import annotations

import datetime

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.api import site_url
from config.db import tenant_connection
from config.text import quoted, titled
from schools.monitoring import services
from schools.monitoring.models import CampaignStatus, ResponseStatus, SurveyInvitation
from tenants.api import host_and_name_for_schema

REMIND_EVERY_DAYS = 3
CLAIM_MINUTES = 15  # a claim this old was left by a run that died before its letter


def link_url(host: str, token: str) -> str:
    """The page where the person answers through the link (no sign-in needed)."""
    path = reverse("school:survey-link", urlconf="config.urls_tenant", kwargs={"token": token})
    return f"{site_url(host)}{path}"


def _address(invitation: SurveyInvitation) -> str:
    if invitation.user_id is not None:  # a curator or the coordinator
        user = invitation.user
        return user.email if user is not None and user.is_active else ""
    person = invitation.participant
    if person is None:
        return ""
    if person.erased_at is not None or person.processing_stopped_at is not None:
        return ""
    return person.email or (person.user.email if person.user_id else "")  # type: ignore[union-attr]


def _letter(
    invitation: SurveyInvitation, url: str, organisation: str, *, reminder: bool
) -> tuple[str, str]:
    campaign = invitation.campaign
    named = titled("Анкета", campaign.title)
    subject = f"Напоминание: {named}" if reminder else named
    body = (
        "Здравствуйте!\n\n"
        + (
            "Напоминаем, что вы ещё не ответили на вопросы"
            if reminder
            else "Приглашаем вас ответить на вопросы"
        )
        + f" программы наставничества: {quoted(campaign.title)}.\n"
        f"Анкета открыта до {campaign.closes_on:%d.%m.%Y}.\n\n"
        f"Ваша личная ссылка (действует, пока вы не отправите ответы):\n{url}\n\n"
        "Ответы можно сохранить как черновик и отправить позже.\n\n"
        f"{organisation}\n"
    )
    return subject, body


def _send(
    pending: QuerySet[SurveyInvitation], *, reminder: bool, now: datetime.datetime | None = None
) -> int:
    """Send each pending invitation's letter, stamped with the run's time (``now``: the time
    the due dates were computed from, so the next run sees exactly what this one sent)."""
    lapsed = timezone.now() - datetime.timedelta(minutes=CLAIM_MINUTES)
    pending = pending.filter(Q(mail_claimed_at__isnull=True) | Q(mail_claimed_at__lt=lapsed))
    ids = list(pending.values_list("pk", flat=True))
    if not ids:
        return 0
    host, organisation = host_and_name_for_schema(tenant_connection().schema_name)
    stamped = "reminded_at" if reminder else "email_sent_at"
    sent = 0
    for invitation_id in ids:
        with transaction.atomic():
            invitation = (
                pending.select_for_update(skip_locked=True, of=("self",))
                .select_related("campaign", "participant__user", "user")
                .filter(pk=invitation_id)
                .first()
            )
            if invitation is None:  # taken by a concurrent run, or answered meanwhile
                continue
            invitation.mail_claimed_at = timezone.now()
            invitation.save(update_fields=["mail_claimed_at"])
            address = _address(invitation)
            letter = None
            if address:
                token = services.invitation_link_issue(invitation_id=invitation.pk)
                letter = _letter(invitation, link_url(host, token), organisation, reminder=reminder)
        # claimed and committed (with the link the letter carries): the letter, then its stamp
        if letter is not None:
            try:
                send_mail(letter[0], letter[1], None, [address])
            except Exception:
                SurveyInvitation.objects.filter(pk=invitation.pk).update(mail_claimed_at=None)
                raise
            sent += 1
        SurveyInvitation.objects.filter(pk=invitation.pk).update(
            **{stamped: now or timezone.now(), "mail_claimed_at": None}
        )
    return sent


def _unanswered() -> QuerySet[SurveyInvitation]:
    return SurveyInvitation.objects.filter(campaign__status=CampaignStatus.OPEN).exclude(
        response__status=ResponseStatus.SUBMITTED
    )


def invitations_send(*, campaign_id: int) -> int:
    """E-mail the campaign's invitations not sent yet; returns the number of letters."""
    return _send(
        _unanswered().filter(campaign_id=campaign_id, email_sent_at__isnull=True), reminder=False
    )


def reminders_send(
    *, campaign_id: int | None = None, now: datetime.datetime | None = None, force: bool = False
) -> int:
    """Remind people who have not submitted: at most once per ``REMIND_EVERY_DAYS`` (``force``:
    a reminder the coordinator asked for, still at most once a day)."""
    now = now or timezone.now()
    days = 1 if force else REMIND_EVERY_DAYS
    since = now - datetime.timedelta(days=days)
    pending = (
        _unanswered()
        .filter(
            email_sent_at__isnull=False,
            email_sent_at__lte=since if not force else now,
            campaign__opens_on__lte=timezone.localdate(now),
            campaign__closes_on__gte=timezone.localdate(now),
        )
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lte=since))
    )
    if campaign_id is not None:
        pending = pending.filter(campaign_id=campaign_id)
    return _send(pending, reminder=True, now=now)


def lapsed_claims_send(*, now: datetime.datetime | None = None) -> int:
    """Beat's jobs sweep (``config.jobs``): letters whose claim lapsed (the run that claimed
    them died before mailing) go out now, once — the invitation if it was never mailed, else
    the reminder, while the campaign takes answers. Returns the letters sent."""
    now = now or timezone.now()
    lapsed = _unanswered().filter(
        mail_claimed_at__lt=now - datetime.timedelta(minutes=CLAIM_MINUTES)
    )
    sent = _send(lapsed.filter(email_sent_at__isnull=True), reminder=False)
    today = timezone.localdate(now)
    reminders = lapsed.filter(
        email_sent_at__isnull=False, campaign__opens_on__lte=today, campaign__closes_on__gte=today
    )
    return sent + _send(reminders, reminder=True, now=now)
