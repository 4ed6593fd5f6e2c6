"""Matching (stage 4): the group meeting and the preferences stated after it, the weights of
the compatibility score per programme, and matching runs with their explained proposals and
the mentees left without a mentor."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from config.fields import (
    NonNegativeBigIntegerField,
    NonNegativeIntegerField,
    NonNegativeSmallIntegerField,
    non_negative,
)


class MatchingSettings(models.Model):
    """The programme's weights of the compatibility score (see ``engine.Weights``); a
    programme without a row uses the defaults."""

    programme = models.OneToOneField(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="matching_settings",
    )
    weights = models.JSONField(_("weights"), default=dict)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("matching settings")
        verbose_name_plural = _("matching settings")

    def __str__(self) -> str:
        return f"{self.programme_id}"


class GroupMeeting(models.Model):
    """The meeting where mentors and mentees get to know each other before matching."""

    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="group_meetings",
    )
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place or link"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    attendees = models.ManyToManyField(
        "participants.Participant",
        verbose_name=_("participants attending"),
        blank=True,
        related_name="group_meetings",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("group meeting")
        verbose_name_plural = _("group meetings")

    def __str__(self) -> str:
        return f"{self.held_on} {self.place}"


class PreferenceKind(models.TextChoices):
    PREFER = "prefer", _("Would prefer")
    AVOID = "avoid", _("Would rather not")


MAX_RANK = 10


class Preference(models.Model):
    """After a group meeting: whom a participant would prefer (ranked) or avoid."""

    meeting = models.ForeignKey(
        GroupMeeting,
        verbose_name=_("group meeting"),
        on_delete=models.CASCADE,
        related_name="preferences",
    )
    from_participant = models.ForeignKey(
        "participants.Participant",
        verbose_name=_("from"),
        on_delete=models.CASCADE,
        related_name="preferences_given",
    )
    to_participant = models.ForeignKey(
        "participants.Participant",
        verbose_name=_("about"),
        on_delete=models.CASCADE,
        related_name="preferences_received",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=PreferenceKind.choices)
    rank = NonNegativeSmallIntegerField(_("rank (1 = first choice)"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["meeting", "from_participant", "rank", "id"]
        verbose_name = _("preference")
        verbose_name_plural = _("preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "from_participant", "to_participant"],
                name="matching_preference_once",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_participant=models.F("to_participant")),
                name="matching_preference_not_self",
            ),
            models.CheckConstraint(
                condition=models.Q(rank__isnull=True)
                | models.Q(rank__gte=1, rank__lte=MAX_RANK, kind=PreferenceKind.PREFER),
                name="matching_preference_rank_1_to_10_for_prefer",
            ),
            *non_negative("rank"),
        ]

    def __str__(self) -> str:
        return f"{self.from_participant_id} → {self.to_participant_id} ({self.kind})"


class Algorithm(models.TextChoices):
    OPTIMAL = "optimal", _("Optimal (greatest total score)")
    GREEDY = "greedy", _("Greedy (baseline)")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done: proposals ready for review")
    FAILED = "failed", _("Failed")
    APPROVED = "approved", _("Approved: pairs formed")
    SUPERSEDED = "superseded", _("Superseded by a newer run")


class MatchRun(models.Model):
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="match_runs",
    )
    algorithm = models.CharField(
        _("algorithm"), max_length=16, choices=Algorithm.choices, default=Algorithm.OPTIMAL
    )
    status = models.CharField(
        _("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    progress = NonNegativeSmallIntegerField(_("progress, %"), default=0)
    weights = models.JSONField(_("weights used"), default=dict)
    # (mentor participant id, mentee participant id) pairs the coordinator fixed in advance.
    fixed_pairs = models.JSONField(_("fixed pairs"), default=list, blank=True)
    total_score = models.FloatField(_("total score"), null=True, blank=True)
    mentee_count = NonNegativeIntegerField(_("mentees"), default=0)
    mentor_count = NonNegativeIntegerField(_("mentors"), default=0)
    matched_count = NonNegativeIntegerField(_("matched mentees"), default=0)
    unmatched_count = NonNegativeIntegerField(_("mentees left without a mentor"), default=0)
    candidate_count = NonNegativeIntegerField(_("feasible pairs"), default=0)
    timings = models.JSONField(_("timings, s"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("superseded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("matching run")
        verbose_name_plural = _("matching runs")
        constraints = [
            *non_negative(
                "progress",
                "mentee_count",
                "mentor_count",
                "matched_count",
                "unmatched_count",
                "candidate_count",
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme_id}: {self.algorithm} ({self.status})"


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    CHANGED = "changed", _("Changed by the coordinator")


# Proposals that become pairs when the run is approved.
TAKEN_STATUSES = (ProposalStatus.ACCEPTED, ProposalStatus.CHANGED)


class MatchProposal(models.Model):
    run = models.ForeignKey(
        MatchRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="proposals"
    )
    mentor = models.ForeignKey(
        "participants.Participant",
        verbose_name=_("mentor"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    mentee = models.ForeignKey(
        "participants.Participant",
        verbose_name=_("mentee"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    form = models.CharField(_("form of mentoring"), max_length=32)
    score = models.FloatField(_("score"))
    breakdown = models.JSONField(_("explanation"), default=dict)
    status = models.CharField(
        _("status"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    fixed = models.BooleanField(_("fixed by the coordinator"), default=False)
    made_by_hand = models.BooleanField(_("made by hand"), default=False)
    proposed_mentor = models.ForeignKey(
        "participants.Participant",
        verbose_name=_("mentor first proposed"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    pair_id = NonNegativeBigIntegerField(_("pair formed"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "mentor_id", "mentee_id"]
        verbose_name = _("matching proposal")
        verbose_name_plural = _("matching proposals")
        constraints = [
            models.UniqueConstraint(fields=["run", "mentee"], name="matching_proposal_mentee_once"),
            *non_negative("pair_id"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor_id} → {self.mentee_id} ({self.score:.1f})"


class UnmatchedReason(models.TextChoices):
    """The mentee's own state, else the first criterion no mentor passes (engine.FUNNEL)."""

    NO_CONSENT = "no_consent", _("No valid consent to personal-data processing")
    ALREADY_PAIRED = "already_paired", _("Already in an active pair of the programme")
    NO_FORM = "no_form", _("No mentor works in a form that fits")
    NEEDS_NOT_COVERED = "needs_not_covered", _("No mentor of a fitting form covers the requests")
    MENTOR_YOUNGER = "mentor_younger", _("The mentors who cover the requests are younger")
    AVOIDED = "avoided", _("The fitting mentors were avoided or rejected earlier")
    MENTORS_NO_CONSENT = "mentors_no_consent", _("The fitting mentors have no valid consent")
    MENTORS_FULL = "mentors_full", _("The fitting mentors have no free place")
    CAPACITY_EXHAUSTED = (
        "capacity_exhausted",
        _("The fitting mentors' places went to other mentees in this run"),
    )
    # Runs made before the explanations by criterion.
    NO_COMPATIBLE_MENTOR = "no_compatible_mentor", _("No compatible mentor")


class UnmatchedMentee(models.Model):
    """A mentee the run left without a mentor, with the reason; stays in the search."""

    run = models.ForeignKey(
        MatchRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="unmatched"
    )
    mentee = models.ForeignKey(
        "participants.Participant",
        verbose_name=_("mentee"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=32, choices=UnmatchedReason.choices)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["run", "mentee_id"]
        verbose_name = _("mentee left without a mentor")
        verbose_name_plural = _("mentees left without a mentor")
        constraints = [
            models.UniqueConstraint(fields=["run", "mentee"], name="matching_unmatched_once")
        ]

    def __str__(self) -> str:
        return f"{self.mentee_id}: {self.reason}"
