"""Institutions (schools, colleges) are the tenants: each has its own PostgreSQL schema."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_tenants.models import DomainMixin, TenantMixin

from tenants.timezones import validate_time_zone


class Municipality(models.Model):
    """A municipal district or city district of the region."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    okato = models.CharField(_("OKATO code"), max_length=11, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.name


class InstitutionKind(models.TextChoices):
    SCHOOL = "school", _("School")
    COLLEGE = "college", _("College")
    ADDITIONAL = "additional", _("Additional education")


class InstitutionStatus(models.TextChoices):
    PROVISIONING = "provisioning", _("Provisioning")
    FAILED = "failed", _("Provisioning failed")
    ACTIVE = "active", pgettext_lazy("institution status", "Active")
    SUSPENDED = "suspended", _("Suspended")
    ARCHIVED = "archived", _("Archived")


# Statuses in which the institution's schema exists.
SCHEMA_STATUSES = (
    InstitutionStatus.ACTIVE,
    InstitutionStatus.SUSPENDED,
    InstitutionStatus.ARCHIVED,
)


class InstitutionQuerySet(models.QuerySet["Institution"]):
    def with_schema(self) -> InstitutionQuerySet:
        return self.filter(status__in=SCHEMA_STATUSES)


class Institution(TenantMixin):
    # The schema is created by the provisioning task, not on save().
    auto_create_schema = False
    auto_drop_schema = False

    slug = models.SlugField(_("address"), max_length=40, unique=True)
    name = models.CharField(_("full name"), max_length=500)
    short_name = models.CharField(_("short name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=InstitutionKind.choices)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="institutions",
        verbose_name=_("municipality"),
    )
    inn = models.CharField(_("INN"), max_length=12, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=InstitutionStatus.choices,
        default=InstitutionStatus.PROVISIONING,
    )
    status_reason = models.TextField(_("status reason"), blank=True)
    # Contact of the first coordinator; the invitation goes there once the schema is ready.
    coordinator_email = models.EmailField(_("coordinator e-mail"), blank=True)
    coordinator_name = models.CharField(_("coordinator name"), max_length=300, blank=True)
    # Its local time: pages, documents, e-mails, exports and tasks show times in it.
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=settings.TIME_ZONE,
        validators=[validate_time_zone],
    )
    provisioning_attempts = models.PositiveSmallIntegerField(default=0)
    provisioning_error = models.TextField(blank=True)
    provisioned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        ordering = ["short_name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        constraints = [
            models.UniqueConstraint(
                fields=["inn"], condition=~models.Q(inn=""), name="institution_inn_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def host(self) -> str:
        return f"{self.slug}.{settings.BASE_DOMAIN}"


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class OnboardingApplication(models.Model):
    """A school's application to join the platform, approved or rejected by regional staff."""

    name = models.CharField(_("full name"), max_length=500)
    short_name = models.CharField(_("short name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=InstitutionKind.choices)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    inn = models.CharField(_("INN"), max_length=12, blank=True)
    desired_slug = models.SlugField(_("desired address"), max_length=40)
    applicant_name = models.CharField(_("applicant"), max_length=300)
    applicant_email = models.EmailField(_("applicant e-mail"))
    applicant_phone = models.CharField(_("applicant phone"), max_length=40, blank=True)
    status = models.CharField(
        max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.PENDING
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    institution = models.OneToOneField(
        Institution, null=True, blank=True, on_delete=models.SET_NULL, related_name="application"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("onboarding application")
        verbose_name_plural = _("onboarding applications")

    def __str__(self) -> str:
        return self.short_name


class PublicAuditAction(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    STATUS = "status", _("Status changed")
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    CANCEL = "cancel", _("Cancel")
    END = "end", _("End")
    PUBLISH = "publish", _("Publish")
    RETIRE = "retire", _("Retire")
    CLOSE = "close", _("Close")
    IMPORT = "import", _("Import")


class PublicAuditEntry(models.Model):
    """One write in the public schema (the regional layer): who, what, to which object, when.

    The same shape as a tenant's log (``schools.audit``, ``config.audit``): the changed fields
    and the new values of structured, non-personal fields only. ``object_repr`` names the
    object for people reading the log and holds no personal data (an institution's or
    employer's name, a template's code, a placement's number)."""

    # No database constraint: the log outlives a deleted account (then ``actor`` reads None and
    # ``actor_label`` still says who it was); ids are never reused.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    # Who acted, as the log shows them: a public user's login, or for a user of an
    # institution (acting from its host) their role and institution.
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=PublicAuditAction.choices)
    model_label = models.CharField(_("model"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    changed_fields = ArrayField(
        models.CharField(max_length=100), verbose_name=_("changed fields"), default=list
    )
    values = models.JSONField(_("new values of non-sensitive fields"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["model_label", "object_id"], name="public_audit_object"),
            models.Index(fields=["actor", "-created_at"], name="public_audit_actor"),
        ]
        verbose_name = _("regional audit entry")
        verbose_name_plural = _("regional audit log")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.model_label}#{self.object_id}"


class MunicipalAccess(models.Model):
    """A user of a municipal education department and the municipality they oversee: they see
    its institutions (the list, their pages, indicators, laggards, reports, applications) and
    no other municipality's. Granted to an invitation (the account it becomes is the user) or
    to an existing account."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="officers",
        verbose_name=_("municipality"),
    )
    invitation = models.OneToOneField(
        "accounts.Invitation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["municipality", "pk"]
        verbose_name = _("municipal access")
        verbose_name_plural = _("municipal access")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(invitation__isnull=False) | models.Q(user__isnull=False),
                name="municipal_access_has_holder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} #{self.pk}"


class InstitutionImport(models.Model):
    """Institutions created from one XLSX file: their provisioning is followed on the import's
    page (how many are ready, how many coordinators invited)."""

    file_name = models.CharField(_("file"), max_length=255)
    institution_ids = ArrayField(models.PositiveIntegerField(), verbose_name=_("institutions"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("institutions import")
        verbose_name_plural = _("institutions imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({len(self.institution_ids)})"
