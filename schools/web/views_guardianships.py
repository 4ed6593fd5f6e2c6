"""Guardianships on the pages: the coordinator (or the curator of the child's class) links a
parent's account to a child and unlinks it. A link to an adult is refused: an adult acts for
themselves (``schools.participants.services.guardianship_create``). The child is looked up in
the caller's scope first ("missing" and "not yours" are one 404)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.actor import actor_of
from config.pages import COORDINATOR_AND_CURATORS, STAFF, ObjectPage, add_service_errors
from schools.participants import access as participant_access
from schools.participants import api as participants_api
from schools.participants import selectors as participant_selectors
from schools.participants.models import Category, Guardianship
from schools.web.forms_meetings import GuardianshipForm


def _parents() -> list[tuple[int, str]]:
    people = (
        participants_api.Participant.objects.filter(
            category=Category.PARENT, erased_at__isnull=True
        )
        .order_by("last_name", "first_name", "middle_name", "pk")
        .only("pk", "last_name", "first_name", "middle_name", "email")
    )
    return [(p.pk, f"{p.full_name} · {p.email}" if p.email else p.full_name) for p in people]


class Guardianships(ObjectPage):
    """A child's parents and guardians, for the staff who see the child; who may change the
    child's record (the coordinator, the curator of its class) links them (403 otherwise)."""

    roles = STAFF
    access_by_id = staticmethod(participant_access.access_participant_by_id)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _guardianships(request, self.object)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _guardianships(request, self.object)


guardianships = Guardianships.as_view()


def _guardianships(request: HttpRequest, person: Any) -> HttpResponse:
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


class GuardianshipDelete(ObjectPage):
    """Unlink a parent from a child: who may change the child's record."""

    roles = COORDINATOR_AND_CURATORS
    http_method_names = ["post"]
    access_by_id = staticmethod(participant_access.access_guardianship_by_id)

    def object_queryset(self) -> QuerySet[Guardianship]:
        return Guardianship.objects.select_related("parent", "child")

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        link = self.object
        participants_api.guardianship_delete(guardianship=link, actor=self.actor)
        messages.success(
            request, _("%(name)s is unlinked from the child.") % {"name": link.parent.full_name}
        )
        return redirect("school:guardianships", pk=link.child_id)


guardianship_delete = GuardianshipDelete.as_view()
