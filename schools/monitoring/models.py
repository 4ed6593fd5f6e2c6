"""Monitoring inside an institution: questionnaires, survey campaigns, invitations and answers.

A questionnaire is the institution's own copy of a question list. It is either *adopted* from
a regional template version (pinned: ``template_version_id`` and ``template_code`` keep the
link, the copied questions keep their codes and are marked ``regional``; local questions may
be added and never leave the institution) or *local*, written from scratch.

A survey campaign sends one questionnaire to a target group between two dates. Only people
with valid consent are invited. Each invited person has at most one response per campaign,
kept as a draft until submitted; a submitted response never changes. People answer signed in
(their ``Participant.user``) or through a personal one-time link whose token is stored hashed
in this schema only (a token of another institution simply does not exist here)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from config.fields import NonNegativeBigIntegerField, NonNegativeIntegerField, non_negative
from regional.questionnaires.api import GrowthPhase, Purpose, QuestionKind


class QuestionnaireOrigin(models.TextChoices):
    ADOPTED = "adopted", _("Adopted from a regional template")
    LOCAL = "local", _("Written by the institution")


class Questionnaire(models.Model):
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    intro = models.TextField(_("introduction for respondents"), blank=True)
    purpose = models.CharField(_("purpose"), max_length=32, choices=Purpose.choices)
    growth_phase = models.CharField(
        _("growth phase"), max_length=8, choices=GrowthPhase.choices, blank=True, default=""
    )
    origin = models.CharField(_("origin"), max_length=16, choices=QuestionnaireOrigin.choices)
    # The pinned regional version (public schema), kept as plain values: regional results are
    # aggregated by template code and question code.
    template_version_id = NonNegativeBigIntegerField(
        _("regional template version"), null=True, blank=True
    )
    template_code = models.CharField(_("regional template code"), max_length=80, blank=True)
    template_version_number = NonNegativeIntegerField(
        _("regional version number"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(origin="adopted", template_version_id__isnull=False)
                    & ~models.Q(template_code="")
                )
                | models.Q(origin="local", template_version_id__isnull=True, template_code=""),
                name="monitoring_questionnaire_origin_link",
            ),
            *non_negative("template_version_id", "template_version_number"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_adopted(self) -> bool:
        return self.origin == QuestionnaireOrigin.ADOPTED


class Question(models.Model):
    """A question of the institution's questionnaire (the same fields as a regional template
    question, so the regional validation applies to it). ``regional`` questions are copies of
    the pinned version and never change; the others are the institution's own."""

    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    order = NonNegativeIntegerField(_("order"))
    code = models.CharField(_("code"), max_length=63)
    text = models.TextField(_("text"))
    help_text = models.TextField(_("help text"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind.choices)
    required = models.BooleanField(_("required"), default=True)
    min_value = models.IntegerField(_("minimum"), null=True, blank=True)
    max_value = models.IntegerField(_("maximum"), null=True, blank=True)
    min_label = models.CharField(_("label of the minimum"), max_length=100, blank=True)
    max_label = models.CharField(_("label of the maximum"), max_length=100, blank=True)
    options = models.JSONField(_("options"), default=list, blank=True)
    condition_question = models.CharField(
        _("shown only if question"), max_length=63, blank=True, default=""
    )
    condition_value = models.CharField(_("equals"), max_length=63, blank=True, default="")
    regional = models.BooleanField(_("from the regional template"), default=False)

    class Meta:
        ordering = ["questionnaire", "order"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "code"], name="monitoring_question_code_unique"
            ),
            models.UniqueConstraint(
                fields=["questionnaire", "order"],
                name="monitoring_question_order_unique",
                deferrable=models.Deferrable.DEFERRED,
            ),
            *non_negative("order"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.code}"


class TargetKind(models.TextChoices):
    FORM_MENTEES = "form_mentees", _("All mentees of a form of mentoring")
    MENTORS = "mentors", _("All mentors")
    PAIR = "pair", _("One pair or group")
    STUDY_GROUP = "study_group", _("A study group")
    STAFF = "staff", _("Curators and coordinators")
    EXPLICIT = "explicit", _("A list of people")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    # launched: the worker prepares the invitations (services.campaign_launch), then it opens
    LAUNCHING = "launching", _("Launching")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class SurveyCampaign(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    title = models.CharField(_("title"), max_length=300)
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_campaigns",
    )
    target_kind = models.CharField(_("target group"), max_length=16, choices=TargetKind.choices)
    target_form = models.CharField(_("form of mentoring"), max_length=32, blank=True)
    target_pair = models.ForeignKey(
        "pairs.Pair",
        verbose_name=_("pair or group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    target_study_group = models.ForeignKey(
        "participants.StudyGroup",
        verbose_name=_("study group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    target_participant_ids = ArrayField(
        models.PositiveBigIntegerField(), verbose_name=_("people"), default=list, blank=True
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(
        _("status"), max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # A launch done by the worker (a large target group): when it was asked for, the people to
    # invite and those prepared so far, those left out for lack of consent, and the reason of a
    # launch that failed (the campaign is a draft again and may be launched again).
    launch_requested_at = models.DateTimeField(_("launch requested at"), null=True, blank=True)
    launch_total = NonNegativeIntegerField(_("people to invite"), default=0)
    launch_done = NonNegativeIntegerField(_("invitations prepared"), default=0)
    launch_without_consent = NonNegativeIntegerField(
        _("not invited for lack of consent"), default=0
    )
    launch_error = models.CharField(_("why the launch failed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opens_on", "-id"]
        verbose_name = _("survey campaign")
        verbose_name_plural = _("survey campaigns")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="monitoring_campaign_dates_in_order",
            ),
            *non_negative("launch_total", "launch_done", "launch_without_consent"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def launch_progress(self) -> int:
        """Per cent of the invitations prepared by a launch under way (0–100)."""
        if not self.launch_total:
            return 0
        return min(100, self.launch_done * 100 // self.launch_total)

    @property
    def target_form_label(self) -> str:
        """The target form of mentoring as people name it (never its code)."""
        from schools.programmes.models import MentoringForm

        if self.target_form in MentoringForm.values:
            return str(MentoringForm(self.target_form).label)
        return self.target_form

    @property
    def academic_year(self) -> int:
        """The academic year the campaign opens in (2026 for 2026/2027; it starts 1 September)."""
        day = self.opens_on
        return day.year if day.month >= 9 else day.year - 1


class SurveyInvitation(models.Model):
    """A person invited to a campaign (valid consent at the time), with the pair and form they
    were in (for comparisons) and their one-time link (hashed). The respondent is a participant
    of the programme, or — for the curator's checklist — a curator or the coordinator, an
    institution's user (``user``), answering as staff."""

    campaign = models.ForeignKey(
        SurveyCampaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    participant = models.ForeignKey(
        "participants.Participant",
        verbose_name=_("participant"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="survey_invitations",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="survey_invitations",
    )
    pair = models.ForeignKey(
        "pairs.Pair",
        verbose_name=_("pair or group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    form = models.CharField(_("form of mentoring"), max_length=32, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # The short code of the printed slip (hashed like the link; see ``printing``).
    short_code_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    printed_at = models.DateTimeField(_("slip printed at"), null=True, blank=True)
    email_sent_at = models.DateTimeField(_("invitation sent at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    # A letter (invitation or reminder) being sent: claimed and committed before it goes out,
    # cleared once it went out or failed; a claim never cleared lapses (schools.monitoring.mailing).
    mail_claimed_at = models.DateTimeField(_("letter claimed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "id"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "participant"], name="monitoring_invitation_once"
            ),
            models.UniqueConstraint(
                fields=["campaign", "user"], name="monitoring_invitation_once_per_user"
            ),
            models.CheckConstraint(
                condition=models.Q(participant__isnull=False, user__isnull=True)
                | models.Q(participant__isnull=True, user__isnull=False),
                name="monitoring_invitation_one_respondent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.participant_id or self.user_id}"

    @property
    def respondent_name(self) -> str:
        person = self.participant if self.participant_id else self.user
        return str(getattr(person, "full_name", "") or getattr(person, "username", ""))


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class ResponseChannel(models.TextChoices):
    SIGNED_IN = "signed_in", _("Signed in")
    LINK = "link", _("One-time link")


class SurveyResponse(models.Model):
    """One person's answers to a campaign: ``{question code: value}``."""

    campaign = models.ForeignKey(
        SurveyCampaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="responses",
    )
    invitation = models.OneToOneField(
        SurveyInvitation,
        verbose_name=_("invitation"),
        on_delete=models.CASCADE,
        related_name="response",
    )
    participant = models.ForeignKey(
        "participants.Participant",
        verbose_name=_("participant"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="survey_responses",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="survey_responses",
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT
    )
    channel = models.CharField(_("answered"), max_length=16, choices=ResponseChannel.choices)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["campaign", "id"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "participant"], name="monitoring_response_once"
            ),
            models.UniqueConstraint(
                fields=["campaign", "user"], name="monitoring_response_once_per_user"
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft", submitted_at__isnull=True)
                | models.Q(status="submitted", submitted_at__isnull=False),
                name="monitoring_response_submitted_has_date",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "status"], name="monitoring_response_status")]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.participant_id} ({self.status})"
