"""People of the institution's programme: participants, guardianships, the consent register
(152-FZ), and the mentee and mentor bases.

Nobody is ever deleted: a person who withdraws consent is erased (anonymised) by a daily task,
which keeps the row so that anonymous counts stay right. Consent records are append-only; a
trigger in the database refuses UPDATE and DELETE (see migration 0002)."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.fields import NonNegativeIntegerField, NonNegativeSmallIntegerField, non_negative
from schools.programmes.models import MentoringForm

ADULT_AGE = 18
MINOR_OWN_SIGNATURE_AGE = 14  # from 14 the minor signs too (alongside the legal guardian)
KPI_LEARNER_MIN_AGE = 10  # the regional KPI counts learners from age 10
ERASURE_DELAY_DAYS = 30
RECONSENT_NOTICE_DAYS = 30  # flag people who turn 14 or 18 within this many days


class Category(models.TextChoices):
    PUPIL = "pupil", _("Pupil")
    STUDENT = "student", _("Student")
    TEACHER = "teacher", _("Teacher")
    MASTER = "master", _("Master of vocational training")
    YOUNG_SPECIALIST = "young_specialist", _("Young specialist")
    ALUMNUS = "alumnus", _("Alumnus")
    PARENT = "parent", _("Parent or legal guardian")
    EMPLOYER_SPECIALIST = "employer_specialist", _("Employer's specialist")


LEARNER_CATEGORIES = frozenset({Category.PUPIL, Category.STUDENT})


def age_on(birth_date: datetime.date | None, day: datetime.date) -> int | None:
    """Full years on ``day``; None when the birth date is unknown."""
    if birth_date is None:
        return None
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def full_name_of(last_name: str, first_name: str, middle_name: str) -> str:
    """«Фамилия Имя Отчество», the parts that are there (``Participant.full_name``)."""
    return " ".join(p for p in (last_name, first_name, middle_name) if p)


def is_minor_at(age: int | None) -> bool:
    """Under 18 at ``age`` (full years; None: the birth date is unknown, not a minor)."""
    return age is not None and age < ADULT_AGE


class StudyGroup(models.Model):
    """A school class («5А») or a college study group («ТМ-21»)."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    curator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("curator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="curated_groups",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("study group")
        verbose_name_plural = _("study groups")

    def __str__(self) -> str:
        return self.name


class Participant(models.Model):
    last_name = models.CharField(_("last name"), max_length=150)
    first_name = models.CharField(_("first name"), max_length=150)
    middle_name = models.CharField(_("patronymic"), max_length=150, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    study_group = models.ForeignKey(
        StudyGroup,
        verbose_name=_("study group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participants",
    )
    is_young_specialist = models.BooleanField(_("young specialist"), default=False)
    # What orders and letters print beside the name: «учитель математики», «инженер-технолог».
    position = models.CharField(_("position"), max_length=200, blank=True)
    # Where an adult works or studies (an employer's specialist, a parent, an alumnus).
    workplace = models.CharField(_("place of work or study"), max_length=300, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participant",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    processing_stopped_at = models.DateTimeField(
        _("processing stopped at (consent withdrawn)"), null=True, blank=True
    )
    erase_after = models.DateField(_("erase personal data after"), null=True, blank=True)
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "middle_name", "id"]
        indexes = [
            models.Index(fields=["last_name", "first_name", "birth_date"], name="participant_name"),
            models.Index(fields=["category"], name="participant_category"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(erased_at__isnull=False, user__isnull=False),
                name="participant_erased_has_no_account",
            )
        ]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return full_name_of(self.last_name, self.first_name, self.middle_name)

    @property
    def age(self) -> int | None:
        return age_on(self.birth_date, timezone.localdate())

    @property
    def is_minor(self) -> bool:
        return is_minor_at(self.age)

    @property
    def is_learner(self) -> bool:
        return self.category in LEARNER_CATEGORIES

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class GuardianRelation(models.TextChoices):
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    GUARDIAN = "guardian", _("Legal guardian")
    TRUSTEE = "trustee", _("Trustee")
    ADOPTIVE_PARENT = "adoptive_parent", _("Adoptive parent")
    OTHER = "other", _("Other legal representative")


class Guardianship(models.Model):
    """A parent or legal guardian (a participant of category ``parent``) of a child."""

    parent = models.ForeignKey(
        Participant,
        verbose_name=_("parent or guardian"),
        on_delete=models.CASCADE,
        related_name="children_links",
    )
    child = models.ForeignKey(
        Participant,
        verbose_name=_("child"),
        on_delete=models.CASCADE,
        related_name="guardian_links",
    )
    relation = models.CharField(_("relation"), max_length=32, choices=GuardianRelation.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["child_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "child"], name="guardianship_unique"),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("child")), name="guardianship_not_self"
            ),
        ]
        verbose_name = _("guardianship")
        verbose_name_plural = _("guardianships")

    def __str__(self) -> str:
        return f"{self.parent} → {self.child} ({self.get_relation_display()})"


class ConsentKind(models.TextChoices):
    GRANT = "grant", _("Grant")
    WITHDRAWAL = "withdrawal", _("Withdrawal")


class ConsentPurpose(models.TextChoices):
    PERSONAL_DATA = "personal_data", _("Processing of personal data in the mentoring programme")
    PROGRAMME_PARTICIPATION = (
        "programme_participation",
        _("Participation in the mentoring programme"),
    )
    PHOTO_VIDEO = "photo_video", _("Photo and video at programme events")


# The purpose whose consent decides whether a person may be processed at all: matched, sent
# questionnaires, counted. Its withdrawal stops processing and schedules erasure.
REQUIRED_PURPOSE = ConsentPurpose.PERSONAL_DATA


class ConsentSigner(models.TextChoices):
    SELF = "self", _("The person")
    GUARDIAN = "guardian", _("Parent or legal guardian")


class ConsentMethod(models.TextChoices):
    PAPER_SCAN = "paper_scan", _("Paper (scan)")
    ELECTRONIC = "electronic", _("Electronic")


def consent_scan_path(instance: Consent, filename: str) -> str:
    # Per-tenant storage (TenantFileSystemStorage) adds the schema folder.
    return f"consents/{instance.participant_id}/{filename}"


class AppendOnlyError(RuntimeError):
    """Consent records are never changed or deleted: corrections are new records."""


class Consent(models.Model):
    """One record of the consent register. Append-only; see ``REQUIRED_PURPOSE``."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="consents",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ConsentKind.choices)
    purpose = models.CharField(_("purpose"), max_length=32, choices=ConsentPurpose.choices)
    text_version = models.CharField(_("text version"), max_length=32)
    text_checksum = models.CharField(_("text checksum (SHA-256)"), max_length=64)
    signed_by = models.CharField(_("signed by"), max_length=16, choices=ConsentSigner.choices)
    guardian_name = models.CharField(_("guardian's full name"), max_length=300, blank=True)
    guardian_relation = models.CharField(
        _("guardian's relation"), max_length=32, choices=GuardianRelation.choices, blank=True
    )
    minor_signed = models.BooleanField(_("signed by the minor too"), default=False)
    signed_on = models.DateField(_("signed on"))
    method = models.CharField(_("method"), max_length=16, choices=ConsentMethod.choices)
    scan = models.FileField(_("scan"), upload_to=consent_scan_path, blank=True, max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["participant_id", "-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["participant", "purpose", "-created_at", "-id"], name="consent_latest"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(signed_by=ConsentSigner.SELF, guardian_relation="")
                | models.Q(signed_by=ConsentSigner.GUARDIAN) & ~models.Q(guardian_relation=""),
                name="consent_guardian_relation_iff_guardian",
            ),
        ]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent register")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_purpose_display()} ({self.signed_on})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Consent records are append-only; record a new one instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Consent records are append-only and are never deleted.")


class TopicGroup(models.TextChoices):
    """Sections of the catalogue, as the pages group it."""

    STUDY = "study", _("Studies")
    SUBJECTS = "subjects", _("School subjects")
    DEVELOPMENT = "development", _("Self-determination and skills")
    SUPPORT = "support", _("Adaptation and support")
    LEISURE = "leisure", _("Leisure and creativity")
    TEACHING = "teaching", _("Teaching practice")
    OTHER = "other", _("Other")


class TopicAudience(models.TextChoices):
    LEARNERS = "learners", _("Learners")
    TEACHERS = "teachers", _("Teachers")
    EVERYONE = "everyone", _("Everyone")


class Topic(models.Model):
    """One entry of the catalogue of requests and competences: a mentee asks for help with it
    (a need), a mentor can help with it (a competence). One catalogue for both, so that the
    same entry on both sides is a match; ``TopicCoverage`` adds the other entries that cover a
    need. ``synonyms`` are the words schools write for it («олимпиады», «подтянуть
    математику»): the lookup (``schools.participants.catalogue``) recognises them."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    group = models.CharField(
        _("section"), max_length=16, choices=TopicGroup.choices, default=TopicGroup.OTHER
    )
    audience = models.CharField(
        _("for whom"), max_length=16, choices=TopicAudience.choices, default=TopicAudience.EVERYONE
    )
    synonyms = models.JSONField(_("other wordings"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("catalogue entry")
        verbose_name_plural = _("catalogue of requests and competences")

    def __str__(self) -> str:
        return self.name


class TopicCoverage(models.Model):
    """A mentor with the competence ``covered_by`` can help with the need ``need`` (besides the
    same entry, which always covers itself). The coordinator edits these in the catalogue."""

    need = models.ForeignKey(
        Topic, verbose_name=_("request"), on_delete=models.CASCADE, related_name="coverage"
    )
    covered_by = models.ForeignKey(
        Topic,
        verbose_name=_("covered by the competence"),
        on_delete=models.CASCADE,
        related_name="covers",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["need_id", "covered_by_id"]
        verbose_name = _("coverage of a request")
        verbose_name_plural = _("coverage of requests")
        constraints = [
            models.UniqueConstraint(fields=["need", "covered_by"], name="topic_coverage_once"),
            models.CheckConstraint(
                condition=~models.Q(need=models.F("covered_by")), name="topic_coverage_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.need_id} ← {self.covered_by_id}"


class RequestSource(models.TextChoices):
    SELF = "self", _("The mentee")
    CURATOR = "curator", _("Curator")
    PARENT = "parent", _("Parent")
    SOCIAL_PEDAGOGUE = "social_pedagogue", _("Social pedagogue")
    TEACHER = "teacher", _("Teacher")
    ATTESTATION = "attestation", _("Personal file / attestation")


class MenteeProfile(models.Model):
    """A participant in the mentee base, with the request (запрос)."""

    participant = models.OneToOneField(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="mentee_profile",
    )
    request = models.TextField(_("request"), blank=True)
    needs = models.ManyToManyField(
        Topic, verbose_name=_("needs"), blank=True, related_name="mentee_profiles"
    )
    preferred_form = models.CharField(
        _("preferred form of mentoring"), max_length=32, choices=MentoringForm.choices, blank=True
    )
    raised_by = models.CharField(
        _("request raised by"),
        max_length=32,
        choices=RequestSource.choices,
        default=RequestSource.SELF,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["participant__last_name", "participant__first_name", "id"]
        verbose_name = _("mentee profile")
        verbose_name_plural = _("mentee base")

    def __str__(self) -> str:
        return str(self.participant)


class SelectionCriterion(models.TextChoices):
    """Stage 3 of the methodology: the criteria the coordinator scores a mentor on."""

    WISH = "wish", _("Wish to take part")
    PROFESSIONAL_EXPERIENCE = "professional_experience", _("Professional experience")
    COMMUNICATION = "communication", _("Communication competences")
    TIME_RESOURCE = "time_resource", _("Time resource")
    POSITIVE_EXPERIENCE = "positive_experience", _("Positive life or professional experience")
    FIT_TO_REQUESTS = "fit_to_requests", _("Fit to the mentees' requests")
    CIVIC_POSITION = "civic_position", _("Active civic position")
    MOTIVATION = "motivation", _("Motivation")


SCORE_MIN, SCORE_MAX = 0, 5


def validate_selection_scores(value: Any) -> None:
    if not isinstance(value, dict):
        raise ValidationError(_("Scores must be an object of criterion → score."))
    unknown = sorted(set(value) - set(SelectionCriterion.values))
    if unknown:
        raise ValidationError(
            _("Unknown selection criteria: %(names)s"), params={"names": ", ".join(unknown)}
        )
    for criterion, score in value.items():
        if isinstance(score, bool) or not isinstance(score, int):
            raise ValidationError(
                _("The score of %(name)s must be a whole number."), params={"name": criterion}
            )
        if not SCORE_MIN <= score <= SCORE_MAX:
            raise ValidationError(
                _("The score of %(name)s must be from %(min)s to %(max)s."),
                params={"name": criterion, "min": SCORE_MIN, "max": SCORE_MAX},
            )


class MentorProfile(models.Model):
    """A participant in the mentor base."""

    participant = models.OneToOneField(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="mentor_profile",
    )
    competences = models.ManyToManyField(
        Topic, verbose_name=_("competences"), blank=True, related_name="mentor_profiles"
    )
    experience = models.TextField(_("experience"), blank=True)
    experience_years = NonNegativeSmallIntegerField(
        _("years of experience"), null=True, blank=True, validators=[MaxValueValidator(80)]
    )
    hours_per_month = NonNegativeSmallIntegerField(
        _("time resource (hours per month)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(200)],
    )
    capacity = NonNegativeSmallIntegerField(
        _("capacity (mentees at most)"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    motivation = models.TextField(_("motivation"), blank=True)
    selection_scores = models.JSONField(
        _("selection criteria scores"),
        default=dict,
        blank=True,
        validators=[validate_selection_scores],
    )
    training = models.TextField(_("training taken"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["participant__last_name", "participant__first_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="mentor_capacity_gte_1"
            ),
            *non_negative("experience_years", "hours_per_month", "capacity"),
        ]
        verbose_name = _("mentor profile")
        verbose_name_plural = _("mentor base")

    def __str__(self) -> str:
        return str(self.participant)

    @property
    def selection_total(self) -> int:
        return sum(int(v) for v in (self.selection_scores or {}).values())


# --- consents at class scale: scans, online consent by link, alerts ----------------------------

SCAN_MAX_BYTES = 10 * 1024 * 1024
SCAN_CONTENT_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg"}


def consent_scan_file_path(instance: ConsentScan, filename: str) -> str:
    # Per-tenant storage (TenantFileSystemStorage) adds the schema folder. The service names
    # the file (never the uploader's name for it, which may hold a child's name).
    return f"consents/{instance.consent.participant_id}/{filename}"


class ConsentScan(models.Model):
    """A scan (PDF or JPEG) of the signed paper of a consent record; a record may have several
    pages. Stored in the institution's own storage and served only through a page that checks
    who may read the consent. Removed with the person's data on erasure."""

    consent = models.ForeignKey(
        Consent, verbose_name=_("consent record"), on_delete=models.PROTECT, related_name="scans"
    )
    file = models.FileField(_("file"), upload_to=consent_scan_file_path, max_length=300)
    content_type = models.CharField(_("file type"), max_length=64)
    size = NonNegativeIntegerField(_("size, bytes"))
    sha256 = models.CharField(_("checksum (SHA-256)"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["consent_id", "id"]
        verbose_name = _("consent scan")
        verbose_name_plural = _("consent scans")
        constraints = [*non_negative("size")]

    def __str__(self) -> str:
        return f"scan {self.pk} of consent {self.consent_id}"


CONSENT_REQUEST_TTL_DAYS = 14


class ConsentRequest(models.Model):
    """A one-time link that lets a parent (or an adult participant) give consent online after
    reading its full text. Only the SHA-256 of the token is stored; the link is made when the
    request is sent (by e-mail through the worker, or shown once to the staff member)."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("whose consent"),
        on_delete=models.CASCADE,
        related_name="consent_requests",
    )
    purpose = models.CharField(
        _("purpose"),
        max_length=32,
        choices=ConsentPurpose.choices,
        default=ConsentPurpose.PERSONAL_DATA,
    )
    email = models.EmailField(_("e-mail"), blank=True)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    consent = models.OneToOneField(
        Consent,
        verbose_name=_("consent given"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="request",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["token_hash"],
                condition=~models.Q(token_hash=""),
                name="consent_request_token_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(used_at__isnull=True, consent__isnull=True)
                | models.Q(used_at__isnull=False, consent__isnull=False),
                name="consent_request_used_iff_consent",
            ),
        ]
        verbose_name = _("online consent request")
        verbose_name_plural = _("online consent requests")

    def __str__(self) -> str:
        return f"consent request {self.pk} for {self.participant_id}"


class ConsentAlertKind(models.TextChoices):
    WITHDRAWN = "withdrawn", _("Consent withdrawn")
    GIVEN_AGAIN = "given_again", _("Consent given again")


class ConsentAlert(models.Model):
    """Tells the coordinator and the curator of the person's class that a consent was withdrawn
    (and their pairs paused) or given again: shown in their pages until acknowledged, and
    e-mailed once by the worker."""

    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ConsentAlertKind.choices)
    study_group = models.ForeignKey(
        StudyGroup,
        verbose_name=_("study group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    pairs_affected = NonNegativeIntegerField(_("pairs affected"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    mailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["acknowledged_at", "-created_at"], name="alert_open")]
        verbose_name = _("consent alert")
        verbose_name_plural = _("consent alerts")
        constraints = [*non_negative("pairs_affected")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.participant_id}"
