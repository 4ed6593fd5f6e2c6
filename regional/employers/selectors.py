"""Reads on employers, mentors, requests and placements; the regional supply/demand board."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import User
from regional.employers.models import (
    Employer,
    EmployerMentor,
    MentorRequest,
    MentorStatus,
    Placement,
    PlacementStatus,
    RequestStatus,
)
from tenants.models import Institution, Municipality


def employer_list() -> QuerySet[Employer]:
    return Employer.objects.annotate(
        mentors_count=Count("mentors", distinct=True),
        active_placements_count=Count(
            "mentors__placements",
            filter=Q(mentors__placements__status=PlacementStatus.ACTIVE),
            distinct=True,
        ),
    ).order_by("name", "pk")


def employers_of(user: User) -> QuerySet[Employer]:
    return Employer.objects.filter(members=user)


def employer_mentor_list() -> QuerySet[EmployerMentor]:
    return (
        EmployerMentor.objects.select_related("employer")
        .prefetch_related("municipalities")
        .order_by("last_name", "first_name", "pk")
    )


def employer_mentor_catalogue(
    *,
    mentors: QuerySet[EmployerMentor] | None = None,
    institution: Institution,
    competence: str | None = None,
    form: str | None = None,
    municipality_id: int | None = None,
    with_free_capacity: bool = True,
    day: datetime.date | None = None,
) -> QuerySet[EmployerMentor]:
    """What an institution may request: active mentors available today who reach the given
    municipality (by default the institution's own) or work remotely."""
    day = day or timezone.localdate()
    mentors = (mentors if mentors is not None else employer_mentor_list()).filter(
        Q(available_from__isnull=True) | Q(available_from__lte=day),
        Q(available_to__isnull=True) | Q(available_to__gte=day),
        status=MentorStatus.ACTIVE,
    )
    reach = municipality_id if municipality_id is not None else institution.municipality_id
    mentors = mentors.filter(Q(remote=True) | Q(municipalities=reach)).distinct()
    if competence:
        mentors = mentors.filter(competences__icontains=competence)
    if form:
        mentors = mentors.filter(forms__contains=[form])
    if with_free_capacity:
        mentors = mentors.filter(capacity_used__lt=F("capacity"))
    return mentors


def mentor_request_list() -> QuerySet[MentorRequest]:
    return MentorRequest.objects.select_related(
        "institution", "employer_mentor", "employer_mentor__employer", "placement"
    ).order_by("-created_at", "-pk")


def placement_list() -> QuerySet[Placement]:
    return Placement.objects.select_related(
        "institution", "employer_mentor", "employer_mentor__employer", "request"
    ).order_by("-started_on", "-pk")


REMOTE = "remote"


def supply_and_demand() -> dict[str, Any]:
    """Numbers only: capacity (total, used, free) of active mentors and pending demand, by
    municipality (a remote mentor counts under ``remote``, not under every municipality) and
    by competence."""
    mentors = list(
        EmployerMentor.objects.filter(status=MentorStatus.ACTIVE).prefetch_related("municipalities")
    )
    pending = list(
        MentorRequest.objects.filter(status=RequestStatus.PENDING).values(
            "institution__municipality_id", "employer_mentor_id", "mentees_count"
        )
    )
    competences_of = dict(EmployerMentor.objects.values_list("pk", "competences"))

    def row() -> dict[str, int]:
        return {
            "mentors": 0,
            "capacity_total": 0,
            "capacity_used": 0,
            "capacity_free": 0,
            "pending_requests": 0,
            "pending_mentees": 0,
        }

    by_municipality: dict[Any, dict[str, int]] = defaultdict(row)
    by_competence: dict[str, dict[str, int]] = defaultdict(row)

    def add_supply(target: dict[str, int], mentor: EmployerMentor) -> None:
        target["mentors"] += 1
        target["capacity_total"] += mentor.capacity
        target["capacity_used"] += mentor.capacity_used
        target["capacity_free"] += mentor.capacity_free

    for mentor in mentors:
        keys: list[Any] = [m.pk for m in mentor.municipalities.all()]
        if mentor.remote:
            keys.append(REMOTE)
        for key in keys:
            add_supply(by_municipality[key], mentor)
        for competence in mentor.competences:
            add_supply(by_competence[competence.casefold()], mentor)
    for item in pending:
        place = by_municipality[item["institution__municipality_id"]]
        place["pending_requests"] += 1
        place["pending_mentees"] += item["mentees_count"]
        for competence in competences_of.get(item["employer_mentor_id"], []):
            target = by_competence[competence.casefold()]
            target["pending_requests"] += 1
            target["pending_mentees"] += item["mentees_count"]

    names = dict(Municipality.objects.values_list("pk", "name"))
    municipalities = [
        {
            "municipality_id": None if key == REMOTE else key,
            "municipality": "" if key == REMOTE else names.get(key, ""),
            "remote": key == REMOTE,
            **numbers,
        }
        for key, numbers in by_municipality.items()
    ]
    municipalities.sort(key=lambda r: (r["remote"], r["municipality"]))
    competences = [{"competence": key, **numbers} for key, numbers in sorted(by_competence.items())]
    totals = EmployerMentor.objects.filter(status=MentorStatus.ACTIVE).aggregate(
        mentors=Count("pk"), capacity_total=Sum("capacity"), capacity_used=Sum("capacity_used")
    )
    total = int(totals["capacity_total"] or 0)
    used = int(totals["capacity_used"] or 0)
    region = {
        "mentors": totals["mentors"],
        "capacity_total": total,
        "capacity_used": used,
        "capacity_free": total - used,
        "pending_requests": len(pending),
        "pending_mentees": sum(item["mentees_count"] for item in pending),
        "active_placements": Placement.objects.filter(status=PlacementStatus.ACTIVE).count(),
    }
    return {"region": region, "by_municipality": municipalities, "by_competence": competences}
