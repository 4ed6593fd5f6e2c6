"""Best practices: the region's library (regional host) and the institution's cases."""

from __future__ import annotations

from typing import Any

from accounts.models import Role
from tests.conftest import SETUP
from tests.web.areas.core import REGIONAL, STAFF

TENANT_ALLOWED = {
    "practices": STAFF,
    "practice-create": {Role.COORDINATOR, Role.CURATOR},
    "practice": STAFF,
    "practice-preview": {Role.COORDINATOR},
}
TENANT_ID_OF = {
    "practice": "practicecase",
    "practice-publish": "practicecase",
    "practice-prepare": "practicecase",
    "practice-preview": "practicecase",
}
# The preparation's state is an HTMX fragment: no page frame.
FRAGMENTS = {"practice-preview"}
PUBLIC_ALLOWED = {
    "practices": REGIONAL | {Role.EMPLOYER},
    "practice": REGIONAL | {Role.EMPLOYER},
}
PUBLIC_ID_OF = {"practice": "regional_practicecase"}


def tenant_objects(schema_name: str, users: dict[str, Any], ids: dict[str, int]) -> dict[str, int]:
    from schools.pairs import services

    case = services.practice_case_create(
        programme_id=ids["programme"],
        title="Наставник помог освоить новую методику",
        text="Молодой педагог за полгода провёл открытый урок.",
        form="teacher_teacher",
        actor=SETUP,
    )
    return {"practicecase": case.pk}


def public_objects(tenant: Any) -> dict[str, int]:
    from regional.practices import services

    case, _new = services.practice_case_publish(
        institution_id=tenant.pk,
        title="Пара «педагог – педагог»: открытый урок",
        text="Молодой педагог провёл открытый урок вместе с наставником.",
        form="teacher_teacher",
    )
    return {"regional_practicecase": case.pk}
