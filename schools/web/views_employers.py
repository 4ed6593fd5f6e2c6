"""The employers' mentor catalogue as an institution sees it on its own host: search the
mentors it may request, request one, and follow its own requests and placements.

The rows live in the public schema (on the tenant's search path). Every query is limited to
what this institution may see: the catalogue of available mentors (active, available today,
reaching a municipality or working remotely), and its own requests only, so another
institution's request is "not found" here, like a missing one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.actor import actor_of
from config.pages import (
    COORDINATOR_AND_CURATORS,
    STAFF,
    ObjectPage,
    add_service_errors,
    role_required,
)
from regional.employers import access as employer_access
from regional.employers import selectors, services
from regional.employers.models import EmployerMentor, MentorRequest
from schools.participants import api as participants_api
from schools.web.forms_employers import CatalogueSearchForm, MentorRequestForm
from tenants.models import Institution


def page(roles: frozenset[str]) -> Any:
    return role_required(roles, scope="tenant")


def _institution(request: HttpRequest) -> Institution:
    tenant = getattr(request, "tenant", None)
    if not isinstance(tenant, Institution):  # pragma: no cover - a tenant host has one
        raise Http404
    return tenant


def _requests(request: HttpRequest) -> QuerySet[MentorRequest]:
    """This institution's own requests, by the access layer's rule (the API's too)."""
    return employer_access.institution_requests_visible_to(
        actor_of(request), selectors.mentor_request_list()
    )


@require_safe
@page(STAFF)
def catalogue(request: HttpRequest) -> HttpResponse:
    institution = _institution(request)
    form = CatalogueSearchForm(
        request.GET or None,
        initial={"free": True, "municipality": institution.municipality_id},
        own_municipality=institution.municipality_id,
    )
    mentors = employer_access.requestable_mentors_visible_to(
        actor_of(request), selectors.employer_mentor_list(), **form.filters()
    )
    requests = _requests(request)
    return render(
        request,
        "school/employers_catalogue.html",
        {
            "form": form,
            "mentors": mentors[:100],
            "requests": requests[:100],
            "can_request": actor_of(request).role in COORDINATOR_AND_CURATORS,
        },
    )


def _request_page(
    request: HttpRequest, mentor: EmployerMentor, form: MentorRequestForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "school/employers_request_form.html",
        {"mentor": mentor, "form": form},
        status=status,
    )


class MentorRequestPage(ObjectPage):
    """Request a mentor of this institution's catalogue (full ones included: the form says
    so): ``regional.employers.access.access_requestable_mentor_by_id``."""

    roles = COORDINATOR_AND_CURATORS
    access_by_id = staticmethod(employer_access.access_requestable_mentor_by_id)

    def object_queryset(self) -> QuerySet[EmployerMentor]:
        return selectors.employer_mentor_list()

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _mentor_request(request, self.object)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _mentor_request(request, self.object)


mentor_request = MentorRequestPage.as_view()


def _mentor_request(request: HttpRequest, mentor: EmployerMentor) -> HttpResponse:
    needs = participants_api.need_tag_codes()
    if request.method != "POST":
        form = MentorRequestForm(
            initial={"mentees_count": 1}, forms_of_mentor=list(mentor.forms), needs=needs
        )
        return _request_page(request, mentor, form)
    form = MentorRequestForm(request.POST, forms_of_mentor=list(mentor.forms), needs=needs)
    if form.is_valid():
        try:
            services.mentor_request_create(
                institution=_institution(request),
                employer_mentor_id=mentor.pk,
                form=form.cleaned_data["form"],
                mentees_count=form.cleaned_data["mentees_count"],
                level=form.cleaned_data["level"],
                need_code=form.cleaned_data["need_code"],
                actor=actor_of(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The request is sent to the employer. You will see the answer here."),
            )
            return redirect("school:employer-mentors")
    return _request_page(request, mentor, form, status=400)


class RequestCancel(ObjectPage):
    """Withdraw one of this institution's requests (another's is "not found")."""

    roles = COORDINATOR_AND_CURATORS
    http_method_names = ["post"]
    access_by_id = staticmethod(employer_access.access_institution_request_by_id)

    def object_queryset(self) -> QuerySet[MentorRequest]:
        return selectors.mentor_request_list()

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            services.mentor_request_cancel(mentor_request=self.object, actor=self.actor)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The request is withdrawn."))
        return redirect("school:employer-mentors")


request_cancel = RequestCancel.as_view()
