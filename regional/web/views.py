"""Pages of the regional layer. Thin: reads through selectors, writes through services."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Role
from config.pages import REGIONAL, add_service_errors, role_required
from regional.web.forms import InstitutionForm, RejectForm, StatusForm
from tenants import selectors, services
from tenants.models import Institution, InstitutionStatus, OnboardingApplication

REGIONAL_ADMIN = frozenset({Role.REGIONAL_ADMIN})
PUBLIC_ROLES = REGIONAL | {Role.EMPLOYER}
RUNNING = (InstitutionStatus.PROVISIONING,)


def page(roles: frozenset[str]) -> Any:
    return role_required(roles, scope="public")


@require_safe
@page(PUBLIC_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    if getattr(request.user, "role", None) == Role.EMPLOYER:
        return render(request, "regional/home_employer.html")
    institutions = selectors.institution_list()
    counts: dict[str, int] = {}
    for institution in institutions:
        counts[institution.status] = counts.get(institution.status, 0) + 1
    return render(
        request,
        "regional/institutions.html",
        {
            "institutions": institutions,
            "counts": counts,
            "pending": selectors.application_list().filter(status="pending").count(),
            "can_create": getattr(request.user, "role", None) == Role.REGIONAL_ADMIN,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@page(REGIONAL_ADMIN)
def institution_create(request: HttpRequest) -> HttpResponse:
    form = InstitutionForm(request.POST or None, domain=settings.BASE_DOMAIN)
    if request.method == "POST" and form.is_valid():
        try:
            institution = services.institution_create(**form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("regional:institution", pk=institution.pk)
    return render(
        request,
        "regional/institution_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _institution_or_404(pk: int) -> Institution:
    institution = selectors.institution_list().filter(pk=pk).first()
    if institution is None:
        raise Http404
    return institution


def _institution_context(institution: Institution) -> dict[str, Any]:
    return {
        "institution": institution,
        "transitions": sorted(services.LIFECYCLE_TRANSITIONS.get(institution.status, set())),
        "running": institution.status in RUNNING,
        "address": f"{settings.SITE_SCHEME}://{institution.host}"
        + (f":{settings.SITE_PORT}" if settings.SITE_PORT else ""),
    }


@require_safe
@page(REGIONAL)
def institution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    institution = _institution_or_404(pk)
    return _render_detail(request, institution, StatusForm())


def _render_detail(
    request: HttpRequest, institution: Institution, form: StatusForm, status: int = 200
) -> HttpResponse:
    context = _institution_context(institution)
    context["status_form"] = form
    context["can_manage"] = getattr(request.user, "role", None) == Role.REGIONAL_ADMIN
    entries = selectors.public_audit_list(
        model_label="tenants.institution", object_id=str(institution.pk)
    )[:20]
    statuses = dict(InstitutionStatus.choices)
    context["audit"] = [
        {"entry": e, "status": statuses.get(str(e.values.get("status", "")), "")} for e in entries
    ]
    return render(request, "regional/institution_detail.html", context, status=status)


@require_POST
@page(REGIONAL_ADMIN)
def institution_lifecycle(request: HttpRequest, pk: int) -> HttpResponse:
    """Suspend, archive or re-activate the institution (the regional administrator's
    decision, recorded in the audit log); a refused change is shown next to the field."""
    institution = _institution_or_404(pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.institution_set_status(
                institution=institution,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The status of the institution is changed."))
            return redirect("regional:institution", pk=institution.pk)
    return _render_detail(request, institution, form, status=400)


@require_safe
@page(REGIONAL)
def institution_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The provisioning status, polled by HTMX until the workspace is ready or failed."""
    context = _institution_context(_institution_or_404(pk))
    return render(request, "regional/institution_status.html", context)


@require_safe
@page(REGIONAL)
def applications(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "regional/applications.html",
        {"applications": selectors.application_list()[:100], "reject_form": RejectForm()},
    )


def _application_or_404(pk: int) -> OnboardingApplication:
    application = selectors.application_list().filter(pk=pk).first()
    if application is None:
        raise Http404
    return application


@require_POST
@page(REGIONAL)
def application_approve(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application_or_404(pk)
    try:
        application = services.application_approve(application=application, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("regional:applications")
    messages.success(request, _("Approved: the workspace is being prepared."))
    assert application.institution_id is not None
    return redirect("regional:institution", pk=application.institution_id)


@require_POST
@page(REGIONAL)
def application_reject(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application_or_404(pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.application_reject(
                application=application, reason=form.cleaned_data["reason"], actor=request.user
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The application is rejected; the applicant is told."))
    else:
        messages.error(request, _("Give the reason for rejection."))
    return redirect("regional:applications")
