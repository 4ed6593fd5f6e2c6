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
from schools.participants import search
from schools.participants import selectors as participant_selectors
from schools.participants.models import Category, Guardianship, Participant
from schools.web.forms_meetings import GuardianshipForm

FOUND_PARENTS = 30  # the parents a search shows; a longer list asks for a longer name


def _label(parent: Participant) -> str:
    return f"{parent.full_name} · {parent.email}" if parent.email else parent.full_name


def _parents(request: HttpRequest) -> tuple[str, list[tuple[int, str]]]:
    """The search text and the parents offered: those whose name has every word of
    ``?find=`` (at most ``FOUND_PARENTS``), or on a submit the parent submitted. A school
    has a parent a pupil: a list of all of them was most of the page (110 KiB)."""
    parents = Participant.objects.filter(category=Category.PARENT, erased_at__isnull=True).only(
        "pk", "last_name", "first_name", "middle_name", "email"
    )
    if request.method == "POST":
        raw = (request.POST.get("guardian-parent") or "").strip()
        chosen = parents.filter(pk=int(raw)) if raw.isdigit() else parents.none()
        return "", [(p.pk, _label(p)) for p in chosen]
    find = (request.GET.get("find") or "").strip()
    if not find:
        return "", []
    found = search.people_search(parents, query=find).order_by(
        "last_name", "first_name", "middle_name", "pk"
    )[:FOUND_PARENTS]
    return find, [(p.pk, _label(p)) for p in found]


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
    find, parents = _parents(request) if can_write else ("", [])
    form = (
        GuardianshipForm(request.POST if request.method == "POST" else None, parents=parents)
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
            "find": find,
            "found": len(parents),
            "found_limit": FOUND_PARENTS,
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
