"""The pages of the second half of the year: a campaign's reach (non-responders, rates by class,
printed slips) and the short link of a slip, the monitoring report, the stage 6 downloads
(annual report, letters to partner employers, a pair's personalised programme), the next year,
and the public programme page with its settings."""

from __future__ import annotations

from typing import Any

from accounts.actor import actor_for
from accounts.models import Role
from tests.web.areas.core import STAFF, TENANT_ROLES

TENANT_ALLOWED = {
    "campaign-reach": STAFF,
    "monitoring-report": STAFF,
    "document-annual-report": STAFF,
    # GET: the forms loaded when opened (a page without HTMX); the pair's mentor may
    # complete it, only the coordinator end it early (the data's pair is in no curator's class)
    "pair-complete": {Role.COORDINATOR, Role.MENTOR},
    "pair-end-early": {Role.COORDINATOR},
    "document-employer-letters": STAFF,
    "pair-personalised-programme": STAFF | {Role.MENTOR},
    "survey-short": TENANT_ROLES,
    "public": TENANT_ROLES,
    "public-embed": TENANT_ROLES,
    "public-document": TENANT_ROLES,
    "public-settings": {Role.COORDINATOR},
    "time-zone": {Role.COORDINATOR},
    "pair-reassign": {Role.COORDINATOR},  # its own page; the page data's pair is active
}
TENANT_ID_OF = {
    "campaign-reach": "surveycampaign",
    "campaign-print": "surveycampaign",
    "pair-personalised-programme": "pair",
    "pair-complete": "pair",
    "pair-end-early": "pair",
    "pair-reassign": "pair",
    "survey-short": "surveycode",
    "public-document": "publicdocument",
    "public-document-delete": "publicdocument",
}
# Downloads and the frameless embed: no page frame to look for.
FRAGMENTS = {
    "document-annual-report",
    "document-employer-letters",
    "pair-personalised-programme",
    "public-document",
    "public-embed",
}
# No sign-in: the public page, its documents, and the short link of a printed slip.
OPEN_PAGES = {"survey-short", "public", "public-embed", "public-document"}


def tenant_objects(schema_name: str, users: dict[str, Any], ids: dict[str, Any]) -> dict[str, Any]:
    """A printed code for the mentee's invitation and a public document."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from schools.monitoring.models import SurveyInvitation
    from schools.monitoring.printing import short_codes_issue
    from schools.publication import services

    invitation = SurveyInvitation.objects.get(pk=ids["surveyinvitation"])
    code = short_codes_issue(invitation_ids=[invitation.pk])[invitation.pk]
    document = services.public_document_add(
        actor=actor_for(users[Role.COORDINATOR]),
        title="Положение о программе наставничества",
        kind="regulation",
        file=SimpleUploadedFile("polozhenie.pdf", b"%PDF-1.4 test"),
        no_learner_data=True,
    )
    return {"surveycode": code, "publicdocument": document.pk}
