"""Stages 4–6 of the cycle: pairs and groups, individual development plans, meetings, results,
per-person calendar feeds and success stories (practice cases).

A pair is one mentor with one or more mentees (a group). The mentees are linked through
``PairMentee``, which repeats the programme and an ``is_active`` flag so that the database
itself refuses a mentee in two active pairs of one programme (a partial unique index)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from config.fields import NonNegativeIntegerField, NonNegativeSmallIntegerField, non_negative
from schools.programmes.models import MentoringForm, Programme

if TYPE_CHECKING:  # the people are the participants app's: its model, named by label below
    from schools.participants.models import Participant

RATING_MIN, RATING_MAX = 1, 10  # the methodology's 1–10 scales
STALE_AFTER_DAYS = 30  # an active pair with no meeting for this long is flagged


class PairStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("pair status", "Active")
    # Work stopped because someone of the pair withdrew consent to personal-data processing;
    # the pair resumes when the consent is given again (before the data are erased).
    PAUSED = "paused", _("Paused: consent withdrawn")
    COMPLETED = "completed", _("Completed")
    ENDED_EARLY = "ended_early", _("Ended early")
    CONTINUED = "continued", _("Continued next year")


# A pair in these states has not ended (no end date): it may still be completed or ended early.
OPEN_PAIR_STATUSES = (PairStatus.ACTIVE, PairStatus.PAUSED)


class Pair(models.Model):
    """A mentoring pair or group (наставническая пара / группа)."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="pairs"
    )
    form = models.CharField(_("form of mentoring"), max_length=32, choices=MentoringForm.choices)
    mentor = models.ForeignKey(
        "participants.Participant",
        verbose_name=_("mentor"),
        on_delete=models.PROTECT,
        related_name="mentored_pairs",
    )
    mentees: models.ManyToManyField[Participant, PairMentee] = models.ManyToManyField(
        "participants.Participant",
        verbose_name=_("mentees"),
        through="PairMentee",
        related_name="mentee_pairs",
    )
    started_on = models.DateField(_("started on"), default=timezone.localdate)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=PairStatus.choices, default=PairStatus.ACTIVE
    )
    end_reason = models.TextField(_("reason for ending early"), blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("continues the pair of the previous year"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="continuations",
    )
    outcome = models.TextField(_("result of the pair or group"), blank=True)
    mentor_rating = NonNegativeSmallIntegerField(
        _("mentor's final rating (1–10)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(RATING_MIN), MaxValueValidator(RATING_MAX)],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["programme", "status"], name="pair_programme_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=OPEN_PAIR_STATUSES, ended_on__isnull=True)
                | (~models.Q(status__in=OPEN_PAIR_STATUSES) & models.Q(ended_on__isnull=False)),
                name="pair_ended_on_iff_not_open",
            ),
            models.CheckConstraint(
                condition=models.Q(status=PairStatus.PAUSED, paused_at__isnull=False)
                | (~models.Q(status=PairStatus.PAUSED) & models.Q(paused_at__isnull=True)),
                name="pair_paused_at_iff_paused",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=PairStatus.ENDED_EARLY) | ~models.Q(end_reason=""),
                name="pair_ended_early_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(mentor_rating__isnull=True)
                | models.Q(mentor_rating__gte=RATING_MIN, mentor_rating__lte=RATING_MAX),
                name="pair_mentor_rating_1_to_10",
            ),
            *non_negative("mentor_rating"),
        ]
        verbose_name = _("mentoring pair or group")
        verbose_name_plural = _("mentoring pairs and groups")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_form_display()} ({self.get_status_display()})"


class PairMentee(models.Model):
    """A mentee of a pair, with the mentee's own final rating of the work."""

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="memberships")
    mentee = models.ForeignKey(
        "participants.Participant",
        verbose_name=_("mentee"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(default=True)
    # Set while the mentee's consent is withdrawn: the mentee keeps the place (the pair may
    # resume) but is left out of the pair's work and of every new document.
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    rating = NonNegativeSmallIntegerField(
        _("mentee's final rating (1–10)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(RATING_MIN), MaxValueValidator(RATING_MAX)],
    )

    class Meta:
        ordering = ["pair_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pair", "mentee"], name="pair_mentee_unique"),
            models.UniqueConstraint(
                fields=["programme", "mentee"],
                condition=models.Q(is_active=True),
                name="pair_mentee_one_active_pair_per_programme",
                violation_error_message=_("The mentee is already in an active pair."),
            ),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True)
                | models.Q(rating__gte=RATING_MIN, rating__lte=RATING_MAX),
                name="pair_mentee_rating_1_to_10",
            ),
            *non_negative("rating"),
        ]
        verbose_name = _("mentee of a pair")
        verbose_name_plural = _("mentees of pairs")

    def __str__(self) -> str:
        return f"{self.pair_id} ← {self.mentee_id}"


class DevelopmentPlan(models.Model):
    """The individual development plan of one mentee in one pair, written by the mentor and the
    mentee together."""

    pair = models.ForeignKey(
        Pair, verbose_name=_("pair"), on_delete=models.CASCADE, related_name="plans"
    )
    mentee = models.ForeignKey(
        "participants.Participant",
        verbose_name=_("mentee"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    summary = models.TextField(_("the mentee's request and expected result"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pair_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pair", "mentee"], name="development_plan_unique")
        ]
        verbose_name = _("individual development plan")
        verbose_name_plural = _("individual development plans")

    def __str__(self) -> str:
        return f"{self.pair_id}/{self.mentee_id}"


class GoalStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class PlanGoal(models.Model):
    plan = models.ForeignKey(
        DevelopmentPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="goals"
    )
    title = models.CharField(_("goal"), max_length=300)
    tasks = models.TextField(_("tasks"), blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    progress = NonNegativeSmallIntegerField(
        _("progress, %"), default=0, validators=[MaxValueValidator(100)]
    )
    status = models.CharField(
        _("status"), max_length=16, choices=GoalStatus.choices, default=GoalStatus.PLANNED
    )
    position = NonNegativeIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__gte=0, progress__lte=100),
                name="plan_goal_progress_0_to_100",
            ),
            *non_negative("progress", "position"),
        ]
        verbose_name = _("development plan goal")
        verbose_name_plural = _("development plan goals")

    def __str__(self) -> str:
        return self.title


class MeetingKind(models.TextChoices):
    """The methodology's sequence of meetings, in order."""

    ORGANISATIONAL = "organisational", _("Organisational (first) meeting")
    TRIAL = "trial", _("Trial working meeting")
    PLANNING = "planning", _("Planning meeting")
    REGULAR = "regular", _("Regular meeting")
    FINAL = "final", _("Final meeting")


MEETING_SEQUENCE = [k.value for k in MeetingKind]
ONE_OFF_KINDS = frozenset(MEETING_SEQUENCE) - {MeetingKind.REGULAR.value}


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(models.Model):
    pair = models.ForeignKey(
        Pair, verbose_name=_("pair"), on_delete=models.CASCADE, related_name="meetings"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MeetingKind.choices)
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = NonNegativeSmallIntegerField(
        _("duration, minutes"), default=60, validators=[MinValueValidator(5)]
    )
    place = models.CharField(_("place"), max_length=300, blank=True)
    link = models.URLField(_("link (online meeting)"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    attendees = models.ManyToManyField(
        "participants.Participant", verbose_name=_("attended"), blank=True, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)
    outcomes = models.TextField(_("outcomes"), blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    # Taken by a run that is sending the reminder (committed before the letter goes out, so a
    # second run never sends it too; a claim never followed by the letter lapses: reminders.py).
    reminder_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the mentor was asked to mark the meeting held (or move it) after its day passed.
    mark_reminder_sent_at = models.DateTimeField(_("asked to mark at"), null=True, blank=True)
    mark_reminder_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["pair", "starts_at"], name="meeting_pair_starts"),
            models.Index(fields=["status", "starts_at"], name="meeting_status_starts"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["pair", "kind"],
                condition=~models.Q(kind=MeetingKind.REGULAR)
                & ~models.Q(status=MeetingStatus.CANCELLED),
                name="meeting_one_off_kind_once_per_pair",
                violation_error_message=_("This pair already has a meeting of this kind."),
            ),
            *non_negative("duration_minutes"),
        ]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d %H:%M}"


class CalendarToken(models.Model):
    """The secret of a person's iCalendar feed. Only its SHA-256 is stored; a new token
    replaces the old one (the old link stops working)."""

    participant = models.OneToOneField(
        "participants.Participant", on_delete=models.CASCADE, related_name="calendar_token"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")

    def __str__(self) -> str:
        return f"calendar of {self.participant_id}"


class PracticeCaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published to the region")


class PreviewStatus(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    READY = "ready", _("Ready to check")
    FAILED = "failed", _("Could not be prepared")


class PracticeCase(models.Model):
    """A success story (кейс, лучшая практика). The institution writes a draft; publishing
    stores an anonymised copy (no names, e-mails or phones), which is all the region sees."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="+"
    )
    pair = models.ForeignKey(
        Pair,
        verbose_name=_("pair"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="practice_cases",
    )
    form = models.CharField(_("form of mentoring"), max_length=32, choices=MentoringForm.choices)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=PracticeCaseStatus.choices,
        default=PracticeCaseStatus.DRAFT,
    )
    published_title = models.CharField(_("published title"), max_length=300, blank=True)
    published_text = models.TextField(_("published text (anonymised)"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # The anonymised copy prepared in the worker for the coordinator to check before publishing:
    # what will go out, what was hidden, and of which draft (a digest of its title and text).
    preview_status = models.CharField(
        _("preview"), max_length=16, choices=PreviewStatus.choices, blank=True
    )
    preview_title = models.CharField(_("prepared title"), max_length=300, blank=True)
    preview_text = models.TextField(_("prepared text (anonymised)"), blank=True)
    preview_hidden = models.JSONField(_("what is hidden"), default=list, blank=True)
    preview_of = models.CharField(_("prepared from (digest)"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("practice case")
        verbose_name_plural = _("practice cases")

    def __str__(self) -> str:
        return self.title
