"""Generation jobs: a set of documents (all consent forms of a study group, all thank-you
letters of a programme…) built by a worker into one ZIP file in the institution's own media
folder (TenantFileSystemStorage), with its progress."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from config.fields import NonNegativeIntegerField, NonNegativeSmallIntegerField, non_negative


class JobKind(models.TextChoices):
    CONSENT_FORMS = "consent_forms", _("Consent forms")
    THANK_YOU_LETTERS = "thank_you_letters", _("Thank-you letters")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Generating")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


ACTIVE_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)


class DocumentJob(models.Model):
    """One bulk generation. ``item_ids`` are fixed when the job is made (the participants or
    pairs the caller could see then), so running it again builds the same set."""

    kind = models.CharField(_("kind"), max_length=32, choices=JobKind.choices)
    title = models.CharField(_("title"), max_length=200)
    item_ids = models.JSONField(_("items"), default=list)
    options = models.JSONField(_("options"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = NonNegativeSmallIntegerField(_("progress, %"), default=0)
    done_count = NonNegativeIntegerField(_("documents ready"), default=0)
    file = models.FileField(_("file"), upload_to="documents/%Y/%m/", max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("document generation")
        verbose_name_plural = _("document generations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="document_job_progress_lte_100"
            ),
            *non_negative("progress", "done_count"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.status})"

    @property
    def total(self) -> int:
        return len(self.item_ids)


class OrderKind(models.TextChoices):
    """The orders (приказы) the programme's year needs, prepared by the coordinator and
    approved (signed) by the director."""

    INTRODUCTION = "introduction", _("On introducing the target model of mentoring")
    APPOINTMENT = "appointment", _("On appointing the coordinator and curators")
    PROGRAMME_APPROVAL = "programme_approval", _("On approving the programme and the roadmap")
    PAIRS_APPROVAL = "pairs_approval", _("On approving mentoring pairs and groups")


# The orders of stage 1: one approved order of each kind per programme.
STAGE_ONE_ORDERS = (
    OrderKind.INTRODUCTION,
    OrderKind.APPOINTMENT,
    OrderKind.PROGRAMME_APPROVAL,
)


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Awaiting the director's approval")
    APPROVED = "approved", _("Approved by the director")


class Order(models.Model):
    """An order of the programme: a draft the coordinator prepares (its document is made from
    the current data on every download) until the director approves it; then its number and
    date are fixed and the document signed is kept as a file in the institution's storage.
    An order approving pairs names the pairs it approves."""

    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=OrderKind.choices)
    number = models.CharField(_("number"), max_length=32, blank=True)
    dated = models.DateField(_("date of the order"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.DRAFT
    )
    pairs = models.ManyToManyField(
        "pairs.Pair", verbose_name=_("pairs and groups"), blank=True, related_name="+"
    )
    file = models.FileField(_("signed document"), upload_to="orders/%Y/", blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prepared by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    prepared_at = models.DateTimeField(_("prepared at"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        ordering = ["programme", "-prepared_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "kind"],
                condition=models.Q(kind__in=["introduction", "appointment", "programme_approval"]),
                name="order_stage_one_once_per_programme",
                violation_error_message=_("The programme already has this order."),
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft", approved_at__isnull=True)
                | (
                    models.Q(status="approved", approved_at__isnull=False, dated__isnull=False)
                    & ~models.Q(number="")
                ),
                name="order_approved_has_number_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} № {self.number or '—'}"
