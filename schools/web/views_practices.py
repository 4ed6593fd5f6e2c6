"""Best practices in an institution's workspace: the region's published cases (anonymised, with
no institution named) and this institution's own cases — written as drafts, published by the
coordinator in two steps: *prepare* (the worker makes the anonymised copy: the names of
everyone the institution records, names a language model finds, ИНН, СНИЛС, phones, e-mails
and links hidden) and, once the coordinator has seen it and what it hides, *publish* (the copy
the region collects every night). Nothing here writes to the public schema."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from accounts.actor import actor_of
from config.pages import (
    COORDINATOR,
    COORDINATOR_AND_CURATORS,
    STAFF,
    ObjectPage,
    add_service_errors,
)
from config.pages import role_required as _role_required
from regional.practices import selectors as region_practices
from schools.pairs import access as pair_access
from schools.pairs import selectors as pair_selectors
from schools.pairs import services as pair_services
from schools.pairs.models import PracticeCase, PracticeCaseStatus, PreviewStatus
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
    role = actor_of(request).role
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
                actor=actor_of(request),
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


class _CasePage(ObjectPage):
    """A page of one of our cases (``schools.pairs.access.access_practice_case_by_id``)."""

    access_by_id = staticmethod(pair_access.access_practice_case_by_id)

    def object_queryset(self) -> QuerySet[PracticeCase]:
        return pair_selectors.practice_case_list()


class Practice(_CasePage):
    """One of our cases: the draft (editable by the coordinator and curators, 403 for other
    staff) and, once published, the anonymised copy the region receives."""

    roles = STAFF

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _practice(request, self.object)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _practice(request, self.object)


practice = Practice.as_view()


def _practice(request: HttpRequest, case: PracticeCase) -> HttpResponse:
    role = actor_of(request).role
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
                    case=case, actor=actor_of(request), **form.cleaned_data
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
            **_preview_context(case, role),
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


HIDDEN_KINDS = {
    "name": gettext_lazy("a name the institution records"),
    "person": gettext_lazy("a person's name"),
    "email": gettext_lazy("an e-mail address"),
    "link": gettext_lazy("a link"),
    "phone": gettext_lazy("a phone number"),
    "inn": gettext_lazy("an INN"),
    "snils": gettext_lazy("a SNILS"),
}


def _preview_context(case: PracticeCase, role: str | None) -> dict[str, Any]:
    """The anonymised copy prepared for checking: its state, whether it is of the current
    draft, and what it hides (each item with what kind of thing it is)."""
    current = bool(case.preview_of) and case.preview_of == pair_services.practice_case_digest(case)
    return {
        "can_prepare": role in COORDINATOR,
        "preview_pending": case.preview_status == PreviewStatus.PENDING,
        "preview_ready": case.preview_status == PreviewStatus.READY and current,
        "preview_stale": case.preview_status == PreviewStatus.READY and not current,
        "preview_hidden": [
            {"text": item.get("text", ""), "kind": HIDDEN_KINDS.get(item.get("kind", ""), "")}
            for item in case.preview_hidden
        ],
    }


class PracticePrepare(_CasePage):
    """Ask for the anonymised copy of the current draft; the page then shows it as soon as
    the worker has made it (the preview fragment polls)."""

    roles = COORDINATOR
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self.object
        pair_services.practice_case_prepare(case=case, actor=self.actor)
        return redirect("school:practice", pk=case.pk)


class PracticePreview(_CasePage):
    """The preparation's state (an HTMX fragment, polled while the worker prepares it)."""

    roles = COORDINATOR
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self.object
        return render(
            request,
            "school/practices_preview.html",
            {**_preview_context(case, self.actor.role), "case": case},
        )


class PracticePublish(_CasePage):
    roles = COORDINATOR
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self.object
        try:
            pair_services.practice_case_publish(case=case, actor=self.actor)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("school:practice", pk=case.pk)
        messages.success(
            request,
            _("Published: the anonymised copy below goes to the region's library tonight."),
        )
        return redirect("school:practice", pk=case.pk)


practice_prepare = PracticePrepare.as_view()
practice_preview = PracticePreview.as_view()
practice_publish = PracticePublish.as_view()
