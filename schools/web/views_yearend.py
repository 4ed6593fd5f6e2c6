"""Pages of the second half of the year: who a campaign has reached (non-responders, response
rates per class, printed invitations with QR codes, the short link a slip names), the
monitoring report in the two Р-145 parts, the documents of stage 6 (the annual report, letters
to partner employers, a teacher pair's personalised programme) and starting the next year.
Every id is looked up in the caller's scope (one 404 for "missing" and "not yours")."""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.actor import actor_of
from accounts.models import Role
from config import dataversion
from config.db import tenant_connection
from config.office import DOCX_CONTENT_TYPE
from config.pages import COORDINATOR, COORDINATOR_AND_CURATORS, STAFF, ObjectPage, role_required
from schools.documents.annual_report import annual_report_docx
from schools.monitoring import access as monitoring_access
from schools.monitoring import selectors as monitoring_selectors
from schools.monitoring.access import curated_group_ids
from schools.monitoring.printing import campaign_slips_docx
from schools.monitoring.reach import campaign_pending, campaign_rates_by_group
from schools.monitoring.report import monitoring_parts
from schools.pairs import access as pair_access
from schools.pairs import documents as pair_documents
from schools.pairs import selectors as pair_selectors
from schools.programmes import selectors as programme_selectors
from schools.programmes.next_year import programme_start_next_year
from schools.web.forms_yearend import PrintSlipsForm, TimeZoneForm

staff_page = role_required(STAFF, scope="tenant")


def _role(request: HttpRequest) -> Any:
    return actor_of(request).role


def _programme() -> Any:
    """This academic year's programme, else the latest one."""
    current = programme_selectors.programme_current()
    return current or programme_selectors.programme_list().first()


def _docx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class _ReachPage(ObjectPage):
    """A campaign's reach: the staff open it for any campaign, the rows cut to a curator's
    classes; printing the invitations is for who runs campaigns
    (``schools.monitoring.access.access_campaign_reach_by_id``)."""

    access_by_id = staticmethod(monitoring_access.access_campaign_reach_by_id)

    def object_queryset(self) -> QuerySet[Any]:
        return monitoring_selectors.campaign_list_with_counts()


def _groups_for(request: HttpRequest) -> list[int] | None:
    """The classes the user works with: a curator its own, the others every class (None)."""
    if _role(request) not in COORDINATOR_AND_CURATORS:
        return None  # the director and deputies read every class
    return curated_group_ids(actor=actor_of(request))


def _reach_page(
    request: HttpRequest, campaign: Any, *, form: PrintSlipsForm | None = None, status: int = 200
) -> HttpResponse:
    groups = _groups_for(request)
    rates = campaign_rates_by_group(campaign, study_group_ids=groups)
    can_print = _role(request) in COORDINATOR_AND_CURATORS
    choices = [(r.group_id, r.group or _("No class or group")) for r in rates if r.group_id]
    return render(
        request,
        "school/yearend_reach.html",
        {
            "campaign": campaign,
            "rates": rates,
            "pending": campaign_pending(campaign, study_group_ids=groups),
            "can_print": can_print,
            "can_remind": _role(request) == "coordinator",
            "form": form or PrintSlipsForm(groups=choices),
        },
        status=status,
    )


class CampaignReach(_ReachPage):
    roles = STAFF
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _reach_page(request, self.object)


class CampaignPrint(_ReachPage):
    roles = COORDINATOR_AND_CURATORS
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _print(request, self.object)


campaign_reach = CampaignReach.as_view()
campaign_print = CampaignPrint.as_view()


def _print(request: HttpRequest, campaign: Any) -> HttpResponse:
    groups = _groups_for(request)
    rates = campaign_rates_by_group(campaign, study_group_ids=groups)
    form = PrintSlipsForm(request.POST, groups=[(r.group_id, r.group) for r in rates if r.group_id])
    if form.is_valid():
        group = form.cleaned_data["study_group"]
        try:
            content = campaign_slips_docx(
                actor=actor_of(request),
                campaign=campaign,
                study_group_id=int(group) if group else None,
                only_pending=form.cleaned_data["only_pending"],
            )
        except ValidationError as exc:
            from config.pages import add_service_errors

            add_service_errors(form, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            return _docx(content, f"invitations-{campaign.pk}.docx")
    return _reach_page(request, campaign, form=form, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
def survey_short(request: HttpRequest, code: str) -> HttpResponse:
    """The short link a printed slip names («/s/K7QM-3XHP/»): the person's answering page."""
    from schools.web.views_surveys import survey_link

    return survey_link(request, token=code)


# --- monitoring in the two parts of Р-145 -----------------------------------------------------


# The report counts every answer of the year's campaigns (≈ 15 ms of CPU on a large school):
# it is kept rendered under the school's data version (``config.dataversion``), so that a
# visit after no change reads the version only. Every committed write in the school changes
# the version; an entry is at most MONITORING_FRESH_SECONDS old (nothing in it changes with
# the clock; the day, which chooses the programme, is part of its key).
MONITORING_FRESH_SECONDS = 300
_monitoring_kept = dataversion.Kept(
    kind="monitoring-report", fresh_seconds=MONITORING_FRESH_SECONDS, local_entries=64
)


def _monitoring_html(*, with_names: bool) -> str:
    """The programme of the year and the two parts of its monitoring, rendered; from the
    cache when the school's version has them. They are the whole school's figures, not cut to
    a curator's classes: what differs between viewers is the names (``with_names``) and the
    language. The key names everything the fragment depends on besides the school's data:
    the schema, the names or not, the language, the time zone and the day."""
    schema = tenant_connection().schema_name
    # the version before the data: an entry is never newer than the version it is kept under
    version = _monitoring_kept.version(schema=schema)
    place = None
    if version is not None:
        key_parts = (
            "names" if with_names else "no-names",
            translation.get_language() or "",
            timezone.get_current_timezone_name(),
            timezone.localdate().isoformat(),
        )
        place, kept = _monitoring_kept.lookup(
            schema=schema, version=version, parts=key_parts, now=time.time()
        )
        if kept is not None:
            return str(kept)
    programme = _programme()
    html = render_to_string(
        "school/yearend_monitoring_parts.html",
        {
            "programme": programme,
            "parts": monitoring_parts(
                programme_id=programme.pk,
                academic_year=programme.academic_year,
                with_names=with_names,
            )
            if programme is not None
            else None,
        },
    )
    if place is not None:
        _monitoring_kept.keep(place=place, value=html, size=len(html), now=time.time())
    return html


@require_safe
@staff_page
def monitoring_report(request: HttpRequest) -> HttpResponse:
    html = _monitoring_html(with_names=_role(request) != "curator")
    report = mark_safe(html)  # noqa: S308  # our template's output, escaped when rendered
    return render(request, "school/yearend_monitoring.html", {"report": report})


# --- documents of stage 6 --------------------------------------------------------------------


def _programme_or_404() -> Any:
    programme = (
        programme_selectors.programme_current() or programme_selectors.programme_list().first()
    )
    if programme is None:
        raise Http404
    return programme


@require_safe
@staff_page
def annual_report(request: HttpRequest) -> HttpResponse:
    programme = _programme_or_404()
    content = annual_report_docx(programme_id=programme.pk)
    return _docx(content, f"annual-report-{programme.academic_year}.docx")


@require_safe
@staff_page
def employer_letters(request: HttpRequest) -> HttpResponse:
    programme = _programme_or_404()
    content = pair_documents.employer_letters_docx(programme=programme)
    return _docx(content, f"letters-employers-{programme.academic_year}.docx")


class PersonalisedProgramme(ObjectPage):
    """The personalised mentoring programme of a pair the user sees (staff, or its mentor)."""

    roles = STAFF | {Role.MENTOR}
    http_method_names = ["get", "head"]
    access_by_id = staticmethod(pair_access.access_pair_by_id)

    def object_queryset(self) -> QuerySet[Any]:
        return pair_selectors.pair_list()

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        pair = self.object
        content = pair_documents.personalised_programme_docx(pair=pair)
        return _docx(content, f"personalised-programme-{pair.pk}.docx")


personalised_programme = PersonalisedProgramme.as_view()


# --- the next year ----------------------------------------------------------------------------


@require_POST
@role_required(COORDINATOR, scope="tenant")
def next_year(request: HttpRequest) -> HttpResponse:
    programme = _programme_or_404()
    try:
        result = programme_start_next_year(actor=actor_of(request), programme=programme)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("school:programme")
    messages.success(
        request,
        _(
            "The programme of %(year)s/%(next)s is started: %(activities)s roadmap lines moved "
            "a year, %(pairs)s pairs and groups carried over."
        )
        % {
            "year": result.programme.academic_year,
            "next": result.programme.academic_year + 1,
            "activities": result.activities,
            "pairs": len(result.carried),
        },
    )
    if result.not_carried:
        messages.warning(
            request,
            _("%(count)s pairs were not carried over (a consent is no longer valid).")
            % {"count": len(result.not_carried)},
        )
    return redirect("school:programme")


@require_http_methods(["GET", "POST"])
@role_required(COORDINATOR, scope="tenant")
def time_zone(request: HttpRequest) -> HttpResponse:
    """The institution's time zone (Russia has eleven): every time is shown in it."""
    from tenants.api import current_institution, institution_set_time_zone

    institution = current_institution()
    if institution is None:
        raise Http404
    current = institution.time_zone
    if request.method == "GET":
        form = TimeZoneForm(initial={"time_zone": current}, current=current)
        return render(request, "school/time_zone.html", {"form": form, "now": timezone.now()})
    form = TimeZoneForm(request.POST, current=current)
    if form.is_valid():
        try:
            institution_set_time_zone(
                institution_id=institution.id,
                time_zone=form.cleaned_data["time_zone"],
                actor=actor_of(request),
            )
        except ValidationError as exc:
            from config.pages import add_service_errors

            add_service_errors(form, exc)
        else:
            messages.success(request, _("The time zone is saved."))
            return redirect("school:time-zone")
    return render(
        request, "school/time_zone.html", {"form": form, "now": timezone.now()}, status=400
    )
