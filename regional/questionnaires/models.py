"""Regional questionnaire templates (public schema).

A template (анкета) is written once by the regional centre and used by every institution. Its
content lives in numbered versions: a version is a draft while it is edited, then published
(and from then on never changes: edits make a new draft) and at last retired (no longer offered
for new use; institutions that pinned it keep it). Questions belong to one version; a question's
``code`` is stable across versions, so answers to version 1 and version 2 (or to the growth
questionnaires before and after a programme) can be compared question by question.

The rule "a published version never changes" is enforced by the services and, behind them, by
PostgreSQL triggers (migration 0002): rows of a non-draft version's questions refuse INSERT,
UPDATE and DELETE, and a non-draft version may only move from published to retired."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# Question and option codes: lowercase Latin, digits, underscores; they name answers in data.
CODE_RE = r"^[a-z][a-z0-9_]{0,62}$"
validate_code = RegexValidator(
    CODE_RE, _("Use lowercase Latin letters, digits and underscores, starting with a letter.")
)

# The codes of ``schools.programmes.models.MentoringForm``. Kept here as plain codes because a
# regional app imports nothing from a school app but its ``api.py``; a test checks they match.
MENTORING_FORM_CODES: tuple[str, ...] = (
    "student_student",
    "pupil_pupil",
    "teacher_teacher",
    "teacher_student",
    "student_pupil",
    "employer_pupil",
    "employer_student",
)


class Purpose(models.TextChoices):
    MENTEE_INTAKE = "mentee_intake", _("Mentee intake")
    MENTOR_PROFILE = "mentor_profile", _("Mentor profile")
    GROUP_MEETING_PREFERENCE = "group_meeting_preference", _("Preferences after the group meeting")
    INTERMEDIATE_FEEDBACK = "intermediate_feedback", _("Intermediate feedback")
    SATISFACTION = "satisfaction", _("Satisfaction")
    PROGRAMME_QUALITY = "programme_quality", _("Programme quality")
    GROWTH = "growth", _("Participants' growth")


class GrowthPhase(models.TextChoices):
    """Growth is measured twice with the same question codes: before and after the programme."""

    NONE = "", _("—")
    BEFORE = "before", _("Before the programme")
    AFTER = "after", _("After the programme")


class TargetRole(models.TextChoices):
    MENTOR = "mentor", _("Mentor")
    MENTEE = "mentee", _("Mentee")
    CURATOR = "curator", _("Curator")
    COORDINATOR = "coordinator", _("Coordinator")
    PARENT = "parent", _("Parent")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class QuestionKind(models.TextChoices):
    SCALE = "scale", _("Scale")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    NUMBER = "number", _("Number")
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    YES_NO = "yes_no", _("Yes / no")


CHOICE_KINDS = frozenset({QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE})
# A condition may refer only to questions whose answer is one value out of a known set.
CONDITION_SOURCE_KINDS = frozenset({QuestionKind.YES_NO, QuestionKind.SINGLE_CHOICE})
YES, NO = "yes", "no"


class QuestionnaireTemplate(models.Model):
    code = models.SlugField(_("code"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    purpose = models.CharField(_("purpose"), max_length=32, choices=Purpose.choices)
    growth_phase = models.CharField(
        _("growth phase"), max_length=8, choices=GrowthPhase.choices, blank=True, default=""
    )
    target_roles = ArrayField(
        models.CharField(max_length=16, choices=TargetRole.choices),
        verbose_name=_("who answers"),
        default=list,
    )
    target_forms = ArrayField(
        models.CharField(max_length=32),
        verbose_name=_("forms of mentoring (empty: every form)"),
        default=list,
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["purpose", "code"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(purpose=Purpose.GROWTH, growth_phase__in=["before", "after"])
                    | (~models.Q(purpose=Purpose.GROWTH) & models.Q(growth_phase=""))
                ),
                name="qtemplate_growth_phase_iff_growth",
            ),
        ]
        verbose_name = _("questionnaire template")
        verbose_name_plural = _("questionnaire templates")

    def __str__(self) -> str:
        return f"{self.title} ({self.code})"


class TemplateVersion(models.Model):
    template = models.ForeignKey(
        QuestionnaireTemplate,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("template"),
    )
    number = models.PositiveIntegerField(_("number"))
    status = models.CharField(
        _("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    intro = models.TextField(_("introduction for respondents"), blank=True)
    change_note = models.TextField(_("what changed"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="qversion_number_unique"),
            models.UniqueConstraint(
                fields=["template"],
                condition=models.Q(status="draft"),
                name="qversion_one_draft_per_template",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(published_at__isnull=False),
                name="qversion_published_has_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="retired") | models.Q(retired_at__isnull=False),
                name="qversion_retired_has_date",
            ),
        ]
        verbose_name = _("questionnaire template version")
        verbose_name_plural = _("questionnaire template versions")

    def __str__(self) -> str:
        return f"{self.template.code} v{self.number} ({self.status})"

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT


class Question(models.Model):
    """One question of a version.

    ``min_value``/``max_value`` bound a scale (both required, min < max) or a number (optional);
    ``min_label``/``max_label`` name a scale's ends. ``options`` is a list of
    ``{"code": ..., "text": ...}`` for the choice kinds. The question is shown only if the earlier
    question ``condition_question`` (yes/no or single choice) was answered ``condition_value``
    ("yes"/"no" or an option code)."""

    version = models.ForeignKey(
        TemplateVersion,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("version"),
    )
    order = models.PositiveIntegerField(_("order"))
    code = models.CharField(_("code"), max_length=63, validators=[validate_code])
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

    class Meta:
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="qquestion_code_unique"),
            models.UniqueConstraint(
                fields=["version", "order"],
                name="qquestion_order_unique",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(condition_question="", condition_value="")
                    | (~models.Q(condition_question="") & ~models.Q(condition_value=""))
                ),
                name="qquestion_condition_complete",
            ),
        ]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return f"{self.order}. {self.code}"

    @property
    def option_codes(self) -> list[str]:
        return [o["code"] for o in self.options if isinstance(o, dict) and "code" in o]
