"""The rest of a pair's own work on its page: each member's final rating of the work (the
mentor's and each mentee's, 1–10), the summary of a mentee's development plan (the request and
the expected result), and removing a goal of the plan.

The rules are the API's: a member rates for themselves (``pair_rate``, not after an early end);
the plan's summary is written by the mentee, its mentor and the coordinator
(``schools.pairs.access.plan_summaries_editable_by``); goals are removed by whom may write them
(the mentor, the coordinator: ``schools.pairs.access``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import roles
from accounts.actor import actor_of
from config.pages import ObjectPage, PageForm, add_service_errors
from schools.pairs import access as pair_access
from schools.pairs import selectors as pair_selectors
from schools.pairs import services as pair_services
from schools.pairs.models import (
    RATING_MAX,
    RATING_MIN,
    DevelopmentPlan,
    Pair,
    PairStatus,
    PlanGoal,
)
from schools.web.views_meetings import UNREAD, Unread, caller_participant_id
from schools.web.views_pairwork import form_on_demand

MEMBERS = roles.PAIR_MEMBERS
RATED_STATUSES = (PairStatus.ACTIVE, PairStatus.COMPLETED)


class RatingForm(PageForm):
    prefix = "rate"
    rating = forms.IntegerField(
        label=gettext_lazy("Your final rating of the work (1–10)"),
        min_value=RATING_MIN,
        max_value=RATING_MAX,
    )


class SummaryForm(PageForm):
    summary = forms.CharField(
        label=gettext_lazy("The mentee's request and expected result"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _own_rating(pair: Pair, participant_id: int) -> int | None:
    if participant_id == pair.mentor_id:
        return pair.mentor_rating
    for membership in pair.memberships.all():
        if membership.mentee_id == participant_id:
            return membership.rating
    return None


def _member_id(
    request: HttpRequest, pair: Pair, participant_id: int | Unread | None = UNREAD
) -> int | None:
    """The caller's participant id when they are the pair's mentor or one of its mentees
    (``participant_id``: the caller's, when the page has read it already)."""
    if actor_of(request).role not in MEMBERS:
        return None
    me = caller_participant_id(request) if isinstance(participant_id, Unread) else participant_id
    if me is None:
        return None
    members = {pair.mentor_id, *(m.mentee_id for m in pair.memberships.all())}
    return me if me in members else None


def pairplan_context(
    request: HttpRequest,
    pair: Pair,
    bound: dict[str, Any] | None = None,
    *,
    participant_id: int | Unread | None = UNREAD,
) -> dict[str, Any]:
    """The rating form (for a member of the pair) and the plans whose summary the caller
    writes, for the pair page (``participant_id``: the caller's, read once by the page)."""
    bound = bound or {}
    context: dict[str, Any] = {}
    me = _member_id(request, pair, participant_id)
    if me is not None and pair.status in RATED_STATUSES:
        context["rate_form"] = bound.get("rate") or RatingForm(
            initial={"rating": _own_rating(pair, me)}
        )
    if pair.status == PairStatus.ACTIVE:
        editable = pair_access.plan_summaries_editable_by(
            actor_of(request), DevelopmentPlan.objects.all()
        )
        # The summary forms are loaded when opened (``plan-summary`` answers a GET); here the
        # plans the caller may summarise, each with a submitted form if it had errors.
        context["summary_forms"] = {
            pk: bound.get(f"summary-{pk}")
            for pk in editable.filter(pair=pair).values_list("pk", flat=True)
        }
    return context


def _pair_again(request: HttpRequest, pair: Pair, name: str, form: Any) -> HttpResponse:
    from schools.web import views
    from schools.web.forms import MeetingForm

    return views._pair_page(
        request, pair, MeetingForm(), status=400, work_forms={"pairplan": {name: form}}
    )


class _PairWorkPage(ObjectPage):
    """Every role reaches the lookup, so that an id out of the caller's scope is a 404 first;
    then the page's own rule (``check_object``, and the service's) says who may act: 403."""

    roles = roles.EVERYONE
    http_method_names = ["post"]
    # The write is the member's own rating or the plan's summary, not a change of the pair or
    # the plan as ``for_write`` means it: each has its rule in ``check_object``.
    write_methods = frozenset()


class PairRate(_PairWorkPage):
    """A member of the pair rates the work for themselves."""

    access_by_id = staticmethod(pair_access.access_pair_by_id)

    def object_queryset(self) -> QuerySet[Pair]:
        return pair_selectors.pair_list()

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        pair = self.object
        me = _member_id(request, pair)
        if me is None:
            return render(request, "403.html", status=403)
        form = RatingForm(request.POST)
        if form.is_valid():
            try:
                pair_services.pair_rate(
                    pair=pair,
                    participant_id=me,
                    rating=form.cleaned_data["rating"],
                    actor=self.actor,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Your rating is saved. Thank you!"))
                return redirect(reverse("school:pair", kwargs={"pk": pair.pk}) + "#rating")
        return _pair_again(request, pair, "rate", form)


class PlanSummary(_PairWorkPage):
    """The plan's summary: the mentee, its mentor and the coordinator, on an active pair."""

    access_by_id = staticmethod(pair_access.access_plan_by_id)

    def object_queryset(self) -> QuerySet[DevelopmentPlan]:
        return pair_selectors.plan_list()

    def check_object(self, obj: DevelopmentPlan) -> None:
        pair_access.check_plan_summary_write(self.actor, obj)
        if obj.pair.status != PairStatus.ACTIVE:
            raise PermissionDenied

    http_method_names = ["get", "head", "post"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = self.object
        return form_on_demand(
            request,
            pair_id=plan.pair_id,
            title=_("The request and the expected result"),
            form=SummaryForm(prefix=f"summary-{plan.pk}", initial={"summary": plan.summary}),
            submit=_("Save the plan"),
            testid="plan-summary-save",
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = self.object
        form = SummaryForm(request.POST, prefix=f"summary-{plan.pk}")
        if form.is_valid():
            pair_services.plan_update(
                plan=plan, summary=form.cleaned_data["summary"], actor=self.actor
            )
            messages.success(request, _("The plan is saved."))
            return redirect("school:pair", pk=plan.pair_id)
        return _pair_again(request, plan.pair, f"summary-{plan.pk}", form)


class PlanGoalDelete(_PairWorkPage):
    """Remove a goal: who may write the plan (``for_write``), on an active pair."""

    access_by_id = staticmethod(pair_access.access_goal_by_id)
    write_methods = frozenset({"POST"})

    def object_queryset(self) -> QuerySet[PlanGoal]:
        return pair_selectors.goal_list()

    def check_object(self, obj: PlanGoal) -> None:
        from schools.web.views_documents import _may_edit_plans

        if not _may_edit_plans(self.actor, obj.plan.pair):
            raise PermissionDenied

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        goal = self.object
        pair_services.plan_goal_delete(goal=goal, actor=self.actor)
        messages.success(request, _("The goal is removed from the plan."))
        return redirect("school:pair", pk=goal.plan.pair_id)


pair_rate = PairRate.as_view()
plan_summary = PlanSummary.as_view()
plan_goal_delete = PlanGoalDelete.as_view()
