"""Reads of the programmes app."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    BooleanField,
    Case,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Concat, Left, Length
from django.utils import timezone

from schools.programmes.models import (
    OPEN_ACTIVITY_STATUSES,
    Programme,
    ProgrammeStatus,
    RoadmapActivity,
)


def programme_list() -> QuerySet[Programme]:
    return Programme.objects.select_related("coordinator").prefetch_related("curators")


def programme_rows() -> QuerySet[Programme]:
    """Programmes as the API answers them: the coordinator's and curators' ids only (the
    curators in the order of their ids, as ``programme_curator_ids`` gives them)."""
    from accounts.models import User

    return Programme.objects.prefetch_related(
        Prefetch("curators", queryset=User.objects.only("pk").order_by("pk"))
    )


def programme_curator_ids() -> ArraySubquery:
    """An annotation: the ids of a programme's curators in ascending order (the list of
    programmes reads them with its rows, not in a query of its own)."""
    curators = Programme.curators.through.objects.filter(programme_id=OuterRef("pk"))
    return ArraySubquery(curators.order_by("user_id").values("user_id"))


def current_academic_year(today: date | None = None) -> int:
    """The academic year running on ``today``: it starts on 1 September."""
    today = today or timezone.localdate()
    return today.year if today.month >= 9 else today.year - 1


def programme_current(today: date | None = None) -> Programme | None:
    return Programme.objects.filter(academic_year=current_academic_year(today)).first()


def overdue_q(today: date) -> Q:
    return Q(status__in=OPEN_ACTIVITY_STATUSES, deadline__lt=today)


def roadmap_activity_list(*, today: date | None = None) -> QuerySet[RoadmapActivity]:
    """Every activity, annotated ``is_overdue`` (deadline passed, neither done nor cancelled)."""
    today = today or timezone.localdate()
    return (
        RoadmapActivity.objects.select_related("programme")
        .prefetch_related("responsible_people")
        .annotate(
            is_overdue=Case(
                When(overdue_q(today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )


def roadmap_rows(
    *, programme: Programme, today: date | None = None, summary_chars: int = 160
) -> QuerySet[RoadmapActivity, dict[str, Any]]:
    """A programme's activities as the roadmap's rows show them, in the roadmap's order: plain
    values with ``is_overdue`` and ``summary`` (the content cut to ``summary_chars`` with «…»)
    made in the database, no model built per row and no programme joined."""
    today = today or timezone.localdate()
    return (
        RoadmapActivity.objects.filter(programme=programme)
        .alias(content_length=Length("content"))
        .order_by("stage", "position", "deadline", "pk")
        .values("pk", "stage", "title", "deadline", "responsible_roles", "status", "completed_on")
        .annotate(
            is_overdue=Case(
                When(overdue_q(today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            summary=Case(
                When(
                    Q(content_length__gt=summary_chars),
                    then=Concat(Left("content", summary_chars - 1), Value("…")),
                ),
                default="content",
                output_field=TextField(),
            ),
        )
    )


def roadmap_activities_to_remind(*, today: date, days_ahead: int = 3) -> QuerySet[RoadmapActivity]:
    """Open activities of programmes that are not closed, overdue or due within
    ``days_ahead`` days."""
    return (
        roadmap_activity_list(today=today)
        .filter(status__in=OPEN_ACTIVITY_STATUSES, deadline__lte=today + timedelta(days=days_ahead))
        .exclude(programme__status=ProgrammeStatus.CLOSED)
        .select_related("programme__coordinator")
    )


def programme_director_name(programme: object | None = None) -> str:
    """The director as a signature line names them («А. М. Лебедев»): the director of the
    programme's set-up when it names one, else the institution's (first active) user with the
    role of director; empty when there is none."""
    from accounts.models import Role, User
    from schools.participants.names import person_name

    named = getattr(programme, "director_name", "") if programme is not None else ""
    if named:
        return str(named)
    director = User.objects.filter(role=Role.DIRECTOR, is_active=True).order_by("pk").first()
    if director is None:
        return ""
    return person_name(director).initials_last
