"""Announcements of the regional centre to the institutions' coordinators: the list of those
sent and the form to send one (to all, to some municipalities, to some institutions)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.actor import actor_of
from config.pages import REGIONAL, add_service_errors
from regional.announcements import selectors, services
from regional.web.forms import AnnouncementForm
from regional.web.views import page
from tenants import selectors as tenant_selectors
from tenants.models import SCHEMA_STATUSES


@require_http_methods(["GET", "HEAD", "POST"])
@page(REGIONAL)
def announcements(request: HttpRequest) -> HttpResponse:
    form = AnnouncementForm(
        request.POST or None,
        municipalities=[(m.pk, m.name) for m in tenant_selectors.municipality_list()],
        institutions=[
            (i.pk, i.short_name)
            for i in tenant_selectors.institution_list().filter(status__in=SCHEMA_STATUSES)
        ],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            announcement = services.announcement_send(
                title=data["title"],
                body=data["body"],
                audience=data["audience"],
                municipality_ids=data["municipalities"],
                institution_ids=data["institutions"],
                actor=actor_of(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Sent to the coordinators of %(n)s institutions.")
                % {"n": announcement.recipients},
            )
            return redirect("regional:announcements")
    return render(
        request,
        "regional/announcements.html",
        {"form": form, "announcements": selectors.announcement_list()[:50]},
        status=400 if form.errors else 200,
    )
