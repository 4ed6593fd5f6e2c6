"""Matching beyond the run page: an unmatched mentee explained (and paired by hand), a proposal
re-assigned, some proposals approved."""

from __future__ import annotations

from typing import Any

from tests import builders
from tests.conftest import SETUP
from tests.web.areas.core import STAFF

TENANT_ALLOWED = {
    "matching-unmatched": STAFF,
    "matching-proposal": STAFF,
}
TENANT_ID_OF = {
    "matching-unmatched": "unmatchedmentee",
    "matching-proposal": "matchproposal",
    "matching-approve-selected": "matchrun",
}


def tenant_objects(schema_name: str, users: dict[str, Any], ids: dict[str, int]) -> dict[str, int]:
    """A mentee the page-test run left without a mentor: nobody covers the request."""
    import datetime

    from django.utils import timezone

    from schools.matching.models import UnmatchedMentee
    from schools.participants import api as participants

    today = timezone.localdate()
    pupil = builders.person(
        names="Соколова Алёна Игоревна",
        born=today.replace(year=today.year - 12) - datetime.timedelta(days=40),
        category="pupil",
        consent=False,
    )
    participants.mentee_profile_upsert(
        participant_id=pupil.pk, request="Олимпиады по химии", need_codes=["chemistry"], actor=SETUP
    )
    row = UnmatchedMentee.objects.create(
        run_id=ids["matchrun"],
        mentee=pupil,
        reason="needs_not_covered",
        detail={
            "funnel": [{"criterion": "form", "mentors": 1}, {"criterion": "needs", "mentors": 0}],
            "blocking": "needs",
            "needs": ["chemistry"],
            "per_need": {"chemistry": {"any": 0, "fitting_form": 0}},
            "mentors": [],
            "wishes": [],
        },
    )
    return {"unmatchedmentee": row.pk}
