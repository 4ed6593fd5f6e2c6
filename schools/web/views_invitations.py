"""Invitations on the pages: the coordinator invites a person (a curator, a teacher who mentors,
a parent…) to the institution's workspace by e-mail; the person gets a one-time link to set a
password (``accounts.api.invitation_create``, the API's service)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import api as accounts_api
from accounts.actor import actor_of
from accounts.models import Invitation
from accounts.roles import INVITABLE_CHOICES as INVITABLE_ROLE_CHOICES
from config.pages import COORDINATOR, add_service_errors, role_required
from schools.web.forms_meetings import InvitationForm


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(COORDINATOR, scope="tenant")
def invitations(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(
        request.POST if request.method == "POST" else None, roles=INVITABLE_ROLE_CHOICES
    )
    if request.method == "POST" and form.is_valid():
        try:
            accounts_api.invitation_create(**form.cleaned_data, actor=actor_of(request))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The invitation is sent to %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return redirect("school:invitations")
    recent = Invitation.objects.order_by("-created_at")[:50]
    return render(
        request,
        "school/invitations.html",
        {"form": form, "invitations": recent},
        status=400 if form.errors else 200,
    )
