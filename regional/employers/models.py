"""Employers that offer their specialists as mentors region-wide (public schema).

Everything here lives in the public schema: employers, their mentor offers, institutions'
requests for a mentor and the placements that hold a mentor's capacity. Nothing points into a
tenant table and nothing names a learner: a request records only the requesting user's id and
role inside the institution, a placement only how many mentees it covers."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.validators import validate_inn
from regional.employers.mentoring_forms import MENTORING_FORM_CHOICES


class Employer(models.Model):
    name = models.CharField(_("name"), max_length=500)
    inn = models.CharField(_("INN"), max_length=12, unique=True, validators=[validate_inn])
    sector = models.CharField(_("sector"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="employers",
        verbose_name=_("users"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("employer")
        verbose_name_plural = _("employers")

    def __str__(self) -> str:
        return self.name


class MentorStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")


class EmployerMentor(models.Model):
    """A specialist an employer offers as a mentor, with a capacity in mentees region-wide.

    ``capacity_used`` is changed only by conditional UPDATEs in ``services`` (never read,
    modified and saved); the CHECK constraints below are the last line against overbooking."""

    employer = models.ForeignKey(
        Employer, on_delete=models.PROTECT, related_name="mentors", verbose_name=_("employer")
    )
    last_name = models.CharField(_("last name"), max_length=150)
    first_name = models.CharField(_("first name"), max_length=150)
    middle_name = models.CharField(_("patronymic"), max_length=150, blank=True)
    position = models.CharField(_("position"), max_length=300)
    bio = models.TextField(_("short bio"), max_length=2000, blank=True)
    competences = ArrayField(
        models.CharField(max_length=100),
        default=list,
        blank=True,
        verbose_name=_("competences"),
    )
    forms = ArrayField(
        models.CharField(max_length=32, choices=MENTORING_FORM_CHOICES),
        default=list,
        verbose_name=_("forms of mentoring"),
    )
    municipalities = models.ManyToManyField(
        "tenants.Municipality",
        blank=True,
        related_name="employer_mentors",
        verbose_name=_("municipalities reached"),
    )
    remote = models.BooleanField(_("works remotely"), default=False)
    capacity = models.PositiveIntegerField(_("capacity (mentees)"))
    capacity_used = models.PositiveIntegerField(_("capacity used"), default=0, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=MentorStatus.choices, default=MentorStatus.ACTIVE
    )
    available_from = models.DateField(_("available from"), null=True, blank=True)
    available_to = models.DateField(_("available to"), null=True, blank=True)
    contact_email = models.EmailField(_("contact e-mail"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        verbose_name = _("employer mentor")
        verbose_name_plural = _("employer mentors")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="employer_mentor_capacity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(capacity_used__gte=0),
                name="employer_mentor_capacity_used_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity_used__lte=models.F("capacity")),
                name="employer_mentor_capacity_not_overbooked",
            ),
            models.CheckConstraint(
                condition=models.Q(available_from__isnull=True)
                | models.Q(available_to__isnull=True)
                | models.Q(available_from__lte=models.F("available_to")),
                name="employer_mentor_availability_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def capacity_free(self) -> int:
        return self.capacity - self.capacity_used


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


def _level_label(kind: str, n: int) -> str:
    text = gettext("grade %(n)s") if kind == "grade" else gettext("course %(n)s")
    return text % {"n": n}


_lazy_level = lazy(_level_label, str)

# Who the mentees are, as an institution says it without naming anybody: a school grade, a
# college course, or young teachers.
LEVEL_CHOICES = [
    *((f"grade-{n}", _lazy_level("grade", n)) for n in range(1, 12)),
    *((f"course-{n}", _lazy_level("course", n)) for n in range(1, 5)),
    ("young-teachers", _("young teachers")),
]


class MentorRequest(models.Model):
    """An institution asks for an employer's mentor. Created from the institution's host,
    stored here; the requesting user is recorded as an id and a role inside that institution.

    What the mentees need is structured — the form, their grade or course, a need from the
    institution's catalogue, how many — and no free text: a typed topic could name a pupil
    («для ученицы … 7Б»), and nothing here may. ``topic`` is the label made from them."""

    institution = models.ForeignKey(
        "tenants.Institution",
        on_delete=models.PROTECT,
        related_name="mentor_requests",
        verbose_name=_("institution"),
    )
    employer_mentor = models.ForeignKey(
        EmployerMentor,
        on_delete=models.PROTECT,
        related_name="requests",
        verbose_name=_("employer mentor"),
    )
    form = models.CharField(_("form of mentoring"), max_length=32, choices=MENTORING_FORM_CHOICES)
    mentees_count = models.PositiveIntegerField(_("number of mentees"))
    level = models.CharField(_("grade or course"), max_length=20, choices=LEVEL_CHOICES, blank=True)
    need_code = models.SlugField(_("need (code)"), max_length=50, blank=True)
    need_name = models.CharField(_("need"), max_length=200, blank=True)
    topic = models.CharField(_("topic"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    requested_by_id = models.PositiveIntegerField(_("requested by (user id in the institution)"))
    requested_by_role = models.CharField(_("requested by (role)"), max_length=32)
    decided_by_id = models.PositiveIntegerField(_("decided by (regional user id)"), null=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("mentor request")
        verbose_name_plural = _("mentor requests")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mentees_count__gte=1), name="mentor_request_mentees_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}: {self.topic}"


class PlacementStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled")


class Placement(models.Model):
    """An approved request: the mentor works with the institution and holds
    ``mentees_count`` of the mentor's capacity while active."""

    request = models.OneToOneField(
        MentorRequest,
        on_delete=models.PROTECT,
        related_name="placement",
        verbose_name=_("request"),
    )
    employer_mentor = models.ForeignKey(
        EmployerMentor,
        on_delete=models.PROTECT,
        related_name="placements",
        verbose_name=_("employer mentor"),
    )
    institution = models.ForeignKey(
        "tenants.Institution",
        on_delete=models.PROTECT,
        related_name="employer_placements",
        verbose_name=_("institution"),
    )
    mentees_count = models.PositiveIntegerField(_("number of mentees"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=PlacementStatus.choices,
        default=PlacementStatus.ACTIVE,
    )
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    # Set by the tenant task once the mentor's invitation exists in the institution's schema.
    tenant_account_created_at = models.DateTimeField(
        _("account created in the institution"), null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_on", "-pk"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mentees_count__gte=1), name="placement_mentees_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer_mentor} → {self.institution}"
