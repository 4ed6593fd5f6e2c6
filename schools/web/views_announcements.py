"""The regional centre's announcements as an institution receives them (its staff read them;
each coordinator also gets them by e-mail)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from config.pages import STAFF
from config.pages import role_required as _role_required
from regional.announcements import api as announcements_api
from tenants.api import current_institution


def page(roles: frozenset[str]) -> Any:
    return _role_required(roles, scope="tenant")


@require_safe
@page(STAFF)
def announcements(request: HttpRequest) -> HttpResponse:
    institution = current_institution()
    items = (
        announcements_api.institution_announcements(
            institution_id=institution.id, municipality_id=institution.municipality_id
        )
        if institution is not None
        else []
    )
    return render(request, "school/announcements.html", {"announcements": items})
