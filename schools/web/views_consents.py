"""Pages of the consent register beyond recording: the scan of a signed paper attached to a
consent and read back, and the alerts a withdrawal sends to the coordinator and the curator.

A scan is stored in the institution's own storage and read only by those who may read the
consent (the staff who see the person: a curator its classes); out of scope is a 404."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from config.pages import COORDINATOR_AND_CURATORS, STAFF, ObjectPage
from schools.participants import access as participant_access
from schools.participants import consents as consent_services
from schools.participants.models import ConsentAlert


class ConsentScanAdd(ObjectPage):
    """Attach the scan (PDF or JPEG) of the signed paper to a consent record: who may change
    the person's record."""

    roles = COORDINATOR_AND_CURATORS
    http_method_names = ["post"]
    access_by_id = staticmethod(participant_access.access_consent_by_id)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        consent = self.object
        upload = request.FILES.get("scan")
        if upload is None:
            messages.error(request, _("Choose the file of the scan."))
        else:
            try:
                consent_services.consent_scan_attach(
                    consent=consent, upload=upload, actor=self.actor
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("The scan is attached to the consent."))
        return redirect("school:participant", pk=consent.participant_id)


class ConsentScanPage(ObjectPage):
    """The scan itself, for those who may read the consent."""

    roles = STAFF
    http_method_names = ["get", "head"]
    access_by_id = staticmethod(participant_access.access_consent_scan_by_id)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        scan = self.object
        if not scan.file:
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


class ConsentAlertAck(ObjectPage):
    """Mark an alert as read (it leaves the overview)."""

    roles = STAFF
    http_method_names = ["post"]
    access_by_id = staticmethod(participant_access.access_consent_alert_by_id)

    def object_queryset(self) -> QuerySet[ConsentAlert]:
        return consent_services.consent_alerts_for(actor=self.actor)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        consent_services.consent_alert_acknowledge(alert=self.object, actor=self.actor)
        return redirect("school:home")


consent_scan_add = ConsentScanAdd.as_view()
consent_scan = ConsentScanPage.as_view()
consent_alert_ack = ConsentAlertAck.as_view()
