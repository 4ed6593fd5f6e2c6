"""Best practices in an institution's workspace: the region's published cases (anonymised, with
no institution named) and this institution's own cases — written as drafts, published by the
coordinator through ``schools.pairs.services.practice_case_publish``, which stores the
anonymised copy (programme participants' names, e-mails, phones and links replaced) that the
region collects every night. Nothing here writes to the public schema."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from config.pages import COORDINATOR, COORDINATOR_AND_CURATORS, STAFF, add_service_errors
from config.pages import role_required as _role_required
from regional.practices import selectors as region_practices
from schools.pairs import selectors as pair_selectors
from schools.pairs import services as pair_services
from schools.pairs.models import PracticeCase, PracticeCaseStatus
from schools.programmes import selectors as programme_selectors
from schools.programmes.models import MentoringForm
from schools.web.forms_practices import PracticeCaseForm, PracticeSearchForm

EDITED_AFTER = datetime.timedelta(seconds=5)


def page(roles: frozenset[str]) -> Any:
    return _role_required(roles, scope="tenant")


def _form_labels() -> dict[str, str]:
    return {str(value): str(label) for value, label in MentoringForm.choices}


@require_safe
@page(STAFF)
def practices(request: HttpRequest) -> HttpResponse:
    search = PracticeSearchForm(request.GET or None)
    status = 200
    region: list[dict[str, Any]] = []
    if not request.GET:
        region = region_practices.case_page()
    elif search.is_valid():
        region = region_practices.case_page(
            query=search.cleaned_data["q"], form=search.cleaned_data["form"]
        )
    else:
        status = 400
    labels = _form_labels()
    tenant_id = getattr(getattr(request, "tenant", None), "pk", None)
    for case in region:
        case["form_label"] = labels.get(str(case["form"]), "")
        case["ours"] = case.pop("institution_id") == tenant_id
    role = getattr(request.user, "role", None)
    return render(
        request,
        "school/practices_list.html",
        {
            "search": search,
            "region": region,
            "own": pair_selectors.practice_case_list().order_by("-created_at", "-id")[:50],
            "can_write": role in COORDINATOR_AND_CURATORS,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@page(COORDINATOR_AND_CURATORS)
def practice_create(request: HttpRequest) -> HttpResponse:
    form = PracticeCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        programme = programme_selectors.programme_current()
        try:
            case = pair_services.practice_case_create(
                programme_id=programme.pk if programme else 0,
                actor=request.user,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The case is saved as a draft."))
            return redirect("school:practice", pk=case.pk)
    return render(
        request,
        "school/practices_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _case_or_404(pk: int) -> PracticeCase:
    case = pair_selectors.practice_case_list().filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


@require_http_methods(["GET", "HEAD", "POST"])
@page(STAFF)
def practice(request: HttpRequest, pk: int) -> HttpResponse:
    """One of our cases: the draft (editable by the coordinator and curators) and, once
    published, the anonymised copy the region receives."""
    case = _case_or_404(pk)
    role = getattr(request.user, "role", None)
    can_write = role in COORDINATOR_AND_CURATORS
    form = PracticeCaseForm(
        request.POST if request.method == "POST" else None,
        initial={"title": case.title, "form": case.form, "text": case.text},
    )
    if request.method == "POST":
        if not can_write:
            return render(request, "403.html", status=403)
        if form.is_valid():
            try:
                pair_services.practice_case_update(
                    case=case, actor=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The case is saved."))
                return redirect("school:practice", pk=case.pk)
    return render(
        request,
        "school/practices_detail.html",
        {
            "case": case,
            "form": form,
            "form_label": _form_labels().get(case.form, case.form),
            "can_write": can_write,
            "can_publish": role in COORDINATOR,
            "published": case.status == PracticeCaseStatus.PUBLISHED,
            # publishing itself saves the case a moment after stamping published_at
            "changed_since": case.published_at is not None
            and case.updated_at - case.published_at > EDITED_AFTER,
        },
        status=400 if form.errors else 200,
    )


@require_POST
@page(COORDINATOR)
def practice_publish(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(pk)
    pair_services.practice_case_publish(case=case, actor=request.user)
    messages.success(
        request,
        _("Published: the anonymised copy below goes to the region's library tonight."),
    )
    return redirect("school:practice", pk=case.pk)
