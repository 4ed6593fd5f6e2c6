"""Writes on institutions: creation, provisioning, lifecycle, onboarding applications."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context, schema_exists

from accounts.actor import Actor, author_id, role_of
from accounts.api import invitation_create
from accounts.models import Role
from config.tasks import enqueue_on_commit
from config.validators import is_valid_inn
from tenants import access as institutions_access
from tenants import citus, schemas
from tenants.audit import public_audit_record
from tenants.models import (
    ApplicationStatus,
    Domain,
    Institution,
    InstitutionImport,
    InstitutionKind,
    InstitutionStatus,
    MunicipalAccess,
    Municipality,
    OnboardingApplication,
    PublicAuditAction,
)

logger = logging.getLogger(__name__)

# Which status may follow which, for the lifecycle actions regional staff take.
LIFECYCLE_TRANSITIONS: dict[str, set[str]] = {
    InstitutionStatus.ACTIVE: {InstitutionStatus.SUSPENDED, InstitutionStatus.ARCHIVED},
    InstitutionStatus.SUSPENDED: {InstitutionStatus.ACTIVE, InstitutionStatus.ARCHIVED},
    InstitutionStatus.ARCHIVED: {InstitutionStatus.ACTIVE},
}


# Provisioning runs as the system (its invitation of the coordinator included).
PROVISIONING_ACTOR = Actor.system("tenants.provisioning")


def validate_institution_fields(
    *,
    slug: str | None,
    kind: str,
    municipality_id: Any,
    inn: str,
    exclude_application: int | None = None,
) -> Municipality:
    errors: dict[str, list[str]] = {}
    if slug is not None:
        problem = schemas.slug_problem(slug)
        if problem == "format":
            errors["slug"] = [
                _(
                    "Use 3–40 lowercase Latin letters, digits and single hyphens, "
                    "starting with a letter."
                )
            ]
        elif problem in ("reserved", "keyword"):
            errors["slug"] = [_("This address is reserved; choose another.")]
        elif (
            Institution.objects.filter(slug__iexact=slug).exists()
            or Institution.objects.filter(
                schema_name__iexact=schemas.schema_name_for_slug(slug)
            ).exists()
        ):
            errors["slug"] = [_("An institution with this address already exists.")]
    if kind not in InstitutionKind.values:
        errors["kind"] = [_("Unknown kind of institution.")]
    if inn:
        if not is_valid_inn(inn):
            errors["inn"] = [_("INN must be 10 or 12 digits with correct check digits.")]
        elif Institution.objects.filter(inn=inn).exists():
            errors["inn"] = [_("An institution with this INN is already registered.")]
    municipality = (
        Municipality.objects.filter(pk=municipality_id).first()
        if str(municipality_id).isdigit()
        else None
    )
    if municipality is None:
        errors["municipality"] = [_("Unknown municipality.")]
    if errors:
        raise ValidationError(errors)
    assert municipality is not None
    return municipality


@transaction.atomic
def institution_create(
    *,
    name: str,
    short_name: str,
    kind: str,
    municipality_id: int,
    slug: str,
    inn: str = "",
    coordinator_email: str,
    coordinator_name: str = "",
    actor: Actor,
) -> Institution:
    """Register an institution and start provisioning its schema in the background (the
    regional administrator: ``tenants.access``)."""
    institutions_access.check_institutions_manage(actor)
    return _institution_create(
        name=name,
        short_name=short_name,
        kind=kind,
        municipality_id=municipality_id,
        slug=slug,
        inn=inn,
        coordinator_email=coordinator_email,
        coordinator_name=coordinator_name,
        actor=actor,
    )


def _institution_create(
    *,
    name: str,
    short_name: str,
    kind: str,
    municipality_id: int,
    slug: str,
    inn: str,
    coordinator_email: str,
    coordinator_name: str,
    actor: Actor,
) -> Institution:
    slug = slug.strip().lower()
    municipality = validate_institution_fields(
        slug=slug, kind=kind, municipality_id=municipality_id, inn=inn
    )
    institution = Institution(
        slug=slug,
        schema_name=schemas.schema_name_for_slug(slug),
        name=name.strip(),
        short_name=short_name.strip(),
        kind=kind,
        municipality=municipality,
        inn=inn,
        coordinator_email=coordinator_email,
        coordinator_name=coordinator_name,
        status=InstitutionStatus.PROVISIONING,
    )
    institution.full_clean(exclude=["schema_name"])
    institution.save()
    Domain.objects.create(domain=institution.host, tenant=institution, is_primary=True)
    public_audit_record(
        actor=actor,
        action=PublicAuditAction.CREATE,
        instance=institution,
        changed_fields=["slug", "name", "short_name", "kind", "municipality", "inn", "status"],
        label=institution.short_name,
    )
    _enqueue_provisioning(institution)
    return institution


def _enqueue_provisioning(institution: Institution) -> None:
    from tenants.tasks import provision_institution

    enqueue_on_commit(provision_institution, schema_name="public", institution_id=institution.pk)


def institution_provision(*, institution_id: int) -> Institution | None:
    """Create the institution's schema by cloning the template, and invite its coordinator.

    Idempotent: an institution that is already provisioned (or gone) is left as it is. All of
    it happens in one transaction, so a failure leaves no schema behind and can be retried."""
    schemas.sync_template_schema()
    try:
        with transaction.atomic():
            institution = Institution.objects.select_for_update().filter(pk=institution_id).first()
            if institution is None:  # deleted before its provisioning ran: nothing to do
                return None
            if institution.status not in (InstitutionStatus.PROVISIONING, InstitutionStatus.FAILED):
                return institution
            institution.provisioning_attempts += 1
            # One clone at a time: the clone function is (re)installed on every call.
            schemas.lock_template_for_transaction()
            if not schema_exists(institution.schema_name):
                schemas.clone_from_template(institution.schema_name)
                if citus.citus_enabled():
                    # Same transaction: a failure later leaves nothing on any node.
                    citus.distribute_schema(institution.schema_name)
            if institution.coordinator_email:
                # The invitation lives in the new schema; its e-mail goes out after commit.
                with schema_context(institution.schema_name):
                    first, last, middle = _split_name(institution.coordinator_name)
                    invitation_create(
                        actor=PROVISIONING_ACTOR,
                        email=institution.coordinator_email,
                        role=Role.COORDINATOR,
                        first_name=first,
                        last_name=last,
                        middle_name=middle,
                    )
            institution.status = InstitutionStatus.ACTIVE
            institution.provisioning_error = ""
            institution.provisioned_at = timezone.now()
            institution.save()
            public_audit_record(
                actor=None,
                action=PublicAuditAction.STATUS,
                instance=institution,
                changed_fields=["status"],
                label=institution.short_name,
            )
            return institution
    except Exception as exc:
        logger.exception("Provisioning of institution %s failed", institution_id)
        Institution.objects.filter(
            pk=institution_id,
            status__in=(InstitutionStatus.PROVISIONING, InstitutionStatus.FAILED),
        ).update(
            status=InstitutionStatus.FAILED,
            provisioning_attempts=F("provisioning_attempts") + 1,
            provisioning_error=f"{exc.__class__.__name__}: {exc}"[:2000],
        )
        raise


def _split_name(full_name: str) -> tuple[str, str, str]:
    """ФИО in one string -> (first, last, middle): Russian order is last, first, middle."""
    parts = full_name.split()
    last = parts[0] if parts else ""
    first = parts[1] if len(parts) > 1 else ""
    middle = " ".join(parts[2:])
    return first, last, middle


@transaction.atomic
def institution_retry_provisioning(*, institution: Institution, actor: Actor) -> Institution:
    institutions_access.check_institutions_manage(actor)
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    if institution.status not in (InstitutionStatus.FAILED, InstitutionStatus.PROVISIONING):
        raise ValidationError({"status": [_("Only a failed provisioning can be retried.")]})
    institution.status = InstitutionStatus.PROVISIONING
    institution.save(update_fields=["status", "updated_at"])
    public_audit_record(
        actor=actor,
        action=PublicAuditAction.STATUS,
        instance=institution,
        changed_fields=["status"],
        label=institution.short_name,
    )
    _enqueue_provisioning(institution)
    return institution


@transaction.atomic
def institution_set_status(
    *, institution: Institution, status: str, reason: str = "", actor: Actor
) -> Institution:
    """Suspend (blocks all logins), archive (read-only) or re-activate an institution."""
    institutions_access.check_institutions_manage(actor)
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    allowed = LIFECYCLE_TRANSITIONS.get(institution.status, set())
    if status not in allowed:
        raise ValidationError(
            {
                "status": [
                    _("Cannot change status from %(old)s to %(new)s.")
                    % {"old": institution.status, "new": status}
                ]
            }
        )
    institution.status = status
    institution.status_reason = reason
    institution.save(update_fields=["status", "status_reason", "updated_at"])
    public_audit_record(
        actor=actor,
        action=PublicAuditAction.STATUS,
        instance=institution,
        changed_fields=["status", "status_reason"],
        label=institution.short_name,
    )
    return institution


# --- onboarding applications -----------------------------------------------------------------


@transaction.atomic
def application_submit(
    *,
    name: str,
    short_name: str,
    kind: str,
    municipality_id: int,
    desired_slug: str,
    applicant_name: str,
    applicant_email: str,
    inn: str = "",
    applicant_phone: str = "",
) -> OnboardingApplication:
    desired_slug = desired_slug.strip().lower()
    municipality = validate_institution_fields(
        slug=desired_slug, kind=kind, municipality_id=municipality_id, inn=inn
    )
    if OnboardingApplication.objects.filter(
        desired_slug=desired_slug, status=ApplicationStatus.PENDING
    ).exists():
        raise ValidationError(
            {"desired_slug": [_("An application for this address is already pending.")]}
        )
    application = OnboardingApplication.objects.create(
        name=name.strip(),
        short_name=short_name.strip(),
        kind=kind,
        municipality=municipality,
        inn=inn,
        desired_slug=desired_slug,
        applicant_name=applicant_name.strip(),
        applicant_email=applicant_email,
        applicant_phone=applicant_phone,
    )
    public_audit_record(
        actor=None,
        action=PublicAuditAction.CREATE,
        instance=application,
        changed_fields=["name", "short_name", "kind", "municipality", "inn", "desired_slug"],
        label=application.short_name,
    )
    return application


def _locked_pending(application: OnboardingApplication) -> OnboardingApplication:
    application = OnboardingApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.PENDING:
        raise ValidationError({"status": [_("This application has already been decided.")]})
    return application


@transaction.atomic
def application_approve(
    *, application: OnboardingApplication, slug: str | None = None, actor: Actor
) -> OnboardingApplication:
    """Approve: the institution is created and provisioned; the applicant becomes its
    coordinator through an invitation link."""
    institutions_access.check_applications_decide(actor)
    application = _locked_pending(application)
    institution = _institution_create(
        name=application.name,
        short_name=application.short_name,
        kind=application.kind,
        municipality_id=application.municipality_id,
        slug=slug or application.desired_slug,
        inn=application.inn,
        coordinator_email=application.applicant_email,
        coordinator_name=application.applicant_name,
        actor=actor,
    )
    application.status = ApplicationStatus.APPROVED
    application.institution = institution
    application.decided_at = timezone.now()
    application.save()
    public_audit_record(
        actor=actor,
        action=PublicAuditAction.APPROVE,
        instance=application,
        changed_fields=["status", "institution"],
        label=application.short_name,
    )
    _notify_applicant(application, "approved")
    return application


@transaction.atomic
def application_reject(
    *, application: OnboardingApplication, reason: str, actor: Actor
) -> OnboardingApplication:
    institutions_access.check_applications_decide(actor)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for rejection.")]})
    application = _locked_pending(application)
    application.status = ApplicationStatus.REJECTED
    application.rejection_reason = reason.strip()
    application.decided_at = timezone.now()
    application.save()
    public_audit_record(
        actor=actor,
        action=PublicAuditAction.REJECT,
        instance=application,
        changed_fields=["status", "rejection_reason"],
        label=application.short_name,
    )
    _notify_applicant(application, "rejected")
    return application


def _notify_applicant(application: OnboardingApplication, outcome: str) -> None:
    context = {"application": application, "centre": settings.REGIONAL_CENTRE_NAME}
    subject = (
        _("Your application to Nastavnik is approved")
        if outcome == "approved"
        else _("Your application to Nastavnik is rejected")
    )
    message = render_to_string(f"tenants/email/application_{outcome}.txt", context)
    email = application.applicant_email
    transaction.on_commit(
        lambda: send_mail(subject=subject, message=message, from_email=None, recipient_list=[email])
    )


# --- municipal education departments ---------------------------------------------------------


@transaction.atomic
def municipal_officer_invite(
    *,
    municipality_id: int,
    email: str,
    last_name: str = "",
    first_name: str = "",
    middle_name: str = "",
    actor: Actor,
) -> MunicipalAccess:
    """Invite a user of a municipal education department (role ``municipal``) to the regional
    layer, scoped to ``municipality_id``: the account made from the invitation sees that
    municipality's institutions only."""
    institutions_access.check_institutions_manage(actor)
    municipality = Municipality.objects.filter(pk=municipality_id).first()
    if municipality is None:
        raise ValidationError({"municipality": [_("Unknown municipality.")]})
    invitation_id = invitation_create(
        actor=actor,
        email=email.strip(),
        role=Role.MUNICIPAL,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        middle_name=middle_name.strip(),
    )
    access = MunicipalAccess.objects.create(municipality=municipality, invitation_id=invitation_id)
    public_audit_record(
        actor=actor,
        action=PublicAuditAction.CREATE,
        instance=access,
        changed_fields=["municipality"],
        label=municipality.name,
    )
    return access


@transaction.atomic
def municipal_access_grant(*, user: Any, municipality_id: int, actor: Actor) -> MunicipalAccess:
    """Scope an existing public account with the role ``municipal`` to a municipality (one per
    account: a second grant moves it)."""
    institutions_access.check_institutions_manage(actor)
    if role_of(user) != Role.MUNICIPAL:
        raise ValidationError({"user": [_("Only a municipal user can be given a municipality.")]})
    municipality = Municipality.objects.filter(pk=municipality_id).first()
    if municipality is None:
        raise ValidationError({"municipality": [_("Unknown municipality.")]})
    access, created = MunicipalAccess.objects.update_or_create(
        user=user, defaults={"municipality": municipality}
    )
    public_audit_record(
        actor=actor,
        action=PublicAuditAction.CREATE if created else PublicAuditAction.UPDATE,
        instance=access,
        changed_fields=["municipality"],
        label=municipality.name,
    )
    return access


@transaction.atomic
def municipal_access_revoke(*, access: MunicipalAccess, actor: Actor) -> None:
    """Withdraw the access (the account, if any, then sees nothing)."""
    institutions_access.check_institutions_manage(actor)
    public_audit_record(
        actor=actor,
        action=PublicAuditAction.DELETE,
        instance=access,
        changed_fields=["municipality"],
        label=access.municipality.name,
    )
    access.delete()


# --- institutions from a spreadsheet ----------------------------------------------------------


@transaction.atomic
def institutions_import(
    *, rows: list[dict[str, Any]], file_name: str, actor: Actor
) -> InstitutionImport:
    """Create every institution of a checked file (``tenants.importing.plan_import``) at once:
    a row refused now (another import took its address meanwhile) refuses the whole file.
    Each is provisioned in the background and its coordinator invited when it is ready."""
    institutions_access.check_institutions_manage(actor)
    if not rows:
        raise ValidationError({"file": [_("The file has no institutions to create.")]})
    created = [institution_create(**row, actor=actor) for row in rows]
    batch = InstitutionImport.objects.create(
        file_name=file_name[:255],
        institution_ids=[institution.pk for institution in created],
        created_by_id=author_id(actor),
    )
    public_audit_record(
        actor=actor,
        action=PublicAuditAction.IMPORT,
        instance=batch,
        changed_fields=["institution_ids"],
        label=f"{batch.file_name}: {len(created)}",
    )
    return batch
