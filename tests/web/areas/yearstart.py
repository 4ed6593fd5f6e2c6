"""The start of the year: the programme's set-up and orders, classes, a class and its returned
papers, and the page of a parent's one-time consent link (no sign-in)."""

from __future__ import annotations

from typing import Any

from accounts.actor import actor_for
from accounts.models import Role
from tests import builders
from tests.conftest import SETUP
from tests.web.areas.core import STAFF, TENANT_ROLES

TENANT_ALLOWED = {
    "programme-setup": STAFF,
    "orders": STAFF,
    "order-docx": STAFF,
    "regulation-docx": STAFF,
    "classes": STAFF,
    "classes-curators": {Role.COORDINATOR},  # the select per class, on its own page
    "class": STAFF - {Role.CURATOR},  # the page-test class has no curator: 404 to a curator
    "class-consents": {Role.COORDINATOR},
    "consent-online": TENANT_ROLES,  # anyone holding the link (signed in or not)
    "consent-scan": STAFF - {Role.CURATOR},  # the scanned pupil is in no curator's class
}
TENANT_ID_OF = {
    "order-docx": "order",
    "order-approve": "order",
    "order-discard": "order",
    "class": "studygroup",
    "class-consents": "studygroup",
    "consent-link": "participant",
    "consent-online": "consenttoken",
    "consent-scan-add": "consent",
    "consent-scan": "consentscan",
    "consent-alert-ack": "consentalert",
}
# Downloads (DOCX), not framed pages.
FRAGMENTS = {"order-docx", "regulation-docx", "consent-scan"}
OPEN_PAGES = {"consent-online"}


def tenant_objects(schema_name: str, users: dict[str, Any], ids: dict[str, Any]) -> dict[str, Any]:
    """A class with a pupil whose consent is missing (with an open one-time link for it) and
    a draft stage-1 order."""
    import datetime

    from django.utils import timezone

    from schools.documents import orders
    from schools.participants import api as participants
    from schools.participants import consents
    from schools.programmes.models import Programme

    group_id = participants.study_groups_ensure(names=["6В"], actor=SETUP)["6В"]
    today = timezone.localdate()
    pupil = builders.person(
        names="Лаврова Дарья",
        born=today.replace(year=today.year - 11) - datetime.timedelta(days=30),
        category="pupil",
        study_group_id=group_id,
        consent=False,
    )
    request = consents.consent_request_create(
        participant_id=pupil.pk, actor=actor_for(users[Role.COORDINATOR]), send=False
    )
    link = consents.consent_request_link(request=request, host="alpha.test")
    from django.core.files.uploadedfile import SimpleUploadedFile

    from schools.participants.models import Consent, ConsentAlert

    consent = Consent.objects.filter(participant_id=ids["participant"]).first()
    assert consent is not None
    scan = consents.consent_scan_attach(
        consent=consent,
        upload=SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n1 0 obj\n%%EOF\n"),
        actor=actor_for(users[Role.COORDINATOR]),
    )
    alert = ConsentAlert.objects.create(participant_id=pupil.pk, kind="withdrawn")
    order = orders.order_prepare(
        programme=Programme.objects.get(pk=ids["programme"]),
        kind="introduction",
        actor=actor_for(users[Role.COORDINATOR]),
    )
    return {
        "studygroup": group_id,
        "consent": consent.pk,
        "consentscan": scan.pk,
        "consentalert": alert.pk,
        "order": order.pk,
        "consenttoken": link.rstrip("/").rsplit("/", 1)[-1],
    }
