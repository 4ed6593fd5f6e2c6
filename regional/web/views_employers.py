"""Pages of the employer portal (an employer's offers, requests and placements) and the regional
supply and demand board. Thin: reads through the employers selectors, writes through its
services.

An employer's user sees only the employers they belong to; regional staff see every employer
(and may approve requests too, as the API allows). Every lookup by id goes through that scope,
so "missing" and "not yours" are one 404. Placements and requests show an institution and a
number of mentees, never a mentee."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from accounts import roles
from accounts.actor import actor_of
from accounts.models import Role
from config.pages import REGIONAL, ObjectPage, add_service_errors, role_required
from regional.employers import access, selectors, services
from regional.employers.models import (
    Employer,
    EmployerMentor,
    MentorRequest,
    MentorStatus,
    Placement,
    PlacementStatus,
    RequestStatus,
)
from regional.web.forms_employers import DeclineForm, OfferForm

PORTAL = REGIONAL | {Role.EMPLOYER}


def page(roles: frozenset[str]) -> Any:
    return role_required(roles, scope="public")


def _is_employer(request: HttpRequest) -> bool:
    return actor_of(request).has_role(roles.EMPLOYER)


def _employers(request: HttpRequest) -> QuerySet[Employer]:
    return access.employers_visible_to(actor_of(request)).order_by("name", "pk")


def _mentors(request: HttpRequest) -> QuerySet[EmployerMentor]:
    return access.employer_mentors_visible_to(actor_of(request), selectors.employer_mentor_list())


def _requests(request: HttpRequest) -> QuerySet[MentorRequest]:
    return access.mentor_requests_visible_to(
        actor_of(request),
        selectors.mentor_request_list().select_related("institution__municipality"),
    )


def _placements(request: HttpRequest) -> QuerySet[Placement]:
    return access.placements_visible_to(
        actor_of(request),
        selectors.placement_list().select_related("institution__municipality"),
    )


def employer_summary_numbers(request: HttpRequest) -> dict[str, Any]:
    mentors = _mentors(request)
    capacity = mentors.filter(status=MentorStatus.ACTIVE).aggregate(
        total=Sum("capacity"), used=Sum("capacity_used")
    )
    total, used = int(capacity["total"] or 0), int(capacity["used"] or 0)
    placements = _placements(request).aggregate(
        active=Count("pk", filter=Q(status=PlacementStatus.ACTIVE)),
        mentees=Sum("mentees_count", filter=Q(status=PlacementStatus.ACTIVE)),
    )
    return {
        "employers": list(_employers(request)),
        "offers": mentors.count(),
        "offers_active": mentors.filter(status=MentorStatus.ACTIVE).count(),
        "capacity_total": total,
        "capacity_used": used,
        "capacity_free": total - used,
        "pending": _requests(request).filter(status=RequestStatus.PENDING).count(),
        "placements_active": placements["active"] or 0,
        "mentees_placed": placements["mentees"] or 0,
    }


# --- the employer's home summary (loaded into regional/home_employer.html) ------------------


@require_safe
@page(PORTAL)
def employer_summary(request: HttpRequest) -> HttpResponse:
    context = employer_summary_numbers(request)
    context["recent_requests"] = _requests(request).filter(status=RequestStatus.PENDING)[:5]
    return render(request, "regional/employers_summary.html", context)


# --- offers -------------------------------------------------------------------------------


@require_safe
@page(PORTAL)
def offers(request: HttpRequest) -> HttpResponse:
    mentors = _mentors(request).annotate(
        pending_requests=Count("requests", filter=Q(requests__status=RequestStatus.PENDING)),
    )
    employers = list(_employers(request))
    return render(
        request,
        "regional/employers_offers.html",
        {
            "mentors": mentors,
            "employers": employers,
            "show_employer": len(employers) != 1,
        },
    )


def _offer_page(
    request: HttpRequest, form: OfferForm, mentor: EmployerMentor | None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "regional/employers_offer_form.html",
        {"form": form, "mentor": mentor, "employers": form.employers},
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@page(PORTAL)
def offer_create(request: HttpRequest) -> HttpResponse:
    employers = list(_employers(request))
    form = OfferForm(request.POST or None, employers=employers)
    if request.method == "POST":
        if not employers:
            raise Http404
        if form.is_valid():
            fields = form.service_fields()
            try:
                mentor = services.employer_mentor_create(
                    employer=form.chosen_employer(), actor=actor_of(request), **fields
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("The offer of %(name)s is published.") % {"name": mentor.full_name}
                )
                return redirect("regional:employer-offers")
        return _offer_page(request, form, None, status=400)
    return _offer_page(request, form, None)


class OfferPage(ObjectPage):
    """An offer of one of the employers the visitor sees (``regional.employers.access``)."""

    roles = PORTAL
    host_scope = "public"
    access_by_id = staticmethod(access.access_employer_mentor_by_id)

    def object_queryset(self) -> QuerySet[EmployerMentor]:
        return selectors.employer_mentor_list()

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        mentor = self.object
        form = OfferForm(
            initial=OfferForm.initial_of(mentor), employers=[mentor.employer], mentor=mentor
        )
        return _offer_page(request, form, mentor)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        mentor = self.object
        form = OfferForm(request.POST, employers=[mentor.employer], mentor=mentor)
        if form.is_valid():
            try:
                services.employer_mentor_update(
                    mentor=mentor, actor=self.actor, **form.service_fields()
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The offer is saved."))
                return redirect("regional:employer-offers")
        return _offer_page(request, form, mentor, status=400)


offer_edit = OfferPage.as_view()


# --- requests -----------------------------------------------------------------------------

REQUEST_FILTERS = ("pending", "approved", "rejected", "cancelled", "all")


@require_safe
@page(PORTAL)
def requests_page(request: HttpRequest) -> HttpResponse:
    shown = request.GET.get("status", "pending")
    if shown not in REQUEST_FILTERS:
        shown = "pending"
    requests = _requests(request)
    counts: dict[str, int] = {
        row["status"]: row["n"]
        for row in requests.order_by().values("status").annotate(n=Count("pk"))
    }
    if shown != "all":
        requests = requests.filter(status=shown)
    return render(
        request,
        "regional/employers_requests.html",
        {
            "requests": requests[:200],
            "shown": shown,
            "filters": [
                ("pending", _("Pending"), counts.get("pending", 0)),
                ("approved", _("Approved"), counts.get("approved", 0)),
                ("rejected", _("Declined"), counts.get("rejected", 0)),
                ("cancelled", _("Cancelled"), counts.get("cancelled", 0)),
                ("all", _("All"), None),
            ],
            "decline_form": DeclineForm(),
            "show_employer": not _is_employer(request),
        },
    )


class _RequestPage(ObjectPage):
    """A request for one of the visitor's employers' mentors, decided here (POST only)."""

    roles = PORTAL
    host_scope = "public"
    http_method_names = ["post"]
    access_by_id = staticmethod(access.access_mentor_request_by_id)

    def object_queryset(self) -> QuerySet[MentorRequest]:
        return selectors.mentor_request_list()


class RequestApprovePage(_RequestPage):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        mentor_request = self.object
        try:
            placement = services.mentor_request_approve(
                mentor_request=mentor_request, actor=actor_of(request)
            )
        except services.CapacityExhausted as exc:
            messages.error(
                request,
                _(
                    "Capacity exhausted: %(name)s has %(free)d free place(s), the request needs "
                    "%(requested)d. Decline the request or raise the capacity of the offer."
                )
                % {
                    "name": mentor_request.employer_mentor.full_name,
                    "free": exc.capacity_free,
                    "requested": exc.requested,
                },
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("Approved: %(name)s is placed at %(institution)s; the institution is told.")
                % {
                    "name": mentor_request.employer_mentor.full_name,
                    "institution": placement.institution.short_name,
                },
            )
        return redirect("regional:employer-requests")


class RequestDeclinePage(_RequestPage):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        mentor_request = self.object
        form = DeclineForm(request.POST)
        if not form.is_valid():
            for message in form.errors.get("reason", []):
                messages.error(request, str(message))
            return redirect("regional:employer-requests")
        try:
            services.mentor_request_reject(
                mentor_request=mentor_request,
                actor=actor_of(request),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The request is declined."))
        return redirect("regional:employer-requests")


request_approve = RequestApprovePage.as_view()
request_decline = RequestDeclinePage.as_view()


# --- placements ---------------------------------------------------------------------------


@require_safe
@page(PORTAL)
def placements_page(request: HttpRequest) -> HttpResponse:
    placements = _placements(request)
    totals = placements.aggregate(
        active=Count("pk", filter=Q(status=PlacementStatus.ACTIVE)),
        ended=Count("pk", filter=Q(status=PlacementStatus.ENDED)),
        cancelled=Count("pk", filter=Q(status=PlacementStatus.CANCELLED)),
        mentees=Sum("mentees_count", filter=Q(status=PlacementStatus.ACTIVE)),
        institutions=Count("institution", filter=Q(status=PlacementStatus.ACTIVE), distinct=True),
    )
    active_only = request.GET.get("status") != "all"
    if active_only:
        placements = placements.filter(status=PlacementStatus.ACTIVE)
    return render(
        request,
        "regional/employers_placements.html",
        {
            "placements": placements[:200],
            "totals": totals,
            "active_only": active_only,
            "show_employer": not _is_employer(request),
        },
    )


class _PlacementClosePage(ObjectPage):
    """End or cancel a placement of the visitor's employers' mentors (POST only)."""

    roles = PORTAL
    host_scope = "public"
    http_method_names = ["post"]
    access_by_id = staticmethod(access.access_placement_by_id)
    cancel: bool = False

    def object_queryset(self) -> QuerySet[Placement]:
        return selectors.placement_list()

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        placement = self.object
        try:
            if self.cancel:
                services.placement_cancel(placement=placement, actor=actor_of(request))
            else:
                services.placement_end(placement=placement, actor=actor_of(request))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                (_("The placement is cancelled.") if self.cancel else _("The placement is ended."))
                + " "
                + _("%(count)d place(s) returned to the capacity of %(name)s.")
                % {"count": placement.mentees_count, "name": placement.employer_mentor.full_name},
            )
        return redirect("regional:employer-placements")


class PlacementEndPage(_PlacementClosePage):
    cancel = False


class PlacementCancelPage(_PlacementClosePage):
    cancel = True


placement_end = PlacementEndPage.as_view()
placement_cancel = PlacementCancelPage.as_view()


# --- the regional supply and demand board -------------------------------------------------


def _board() -> dict[str, Any]:
    board = selectors.supply_and_demand()
    for row in board["by_municipality"]:
        row["label"] = row["municipality"]
        # flagged: more mentees asked for than the free places of every mentor who can reach it
        row["short"] = (row["pending_mentees"] or 0) > row["capacity_free_reaching"]
    for row in board["by_competence"]:
        row["short"] = (row["pending_mentees"] or 0) > (row["capacity_free"] or 0)
    return board


@require_safe
@page(REGIONAL)
def board(request: HttpRequest) -> HttpResponse:
    data = _board()
    rows = data["by_municipality"]
    chart = {
        "labels": [row["label"] for row in rows],
        "series": [
            {"label": _("Places taken"), "data": [r["places_taken"] for r in rows]},
            {
                "label": _("Mentees requested (pending)"),
                "data": [r["pending_mentees"] for r in rows],
            },
            {
                "label": _("Free places within reach"),
                "data": [r["capacity_free_reaching"] for r in rows],
            },
        ],
        "title": _("Supply and demand by municipality"),
    }
    return render(request, "regional/employers_board.html", {"board": data, "chart": chart})


MUNICIPALITY_COLUMNS = (
    ("mentors_reaching", gettext_lazy("Mentors within reach")),
    ("capacity_free_reaching", gettext_lazy("Free places within reach")),
    ("places_taken", gettext_lazy("Places taken")),
    ("pending_requests", gettext_lazy("Pending requests")),
    ("pending_mentees", gettext_lazy("Mentees requested (pending)")),
)
BOARD_COLUMNS = (
    ("mentors", gettext_lazy("Mentors")),
    ("capacity_total", gettext_lazy("Capacity")),
    ("capacity_used", gettext_lazy("Places taken")),
    ("capacity_free", gettext_lazy("Free places")),
    ("pending_requests", gettext_lazy("Pending requests")),
    ("pending_mentees", gettext_lazy("Mentees requested (pending)")),
)


@require_safe
@page(REGIONAL)
def board_export(request: HttpRequest) -> HttpResponse:
    """The board as an XLSX workbook: by municipality, by competence, region totals."""
    from openpyxl.styles import Font

    from config import spreadsheets

    data = _board()
    book = spreadsheets.new_workbook()
    hidden = _("hidden: small group")

    def sheet_of(
        title: str, first: str, columns: Any, rows: list[tuple[str, dict[str, Any]]]
    ) -> None:
        sheet = book.create_sheet(spreadsheets.sheet_title(title))
        header = [first, *(str(label) for _key, label in columns)]
        spreadsheets.append(sheet, header, font=Font(bold=True))
        for name, row in rows:
            # names typed by employers stay text, never a formula ("=..." in a competence)
            values = [hidden if row[key] is None else int(row[key]) for key, _label in columns]
            spreadsheets.append(sheet, [name, *values])
        sheet.column_dimensions["A"].width = 40

    sheet_of(
        _("By municipality"),
        _("Municipality"),
        MUNICIPALITY_COLUMNS,
        [(row["label"], row) for row in data["by_municipality"]],
    )
    sheet_of(
        _("By competence"),
        _("Competence"),
        BOARD_COLUMNS,
        [(row["competence"], row) for row in data["by_competence"]],
    )
    sheet_of(_("Region"), "", BOARD_COLUMNS, [(_("Region"), data["region"])])
    default = book.worksheets[0]
    book.remove(default)
    response = HttpResponse(
        spreadsheets.workbook_bytes(book),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="supply-and-demand-{day}.xlsx"'
    return response
