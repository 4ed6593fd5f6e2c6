"""Pages of the catalogue of requests and competences: every entry with how many mentees ask
for it and how many mentors offer it, what else covers it; the coordinator adds entries, edits
their wordings and what covers a request, retires entries."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from accounts.actor import actor_of
from accounts.models import Role
from config.pages import STAFF, ObjectPage, add_service_errors, role_required, url_with_id
from schools.participants import access as participant_access
from schools.participants import selectors as participant_selectors
from schools.participants import services as participants_services
from schools.participants.models import Topic, TopicGroup
from schools.web.forms_catalogue import TopicEditForm, TopicForm


def _is_coordinator(request: HttpRequest) -> bool:
    return actor_of(request).role == Role.COORDINATOR


def _with_row_texts(entries: list[Topic]) -> None:
    """Each entry's link and its two counts as text, written here rather than by a
    ``{% url %}`` and two ``{% blocktranslate count %}`` per row (most of the page's time);
    the same messages and the same localised numbers."""
    entry_url = url_with_id("school:catalogue-entry")
    for topic in entries:
        asked, offered = topic.as_need, topic.as_competence  # type: ignore[attr-defined]
        topic.url = entry_url(topic.pk)  # type: ignore[attr-defined]
        topic.asked_text = ngettext(  # type: ignore[attr-defined]
            "asked by %(n)s mentee", "asked by %(n)s mentees", asked
        ) % {"n": localize(asked)}
        topic.offered_text = ngettext(  # type: ignore[attr-defined]
            "offered by %(n)s mentor", "offered by %(n)s mentors", offered
        ) % {"n": localize(offered)}


def catalogue_row_html(topic: Topic, cover: list[str], labels: dict[str, str]) -> SafeString:
    """An entry of the catalogue's list as the page's template wrote it (``{% for t in
    section.entries %}``, a newline and the ``<li>``), written in Python once per entry: the
    template's tags per entry were most of the page. ``topic`` is a row of
    ``topic_catalogue`` with its texts (``_with_row_texts``), ``cover`` the names of the
    entries that also cover it (``topic_cover_names``); ``labels`` are ``_row_labels``."""
    e = conditional_escape
    retired = not topic.is_active
    parts = [
        f'\n        <li class="list-group-item{" text-body-secondary" if retired else ""}" '
        f'id="topic-{int(topic.pk)}" data-topic="{e(topic.code)}">\n'
        '          <div class="d-flex flex-wrap justify-content-between gap-2">\n'
        f'            <span><a href="{e(topic.url)}" class="fw-semibold">{e(topic.name)}</a>'  # type: ignore[attr-defined]
    ]
    if retired:
        parts.append(f' <span class="badge text-bg-secondary">{e(labels["retired"])}</span>')
    parts.append(
        f'</span>\n            <span class="small">{e(topic.asked_text)} · '  # type: ignore[attr-defined]
        f"{e(topic.offered_text)}</span>\n          </div>\n          "  # type: ignore[attr-defined]
    )
    if cover:
        names = ", ".join(str(e(name)) for name in cover)
        parts.append(f'<div class="small">{e(labels["covered"])} {names}</div>')
    parts.append("\n          ")
    if topic.synonyms:
        synonyms = ", ".join(str(e(s)) for s in topic.synonyms)
        parts.append(
            f'<div class="small text-body-secondary">{e(labels["written"])} {synonyms}</div>'
        )
    parts.append("\n        </li>")
    return mark_safe("".join(parts))  # noqa: S308  # every value escaped above


def _row_labels() -> dict[str, str]:
    return {
        "retired": _("retired"),
        "covered": _("Also covered by:"),
        "written": _("Also written as:"),
    }


def _sections(entries: list[Topic]) -> list[dict[str, Any]]:
    _with_row_texts(entries)
    labels = dict(TopicGroup.choices)
    order = {code: n for n, code in enumerate(TopicGroup.values)}
    entries = sorted(entries, key=lambda t: (order.get(t.group, 99), t.name.casefold()))
    row_labels = _row_labels()
    cover = participant_selectors.topic_cover_names()
    sections = []
    for group, items in groupby(entries, key=lambda t: t.group):
        rows = list(items)
        sections.append(
            {
                "code": group,
                "label": labels.get(group, group),
                "entries": rows,
                "rows": mark_safe(  # noqa: S308  # each row escaped by catalogue_row_html
                    "".join(catalogue_row_html(t, cover.get(t.pk, []), row_labels) for t in rows)
                ),
            }
        )
    return sections


def _catalogue_page(request: HttpRequest, form: TopicForm, status: int = 200) -> HttpResponse:
    entries = list(participant_selectors.topic_catalogue(with_coverage=False))
    return render(
        request,
        "school/catalogue.html",
        {
            "form": form,
            "sections": _sections(entries),
            "entry_count": len(entries),
            "can_edit": _is_coordinator(request),
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(STAFF, scope="tenant")
def catalogue(request: HttpRequest) -> HttpResponse:
    """The catalogue; the coordinator adds an entry."""
    if request.method != "POST":
        return _catalogue_page(request, TopicForm())
    if not _is_coordinator(request):
        return render(request, "403.html", status=403)
    form = TopicForm(request.POST)
    if form.is_valid():
        try:
            topic = participants_services.topic_create(actor=actor_of(request), **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("«%(name)s» is added to the catalogue.") % {"name": topic.name}
            )
            return redirect(f"{reverse('school:catalogue')}#topic-{topic.pk}")
    return _catalogue_page(request, form, status=400)


def _entry_page(
    request: HttpRequest, topic: Topic, form: TopicEditForm | None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "school/catalogue_entry.html",
        {
            "topic": topic,
            "form": form,
            "covered_by": [c.covered_by for c in topic.coverage.all()],
            "covers": [c.need for c in topic.covers.select_related("need")],
            "can_edit": form is not None,
        },
        status=status,
    )


class CatalogueEntry(ObjectPage):
    """One entry: staff read it; the coordinator edits it (a POST by others: 403)."""

    roles = STAFF
    access_by_id = staticmethod(participant_access.access_topic_by_id)

    def object_queryset(self) -> QuerySet[Topic]:
        return participant_selectors.topic_catalogue()

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _catalogue_entry(request, self.object)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _catalogue_entry(request, self.object)


catalogue_entry = CatalogueEntry.as_view()


def _catalogue_entry(request: HttpRequest, topic: Topic) -> HttpResponse:
    if not _is_coordinator(request):
        return _entry_page(request, topic, None)
    # the entries it may name as covering it: names only (not the catalogue with its counts
    # and coverage, which the list page shows)
    covering = {c.covered_by_id for c in topic.coverage.all()}
    others = [
        (pk, name)
        for pk, name, active in participant_selectors.topic_names()
        if pk != topic.pk and (active or pk in covering)
    ]
    others.sort(key=lambda item: item[1].casefold())
    if request.method != "POST":
        form = TopicEditForm(
            initial={
                "name": topic.name,
                "group": topic.group,
                "audience": topic.audience,
                "synonyms": "\n".join(topic.synonyms or ()),
                "covered_by": [c.covered_by_id for c in topic.coverage.all()],
                "is_active": topic.is_active,
            },
            others=others,
        )
        return _entry_page(request, topic, form)
    form = TopicEditForm(request.POST, others=others)
    if form.is_valid():
        data = form.cleaned_data
        try:
            participants_services.topic_edit(
                topic_id=topic.pk,
                name=data["name"],
                group=data["group"],
                audience=data["audience"],
                synonyms=data["synonyms"],
                covered_by_ids=data["covered_by"],
                is_active=data["is_active"],
                actor=actor_of(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("«%(name)s» is saved.") % {"name": data["name"]})
            return redirect(f"{reverse('school:catalogue')}#topic-{topic.pk}")
    return _entry_page(request, topic, form, status=400)
