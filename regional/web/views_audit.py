"""The regional audit page and the region's publication setting (k), for regional
administrators. Thin: reads through ``tenants.selectors``, writes through the services."""

from __future__ import annotations

from urllib.parse import urlencode

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.actor import actor_of
from config.pages import add_service_errors
from regional.privacy import api as privacy
from regional.web.forms import AuditFilterForm, RegionSettingsForm
from regional.web.views import REGIONAL_ADMIN, page
from tenants import selectors
from tenants.models import PublicAuditEntry

PAGE_SIZE = 50


def object_kinds() -> list[tuple[str, str]]:
    """(model label, its name) of every kind of object the log holds, by name."""
    labels = PublicAuditEntry.objects.order_by().values_list("model_label", flat=True).distinct()
    return sorted(((label, kind_name(label)) for label in labels), key=lambda pair: pair[1])


def kind_name(label: str) -> str:
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return label
    return str(model._meta.verbose_name).capitalize()


@require_safe
@page(REGIONAL_ADMIN)
def audit(request: HttpRequest) -> HttpResponse:
    """Who did what to which object and when, in the public schema, newest first."""
    form = AuditFilterForm(
        request.GET or None, actors=selectors.public_audit_actors(), kinds=object_kinds()
    )
    entries = selectors.public_audit_list()
    status = 200
    query = ""
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            entries = selectors.public_audit_list(
                actor=data["actor"],
                action=data["action"],
                model_label=data["kind"],
                since=data["since"],
                until=data["until"],
            )
            query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
        else:
            entries = entries.none()
            status = 400
    page_obj = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"entry": entry, "kind": kind_name(entry.model_label)} for entry in page_obj]
    return render(
        request,
        "regional/audit.html",
        {"form": form, "page_obj": page_obj, "rows": rows, "query": query},
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@page(REGIONAL_ADMIN)
def region_settings(request: HttpRequest) -> HttpResponse:
    """The region's minimum group size k: the one setting behind every published number."""
    current = privacy.min_group_size()
    form = RegionSettingsForm(request.POST or None, initial={"min_group_size": current})
    if request.method == "POST" and form.is_valid():
        try:
            privacy.region_settings_update(
                min_group_size=form.cleaned_data["min_group_size"], actor=actor_of(request)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved: numbers are published with the new k from now on."))
            return redirect("regional:settings")
    return render(
        request,
        "regional/settings.html",
        {"form": form, "k": current},
        status=400 if form.errors else 200,
    )
