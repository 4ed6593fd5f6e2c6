"""The programme's set-up and its orders, in the pages: the coordinator fills in the set-up
(coordinator, director, curators, forms, goals and planned results, headcount, the year) and
prepares the orders; the director approves (signs) them — the stage-1 orders, whose last
approves the programme, and the orders approving pairs and groups. Every staff member reads
them and downloads their DOCX. The rules live in ``schools.programmes.setup`` and
``schools.documents.orders``."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.actor import actor_of
from accounts.models import Role, User
from config.office import DOCX_CONTENT_TYPE
from config.pages import STAFF, ObjectPage, add_service_errors, role_required
from schools.documents import access as document_access
from schools.documents import orders as order_services
from schools.documents.models import STAGE_ONE_ORDERS, Order, OrderKind, OrderStatus
from schools.programmes import selectors as programme_selectors
from schools.programmes import setup
from schools.programmes.models import Programme
from schools.web.forms_setup import OrderApproveForm, OrderPrepareForm, SetupForm
from schools.web.views_records import current_programme_or_404


def page(roles: frozenset[str]) -> Any:
    return role_required(roles, scope="tenant")


def _people(role: str) -> list[tuple[int, str]]:
    users = User.objects.filter(role=role, is_active=True).order_by(
        "last_name", "first_name", "username"
    )
    return [(user.pk, user.get_full_name() or user.username) for user in users]


def _setup_form(data: Any = None, programme: Programme | None = None) -> SetupForm:
    initial: dict[str, Any] = {"academic_year": programme_selectors.current_academic_year()}
    if programme is not None:
        initial = {
            "title": programme.title,
            "academic_year": programme.academic_year,
            "forms": list(programme.forms or ()),
            "goals": programme.goals,
            "planned_results": programme.planned_results,
            "coordinator": programme.coordinator_id,
            "director": programme.director_id,
            "curators": list(programme.curators.values_list("pk", flat=True)),
            "headcount_learners": programme.headcount_learners,
            "headcount_teachers": programme.headcount_teachers,
            "headcount_young_teachers": programme.headcount_young_teachers,
        }
    return SetupForm(
        data,
        initial=initial,
        coordinators=_people(Role.COORDINATOR),
        directors=_people(Role.DIRECTOR),
        curators=_people(Role.CURATOR),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@page(STAFF)
def programme_setup(request: HttpRequest) -> HttpResponse:
    """The set-up of this year's programme: filled in by the coordinator, read by the staff."""
    programme = programme_selectors.programme_current()
    can_edit = setup.can_set_up_programme(actor=actor_of(request))
    form = _setup_form(programme=programme)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = _setup_form(request.POST, programme=programme)
        if form.is_valid():
            data = form.cleaned_data
            try:
                programme = setup.programme_set_up(
                    actor=actor_of(request),
                    programme=programme,
                    title=data["title"],
                    academic_year=data["academic_year"],
                    forms=data["forms"],
                    goals=data["goals"],
                    planned_results=data["planned_results"],
                    coordinator_id=data["coordinator"],
                    director_id=data["director"],
                    curator_ids=data["curators"],
                    headcount_learners=data["headcount_learners"],
                    headcount_teachers=data["headcount_teachers"],
                    headcount_young_teachers=data["headcount_young_teachers"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The set-up of the programme is saved."))
                return redirect("school:programme-setup")
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    return render(
        request,
        "school/setup_programme.html",
        {"programme": programme, "form": form, "can_edit": can_edit},
        status=400 if request.method == "POST" else 200,
    )


# --- orders --------------------------------------------------------------------------------------


class _OrderPage(ObjectPage):
    """A page of one order of the current programme (``schools.documents.access``): the staff
    read it; approving is the director's, withdrawing a draft the coordinator's
    (``check_object`` of each page)."""

    roles = STAFF
    access_by_id = staticmethod(document_access.access_order_by_id)

    def object_queryset(self) -> QuerySet[Order]:
        return order_services.order_list(programme=current_programme_or_404())


def _orders_page(
    request: HttpRequest,
    *,
    errors: dict[int, OrderApproveForm] | None = None,
    prepare_errors: dict[str, OrderPrepareForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    programme = programme_selectors.programme_current()
    if programme is None:
        return render(request, "school/setup_orders.html", {"programme": None}, status=status)
    errors = errors or {}
    prepare_errors = prepare_errors or {}
    # One read of the register (each pair order with the number of its pairs), the stage-1
    # orders taken from it; the pairs awaiting an order are
    # counted in the database (building the 240 pairs with their members to count them was
    # nine tenths of the page on a large school).
    register = list(
        order_services.order_list(programme=programme).annotate(pair_count=Count("pairs"))
    )
    existing: dict[str, Order] = {
        order.kind: order for order in register if order.kind in STAGE_ONE_ORDERS
    }
    labels = dict(OrderKind.choices)
    stage_one = []
    for kind in STAGE_ONE_ORDERS:
        order = existing.get(kind)
        initial = {"kind": kind, "number": order.number, "dated": order.dated} if order else {}
        stage_one.append(
            {
                "kind": kind,
                "label": labels[kind],
                "order": order,
                "prepare_form": prepare_errors.get(kind)
                or OrderPrepareForm(initial=initial or {"kind": kind}, auto_id=f"id_{kind}_%s"),
                "approve_form": _approve_form(order, errors),
            }
        )
    pair_orders = [
        {"order": order, "approve_form": _approve_form(order, errors)}
        for order in register
        if order.kind == OrderKind.PAIRS_APPROVAL
    ]
    actor = actor_of(request)
    return render(
        request,
        "school/setup_orders.html",
        {
            "programme": programme,
            "stage_one": stage_one,
            "pair_orders": pair_orders,
            "awaiting_count": order_services.pairs_awaiting_approval_count(
                programme_id=programme.pk
            ),
            "pairs_prepare_form": prepare_errors.get(OrderKind.PAIRS_APPROVAL)
            or OrderPrepareForm(initial={"kind": OrderKind.PAIRS_APPROVAL}, auto_id="id_pairs_%s"),
            "can_prepare": setup.can_set_up_programme(actor=actor),
            "can_approve": setup.can_approve_programme(actor=actor),
        },
        status=status,
    )


def _approve_form(order: Order | None, errors: dict[int, OrderApproveForm]) -> Any:
    if order is None or order.status == OrderStatus.APPROVED:
        return None
    return errors.get(order.pk) or OrderApproveForm(
        initial={"number": order.number, "dated": order.dated or timezone.localdate()},
        auto_id=f"id_order{order.pk}_%s",
    )


@require_safe
@page(STAFF)
def orders(request: HttpRequest) -> HttpResponse:
    """The register of the programme's orders: the three of stage 1 and those approving
    pairs, each with its state and document."""
    return _orders_page(request)


@require_POST
@page(STAFF)
def order_prepare(request: HttpRequest) -> HttpResponse:
    programme = current_programme_or_404()
    if not setup.can_set_up_programme(actor=actor_of(request)):
        raise PermissionDenied
    kind = request.POST.get("kind", "")
    auto = f"id_{kind}_%s" if kind in STAGE_ONE_ORDERS else "id_pairs_%s"
    form = OrderPrepareForm(request.POST, auto_id=auto)
    if form.is_valid():
        try:
            order_services.order_prepare(
                programme=programme,
                kind=form.cleaned_data["kind"],
                actor=actor_of(request),
                number=form.cleaned_data["number"],
                dated=form.cleaned_data["dated"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The order is prepared for the director."))
            return redirect("school:orders")
    key = kind if kind in OrderKind.values else OrderKind.PAIRS_APPROVAL
    return _orders_page(request, prepare_errors={key: form}, status=400)


class OrderApprove(_OrderPage):
    http_method_names = ["post"]

    def check_object(self, obj: Order) -> None:
        if not setup.can_approve_programme(actor=self.actor):
            raise PermissionDenied

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = self.object
        form = OrderApproveForm(request.POST, auto_id=f"id_order{order.pk}_%s")
        if form.is_valid():
            try:
                order_services.order_approve(
                    order=order,
                    actor=self.actor,
                    number=form.cleaned_data["number"],
                    dated=form.cleaned_data["dated"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The order «%(kind)s» is approved.") % {"kind": order.get_kind_display()},
                )
                return redirect("school:orders")
        return _orders_page(request, errors={order.pk: form}, status=400)


class OrderDiscard(_OrderPage):
    http_method_names = ["post"]

    def check_object(self, obj: Order) -> None:
        if not setup.can_set_up_programme(actor=self.actor):
            raise PermissionDenied

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = self.object
        try:
            order_services.order_discard(order=order, actor=self.actor)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The draft order is withdrawn."))
        return redirect("school:orders")


order_approve = OrderApprove.as_view()
order_discard = OrderDiscard.as_view()


def _docx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response


class OrderDocx(_OrderPage):
    """The order's DOCX: the signed one once approved, else the draft made from the data now."""

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = self.object
        return _docx(
            order_services.order_document(order=order), order_services.order_filename(order)
        )


order_docx = OrderDocx.as_view()


@require_safe
@page(STAFF)
def regulation_docx(request: HttpRequest) -> HttpResponse:
    """The regulation (положение) on the programme, from its set-up."""
    programme = current_programme_or_404()
    return _docx(
        order_services.regulation_document(programme=programme),
        f"regulation-{programme.academic_year}.docx",
    )
