"""The programme's set-up and its orders: the coordinator sets the programme up and prepares
the stage-1 orders, the director approves them (the last one approves the programme), the
documents read as a director signs them; the order approving pairs omits a withdrawn pupil."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django_tenants.utils import tenant_context

from accounts.actor import actor_for
from accounts.models import Role
from config.office import docx_text
from schools.documents import orders
from schools.documents.models import OrderKind, OrderStatus
from schools.pairs import api as pairs_api
from schools.participants import api as participants
from schools.participants import selectors as participant_selectors
from schools.participants.classes import study_groups_create_many, study_groups_set_curators
from schools.programmes.models import ProgrammeStatus
from schools.programmes.setup import programme_set_up
from schools.programmes.stages import stage_reports
from tests import builders
from tests.conftest import SETUP, make_user

YEAR = 2026


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def staff(tenant_a: Any) -> Iterator[dict[str, Any]]:
    schema = tenant_a.schema_name
    people = {
        "coordinator": make_user(
            schema,
            Role.COORDINATOR,
            "k-coord",
            last_name="Багдасарова",
            first_name="Марина",
            middle_name="Николаевна",
        ),
        "director": make_user(
            schema,
            Role.DIRECTOR,
            "k-dir",
            last_name="Ёлкин",
            first_name="Пётр",
            middle_name="Семёнович",
        ),
        "curator": make_user(
            schema,
            Role.CURATOR,
            "k-cur",
            last_name="Иванова",
            first_name="Ольга",
            middle_name="Петровна",
        ),
    }
    with tenant_context(tenant_a):
        yield people


def set_up(staff: dict[str, Any], **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "programme": None,
        "title": "Вместе к успеху",
        "academic_year": YEAR,
        "forms": ["pupil_pupil", "teacher_teacher"],
        "goals": "Раскрытие потенциала личности наставляемого\nПоддержка молодых педагогов",
        "planned_results": "70 % обучающихся от 10 лет вовлечены как наставляемые",
        "coordinator_id": staff["coordinator"].pk,
        "director_id": staff["director"].pk,
        "curator_ids": [staff["curator"].pk],
        "headcount_learners": 540,
        "headcount_teachers": 48,
        "headcount_young_teachers": 6,
    }
    values.update(overrides)
    return programme_set_up(actor=actor_for(staff["coordinator"]), **values)


def test_only_the_coordinator_sets_the_programme_up(staff):
    for role in ("curator", "director"):
        with pytest.raises(PermissionDenied):
            programme_set_up(
                actor=actor_for(staff[role]),
                programme=None,
                title="X",
                academic_year=YEAR,
                forms=[],
                goals="",
                planned_results="",
                coordinator_id=None,
                director_id=None,
                curator_ids=[],
                headcount_learners=0,
                headcount_teachers=0,
                headcount_young_teachers=0,
            )
    with pytest.raises(ValidationError) as caught:
        set_up(staff, director_id=staff["curator"].pk, headcount_young_teachers=60)
    assert {"director", "headcount_young_teachers"} & set(caught.value.message_dict)


def test_the_stage_tracker_reads_the_set_up_and_the_orders(staff):
    programme = set_up(staff)
    study_groups_create_many(names="5А, 5Б", actor=actor_for(staff["coordinator"]))
    first = next(r for r in stage_reports(programme=programme) if r.stage == 1)
    codes = {item.code for item in first.missing}
    assert not codes & {"forms", "coordinator", "curators", "goals", "planned_results", "headcount"}
    assert "orders" in codes
    # classes with people and no curator are named
    group = participant_selectors.study_group_list().get(name="5А")
    participants.participant_create(
        last_name="Петров",
        first_name="Иван",
        category="pupil",
        study_group_id=group.pk,
        actor=SETUP,
    )
    first = next(r for r in stage_reports(programme=programme) if r.stage == 1)
    assert "classes_without_curator" in {item.code for item in first.missing}
    study_groups_set_curators(
        assignments={group.pk: staff["curator"].pk}, actor=actor_for(staff["coordinator"])
    )
    first = next(r for r in stage_reports(programme=programme) if r.stage == 1)
    assert "classes_without_curator" not in {item.code for item in first.missing}


def test_a_curator_cannot_be_anyone_but_a_curator(staff):
    (group,) = study_groups_create_many(names="9В", actor=actor_for(staff["coordinator"]))
    with pytest.raises(ValidationError):
        study_groups_set_curators(
            assignments={group.pk: staff["director"].pk}, actor=actor_for(staff["coordinator"])
        )
    with pytest.raises(PermissionDenied):
        study_groups_set_curators(assignments={group.pk: None}, actor=actor_for(staff["curator"]))


def test_stage_one_orders_are_prepared_approved_and_kept(staff, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    programme = set_up(staff)
    groups = study_groups_create_many(names="5А, 6Б", actor=actor_for(staff["coordinator"]))
    study_groups_set_curators(
        assignments={g.pk: staff["curator"].pk for g in groups},
        actor=actor_for(staff["coordinator"]),
    )
    day = timezone.localdate()
    prepared: dict[str, Any] = {
        kind: orders.order_prepare(
            programme=programme, kind=kind, actor=actor_for(staff["coordinator"])
        )
        for kind in (OrderKind.INTRODUCTION, OrderKind.APPOINTMENT, OrderKind.PROGRAMME_APPROVAL)
    }
    with pytest.raises(PermissionDenied):
        orders.order_prepare(
            programme=programme, kind="introduction", actor=actor_for(staff["director"])
        )
    with pytest.raises(PermissionDenied):
        orders.order_approve(
            order=prepared["introduction"],
            actor=actor_for(staff["coordinator"]),
            number="1",
            dated=day,
        )
    with pytest.raises(ValidationError) as caught:
        orders.order_approve(
            order=prepared["introduction"],
            actor=actor_for(staff["director"]),
            number="",
            dated=None,  # type: ignore[arg-type]
        )
    assert {"number", "dated"} <= set(caught.value.message_dict)

    introduction = docx_text(orders.order_document(order=prepared["introduction"]))
    assert "О внедрении целевой модели наставничества" in introduction
    assert "Р-145" in introduction and "АЗ-1128/08" in introduction  # teacher – teacher runs
    assert "«ученик – ученик»; «педагог – педагог»" in introduction
    assert "/П. С. Ёлкин/" in introduction

    appointment = docx_text(orders.order_document(order=prepared["appointment"]))
    assert "координатором внедрения целевой модели наставничества Багдасарова Марина" in (
        appointment
    )
    assert "Иванова Ольга Петровна" in appointment and "5А, 6Б" in appointment

    for number, kind in enumerate(prepared, start=10):
        orders.order_approve(
            order=prepared[kind],
            actor=actor_for(staff["director"]),
            number=f"{number}-о",
            dated=day,
        )
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.ACTIVE and programme.approved_at is not None
    assert programme.approved_by == staff["director"]
    approval = orders.stage_one_orders(programme=programme)["programme_approval"]
    assert approval is not None and approval.status == OrderStatus.APPROVED
    kept = docx_text(orders.order_document(order=approval))
    assert "№ 12-о" in kept
    assert "ПОЛОЖЕНИЕ О ПРОГРАММЕ НАСТАВНИЧЕСТВА" in kept  # appendix 1
    assert "Дорожная карта" in kept and "Поддержка молодых педагогов" in kept  # appendix 2
    # the kept document does not follow later changes of the set-up
    set_up(staff, programme=programme, title="Другое название")
    assert "Другое название" not in docx_text(orders.order_document(order=approval))
    with pytest.raises(ValidationError):
        orders.order_prepare(
            programme=programme, kind="introduction", actor=actor_for(staff["coordinator"])
        )
    first = next(r for r in stage_reports(programme=programme) if r.stage == 1)
    assert "orders" not in {item.code for item in first.missing}

    regulation = docx_text(orders.regulation_document(programme=programme))
    assert "Положение о программе наставничества".upper() in regulation
    assert "152-ФЗ" in regulation


def test_the_pairs_order_approves_the_pairs_and_omits_a_withdrawn_pupil(staff, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    programme = set_up(staff)
    adult = datetime.date(1990, 5, 5)
    mentor = builders.person(
        last_name="Наставникова", first_name="Анна", born=adult, mentor_capacity=3
    )
    pupils = []
    for name in ("Васильев", "Ёжиков"):
        pupil = builders.person(
            last_name=name,
            first_name="Роман",
            born=datetime.date(timezone.localdate().year - 12, 1, 1),
            category="pupil",
        )
        pupils.append(pupil)
    pair_ids = [
        pairs_api.pair_create(
            programme_id=programme.pk,
            mentor_participant_id=mentor.pk,
            mentee_participant_ids=[pupil.pk],
            form="pupil_pupil",
            actor=SETUP,
        )
        for pupil in pupils
    ]
    stage_4 = next(r for r in stage_reports(programme=programme) if r.stage == 4)
    assert "pairs_not_approved" in {item.code for item in stage_4.missing}
    order = orders.order_prepare(
        programme=programme, kind=OrderKind.PAIRS_APPROVAL, actor=actor_for(staff["coordinator"])
    )
    assert set(order.pairs.values_list("pk", flat=True)) == set(pair_ids)
    # the second pupil withdraws before the director signs
    participants.consent_withdraw(
        actor=SETUP,
        participant_id=pupils[1].pk,
        signed_by="guardian",
        guardian_name="Мама",
        guardian_relation="mother",
        signed_on=timezone.localdate(),
        method="electronic",
    )
    order = orders.order_approve(
        order=order, actor=actor_for(staff["director"]), number="45", dated=timezone.localdate()
    )
    assert orders.approved_pair_ids(programme=programme) == {pair_ids[0]}
    text = docx_text(orders.order_document(order=order))
    assert "Васильев Роман" in text and "Ёжиков" not in text
    assert orders.pair_ids_awaiting_approval(programme=programme) == []
    with pytest.raises(ValidationError):
        orders.order_prepare(
            programme=programme,
            kind=OrderKind.PAIRS_APPROVAL,
            actor=actor_for(staff["coordinator"]),
        )
    stage_4 = next(r for r in stage_reports(programme=programme) if r.stage == 4)
    assert "pairs_not_approved" not in {item.code for item in stage_4.missing}


def _awaiting_count_by_the_orm(programme_id: int) -> int:
    """The ORM form of ``pairs_awaiting_approval_count``'s rule (the one
    ``pair_ids_awaiting_approval`` applies): the reference the statement must agree with."""
    from django.db.models import Exists, OuterRef

    from schools.documents.models import Order
    from schools.pairs.models import Pair, PairMentee, PairStatus

    approved = Order.objects.filter(
        programme_id=programme_id,
        kind=OrderKind.PAIRS_APPROVAL,
        status=OrderStatus.APPROVED,
        pairs__isnull=False,
    ).values("pairs")
    nameable = PairMentee.objects.filter(
        pair=OuterRef("pk"),
        paused_at__isnull=True,
        mentee__erased_at__isnull=True,
        mentee__processing_stopped_at__isnull=True,
    )
    return (
        Pair.objects.filter(
            programme_id=programme_id,
            status=PairStatus.ACTIVE,
            mentor__erased_at__isnull=True,
            mentor__processing_stopped_at__isnull=True,
        )
        .exclude(pk__in=approved)
        .filter(Exists(nameable))
        .count()
    )


def test_the_awaiting_count_agrees_with_the_orm_and_the_list(staff, settings, tmp_path):
    """The hand-written count of the pairs awaiting the director's order gives what the ORM
    form gave and what ``pair_ids_awaiting_approval`` lists, through paused places, erased
    and stopped people, ended pairs and approved orders (one naming no pair)."""
    from schools.documents.models import Order
    from schools.pairs.models import Pair, PairMentee
    from schools.participants.models import Participant

    settings.MEDIA_ROOT = str(tmp_path)
    programme = set_up(staff)
    born = datetime.date(timezone.localdate().year - 12, 1, 1)
    pair_ids = []
    for i in range(6):
        mentor = builders.person(
            last_name=f"Наставников{i}",
            first_name="Иван",
            born=datetime.date(1990, 5, 5),
            mentor_capacity=1,
        )
        pupil = builders.person(
            last_name=f"Учеников{i}", first_name="Роман", born=born, category="pupil"
        )
        pair_ids.append(
            pairs_api.pair_create(
                programme_id=programme.pk,
                mentor_participant_id=mentor.pk,
                mentee_participant_ids=[pupil.pk],
                form="pupil_pupil",
                actor=SETUP,
            )
        )
    pairs = {pair.pk: pair for pair in Pair.objects.filter(pk__in=pair_ids)}
    places = {place.pair_id: place for place in PairMentee.objects.filter(pair_id__in=pair_ids)}

    def agree() -> int:
        count = orders.pairs_awaiting_approval_count(programme_id=programme.pk)
        assert count == _awaiting_count_by_the_orm(programme.pk)
        assert count == len(orders.pair_ids_awaiting_approval(programme=programme))
        return count

    assert agree() == 6
    PairMentee.objects.filter(pk=places[pair_ids[0]].pk).update(paused_at=timezone.now())
    assert agree() == 5
    Participant.objects.filter(pk=places[pair_ids[1]].mentee_id).update(erased_at=timezone.now())
    Participant.objects.filter(pk=pairs[pair_ids[2]].mentor_id).update(
        processing_stopped_at=timezone.now()
    )
    assert agree() == 3
    Pair.objects.filter(pk=pair_ids[3]).update(status="completed", ended_on=timezone.localdate())
    assert agree() == 2
    named = Order.objects.create(
        programme=programme,
        kind=OrderKind.PAIRS_APPROVAL,
        status=OrderStatus.APPROVED,
        number="1",
        dated=timezone.localdate(),
        approved_at=timezone.now(),
    )
    named.pairs.add(pair_ids[4])
    Order.objects.create(
        programme=programme, kind=OrderKind.PAIRS_APPROVAL, status=OrderStatus.DRAFT
    ).pairs.add(pair_ids[5])
    assert agree() == 1
    # an approved order naming no pair (a pair of it deleted, say) approves nothing: the pair
    # still awaiting is still counted and listed (a NULL in ``NOT IN`` hid every pair)
    Order.objects.create(
        programme=programme,
        kind=OrderKind.PAIRS_APPROVAL,
        status=OrderStatus.APPROVED,
        number="1",
        dated=timezone.localdate(),
        approved_at=timezone.now(),
    )
    assert agree() == 1


def _unapproved_stage_one_by_the_orm(programme_id: int) -> list[str]:
    """The ORM form ``unapproved_stage_one`` had: the reference its statement must agree with."""
    from schools.documents.models import STAGE_ONE_ORDERS, Order

    approved = set(
        Order.objects.filter(
            programme_id=programme_id, kind__in=STAGE_ONE_ORDERS, status=OrderStatus.APPROVED
        ).values_list("kind", flat=True)
    )
    return [kind for kind in STAGE_ONE_ORDERS if kind not in approved]


def test_the_stage_one_orders_not_approved_agree_with_the_orm(staff):
    """The stage-1 orders the director has not approved (one statement) are those the ORM
    form named, in the same order, through no orders, drafts, an approved order of another
    kind and another programme's approved orders."""
    from schools.documents.models import Order
    from schools.programmes.models import Programme

    programme = set_up(staff)
    other = Programme.objects.create(academic_year=YEAR + 1, title="Другая")
    kinds = [OrderKind.INTRODUCTION, OrderKind.APPOINTMENT, OrderKind.PROGRAMME_APPROVAL]

    def agree(programme_id: int) -> list[str]:
        missing = list(orders.unapproved_stage_one(programme_id=programme_id))
        assert missing == _unapproved_stage_one_by_the_orm(programme_id)
        return missing

    def approved(programme_id: int, kind: str) -> None:
        Order.objects.create(
            programme_id=programme_id,
            kind=kind,
            status=OrderStatus.APPROVED,
            number="1",
            dated=timezone.localdate(),
            approved_at=timezone.now(),
        )

    assert agree(programme.pk) == kinds == agree(other.pk)
    Order.objects.create(programme=programme, kind=kinds[0], status=OrderStatus.DRAFT)
    approved(programme.pk, OrderKind.PAIRS_APPROVAL)
    approved(programme.pk, OrderKind.PAIRS_APPROVAL)
    assert agree(programme.pk) == kinds
    approved(other.pk, kinds[1])
    approved(other.pk, kinds[2])
    assert agree(programme.pk) == kinds and agree(other.pk) == kinds[:1]
    approved(programme.pk, kinds[1])
    assert agree(programme.pk) == [kinds[0], kinds[2]]
    Order.objects.filter(programme=programme, kind=kinds[0]).update(
        status=OrderStatus.APPROVED,
        number="2",
        dated=timezone.localdate(),
        approved_at=timezone.now(),
    )
    approved(programme.pk, kinds[2])
    assert agree(programme.pk) == [] and agree(other.pk) == kinds[:1]
    assert agree(-1) == kinds  # no such programme
