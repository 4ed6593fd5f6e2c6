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
from regional.privacy import api as privacy
from tenants.models import Municipality


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
    home_municipality_id: int,
    competence: str | None = None,
    form: str | None = None,
    municipality_id: int | None = None,
    with_free_capacity: bool = True,
    day: datetime.date | None = None,
) -> QuerySet[EmployerMentor]:
    """What an institution may request: active mentors available today who reach the given
    municipality (by default the institution's own, ``home_municipality_id``) or work
    remotely."""
    day = day or timezone.localdate()
    mentors = (mentors if mentors is not None else employer_mentor_list()).filter(
        Q(available_from__isnull=True) | Q(available_from__lte=day),
        Q(available_to__isnull=True) | Q(available_to__gte=day),
        status=MentorStatus.ACTIVE,
    )
    reach = municipality_id if municipality_id is not None else home_municipality_id
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


def _protected(counts: dict[str, int], k: int) -> dict[str, int | None]:
    """Counts of learners by municipality and their region total (key ``""``), small ones
    hidden with their complements (``regional.privacy``: the region's k)."""
    parts = [key for key in counts if key]
    hidden = privacy.suppress_cells(
        counts, k=k, equations=[{**dict.fromkeys(parts, 1), "": -1}] if parts else []
    )
    return {key: None if key in hidden else value for key, value in counts.items()}


def supply_and_demand(*, k: int | None = None) -> dict[str, Any]:
    """The employers' mentors against the institutions' demand. Every place is counted once:

    * ``region``: active mentors, their capacity (total, used, free), pending requests and the
      mentees they ask for, active placements;
    * ``by_municipality`` (each municipality with a mentor reaching it, a placement or a
      request): ``places_taken`` — mentees placed at its institutions (each place counted where
      it is used, so the rows add up to the region's used capacity); ``pending_requests`` and
      ``pending_mentees`` from its institutions; and, for comparison, the mentors who can reach
      it (in person or remotely) and their free places — shared between the municipalities they
      reach, so these two columns do not add up;
    * ``by_competence``: the same per competence of the mentor (a mentor with several
      competences is in each of their rows).

    ``places_taken`` and ``pending_mentees`` count learners: below the region's k they are
    hidden (None), with their complements, like every published count of people."""
    k = privacy.check_min_group_size(k or privacy.min_group_size())
    mentors = list(
        EmployerMentor.objects.filter(status=MentorStatus.ACTIVE).prefetch_related("municipalities")
    )
    municipalities = dict(Municipality.objects.values_list("pk", "name"))
    taken: dict[int, int] = defaultdict(int)
    active_placements = 0  # counted with the places they take (one query, not two)
    for row in (
        Placement.objects.filter(status=PlacementStatus.ACTIVE)
        .values("institution__municipality_id")
        .annotate(n=Sum("mentees_count"), placements=Count("pk"))
    ):
        taken[row["institution__municipality_id"]] += int(row["n"] or 0)
        active_placements += row["placements"]
    # each request with its mentor's competences (any status: a request keeps its mentor's)
    pending = list(
        MentorRequest.objects.filter(status=RequestStatus.PENDING).values(
            "institution__municipality_id",
            "employer_mentor_id",
            "mentees_count",
            "employer_mentor__competences",
        )
    )
    requests: dict[int, int] = defaultdict(int)
    requested: dict[int, int] = defaultdict(int)
    for item in pending:
        requests[item["institution__municipality_id"]] += 1
        requested[item["institution__municipality_id"]] += item["mentees_count"]

    # Who can reach each municipality: in person, or remotely (then every municipality).
    reach: dict[int, dict[str, int]] = defaultdict(lambda: {"mentors": 0, "capacity_free": 0})
    for mentor in mentors:
        targets = municipalities if mentor.remote else [m.pk for m in mentor.municipalities.all()]
        for m_id in targets:
            reach[m_id]["mentors"] += 1
            reach[m_id]["capacity_free"] += mentor.capacity_free
    shown = sorted(
        set(taken) | set(requests) | {m for m, row in reach.items() if row["mentors"]},
        key=lambda m: (municipalities.get(m, ""), m),
    )
    places = _protected({"": sum(taken.values()), **{str(m): taken.get(m, 0) for m in shown}}, k)
    wanted = _protected(
        {"": sum(requested.values()), **{str(m): requested.get(m, 0) for m in shown}}, k
    )
    by_municipality = [
        {
            "municipality_id": m,
            "municipality": municipalities.get(m, ""),
            "mentors_reaching": reach[m]["mentors"],
            "capacity_free_reaching": reach[m]["capacity_free"],
            "places_taken": places[str(m)],
            "pending_requests": requests.get(m, 0),
            "pending_mentees": wanted[str(m)],
        }
        for m in shown
    ]

    by_competence: dict[str, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(
            ("mentors", "capacity_total", "capacity_used", "capacity_free", "pending_requests"), 0
        )
    )
    competence_mentees: dict[str, int] = defaultdict(int)
    for mentor in mentors:
        for competence in {c.casefold() for c in mentor.competences}:
            row = by_competence[competence]
            row["mentors"] += 1
            row["capacity_total"] += mentor.capacity
            row["capacity_used"] += mentor.capacity_used
            row["capacity_free"] += mentor.capacity_free
    for item in pending:
        for competence in {c.casefold() for c in item["employer_mentor__competences"] or []}:
            by_competence[competence]["pending_requests"] += 1
            competence_mentees[competence] += item["mentees_count"]
    competences = []
    for key, numbers in sorted(by_competence.items()):
        used_hidden = privacy.is_small(numbers["capacity_used"], k)
        competences.append(
            {
                "competence": key,
                **numbers,
                # learners: a small count is hidden (and the free places it would give away)
                "capacity_used": None if used_hidden else numbers["capacity_used"],
                "capacity_free": None if used_hidden else numbers["capacity_free"],
                "pending_mentees": None
                if privacy.is_small(competence_mentees[key], k)
                else competence_mentees[key],
            }
        )

    # the active mentors are all read above: their totals are summed here, not queried again
    total = sum(mentor.capacity for mentor in mentors)
    used = places[""]  # = Σ capacity_used: every used place is a placed mentee
    region = {
        "mentors": len(mentors),
        "capacity_total": total,
        "capacity_used": used,
        "capacity_free": None if used is None else total - used,
        "pending_requests": len(pending),
        "pending_mentees": wanted[""],
        "active_placements": active_placements,
    }
    return {
        "min_group_size": k,
        "region": region,
        "by_municipality": by_municipality,
        "by_competence": competences,
    }
