"""Pages of the regional layer. Thin: reads through selectors, writes through services."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.actor import actor_of
from accounts.models import Role
from accounts.security import client_ip
from config import spreadsheets
from config.links import site_url
from config.pages import REGIONAL, ObjectPage, add_service_errors, is_public, role_required
from regional.kpis import selectors as kpi_selectors
from regional.web import views_kpis
from regional.web.forms import (
    ApplicationForm,
    InstitutionFilterForm,
    InstitutionForm,
    InstitutionImportForm,
    MunicipalOfficerForm,
    RejectForm,
    StatusForm,
)
from tenants import access as institutions_access
from tenants import importing, selectors, services
from tenants.models import Institution, InstitutionStatus, OnboardingApplication

REGIONAL_ADMIN = frozenset({Role.REGIONAL_ADMIN})
# Who oversees institutions: regional staff (the region) and municipal education departments
# (their municipality, ``selectors.user_scope``).
OVERSEERS = REGIONAL | {Role.MUNICIPAL}
PUBLIC_ROLES = OVERSEERS | {Role.EMPLOYER}
RUNNING = (InstitutionStatus.PROVISIONING,)
PAGE_SIZE = 50


def page(roles: frozenset[str]) -> Any:
    return role_required(roles, scope="public")


@require_safe
@page(PUBLIC_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    """The institutions the user oversees: search, filters (municipality, kind, status,
    stage) and pages of 50; each row with its status and its stage progress."""
    if getattr(request.user, "role", None) == Role.EMPLOYER:
        return render(request, "regional/home_employer.html")
    scope = selectors.user_scope(request.user)
    municipalities = [(m.pk, m.name) for m in scope.filter(selectors.municipality_list(), "pk")]
    form = InstitutionFilterForm(request.GET or None, municipalities=municipalities)
    institutions = kpi_selectors.with_stages_done(scope.filter(selectors.institution_list()))
    status = 200
    query = ""
    if form.is_bound and form.is_valid():
        institutions = institution_filter(institutions, form.cleaned_data)
        query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    elif form.is_bound:
        institutions, status = institutions.none(), 400
    page_obj = Paginator(institutions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "regional/institutions.html",
        {
            "form": form,
            "page_obj": page_obj,
            "query": query,
            "stages_total": kpi_selectors.STAGES_TOTAL,
            "show_municipality": len(municipalities) > 1,
            "pending": scope.filter(selectors.application_list()).filter(status="pending").count(),
            "can_create": institutions_access.may_manage_institutions(actor_of(request)),
        },
        status=status,
    )


def institution_filter(institutions: QuerySet[Any], data: dict[str, Any]) -> QuerySet[Any]:
    """The list narrowed by the filter form's cleaned data."""
    if data.get("q"):
        q = data["q"]
        institutions = institutions.filter(
            Q(name__icontains=q) | Q(short_name__icontains=q) | Q(slug__icontains=q) | Q(inn=q)
        )
    if data.get("municipality"):
        institutions = institutions.filter(municipality_id=data["municipality"])
    if data.get("kind"):
        institutions = institutions.filter(kind=data["kind"])
    if data.get("status"):
        institutions = institutions.filter(status=data["status"])
    stage = data.get("stage")
    if stage == "none":
        institutions = institutions.filter(stages_done__isnull=True)
    elif stage:
        institutions = institutions.filter(stages_done=int(stage))
    return institutions


@require_http_methods(["GET", "HEAD", "POST"])
@page(REGIONAL_ADMIN)
def institution_create(request: HttpRequest) -> HttpResponse:
    form = InstitutionForm(request.POST or None, domain=settings.BASE_DOMAIN)
    if request.method == "POST" and form.is_valid():
        try:
            institution = services.institution_create(**form.cleaned_data, actor=actor_of(request))
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


class InstitutionPage(ObjectPage):
    """A page about one institution the visitor oversees (``tenants.access``: 404 for one
    outside its municipality; a change is the regional administrator's, 403 for others)."""

    roles = OVERSEERS
    host_scope = "public"
    access_by_id = staticmethod(institutions_access.access_institution_by_id)

    def object_queryset(self) -> QuerySet[Institution]:
        return selectors.institution_list()


def _institution_context(institution: Institution) -> dict[str, Any]:
    return {
        "institution": institution,
        "transitions": sorted(services.LIFECYCLE_TRANSITIONS.get(institution.status, set())),
        "running": institution.status in RUNNING,
        "address": site_url(institution.host),
    }


class InstitutionDetail(InstitutionPage):
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _render_detail(request, self.object, StatusForm())


def _render_detail(
    request: HttpRequest, institution: Institution, form: StatusForm, status: int = 200
) -> HttpResponse:
    context = _institution_context(institution)
    context["status_form"] = form
    context["can_manage"] = institutions_access.may_manage_institutions(actor_of(request))
    context["stages"] = kpi_selectors.institution_stages(institution_id=institution.pk)
    history = kpi_selectors.institution_history(institution_id=institution.pk)
    context["history_columns"] = [i.display_name for i in history["indicators"]]
    context["history"] = [
        {
            "period": row["period"],
            "cells": [
                views_kpis.shown_value(cell, indicator.kind)
                for indicator, cell in zip(history["indicators"], row["cells"], strict=True)
            ],
        }
        for row in history["rows"]
    ]
    context["application"] = OnboardingApplication.objects.filter(
        institution_id=institution.pk
    ).first()
    entries = selectors.public_audit_list(
        model_label="tenants.institution", object_id=str(institution.pk)
    )[:20]
    statuses = dict(InstitutionStatus.choices)
    context["audit"] = [
        {"entry": e, "status": statuses.get(str(e.values.get("status", "")), "")} for e in entries
    ]
    return render(request, "regional/institution_detail.html", context, status=status)


class InstitutionLifecycle(InstitutionPage):
    """Suspend, archive or re-activate the institution (the regional administrator's
    decision, recorded in the audit log); a refused change is shown next to the field."""

    roles = REGIONAL_ADMIN
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        institution = self.object
        form = StatusForm(request.POST)
        if form.is_valid():
            try:
                services.institution_set_status(
                    institution=institution,
                    status=form.cleaned_data["status"],
                    reason=form.cleaned_data["reason"],
                    actor=self.actor,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The status of the institution is changed."))
                return redirect("regional:institution", pk=institution.pk)
        return _render_detail(request, institution, form, status=400)


class InstitutionStatusPage(InstitutionPage):
    """The provisioning status, polled by HTMX until the workspace is ready or failed."""

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        context = _institution_context(self.object)
        return render(request, "regional/institution_status.html", context)


@require_safe
@page(OVERSEERS)
def applications(request: HttpRequest) -> HttpResponse:
    """Applications to join (a municipal user: its municipality's, to read; the regional
    centre decides). Read through ``tenants.access``, as the decisions are."""
    actor = actor_of(request)
    return render(
        request,
        "regional/applications.html",
        {
            "applications": institutions_access.applications_visible_to(
                actor, selectors.application_list()
            )[:100],
            "reject_form": RejectForm(),
            "can_decide": institutions_access.may_decide_applications(actor),
        },
    )


class ApplicationPage(ObjectPage):
    """A decision on an application (``tenants.access``: the regional centre decides)."""

    roles = REGIONAL
    host_scope = "public"
    http_method_names = ["post"]
    access_by_id = staticmethod(institutions_access.access_application_by_id)

    def object_queryset(self) -> QuerySet[OnboardingApplication]:
        return selectors.application_list()


class ApplicationApprove(ApplicationPage):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            application = services.application_approve(application=self.object, actor=self.actor)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("regional:applications")
        messages.success(request, _("Approved: the workspace is being prepared."))
        assert application.institution_id is not None
        return redirect("regional:institution", pk=application.institution_id)


class ApplicationReject(ApplicationPage):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = RejectForm(request.POST)
        if form.is_valid():
            try:
                services.application_reject(
                    application=self.object, reason=form.cleaned_data["reason"], actor=self.actor
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("The application is rejected; the applicant is told."))
        else:
            messages.error(request, _("Give the reason for rejection."))
        return redirect("regional:applications")


# --- municipal education departments ----------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@page(REGIONAL_ADMIN)
def municipal_officers(request: HttpRequest) -> HttpResponse:
    """Municipalities with their departments' users; invite one (the link goes by e-mail; the
    account sees that municipality's institutions only)."""
    form = MunicipalOfficerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.municipal_officer_invite(
                municipality_id=data["municipality"],
                email=data["email"],
                last_name=data["last_name"],
                first_name=data["first_name"],
                middle_name=data["middle_name"],
                actor=actor_of(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The invitation is sent."))
            return redirect("regional:municipal-officers")
    municipalities = selectors.municipality_list().annotate(
        institutions_count=Count("institutions", distinct=True)
    )
    by_municipality: dict[int, list[Any]] = {}
    for access in selectors.municipal_access_list():
        by_municipality.setdefault(access.municipality_id, []).append(access)
    return render(
        request,
        "regional/municipal_officers.html",
        {
            "form": form,
            "rows": [{"m": m, "officers": by_municipality.get(m.pk, [])} for m in municipalities],
        },
        status=400 if form.errors else 200,
    )


class MunicipalAccessRevoke(ObjectPage):
    """Withdraw a municipal account's access (the regional administrator's)."""

    roles = REGIONAL_ADMIN
    host_scope = "public"
    http_method_names = ["post"]
    access_by_id = staticmethod(institutions_access.access_municipal_access_by_id)

    def object_queryset(self) -> QuerySet[Any]:
        return selectors.municipal_access_list()

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        services.municipal_access_revoke(access=self.object, actor=self.actor)
        messages.success(request, _("The access is withdrawn."))
        return redirect("regional:municipal-officers")


# --- applications to join (anyone) ------------------------------------------------------------

APPLY_CACHE_KEY = "onboarding-page:{ip}"


def _apply_rate() -> tuple[int, int]:
    """(requests, seconds) of the onboarding throttle: the same rate as the API's."""
    framework: dict[str, Any] = settings.REST_FRAMEWORK
    rate = str(framework["DEFAULT_THROTTLE_RATES"]["onboarding"])
    number, period = rate.split("/")
    return int(number), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


def _apply_allowed(request: HttpRequest) -> bool:
    """Count this submission against the client's address; False once over the rate."""
    limit, seconds = _apply_rate()
    key = APPLY_CACHE_KEY.format(ip=client_ip(request) or "unknown")
    cache.add(key, 0, seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        count = 1
    return count <= limit


@require_http_methods(["GET", "HEAD", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """The application page of a school or college (no account needed): checked as the API
    checks it, errors next to the fields; sent, the regional centre decides and the applicant
    gets an e-mail either way."""
    if not is_public(request):
        return render(request, "404.html", status=404)
    form = ApplicationForm(request.POST or None, domain=settings.BASE_DOMAIN)
    status = 200
    if request.method == "POST":
        if not _apply_allowed(request):
            form.is_valid()
            form.add_error(None, _("Too many applications from here. Try again in an hour."))
            status = 429
        elif form.is_robot:
            return redirect("regional:apply-done")
        elif form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("website")
            data["municipality_id"] = data.pop("municipality")
            try:
                services.application_submit(**data)
            except ValidationError as exc:
                # the service names the address ``slug`` (as for an institution)
                fields = {"slug": "desired_slug"}
                add_service_errors(
                    form,
                    ValidationError(
                        {fields.get(k, k): v for k, v in exc.message_dict.items()}
                        if hasattr(exc, "error_dict")
                        else exc.messages
                    ),
                )
            else:
                return redirect("regional:apply-done")
        if form.errors and status == 200:
            status = 400
    return render(request, "regional/apply.html", {"form": form}, status=status)


@require_safe
def apply_done(request: HttpRequest) -> HttpResponse:
    if not is_public(request):
        return render(request, "404.html", status=404)
    return render(request, "regional/apply_done.html")


# --- institutions from a spreadsheet ----------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@page(REGIONAL_ADMIN)
def institution_import(request: HttpRequest) -> HttpResponse:
    """Upload the region's list: every row is checked; a file with any problem is refused
    with each problem by row (nothing created); a clean one creates every institution at once
    and opens its progress."""
    form = InstitutionImportForm(request.POST or None, request.FILES or None)
    problems: list[importing.RowProblem] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            plan = importing.plan_import(upload)
        except importing.ImportFileProblem as problem:
            form.add_error("file", problem.message)
        else:
            problems = plan.problems
            if plan.ok:
                try:
                    batch = services.institutions_import(
                        rows=plan.rows, file_name=upload.name or "", actor=actor_of(request)
                    )
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    return redirect("regional:institution-import-detail", pk=batch.pk)
            else:
                form.add_error(
                    "file",
                    _("Nothing is created: fix the rows below and upload the file again."),
                )
    return render(
        request,
        "regional/institution_import.html",
        {
            "form": form,
            "problems": problems,
            "columns": importing.column_labels(),
            "imports": selectors.institution_import_list()[:10],
        },
        status=400 if form.errors else 200,
    )


@require_safe
@page(REGIONAL_ADMIN)
def institution_import_template(request: HttpRequest) -> HttpResponse:
    """An empty table with the header row and one example."""
    labels = importing.column_labels()
    order = [
        "name",
        "short_name",
        "kind",
        "municipality",
        "inn",
        "slug",
        "coordinator_name",
        "coordinator_email",
    ]
    municipality = selectors.municipality_list().first()
    example = [
        "Муниципальное бюджетное общеобразовательное учреждение «Средняя школа № 1»",
        "СШ № 1",
        "школа",
        municipality.name if municipality else "",
        "",
        "school-1",
        "Иванова Мария Петровна",
        "coordinator@school1.ru",
    ]
    content = spreadsheets.table_bytes(
        "Организации", [str(labels[name]) for name in order], [example]
    )
    response = HttpResponse(content, content_type=spreadsheets.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="institutions.xlsx"'
    return response


class InstitutionImportPage(ObjectPage):
    """A spreadsheet import of institutions (the regional administrator's)."""

    roles = REGIONAL_ADMIN
    host_scope = "public"
    http_method_names = ["get", "head"]
    access_by_id = staticmethod(institutions_access.access_institution_import_by_id)
    template_name = "regional/institution_import_detail.html"

    def object_queryset(self) -> QuerySet[Any]:
        return selectors.institution_import_list()

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = self.object
        context = {"batch": batch, **selectors.institution_import_progress(batch)}
        return render(request, self.template_name, context)


class InstitutionImportProgress(InstitutionImportPage):
    """The import's progress, polled by HTMX while institutions are being prepared."""

    template_name = "regional/institution_import_progress.html"
