"""The register of the programme's orders (приказы): the coordinator prepares an order, the
director approves it, and its signed document is kept.

- The three orders of stage 1 («О внедрении…», «О назначении координатора и кураторов», «Об
  утверждении программы и дорожной карты») are made from the programme's set-up; approving
  the last one approves the programme itself.
- An order approving pairs and groups names the programme's pairs that no approved order has
  approved yet, leaving out a paused pair and a person whose consent is withdrawn; when the
  director approves it the list is checked again, so a withdrawal in between keeps the pupil
  out of the signed order.

A draft's document is made from the current data on every download; an approved order's
document is made once, at approval, and kept in the institution's storage."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actor import Actor, author_id
from schools.audit.api import AuditAction, audit_record
from schools.documents.models import STAGE_ONE_ORDERS, Order, OrderKind, OrderStatus
from schools.programmes.access import can_approve_programme, can_set_up_programme, require
from schools.programmes.models import Programme

ACTIVITY_CANCELLED = "cancelled"


# --- what the documents are made of ---------------------------------------------------------------


def stage_one_data(programme: Programme) -> Any:
    """The set-up, curators per class, director and roadmap the stage-1 documents show."""
    from schools.participants import api as participants
    from schools.programmes.documents import Curatorship, Person, StageOne
    from tenants.api import current_institution

    groups = participants.curated_study_group_names()
    curators = {user.pk: user for user in programme.curators.all()}
    if groups:
        from accounts.models import User

        curators.update({user.pk: user for user in User.objects.filter(pk__in=list(groups))})
    curatorships = sorted(
        (
            Curatorship(curator=person, groups=tuple(groups.get(pk, ())))
            for pk, user in curators.items()
            if (person := Person.of(user)) is not None
        ),
        key=lambda item: (item.groups[:1] or ("~",), item.curator.full_name),
    )
    return StageOne(
        institution=current_institution(),
        programme=programme,
        coordinator=Person.of(programme.coordinator),
        director=Person.of(programme.director),
        curators=curatorships,
        roadmap=list(programme.activities.exclude(status=ACTIVITY_CANCELLED)),
    )


def _pairs_queryset(programme: Programme) -> QuerySet[Any]:
    from schools.pairs import selectors as pair_selectors

    return pair_selectors.programme_pairs(programme_id=programme.pk)


def pair_ids_awaiting_approval(*, programme: Programme) -> list[int]:
    """The ids of the programme's active pairs that no approved order approved yet and that a
    new document may name (not paused, nobody's consent withdrawn), oldest first."""
    from schools.pairs.documents import document_mentees, document_pairs, documentable
    from schools.pairs.models import Pair, PairStatus

    # the pairs the approved orders name (an approved order naming none approves nothing: its
    # NULL in a ``NOT IN`` would hide every pair)
    approved = Order.objects.filter(
        programme=programme,
        kind=OrderKind.PAIRS_APPROVAL,
        status=OrderStatus.APPROVED,
        pairs__isnull=False,
    ).values("pairs")
    # The pairs' people read with the pairs as plain values (two queries, not one per pair).
    pairs = (
        Pair.objects.filter(programme=programme, status=PairStatus.ACTIVE)
        .exclude(pk__in=approved)
        .order_by("started_on", "pk")
    )
    return [
        pair.id for pair in document_pairs(pairs) if documentable(pair) and document_mentees(pair)
    ]


# ``pairs_awaiting_approval_count`` written once (the stage tracker runs it on every visit of
# home and the roadmap, where building the ORM form cost more than running it): the statement the
# ORM makes of the rule of ``pair_ids_awaiting_approval`` — ``NOT IN`` the pairs the approved
# orders name (an inner join: an approved order naming no pair adds no NULL), a processable
# mentor, and a place not paused of a processable mentee. ``test_orders.py`` compares it with the
# ORM form and with ``pair_ids_awaiting_approval``.
_AWAITING_COUNT_SQL = """
SELECT COUNT(*)
FROM {pair} pair
INNER JOIN {participant} mentor ON pair.mentor_id = mentor.id
WHERE mentor.erased_at IS NULL AND mentor.processing_stopped_at IS NULL
    AND pair.programme_id = %(programme)s AND pair.status = %(active)s
    AND NOT (pair.id IN (
        SELECT named.{named_pair}
        FROM {order} approved
        INNER JOIN {order_pairs} named ON approved.id = named.{named_order}
        WHERE approved.kind = %(kind)s AND approved.programme_id = %(programme)s
            AND approved.status = %(approved)s
    ))
    AND EXISTS (
        SELECT 1
        FROM {pair_mentee} place
        INNER JOIN {participant} mentee ON place.mentee_id = mentee.id
        WHERE mentee.erased_at IS NULL AND mentee.processing_stopped_at IS NULL
            AND place.pair_id = pair.id AND place.paused_at IS NULL
    )
"""


def pairs_awaiting_approval_count(*, programme_id: int) -> int:
    """``len(pair_ids_awaiting_approval(...))`` counted in the database (the stage tracker shows
    it on every visit of home and the roadmap: building 240 pairs with their members to count
    them took two thirds of home's time on a large school), in one hand-written statement."""
    from django.db import connection

    from schools.pairs.models import Pair, PairMentee, PairStatus

    quote = connection.ops.quote_name
    named = Order._meta.get_field("pairs")
    people = cast("type[Model]", Pair._meta.get_field("mentor").related_model)
    sql = _AWAITING_COUNT_SQL.format(
        pair=quote(Pair._meta.db_table),
        participant=quote(people._meta.db_table),
        order=quote(Order._meta.db_table),
        order_pairs=quote(Order.pairs.through._meta.db_table),
        named_pair=quote(named.m2m_reverse_name()),
        named_order=quote(named.m2m_column_name()),
        pair_mentee=quote(PairMentee._meta.db_table),
    )
    params: dict[str, int | str] = {
        "programme": programme_id,
        "active": PairStatus.ACTIVE.value,
        "kind": OrderKind.PAIRS_APPROVAL.value,
        "approved": OrderStatus.APPROVED.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def order_document(*, order: Order) -> bytes:
    """The order's DOCX: the kept file of an approved order, else made from the data now."""
    if order.status == OrderStatus.APPROVED and order.file:
        with order.file.open("rb") as handle:
            return handle.read()
    return _make_document(order, number=order.number, day=order.dated)


def _make_document(order: Order, *, number: str, day: datetime.date | None) -> bytes:
    programme = order.programme
    if order.kind == OrderKind.PAIRS_APPROVAL:
        from schools.pairs.documents import approval_order_docx

        pairs = _pairs_queryset(programme).filter(pk__in=order.pairs.values("pk"))
        return approval_order_docx(
            programme=programme, pairs=pairs.order_by("started_on", "pk"), number=number, day=day
        )
    from schools.programmes.documents import DOCUMENTS

    return bytes(DOCUMENTS[order.kind](stage_one_data(programme), number=number, day=day))


def regulation_document(*, programme: Programme) -> bytes:
    from schools.programmes.documents import programme_regulation_docx

    return programme_regulation_docx(stage_one_data(programme))


def order_filename(order: Order) -> str:
    number = "".join(ch for ch in order.number if ch.isalnum() or ch in "-_") or "draft"
    return f"order-{order.kind}-{order.programme.academic_year}-{number}.docx"


# --- reads --------------------------------------------------------------------------------------


def order_list(*, programme: Programme) -> QuerySet[Order]:
    return (
        Order.objects.filter(programme=programme)
        .select_related("prepared_by", "approved_by", "programme")
        .order_by("prepared_at", "pk")
    )


def stage_one_orders(*, programme: Programme) -> dict[str, Order | None]:
    """The programme's stage-1 order of each kind (draft or approved), or None."""
    found = {order.kind: order for order in order_list(programme=programme)}
    return {kind: found.get(kind) for kind in STAGE_ONE_ORDERS}


# --- writes -------------------------------------------------------------------------------------


def _check_date(day: datetime.date | None, programme: Programme) -> None:
    if day is None:
        return
    start, end = programme.window
    if not start.replace(year=start.year - 1) <= day <= end:
        raise ValidationError(
            {"dated": [_("The order's date must fall within the programme's year.")]}
        )


@transaction.atomic
def order_prepare(
    *,
    programme: Programme,
    kind: str,
    actor: Actor,
    number: str = "",
    dated: datetime.date | None = None,
) -> Order:
    """The coordinator prepares an order for the director. A stage-1 order already prepared is
    updated (its number and date); once approved it cannot be prepared again. An order
    approving pairs names the pairs awaiting approval now."""
    require(can_set_up_programme(actor=actor))
    if kind not in OrderKind.values:
        raise ValidationError({"kind": [_("Unknown kind of order.")]})
    number = " ".join((number or "").split())[:32]
    _check_date(dated, programme)
    if kind in STAGE_ONE_ORDERS:
        order = Order.objects.select_for_update().filter(programme=programme, kind=kind).first()
        if order is not None and order.status == OrderStatus.APPROVED:
            raise ValidationError({"kind": [_("This order is already approved by the director.")]})
        if order is None:
            order = Order(programme=programme, kind=kind, prepared_by_id=author_id(actor))
        created = order.pk is None
        order.number, order.dated = number, dated
        order.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            instance=order,
            changed_fields=["kind", "number", "dated"],
        )
        return order
    pair_ids = pair_ids_awaiting_approval(programme=programme)
    if not pair_ids:
        raise ValidationError(
            {"kind": [_("There are no pairs or groups awaiting the director's approval.")]}
        )
    Order.objects.filter(
        programme=programme, kind=kind, status=OrderStatus.DRAFT
    ).delete()  # one draft at a time: the new one lists every pair awaiting approval
    order = Order.objects.create(
        programme=programme, kind=kind, number=number, dated=dated, prepared_by_id=author_id(actor)
    )
    order.pairs.set(pair_ids)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=order,
        changed_fields=["kind", "number", "dated", "pairs"],
    )
    return order


def _missing_for_approval(order: Order) -> list[str]:
    """What a stage-1 order needs before the director can sign it."""
    programme = order.programme
    missing = []
    if order.kind in STAGE_ONE_ORDERS:
        if not programme.forms:
            missing.append(_("the forms of mentoring"))
        if programme.coordinator_id is None:
            missing.append(_("the coordinator"))
    if order.kind == OrderKind.APPOINTMENT and not programme.curators.exists():
        missing.append(_("the curators"))
    if order.kind == OrderKind.PROGRAMME_APPROVAL:
        if not programme.goals.strip():
            missing.append(_("the goals"))
        if not programme.planned_results.strip():
            missing.append(_("the planned results"))
    return missing


@transaction.atomic
def order_approve(
    *,
    order: Order,
    actor: Actor,
    number: str,
    dated: datetime.date,
) -> Order:
    """The director approves (signs) an order under its number and date: its document is made
    now and kept. Approving the order on the programme approves the programme; approving an
    order on pairs approves the pairs it still names (a pair paused or a person withdrawn since
    it was prepared is left out)."""
    require(can_approve_programme(actor=actor))
    order = Order.objects.select_for_update().select_related("programme").get(pk=order.pk)
    errors: dict[str, list[str]] = {}
    if order.status == OrderStatus.APPROVED:
        raise ValidationError({"order": [_("This order is already approved.")]})
    number = " ".join((number or "").split())[:32]
    if not number:
        errors["number"] = [_("Give the order's number.")]
    if dated is None:
        errors["dated"] = [_("Give the order's date.")]
    elif dated > timezone.localdate():
        errors["dated"] = [_("The order's date is in the future.")]
    missing = _missing_for_approval(order)
    if missing:
        errors["order"] = [
            _("The set-up of the programme lacks: %(missing)s.") % {"missing": ", ".join(missing)}
        ]
    if order.kind == OrderKind.PAIRS_APPROVAL:
        still = set(pair_ids_awaiting_approval(programme=order.programme))
        listed = [pk for pk in order.pairs.values_list("pk", flat=True) if pk in still]
        if not listed:
            errors["order"] = [_("None of the order's pairs can be approved any more.")]
    if errors:
        raise ValidationError(errors)
    if order.kind == OrderKind.PAIRS_APPROVAL:
        order.pairs.set(listed)
    order.number, order.dated = number, dated
    content = _make_document(order, number=number, day=dated)
    order.file.save(order_filename(order), ContentFile(content), save=False)
    order.status = OrderStatus.APPROVED
    order.approved_by_id = author_id(actor)
    order.approved_at = timezone.now()
    order.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=order,
        changed_fields=["status", "number", "dated", "file"],
    )
    if order.kind == OrderKind.PROGRAMME_APPROVAL:
        from schools.programmes.services import programme_approve

        programme_approve(programme=order.programme, actor=actor)
    return order


@transaction.atomic
def order_discard(*, order: Order, actor: Actor) -> None:
    """The coordinator withdraws a draft (an approved order stays)."""
    require(can_set_up_programme(actor=actor))
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status == OrderStatus.APPROVED:
        raise ValidationError({"order": [_("An approved order cannot be withdrawn.")]})
    audit_record(actor=actor, action=AuditAction.DELETE, instance=order, changed_fields=["kind"])
    order.delete()


def approved_pair_ids(*, programme: Programme) -> set[int]:
    """The pairs of the programme that an order approved by the director names."""
    return set(
        Order.objects.filter(
            programme=programme, kind=OrderKind.PAIRS_APPROVAL, status=OrderStatus.APPROVED
        ).values_list("pairs", flat=True)
    ) - {None}


# The kinds of the programme's approved stage-1 orders, read in one statement written once (stage
# 1's check on every visit of home and the roadmap, where building the ORM query cost more than
# running it). ``test_orders.py`` compares ``unapproved_stage_one`` with the ORM form.
_APPROVED_KINDS_SQL = """
SELECT DISTINCT kind
FROM {order}
WHERE programme_id = %(programme)s AND kind = ANY(%(kinds)s) AND status = %(approved)s
"""


def unapproved_stage_one(*, programme_id: int) -> Sequence[str]:
    """The kinds of the stage-1 orders the director has not approved yet."""
    from django.db import connection

    params: dict[str, Any] = {
        "programme": programme_id,
        "kinds": [kind.value for kind in STAGE_ONE_ORDERS],
        "approved": OrderStatus.APPROVED.value,
    }
    sql = _APPROVED_KINDS_SQL.format(order=connection.ops.quote_name(Order._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        approved = {kind for (kind,) in cursor.fetchall()}
    return [kind for kind in STAGE_ONE_ORDERS if kind not in approved]
