"""Guardianships on the pages: the coordinator (or the curator of the child's class) links a
parent's account to a child and unlinks it. A link to an adult is refused: an adult acts for
themselves (``schools.participants.services.guardianship_create``). The child is looked up in
the caller's scope first ("missing" and "not yours" are one 404)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.actor import actor_of
from config.pages import COORDINATOR_AND_CURATORS, STAFF, add_service_errors, role_required
from schools.participants import api as participants_api
from schools.participants import selectors as participant_selectors
from schools.participants.models import Category, Guardianship
from schools.web.forms_meetings import GuardianshipForm


def _person_or_404(request: HttpRequest, pk: int) -> Any:
    person = participant_selectors.participants_visible_to(actor_of(request)).filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def _parents() -> list[tuple[int, str]]:
    people = (
        participants_api.Participant.objects.filter(
            category=Category.PARENT, erased_at__isnull=True
        )
        .order_by("last_name", "first_name", "middle_name", "pk")
        .only("pk", "last_name", "first_name", "middle_name", "email")
    )
    return [(p.pk, f"{p.full_name} · {p.email}" if p.email else p.full_name) for p in people]


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(STAFF, scope="tenant")
def guardianships(request: HttpRequest, pk: int) -> HttpResponse:
    """A child's parents and guardians; the coordinator and curators link and unlink them."""
    person = _person_or_404(request, pk)
    can_write = actor_of(request).role in COORDINATOR_AND_CURATORS
    form = (
        GuardianshipForm(request.POST if request.method == "POST" else None, parents=_parents())
        if can_write
        else None
    )
    if request.method == "POST":
        if form is None:
            return render(request, "403.html", status=403)
        if form.is_valid():
            try:
                participants_api.guardianship_create(
                    parent_id=int(form.cleaned_data["parent"]),
                    child_id=person.pk,
                    relation=form.cleaned_data["relation"],
                    actor=actor_of(request),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The parent is linked to the child."))
                return redirect("school:guardianships", pk=person.pk)
    links = (
        participant_selectors.guardianship_list().filter(child=person).order_by("parent__last_name")
    )
    return render(
        request,
        "school/guardianships.html",
        {
            "person": person,
            "links": links,
            "form": form,
            "adult": person.birth_date is not None and not person.is_minor,
        },
        status=400 if form is not None and form.errors else 200,
    )


@require_POST
@role_required(COORDINATOR_AND_CURATORS, scope="tenant")
def guardianship_delete(request: HttpRequest, pk: int) -> HttpResponse:
    link = (
        Guardianship.objects.filter(
            pk=pk, child__in=participant_selectors.participant_ids_visible_to(actor_of(request))
        )
        .select_related("parent", "child")
        .first()
    )
    if link is None:
        raise Http404
    participants_api.guardianship_delete(guardianship=link, actor=actor_of(request))
    messages.success(
        request, _("%(name)s is unlinked from the child.") % {"name": link.parent.full_name}
    )
    return redirect("school:guardianships", pk=link.child_id)
