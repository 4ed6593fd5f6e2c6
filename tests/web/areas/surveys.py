"""The questionnaire pages: campaigns and results (staff), my questionnaires and answering
(mentor, mentee, parent), and the page of a personal one-time link (no sign-in)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from accounts.models import Role
from tests.conftest import SETUP
from tests.web.areas.core import STAFF, TENANT_ROLES

ANSWERERS = frozenset({Role.MENTOR, Role.MENTEE, Role.PARENT})

TENANT_ALLOWED = {
    "campaigns": STAFF,
    "questionnaire-create": {Role.COORDINATOR},
    # a curator sees the campaigns of its own classes: this one surveys a pair (404 to it)
    "campaign": STAFF - {Role.CURATOR},
    "campaign-xlsx": STAFF - {Role.CURATOR},
    "campaign-launch-progress": STAFF - {Role.CURATOR},
    "campaign-pair-choices": {Role.COORDINATOR},
    "my-surveys": ANSWERERS | {Role.COORDINATOR, Role.CURATOR},
    "my-survey": {Role.MENTEE},  # the invitation is the mentee's: others get 404
    "survey-link": TENANT_ROLES,  # anyone holding the link (signed in or not)
}
TENANT_ID_OF = {
    "campaign": "surveycampaign",
    "campaign-open": "surveycampaign",
    "campaign-close": "surveycampaign",
    "campaign-remind": "surveycampaign",
    "campaign-xlsx": "surveycampaign",
    "campaign-launch-progress": "surveycampaign",
    "my-survey": "surveyinvitation",
    "survey-link": "surveytoken",
}
# Not pages with a frame: the XLSX download (binary), the launch's progress bar and the new
# campaign's pair options (HTMX).
FRAGMENTS = {"campaign-xlsx", "campaign-launch-progress", "campaign-pair-choices"}
# Pages that need no sign-in (a secret token in the path): anonymous visitors are not sent
# to the login page.
OPEN_PAGES = {"survey-link"}


def tenant_objects(schema_name: str, users: dict[str, Any], ids: dict[str, Any]) -> dict[str, Any]:
    """A campaign of an adopted regional template, opened for the page tests' pair (its
    mentor and mentee are invited); the mentee has an invitation, the mentor a one-time link."""
    from regional.questionnaires import api as templates
    from schools.monitoring import services
    from schools.monitoring.models import SurveyInvitation

    version_id = templates.published_version_id(template_code="satisfaction-mentee")
    assert version_id is not None
    questionnaire = services.questionnaire_adopt(version_id=version_id, actor=SETUP)
    today = timezone.localdate()
    campaign = services.campaign_create(
        questionnaire=questionnaire,
        title="Удовлетворённость наставляемых",
        target=services.Target(kind="pair", pair_id=ids["pair"]),
        opens_on=today,
        closes_on=today + datetime.timedelta(days=14),
        programme_id=ids["programme"],
        actor=SETUP,
    )
    services.campaign_open(campaign=campaign, actor=SETUP)
    invitations = SurveyInvitation.objects.filter(campaign=campaign)
    mine = invitations.get(participant__user=users[Role.MENTEE])
    theirs = invitations.get(participant__user=users[Role.MENTOR])
    token = services.invitation_link_issue(invitation_id=theirs.pk)
    return {"surveycampaign": campaign.pk, "surveyinvitation": mine.pk, "surveytoken": token}
