"""The employer portal and the supply and demand board (regional host), the employers' mentor
catalogue (institution host)."""

from __future__ import annotations

from typing import Any

from accounts.actor import actor_for
from accounts.models import Role
from tests.conftest import SETUP
from tests.web.areas.core import REGIONAL, STAFF

PORTAL = REGIONAL | {Role.EMPLOYER}
REQUESTERS = {Role.COORDINATOR, Role.CURATOR}

TENANT_ALLOWED = {
    "employer-mentors": STAFF,
    "employer-mentor-request": REQUESTERS,
}
TENANT_ID_OF = {
    "employer-mentor-request": "employermentor",
    "employer-request-cancel": "mentorrequest",
}
PUBLIC_ALLOWED = {
    "employer-summary": PORTAL,
    "employer-offers": PORTAL,
    "employer-offer-create": PORTAL,
    # the test's employer user belongs to no employer: the offer is out of its scope (404)
    "employer-offer": REGIONAL,
    "employer-requests": PORTAL,
    "employer-placements": PORTAL,
    "board": REGIONAL,
    "board-export": REGIONAL,
}
PUBLIC_ID_OF = {
    "employer-offer": "employermentor",
    "employer-request-approve": "mentorrequest",
    "employer-request-decline": "mentorrequest",
    "employer-placement-end": "placement",
    "employer-placement-cancel": "placement",
}
FRAGMENTS = {"employer-summary", "board-export"}

_INNS = iter(range(7000, 8000))


def valid_inn() -> str:
    """A fresh 10-digit organisation INN with a correct check digit."""
    body = f"63{next(_INNS):07d}"
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    check = sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11 % 10
    return f"{body}{check}"


def make_offer(institution: Any, **overrides: Any) -> Any:
    """An employer with an active offer that reaches ``institution``'s municipality."""
    from regional.employers import services

    employer = services.employer_create(
        name="АО «Ставропольский агрокомплекс»", inn=valid_inn(), actor=SETUP
    )
    values: dict[str, Any] = {
        "last_name": "Кравцов",
        "first_name": "Андрей",
        "middle_name": "Львович",
        "position": "Главный инженер",
        "bio": "Двадцать лет в сельхозмашиностроении.",
        "competences": ["Инженерия", "Робототехника"],
        "forms": ["employer_pupil", "employer_student"],
        "municipalities": [institution.municipality_id],
        "remote": False,
        "capacity": 4,
        "contact_email": "kravtsov@agro.example.org",
    }
    values.update(overrides)
    return services.employer_mentor_create(employer=employer, actor=SETUP, **values)


def tenant_objects(schema_name: str, users: dict[str, Any], ids: dict[str, int]) -> dict[str, int]:
    from regional.employers import services
    from tenants.models import Institution

    institution = Institution.objects.get(schema_name=schema_name)
    mentor = make_offer(institution)
    request = services.mentor_request_create(
        institution=institution,
        employer_mentor_id=mentor.pk,
        form="employer_pupil",
        mentees_count=1,
        level="grade-7",
        need_code="career_guidance",
        actor=SETUP,
    )
    return {"employermentor": mentor.pk, "mentorrequest": request.pk}


def public_objects(tenant: Any) -> dict[str, int]:
    from accounts.models import User
    from regional.employers import services

    mentor = make_offer(tenant, remote=True)
    decider = User.objects.filter(role=Role.REGIONAL_ADMIN).first()
    first, second = (
        services.mentor_request_create(
            institution=tenant,
            employer_mentor_id=mentor.pk,
            form="employer_pupil",
            mentees_count=1,
            level="grade-7",
            need_code="career_guidance",
            actor=SETUP,
        )
        for _n in range(2)
    )
    if decider is None:
        from tests.conftest import make_user

        decider = make_user("public", Role.REGIONAL_ADMIN, "web-employers-decider")
    placement = services.mentor_request_approve(mentor_request=first, actor=actor_for(decider))
    return {"employermentor": mentor.pk, "mentorrequest": second.pk, "placement": placement.pk}
