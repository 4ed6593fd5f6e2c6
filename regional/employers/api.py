"""Public interface of the employers app: the only module other apps import.

Reads for the regional KPIs (numbers per institution) and, from an institution's own schema,
the employer specialists placed at that institution (the institution already sees them in the
catalogue and works with them; no mentee and no learner appears here)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, TypedDict

from django.db import transaction
from django.db.models import Count, Q, Sum

from accounts.actor import Actor
from accounts.models import User
from regional.employers import services
from regional.employers.models import (
    Employer,
    EmployerMentor,
    MentorRequest,
    Placement,
    PlacementStatus,
)
from tenants.models import Institution

PARTNER_KEYS = (
    "employers_partnered",
    "employers_supplying",
    "employer_mentors_placed",
)


def partner_counts(*, institution_id: int) -> dict[str, int]:
    """The employer numbers of one institution (public data, numbers only):

    * ``employers_partnered`` — employers the institution has partnered with: it sent any
      request for one of their mentors (a placement always starts as a request);
    * ``employers_supplying`` — of those, employers with an active placement at the
      institution now (the employer KPI read as "partner enterprises that supply mentors");
    * ``employer_mentors_placed`` — employers' specialists with an active placement at the
      institution now."""
    return partner_counts_by_institution(institution_ids=[institution_id]).get(
        institution_id, dict.fromkeys(PARTNER_KEYS, 0)
    )


def partner_counts_by_institution(
    *, institution_ids: list[int] | None = None
) -> dict[int, dict[str, int]]:
    """``partner_counts`` for many institutions in three queries: institution id → counts.
    Institutions without any request are absent."""
    requests = MentorRequest.objects.all()
    placements = Placement.objects.filter(status=PlacementStatus.ACTIVE)
    if institution_ids is not None:
        requests = requests.filter(institution_id__in=institution_ids)
        placements = placements.filter(institution_id__in=institution_ids)
    result: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(PARTNER_KEYS, 0))
    for row in requests.values("institution_id").annotate(
        n=Count("employer_mentor__employer_id", distinct=True)
    ):
        result[row["institution_id"]]["employers_partnered"] = row["n"]
    for row in placements.values("institution_id").annotate(
        employers=Count("employer_mentor__employer_id", distinct=True),
        mentors=Count("employer_mentor_id", distinct=True),
    ):
        result[row["institution_id"]]["employers_supplying"] = row["employers"]
        result[row["institution_id"]]["employer_mentors_placed"] = row["mentors"]
    return dict(result)


class PlacedMentor(TypedDict):
    employer_mentor_id: int
    last_name: str
    first_name: str
    middle_name: str
    email: str
    mentees_active: int  # mentees the active placements at the institution hold (0: all ended)
    placements_active: int


def placed_mentors(*, institution_id: int) -> list[PlacedMentor]:
    """Every employer specialist ever placed at the institution (active, ended or cancelled),
    with the mentees their active placements there hold: their capacity for this institution.
    Ordered by employer mentor id. The institution's own data: call it for the current
    institution only."""
    rows = (
        Placement.objects.filter(institution_id=institution_id)
        .values(
            "employer_mentor_id",
            "employer_mentor__last_name",
            "employer_mentor__first_name",
            "employer_mentor__middle_name",
            "employer_mentor__contact_email",
        )
        .annotate(
            mentees=Sum("mentees_count", filter=Q(status=PlacementStatus.ACTIVE)),
            active=Count("id", filter=Q(status=PlacementStatus.ACTIVE)),
        )
        .order_by("employer_mentor_id")
    )
    return [
        PlacedMentor(
            employer_mentor_id=row["employer_mentor_id"],
            last_name=row["employer_mentor__last_name"],
            first_name=row["employer_mentor__first_name"],
            middle_name=row["employer_mentor__middle_name"],
            email=row["employer_mentor__contact_email"],
            mentees_active=int(row["mentees"] or 0),
            placements_active=row["active"],
        )
        for row in rows
    ]


def placed_mentors_here() -> list[PlacedMentor]:
    """``placed_mentors`` of the institution whose schema is active ([] in the public schema
    or a schema without an institution)."""
    from config.db import tenant_connection

    institution_id = (
        Institution.objects.filter(schema_name=tenant_connection().schema_name)
        .values_list("pk", flat=True)
        .first()
    )
    return [] if institution_id is None else placed_mentors(institution_id=institution_id)


def employer_ensure(
    *, inn: str, name: str, sector: str = "", contact_email: str = "", contact_phone: str = ""
) -> int:
    """The employer with ``inn`` (created with these details when missing); its id."""
    with transaction.atomic():
        employer, created = Employer.objects.get_or_create(
            inn=inn,
            defaults={
                "name": name,
                "sector": sector,
                "contact_email": contact_email,
                "contact_phone": contact_phone,
            },
        )
        if created:
            employer.full_clean()
    return employer.pk


def employer_name(*, employer_id: int) -> str:
    return Employer.objects.values_list("name", flat=True).get(pk=employer_id)


def employer_member_add(*, employer_id: int, user_id: int, actor: Actor) -> None:
    """The public-schema account ``user_id`` (employer role) acts for the employer."""
    services.employer_member_add(
        employer=Employer.objects.get(pk=employer_id),
        user=User.objects.get(pk=user_id),
        actor=actor,
    )


def employer_mentor_id_by_email(*, contact_email: str) -> int | None:
    return (
        EmployerMentor.objects.filter(contact_email__iexact=contact_email)
        .values_list("pk", flat=True)
        .first()
    )


def employer_mentor_create(
    *, employer_id: int, actor: Actor, municipality_ids: Sequence[int] = (), **fields: Any
) -> int:
    """An employer's specialist offered as a mentor (the fields of ``services``); the id."""
    employer = Employer.objects.get(pk=employer_id)
    return services.employer_mentor_create(
        employer=employer, actor=actor, municipalities=municipality_ids, **fields
    ).pk


def mentor_request_count(*, institution_id: int) -> int:
    """Requests for employers' mentors the institution has made (any status)."""
    return MentorRequest.objects.filter(institution_id=institution_id).count()


def mentor_request_create(
    *,
    institution_id: int,
    employer_mentor_id: int,
    form: str,
    mentees_count: int,
    level: str,
    need_code: str,
    actor: Actor,
) -> int:
    """An institution asks for an employer's mentor (see ``services.mentor_request_create``)."""
    return services.mentor_request_create(
        institution=Institution.objects.get(pk=institution_id),
        employer_mentor_id=employer_mentor_id,
        form=form,
        mentees_count=mentees_count,
        level=level,
        need_code=need_code,
        actor=actor,
    ).pk


__all__ = [
    "PARTNER_KEYS",
    "PlacedMentor",
    "employer_ensure",
    "employer_member_add",
    "employer_mentor_create",
    "employer_mentor_id_by_email",
    "employer_name",
    "mentor_request_count",
    "mentor_request_create",
    "partner_counts",
    "partner_counts_by_institution",
    "placed_mentors",
    "placed_mentors_here",
]
