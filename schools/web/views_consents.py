"""Pages of the consent register beyond recording: the scan of a signed paper attached to a
consent and read back, and the alerts a withdrawal sends to the coordinator and the curator.

A scan is stored in the institution's own storage and read only by those who may read the
consent (the staff who see the person: a curator its classes); out of scope is a 404."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.actor import actor_of
from config.pages import COORDINATOR_AND_CURATORS, STAFF, role_required
from schools.participants import consents as consent_services
from schools.participants import selectors as participant_selectors
from schools.participants.models import Consent, ConsentScan


def page(roles: frozenset[str]) -> Any:
    return role_required(roles, scope="tenant")


def _visible_ids(request: HttpRequest) -> Any:
    return participant_selectors.participant_ids_visible_to(actor_of(request))


@require_POST
@page(COORDINATOR_AND_CURATORS)
def consent_scan_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach the scan (PDF or JPEG) of the signed paper to a consent record."""
    consent = Consent.objects.filter(pk=pk, participant__in=_visible_ids(request)).first()
    if consent is None:
        raise Http404
    upload = request.FILES.get("scan")
    if upload is None:
        messages.error(request, _("Choose the file of the scan."))
    else:
        try:
            consent_services.consent_scan_attach(
                consent=consent, upload=upload, actor=actor_of(request)
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The scan is attached to the consent."))
    return redirect("school:participant", pk=consent.participant_id)


@require_safe
@page(STAFF)
def consent_scan(request: HttpRequest, pk: int) -> HttpResponse:
    """The scan itself, for those who may read the consent."""
    scan = (
        ConsentScan.objects.select_related("consent")
        .filter(pk=pk, consent__participant__in=_visible_ids(request))
        .first()
    )
    if scan is None or not scan.file:
        raise Http404
    extension = "pdf" if scan.content_type == "application/pdf" else "jpg"
    response = FileResponse(
        scan.file.open("rb"),
        as_attachment=False,
        filename=f"consent-{scan.consent_id}-scan-{scan.pk}.{extension}",
        content_type=scan.content_type,
    )
    response["Cache-Control"] = "no-store"  # personal data: never kept by proxies
    return cast(HttpResponse, response)


@require_POST
@page(STAFF)
def consent_alert_ack(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an alert as read (it leaves the overview)."""
    alert = consent_services.consent_alerts_for(actor=actor_of(request)).filter(pk=pk).first()
    if alert is None:
        raise Http404
    consent_services.consent_alert_acknowledge(alert=alert, actor=actor_of(request))
    return redirect("school:home")
