"""The end of a pair's work on its page: complete it with its result, end it early with the
reason, re-assign a mentee to another pair or mentor. Each form is shown to whom may use it and
refused (403) to anyone else after the scope's 404; errors come back next to the fields."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts import roles
from accounts.actor import actor_of
from config.pages import ObjectPage, add_service_errors, is_htmx, url_with_id
from schools.pairs import access as pair_access
from schools.pairs import selectors as pair_selectors
from schools.pairs import services as pair_services
from schools.pairs.models import Pair, PairMentee, PairStatus
from schools.pairs.reassign import can_reassign_mentee, pair_mentee_reassign
from schools.participants import api as participants_api
from schools.web.forms_yearend import PairCompleteForm, PairEndEarlyForm, ReassignForm

WRITERS = roles.MENTOR_OR_COORDINATOR


def may_complete(request: HttpRequest, pair: Pair) -> bool:
    """The coordinator, or the pair's own mentor (``schools.pairs.access``)."""
    return pair_access.may_complete_pair(actor_of(request), pair)


def may_end_or_reassign(request: HttpRequest, pair: Pair) -> bool:
    return pair.status == PairStatus.ACTIVE and can_reassign_mentee(actor=actor_of(request))


def reassign_form(pair: Pair, data: Any = None) -> ReassignForm:
    # the memberships read with the pair (``PairReassign.object_queryset``), in their order
    mentees = [(m.mentee_id, m.mentee.full_name) for m in pair.memberships.all() if m.is_active]
    # Choices only: three columns of each pair and mentor, not rows with their members and
    # competences (a large school's pair page listed 270 mentors and 240 pairs here).
    pairs = pair_selectors.pair_choices(programme_id=pair.programme_id, exclude_pk=pair.pk)
    mentors = participants_api.mentor_choices(exclude_id=pair.mentor_id)
    return ReassignForm(data, mentees=mentees, pairs=pairs, mentors=mentors)


def form_on_demand(
    request: HttpRequest,
    *,
    pair_id: int,
    title: str,
    form: Any,
    submit: str,
    button_class: str = "",
    testid: str = "",
) -> HttpResponse:
    """A rarely used form of the pair page, answered to a GET of the URL it posts to: the form
    alone for HTMX (the page's «details» loads it when opened), else a page of its own. A
    submitted form with errors comes back on the pair page (each POST handler's own)."""
    context = {
        "title": title,
        "form": form,
        "action": request.path,
        "submit": submit,
        "button_class": button_class,
        "testid": testid,
        "pair_url": url_with_id("school:pair")(pair_id),
    }
    if is_htmx(request):
        return render(request, "school/pair_form.html", context)
    return render(request, "school/pair_form_page.html", context)


def pair_work_context(request: HttpRequest, pair: Pair, bound: dict[str, Any]) -> dict[str, Any]:
    """What the pair page's end-of-work block offers: completing and ending early are loaded
    when opened (``form_on_demand``); ``bound`` holds a submitted form with its errors."""
    context: dict[str, Any] = {}
    if may_complete(request, pair):
        context["may_complete"] = True
        context["complete_form"] = bound.get("complete")
    if may_end_or_reassign(request, pair):
        context["may_end"] = True
        context["end_form"] = bound.get("end")
        # its own page (``PairReassign``): its lists of every pair and mentor were most of
        # the pair page
        context["may_reassign"] = True
    return context


def _again(request: HttpRequest, pair: Pair, name: str, form: Any) -> HttpResponse:
    from schools.web import views
    from schools.web.forms import MeetingForm

    return views._pair_page(request, pair, MeetingForm(), status=400, work_forms={name: form})


class _PairWork(ObjectPage):
    """A form of the pair page's end-of-work block: the pair is looked up through
    ``schools.pairs.access`` (404 out of sight), then the form's own rule (403 otherwise)."""

    http_method_names = ["post"]
    access_by_id = staticmethod(pair_access.access_pair_by_id)
    write_methods = frozenset()  # each form checks its own right in check_object

    def object_queryset(self) -> QuerySet[Pair]:
        return pair_selectors.pair_list()


class PairComplete(_PairWork):
    roles = WRITERS
    http_method_names = ["get", "head", "post"]

    def check_object(self, obj: Pair) -> None:
        if not pair_access.may_complete_pair(self.actor, obj):
            raise PermissionDenied

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return form_on_demand(
            request,
            pair_id=self.object.pk,
            title=_("Complete the pair with its result"),
            form=PairCompleteForm(),
            submit=_("Complete"),
            testid="pair-complete",
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        pair = self.object
        form = PairCompleteForm(request.POST)
        if form.is_valid():
            try:
                pair_services.pair_complete(
                    pair=pair,
                    outcome=form.cleaned_data["outcome"],
                    mentor_rating=form.cleaned_data["mentor_rating"],
                    actor=actor_of(request),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The pair is completed with its result."))
                return redirect("school:pair", pk=pair.pk)
        return _again(request, pair, "complete", form)


class _PairManagement(_PairWork):
    roles = roles.COORDINATION

    def check_object(self, obj: Pair) -> None:
        if not may_end_or_reassign(self.request, obj):
            raise PermissionDenied


class PairEndEarly(_PairManagement):
    http_method_names = ["get", "head", "post"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return form_on_demand(
            request,
            pair_id=self.object.pk,
            title=_("End the pair early"),
            form=PairEndEarlyForm(),
            submit=_("End early"),
            button_class="btn-outline-danger",
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        pair = self.object
        form = PairEndEarlyForm(request.POST)
        if form.is_valid():
            try:
                pair_services.pair_end_early(
                    pair=pair, reason=form.cleaned_data["reason"], actor=actor_of(request)
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The pair has ended early."))
                return redirect("school:pair", pk=pair.pk)
        return _again(request, pair, "end", form)


def _reassign_page(
    request: HttpRequest, pair: Pair, form: ReassignForm, status: int = 200
) -> HttpResponse:
    return render(request, "school/pair_reassign.html", {"pair": pair, "form": form}, status=status)


class PairReassign(_PairManagement):
    """A mentee of the pair goes to another pair or group, or to a new pair with another
    mentor: the coordinator, while the pair is active."""

    http_method_names = ["get", "head", "post"]

    def object_queryset(self) -> QuerySet[Pair]:
        # the pair with its mentor and memberships (mentees' names): the page shows neither
        # its staleness nor its last meeting, which ``pair_list`` works out
        return Pair.objects.select_related("mentor").prefetch_related(
            Prefetch(
                "memberships",
                queryset=PairMentee.objects.select_related("mentee").order_by("id"),
            )
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _reassign_page(request, self.object, reassign_form(self.object))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        pair = self.object
        form = reassign_form(pair, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                target = pair_mentee_reassign(
                    actor=actor_of(request),
                    pair=pair,
                    mentee_id=int(data["mentee"]),
                    reason=data["reason"],
                    to_pair_id=int(data["to_pair"]) if data["to_pair"] else None,
                    to_mentor_id=int(data["to_mentor"]) if data["to_mentor"] else None,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The mentee is re-assigned."))
                return redirect("school:pair", pk=target.pk)
        return _reassign_page(request, pair, form, status=400)


pair_complete = PairComplete.as_view()
pair_end_early = PairEndEarly.as_view()
pair_reassign = PairReassign.as_view()
