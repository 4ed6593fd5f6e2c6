"""Anonymous survey results of the region (public schema).

One row per institution, regional template version, academic year and question: the number of
answers, the mean and the distribution — after suppression (``anonymise``), so a number from
fewer people than the region's minimum group size is never stored here. Rows carry no person,
no answer text and no campaign title: only template and question codes and numbers."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionalQuestionResult(models.Model):
    institution = models.ForeignKey(
        "tenants.Institution",
        verbose_name=_("institution"),
        on_delete=models.CASCADE,
        related_name="survey_results",
    )
    template_code = models.CharField(_("template code"), max_length=80)
    template_version_id = models.PositiveBigIntegerField(_("template version"))
    academic_year = models.PositiveSmallIntegerField(_("academic year (its first year)"))
    question_code = models.CharField(_("question code"), max_length=63)
    question_kind = models.CharField(_("question kind"), max_length=16)
    respondents = models.PositiveIntegerField(
        _("answers (empty: fewer than the minimum group size)"), null=True, blank=True
    )
    mean = models.FloatField(_("mean"), null=True, blank=True)
    # value → count; a value whose count is hidden maps to null; null: not published.
    distribution = models.JSONField(_("distribution"), null=True, blank=True)
    suppressed = models.BooleanField(_("suppressed (small group)"), default=False)
    min_group_size = models.PositiveSmallIntegerField(_("minimum group size applied"))
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        ordering = ["template_code", "academic_year", "question_code", "institution_id"]
        verbose_name = _("anonymous survey result")
        verbose_name_plural = _("anonymous survey results")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "template_version_id", "academic_year", "question_code"],
                name="survey_result_once",
            ),
            models.CheckConstraint(
                condition=models.Q(suppressed=True, respondents__isnull=True, mean__isnull=True)
                | models.Q(suppressed=False, respondents__gte=models.F("min_group_size")),
                name="survey_result_small_groups_hidden",
            ),
        ]
        indexes = [
            models.Index(fields=["template_code", "academic_year"], name="survey_result_template")
        ]

    def __str__(self) -> str:
        return f"{self.template_code}/{self.question_code} {self.academic_year}"
