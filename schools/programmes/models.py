"""The institution's mentoring programme (one per academic year), its roadmap and stages."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Role
from config.fields import NonNegativeIntegerField, NonNegativeSmallIntegerField, non_negative


class MentoringForm(models.TextChoices):
    STUDENT_STUDENT = "student_student", _("Student – student")
    PUPIL_PUPIL = "pupil_pupil", _("Pupil – pupil")
    TEACHER_TEACHER = "teacher_teacher", _("Teacher – teacher")
    TEACHER_STUDENT = "teacher_student", _("Teacher/master – student")
    STUDENT_PUPIL = "student_pupil", _("Student – pupil")
    EMPLOYER_PUPIL = "employer_pupil", _("Employer – pupil")
    EMPLOYER_STUDENT = "employer_student", _("Employer – student")


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", pgettext_lazy("programme status", "Active")
    CLOSED = "closed", _("Closed")


class Stage(models.IntegerChoices):
    """The six stages of a programme cycle (DOMAIN.md)."""

    PREPARATION = 1, _("Preparing the conditions")
    MENTEE_BASE = 2, _("Forming the mentee base")
    MENTOR_BASE = 3, _("Forming the mentor base")
    MATCHING = 4, _("Selecting mentors and forming pairs and groups")
    WORK = 5, _("Organising the work of pairs and groups")
    COMPLETION = 6, _("Completing the programme")


class StageState(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


# Activities in these states still need doing: past their deadline they are overdue.
OPEN_ACTIVITY_STATUSES = (ActivityStatus.PLANNED, ActivityStatus.IN_PROGRESS)

# Who may be named responsible for a roadmap activity (seed roadmaps name these roles).
RESPONSIBLE_ROLES = (Role.DIRECTOR, Role.DEPUTY, Role.COORDINATOR, Role.CURATOR, Role.MENTOR)
RESPONSIBLE_ROLE_CHOICES = [(r.value, r.label) for r in RESPONSIBLE_ROLES]

# The programme's window: preparation starts in August (the seed roadmaps schedule the choice
# of forms and the informing of parents there), the academic year ends on 31 August.
WINDOW_START_MONTH_DAY = (8, 1)
ACADEMIC_YEAR_START_MONTH_DAY = (9, 1)


class Programme(models.Model):
    academic_year = NonNegativeSmallIntegerField(
        _("academic year (its first calendar year)"), unique=True
    )
    title = models.CharField(_("title"), max_length=300)
    forms = ArrayField(
        models.CharField(max_length=32, choices=MentoringForm.choices),
        verbose_name=_("forms of mentoring"),
        default=list,
        blank=True,
    )
    goals = models.TextField(_("goals"), blank=True)
    planned_results = models.TextField(_("planned results"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ProgrammeStatus.choices, default=ProgrammeStatus.DRAFT
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coordinated_programmes",
        limit_choices_to={"role": Role.COORDINATOR},
    )
    curators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("curators"),
        blank=True,
        related_name="curated_programmes",
        limit_choices_to={"role": Role.CURATOR},
    )
    director = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("director"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="directed_programmes",
        limit_choices_to={"role": Role.DIRECTOR},
    )
    # The director approves the programme (through the order «Об утверждении программы
    # наставничества и дорожной карты»).
    approved_at = models.DateTimeField(_("approved by the director at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The institution's headcount (контингент) for the year: the regional KPIs' denominators.
    headcount_learners = NonNegativeIntegerField(_("learners aged 10 and over"), default=0)
    headcount_teachers = NonNegativeIntegerField(_("teachers"), default=0)
    headcount_young_teachers = NonNegativeIntegerField(
        _("young teachers (first three years of work)"), default=0
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-academic_year"]
        verbose_name = _("mentoring programme")
        verbose_name_plural = _("mentoring programmes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(headcount_young_teachers__lte=models.F("headcount_teachers")),
                name="programme_young_teachers_within_teachers",
                violation_error_message=_("Young teachers cannot outnumber all teachers."),
            ),
            *non_negative(
                "academic_year",
                "headcount_learners",
                "headcount_teachers",
                "headcount_young_teachers",
            ),
        ]

    def __str__(self) -> str:
        if self.year_label in self.title:
            return self.title
        return f"{self.title} ({self.year_label})"

    @property
    def year_label(self) -> str:
        """``2026/2027``."""
        return f"{self.academic_year}/{self.academic_year + 1}"

    @property
    def title_names_year(self) -> bool:
        """Whether the title says the academic year already (then a page does not add it)."""
        return self.year_label in self.title

    @property
    def starts_on(self) -> date:
        """1 September of the academic year."""
        return date(self.academic_year, *ACADEMIC_YEAR_START_MONTH_DAY)

    @property
    def window(self) -> tuple[date, date]:
        """The dates roadmap deadlines may fall on: 1 August to 31 August of the next year."""
        return date(self.academic_year, *WINDOW_START_MONTH_DAY), date(
            self.academic_year + 1, 8, 31
        )


def roadmap_document_path(instance: RoadmapActivity, filename: str) -> str:
    # Storage is per tenant (TenantFileSystemStorage): the schema is part of the root.
    return f"roadmap/{instance.programme_id}/{filename}"


class RoadmapActivity(models.Model):
    """One line of the roadmap (дорожная карта): what is done at a stage, by when, by whom."""

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="activities",
    )
    stage = NonNegativeSmallIntegerField(_("stage"), choices=Stage.choices)
    position = NonNegativeIntegerField(_("position within the stage"), default=0)
    title = models.CharField(_("activity"), max_length=500)
    content = models.TextField(_("content"), blank=True)
    deadline = models.DateField(_("deadline"))
    responsible_roles = ArrayField(
        models.CharField(max_length=32, choices=RESPONSIBLE_ROLE_CHOICES),
        verbose_name=_("responsible roles"),
        default=list,
        blank=True,
    )
    responsible_people = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible people"),
        blank=True,
        related_name="roadmap_activities",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    document = models.FileField(
        _("document"), upload_to=roadmap_document_path, blank=True, max_length=300
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["programme", "stage", "position", "deadline", "id"]
        verbose_name = _("roadmap activity")
        verbose_name_plural = _("roadmap activities")
        indexes = [models.Index(fields=["status", "deadline"], name="roadmap_status_deadline")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stage__gte=1, stage__lte=6),
                name="roadmap_activity_stage_1_to_6",
                violation_error_message=_("The stage must be from 1 to 6."),
            ),
            models.CheckConstraint(
                condition=models.Q(status=ActivityStatus.DONE, completed_on__isnull=False)
                | (~models.Q(status=ActivityStatus.DONE) & models.Q(completed_on__isnull=True)),
                name="roadmap_activity_completed_on_iff_done",
                violation_error_message=_("Only a done activity has a completion date."),
            ),
            *non_negative("stage", "position"),
        ]

    def __str__(self) -> str:
        return f"{self.stage}. {self.title}"


class ProgrammeStage(models.Model):
    """What the coordinator declared about a stage. The tracker computes the rest from data:
    a row exists only once a stage was marked in progress or done."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="stages"
    )
    stage = NonNegativeSmallIntegerField(_("stage"), choices=Stage.choices)
    marked_state = models.CharField(
        _("state marked by the coordinator"),
        max_length=16,
        choices=[
            (StageState.IN_PROGRESS.value, StageState.IN_PROGRESS.label),
            (StageState.DONE.value, StageState.DONE.label),
        ],
    )
    marked_at = models.DateTimeField(_("marked at"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["programme", "stage"]
        verbose_name = _("programme stage")
        verbose_name_plural = _("programme stages")
        constraints = [
            models.UniqueConstraint(fields=["programme", "stage"], name="programme_stage_unique"),
            models.CheckConstraint(
                condition=models.Q(stage__gte=1, stage__lte=6), name="programme_stage_1_to_6"
            ),
            *non_negative("stage"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id}: {self.stage} ({self.marked_state})"


class ReminderKind(models.TextChoices):
    OVERDUE = "overdue", _("Overdue")
    DUE_SOON = "due_soon", _("Due soon")


class RoadmapReminder(models.Model):
    """A reminder about one activity mailed to one person on one day: the record that keeps
    the daily reminder task from mailing the same thing twice. Created as a *claim*
    (``claimed_at``) committed before the letter goes out, stamped ``sent_at`` after it went
    out (schools.programmes.reminders)."""

    activity = models.ForeignKey(
        RoadmapActivity, on_delete=models.CASCADE, related_name="reminders"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField(_("sent on"))
    kind = models.CharField(_("kind"), max_length=16, choices=ReminderKind.choices)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_on", "activity"]
        verbose_name = _("roadmap reminder")
        verbose_name_plural = _("roadmap reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "user", "sent_on"], name="roadmap_reminder_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} → {self.user_id} ({self.sent_on})"
