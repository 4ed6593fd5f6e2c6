"""The end of a pair's work on its page: complete it with its result, end it early with the
reason, re-assign a mentee to another pair or mentor. Each form is shown to whom may use it and
refused (403) to anyone else after the scope's 404; errors come back next to the fields."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import roles
from accounts.actor import actor_of
from config.pages import add_service_errors, role_required
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
    return pair.status == PairStatus.ACTIVE and can_reassign_mentee(actor=request.user)


def reassign_form(pair: Pair, data: Any = None) -> ReassignForm:
    mentees = [
        (m.mentee_id, m.mentee.full_name)
        for m in PairMentee.objects.filter(pair=pair, is_active=True).select_related("mentee")
    ]
    # Choices only: no staleness annotations, memberships or competences per row (a large
    # school's pair page listed 270 mentors with their competences for this select).
    pairs = [
        (p.pk, f"{p.mentor.full_name} · {p.get_form_display()}")
        for p in pair_selectors.pairs_with_members()
        .prefetch_related(None)
        .filter(programme_id=pair.programme_id, status=PairStatus.ACTIVE)
        .exclude(pk=pair.pk)
        .order_by("mentor__last_name", "pk")[:300]
    ]
    mentors = [
        (profile.participant_id, profile.participant.full_name)
        for profile in participants_api.mentor_profile_list()
        .prefetch_related(None)
        .select_related("participant")
        .exclude(participant_id=pair.mentor_id)
        .filter(participant__erased_at__isnull=True)
        .order_by("participant__last_name", "participant__first_name")[:500]
    ]
    return ReassignForm(data, mentees=mentees, pairs=pairs, mentors=mentors)


def pair_work_context(request: HttpRequest, pair: Pair, bound: dict[str, Any]) -> dict[str, Any]:
    """The forms of the pair page's end-of-work block (``bound`` holds a submitted one)."""
    context: dict[str, Any] = {}
    if may_complete(request, pair):
        context["complete_form"] = bound.get("complete") or PairCompleteForm()
    if may_end_or_reassign(request, pair):
        context["end_form"] = bound.get("end") or PairEndEarlyForm()
        context["reassign_form"] = bound.get("reassign") or reassign_form(pair)
    return context


def _again(request: HttpRequest, pair: Pair, name: str, form: Any) -> HttpResponse:
    from schools.web import views
    from schools.web.forms import MeetingForm

    return views._pair_page(request, pair, MeetingForm(), status=400, work_forms={name: form})


@require_POST
@role_required(WRITERS, scope="tenant")
def pair_complete(request: HttpRequest, pk: int) -> HttpResponse:
    from schools.web.views import _pair_or_404

    pair = _pair_or_404(request, pk)
    if not may_complete(request, pair):
        return render(request, "403.html", status=403)
    form = PairCompleteForm(request.POST)
    if form.is_valid():
        try:
            pair_services.pair_complete(
                pair=pair,
                outcome=form.cleaned_data["outcome"],
                mentor_rating=form.cleaned_data["mentor_rating"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The pair is completed with its result."))
            return redirect("school:pair", pk=pair.pk)
    return _again(request, pair, "complete", form)


@require_POST
@role_required(roles.COORDINATION, scope="tenant")
def pair_end_early(request: HttpRequest, pk: int) -> HttpResponse:
    from schools.web.views import _pair_or_404

    pair = _pair_or_404(request, pk)
    if not may_end_or_reassign(request, pair):
        return render(request, "403.html", status=403)
    form = PairEndEarlyForm(request.POST)
    if form.is_valid():
        try:
            pair_services.pair_end_early(
                pair=pair, reason=form.cleaned_data["reason"], actor=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The pair has ended early."))
            return redirect("school:pair", pk=pair.pk)
    return _again(request, pair, "end", form)


@require_POST
@role_required(roles.COORDINATION, scope="tenant")
def pair_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    from schools.web.views import _pair_or_404

    pair = _pair_or_404(request, pk)
    if not may_end_or_reassign(request, pair):
        return render(request, "403.html", status=403)
    form = reassign_form(pair, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            target = pair_mentee_reassign(
                actor=request.user,
                pair=pair,
                mentee_id=int(data["mentee"]),
                reason=data["reason"],
                to_pair_id=int(data["to_pair"]) if data["to_pair"] else None,
                to_mentor_id=int(data["to_mentor"]) if data["to_mentor"] else None,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied:
            return render(request, "403.html", status=403)
        else:
            messages.success(request, _("The mentee is re-assigned."))
            return redirect("school:pair", pk=target.pk)
    return _again(request, pair, "reassign", form)
