"""The institution's mentoring programme, one per academic year."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


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
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class Programme(models.Model):
    academic_year = models.PositiveSmallIntegerField(
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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-academic_year"]
        verbose_name = _("mentoring programme")
        verbose_name_plural = _("mentoring programmes")

    def __str__(self) -> str:
        return f"{self.title} ({self.academic_year}/{self.academic_year + 1})"
