"""Small pages that close gaps of the parity table (tests/web/test_parity.py): a campaign's
dates moved (or an open campaign extended), and a roadmap activity removed. Each calls the
service the API calls, for the same roles."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.actor import actor_of
from config.pages import COORDINATOR, ObjectPage, PageForm, add_service_errors
from schools.monitoring import access as monitoring_access
from schools.monitoring import selectors as monitoring_selectors
from schools.monitoring import services as monitoring_services
from schools.monitoring.models import CampaignStatus, SurveyCampaign
from schools.programmes import access as programme_access
from schools.programmes import selectors as programme_selectors
from schools.programmes import services as programme_services
from schools.programmes.models import RoadmapActivity

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignDatesForm(PageForm):
    prefix = "dates"
    opens_on = forms.DateField(label=gettext_lazy("Opens on"), widget=DATE_WIDGET, required=False)
    closes_on = forms.DateField(label=gettext_lazy("Closes on"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, draft: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not draft:  # a launched campaign keeps its start; it may be extended
            del self.fields["opens_on"]


class CampaignDates(ObjectPage):
    """Move a campaign's dates (extend an open one): who manages the campaign
    (``schools.monitoring.access.access_campaign_by_id``, the form too)."""

    roles = COORDINATOR
    access_by_id = staticmethod(monitoring_access.access_campaign_by_id)
    write_methods = frozenset({"GET", "HEAD", "POST"})

    def object_queryset(self) -> QuerySet[SurveyCampaign]:
        return monitoring_selectors.campaign_list_with_counts()

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _campaign_dates(request, self.object)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _campaign_dates(request, self.object)


campaign_dates = CampaignDates.as_view()


def _campaign_dates(request: HttpRequest, campaign: SurveyCampaign) -> HttpResponse:
    if campaign.status == CampaignStatus.CLOSED:
        messages.error(request, _("The campaign is closed."))
        return redirect("school:campaign", pk=campaign.pk)
    draft = campaign.status == CampaignStatus.DRAFT
    form = CampaignDatesForm(
        request.POST if request.method == "POST" else None,
        draft=draft,
        initial={"opens_on": campaign.opens_on, "closes_on": campaign.closes_on},
    )
    if request.method == "POST" and form.is_valid():
        try:
            monitoring_services.campaign_update_dates(
                campaign=campaign,
                opens_on=form.cleaned_data.get("opens_on"),
                closes_on=form.cleaned_data["closes_on"],
                actor=actor_of(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The campaign's dates are saved."))
            return redirect("school:campaign", pk=campaign.pk)
    return render(
        request,
        "school/campaign_dates.html",
        {"campaign": campaign, "form": form},
        status=400 if form.errors else 200,
    )


class ActivityDelete(ObjectPage):
    """Remove an activity of the current programme's roadmap (with its attached document)."""

    roles = COORDINATOR
    http_method_names = ["post"]
    access_by_id = staticmethod(programme_access.access_activity_by_id)

    def object_queryset(self) -> QuerySet[RoadmapActivity]:
        current = programme_selectors.programme_current()
        if current is None:
            raise Http404
        return programme_selectors.roadmap_activity_list().filter(programme=current)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        activity = self.object
        stage = activity.stage
        programme_services.roadmap_activity_delete(activity=activity, actor=self.actor)
        messages.success(
            request, _("The activity «%(title)s» is removed.") % {"title": activity.title}
        )
        return redirect(f"{reverse('school:programme')}#stage-{stage}")


activity_delete = ActivityDelete.as_view()
