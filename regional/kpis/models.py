"""The regional indicator catalogue, reporting periods, aggregation runs and the
per-institution snapshots they write (the region's minimum group size lives in
``regional.privacy``). Everything here is in the public schema and holds numbers only: no
foreign key into a tenant table, no person."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from regional.kpis.metrics import METRIC_KEYS


class IndicatorKind(models.TextChoices):
    SHARE = "share", _("Share, %")
    COUNT = "count", _("Count")
    AVERAGE = "average", _("Average")


class IndicatorGroup(models.TextChoices):
    FEDERAL = "federal", _("Federal target")
    OPERATIONAL = "operational", _("Operational")


def validate_metric_key(value: str) -> None:
    if value and value not in METRIC_KEYS:
        raise ValidationError(
            _("%(key)s is not a metric institutions report."), params={"key": value}
        )


class Indicator(models.Model):
    """An indicator: numerator / denominator over metric keys that institutions report.

    The region adds indicators in the admin over the existing keys (``metrics.METRIC_KEYS``).
    ``name`` is the Russian name (the federal model's wording), ``name_en`` its English name,
    shown when English is the page's language (``display_name``; blank: the Russian name).
    A *share* is 100 × numerator / denominator, an *average* numerator / denominator, a *count*
    the numerator alone (no denominator)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("name in English"), max_length=300, blank=True)
    definition = models.TextField(_("definition (who counts)"))
    group = models.CharField(
        _("group"),
        max_length=20,
        choices=IndicatorGroup.choices,
        default=IndicatorGroup.OPERATIONAL,
    )
    kind = models.CharField(_("kind"), max_length=10, choices=IndicatorKind.choices)
    numerator_key = models.CharField(
        _("numerator"), max_length=60, validators=[validate_metric_key]
    )
    denominator_key = models.CharField(
        _("denominator"), max_length=60, blank=True, validators=[validate_metric_key]
    )
    target_value = models.DecimalField(
        _("target"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    target_year = models.PositiveSmallIntegerField(_("target year"), null=True, blank=True)
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="count") | ~models.Q(denominator_key=""),
                name="indicator_ratio_has_denominator",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the active language: English when it is English and the indicator has
        an English name, else the Russian name."""
        language = get_language() or ""
        if self.name_en and language.split("-")[0] == "en":
            return self.name_en
        return self.name

    def clean(self) -> None:
        if self.kind != IndicatorKind.COUNT and not self.denominator_key:
            raise ValidationError(
                {"denominator_key": [_("A share or an average needs a denominator.")]}
            )


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Period(models.Model):
    """A reporting period (``2026-11`` or ``2026-11-15``). While open, every aggregation run
    replaces its institutions' snapshots (the latest run is the draft); once regional staff
    close it, its snapshots never change again."""

    code = models.CharField(_("period"), max_length=10, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.OPEN
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by_id = models.PositiveIntegerField(_("closed by (user id)"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open", closed_at__isnull=True)
                | models.Q(status="closed", closed_at__isnull=False),
                name="period_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_closed(self) -> bool:
        return self.status == PeriodStatus.CLOSED


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    FINISHED_WITH_ERRORS = "finished_with_errors", _("Finished with errors")


class AggregationRun(models.Model):
    """One aggregation across the region for a period (``2026-11`` or ``2026-11-15``)."""

    period = models.CharField(_("period"), max_length=10)
    status = models.CharField(
        _("status"), max_length=24, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    institutions_total = models.PositiveIntegerField(_("institutions"), default=0)
    ok_count = models.PositiveIntegerField(_("succeeded"), default=0)
    failed_count = models.PositiveIntegerField(_("failed"), default=0)
    requested_by_id = models.PositiveIntegerField(_("requested by (user id)"), null=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("aggregation run")
        verbose_name_plural = _("aggregation runs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    ok_count__lte=models.F("institutions_total") - models.F("failed_count")
                ),
                name="aggregation_run_counts_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} #{self.pk}"


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    OK = "ok", _("Done")
    FAILED = "failed", _("Failed")


class AggregationItem(models.Model):
    """One institution within a run: its progress, attempts and last error (the exception's
    class only: messages may quote data)."""

    run = models.ForeignKey(AggregationRun, on_delete=models.CASCADE, related_name="items")
    institution = models.ForeignKey(
        "tenants.Institution", on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("error"), max_length=200, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["run", "institution_id"]
        verbose_name = _("aggregation item")
        verbose_name_plural = _("aggregation items")
        constraints = [
            models.UniqueConstraint(fields=["run", "institution"], name="aggregation_item_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.run} {self.institution_id} {self.status}"


class InstitutionSnapshot(models.Model):
    """The metrics one institution reported for a period: replaced by every run while the
    period is open (``recorded_at`` moves), never changed once it is closed."""

    period = models.CharField(_("period"), max_length=10)
    institution = models.ForeignKey(
        "tenants.Institution",
        on_delete=models.PROTECT,
        related_name="kpi_snapshots",
        verbose_name=_("institution"),
    )
    run = models.ForeignKey(
        AggregationRun, on_delete=models.SET_NULL, null=True, related_name="snapshots"
    )
    academic_year = models.PositiveSmallIntegerField(_("academic year"))
    values = models.JSONField(_("metrics"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["period", "institution_id"]
        verbose_name = _("institution snapshot")
        verbose_name_plural = _("institution snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "institution"], name="institution_snapshot_once_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.institution_id}"
