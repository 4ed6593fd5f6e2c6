"""Pages of an institution's workspace. Thin: they read through selectors, write through
services, and render. Every lookup by id goes through the caller's scope, so "missing" and
"not yours" are one 404."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import roles
from accounts.actor import actor_of
from accounts.models import Role
from config.pages import (
    COORDINATOR,
    COORDINATOR_AND_CURATORS,
    STAFF,
    ObjectPage,
    add_service_errors,
    counted_page,
    escaped,
    is_htmx,
    role_required,
    url_with_id,
)
from schools.imports import access as import_access
from schools.imports import selectors as import_selectors
from schools.imports import services as import_services
from schools.imports import sheets as import_sheets
from schools.imports.models import ImportBatch, ImportStatus
from schools.matching import access as matching_access
from schools.matching import selectors as matching_selectors
from schools.matching import services as matching_services
from schools.matching.explain import briefs
from schools.matching.models import MatchProposal, MatchRun, ProposalStatus, RunStatus
from schools.pairs import access as pair_access
from schools.pairs import selectors as pair_selectors
from schools.pairs import services as pair_services
from schools.pairs.models import Meeting, Pair, PairMentee, PairStatus
from schools.pairs.progress import progress_of
from schools.participants import access as participant_access
from schools.participants import api as participants_api
from schools.participants import consents as consents_module
from schools.participants import selectors as participant_selectors
from schools.participants.models import full_name_of
from schools.programmes import selectors as programme_selectors
from schools.programmes import services as programme_services
from schools.programmes.models import MentoringForm
from schools.programmes.stages import StageReport, stage_reports
from schools.web.forms import ConsentForm, ImportUploadForm, MeetingForm, ProgrammeCreateForm
from schools.web.labels import consent_labels

EVERYONE = roles.EVERYONE
MEETING_WRITERS = roles.MEETING_WRITERS


def page(scope_roles: frozenset[str]) -> Any:
    return role_required(scope_roles, scope="tenant")


# --- home: one page per role -------------------------------------------------------------------


@require_safe
@page(EVERYONE)
def home(request: HttpRequest) -> HttpResponse:
    role = actor_of(request).role
    if role in STAFF:
        return _home_staff(request)
    if role == Role.MENTOR:
        return _home_mentor(request)
    if role == Role.MENTEE:
        return _home_mentee(request)
    return _home_parent(request)


def _home_staff(request: HttpRequest) -> HttpResponse:
    programme = programme_selectors.programme_current()
    # The cards and the stage checks of stages 2 and 3 share one count of the bases.
    with participants_api.base_counts_shared():
        reports = stage_reports(programme=programme) if programme else []
        counts = participants_api.base_counts()
    context: dict[str, Any] = {
        "programme": programme,
        "tracker_html": stage_tracker_html(reports),
        "mentees": counts.mentees,
        "mentors": counts.mentors,
        "without_consent": counts.mentees_without_consent + counts.mentors_without_consent,
        # a count: not pair_list(), whose prefetch and annotations were built to be dropped
        "pairs": Pair.objects.filter(status="active").count(),
        "form": ProgrammeCreateForm(
            initial={"academic_year": programme_selectors.current_academic_year()}
        ),
        # withdrawals (and consents given again) the user is told of, until marked as read
        "consent_alerts": list(consents_module.consent_alerts_for(actor=actor_of(request))[:20]),
    }
    return render(request, "school/home_staff.html", context)


_STAGE_BADGES = {"done": "text-bg-success", "in_progress": "text-bg-primary"}


def stage_tracker_html(reports: list[StageReport]) -> SafeString:
    """The stage tracker of the staff's home (six cards: state, roadmap, what is missing) as
    ``stage_tracker.html`` wrote it with a ``{% for %}``: written in Python once per stage (the
    template was the dearest part of home after its queries); its words translated once."""
    e = conditional_escape
    n = localize
    url = e(reverse("school:programme"))
    badges = {"done": e(_("Done")), "in_progress": e(_("In progress"))}
    not_started = e(_("Not started"))
    roadmap, overdue = _("Roadmap: %(done)s of %(total)s done"), _("overdue: %(count)s")
    parts = ['<ol class="list-unstyled row g-3" data-testid="stage-tracker">\n']
    for report in reports:
        state, counts = report.state, report.activities
        parts.append(
            f'\n  <li class="col-12 col-md-6 col-xl-4"><div class="card h-100 stage-{e(state)}">'
            '<div class="card-body">\n'
            '    <div class="d-flex justify-content-between align-items-start gap-2">\n'
            f'      <h3 class="h6 mb-1"><a class="link-body-emphasis" href="{url}#stage-'
            f'{e(n(report.stage))}">{e(n(report.stage))}. {e(report.title)}</a></h3>\n'
            f'      <span class="badge {_STAGE_BADGES.get(state, "text-bg-secondary")}">'
            f"{badges.get(state, not_started)}</span>\n    </div>\n    "
        )
        if counts.total:
            done = roadmap % {"done": e(n(counts.done)), "total": e(n(counts.total))}
            late = (
                f' · <span class="text-danger">{overdue % {"count": e(n(counts.overdue))}}</span>'
                if counts.overdue
                else ""
            )
            parts.append(f'<div class="small text-body-secondary mb-1">{done}{late}</div>')
        parts.append("\n    ")
        if report.missing:
            items = "".join(f"<li>{e(item.message)}</li>" for item in report.missing)
            parts.append(f'<ul class="small mb-0 ps-3">{items}</ul>')
        parts.append("\n  </div></div></li>\n")
    parts.append("\n</ol>\n")
    return mark_safe("".join(parts))  # noqa: S308  # every value escaped above


def _my_pairs(request: HttpRequest) -> QuerySet[Pair]:
    return pair_selectors.pairs_visible_to(actor_of(request), pair_selectors.pair_list()).order_by(
        "-started_on", "-pk"
    )


def _home_mentor(request: HttpRequest) -> HttpResponse:
    # the same table as the pairs list (``pairs_table.html``), from the same plain rows
    rows = list(_pair_values(_my_pairs(request)))
    meetings = _home_meetings([row["pk"] for row in rows], limit=20)
    return render(
        request,
        "school/home_mentor.html",
        {"pairs_html": pair_rows_html(pair_rows(rows)), "meetings": meetings},
    )


def _home_meetings(pair_ids: list[int], *, limit: int) -> QuerySet[Any]:
    """The latest meetings of the pairs ``pair_ids`` with what home shows of them (when, kind,
    status): no pair row and no attendees (``meeting_list()`` reads both)."""
    return (
        pair_selectors.meeting_list()
        .select_related(None)
        .prefetch_related(None)
        .filter(pair__in=pair_ids)
        .only("pk", "pair_id", "starts_at", "kind", "status")
        .order_by("-starts_at")[:limit]
    )


def _home_mentee(request: HttpRequest) -> HttpResponse:
    pairs = list(_my_pairs(request))
    plans = (
        pair_access.plans_visible_to(actor_of(request), pair_selectors.plan_list())
        .filter(mentee__user_id=getattr(request.user, "pk", 0))
        .prefetch_related("goals")
    )
    meetings = _home_meetings([p.pk for p in pairs], limit=10)
    return render(
        request,
        "school/home_mentee.html",
        {"pairs": pairs, "plans": plans, "meetings": meetings},
    )


def _home_parent(request: HttpRequest) -> HttpResponse:
    people = participant_selectors.participants_visible_to(
        actor_of(request), participant_selectors.participant_list()
    ).order_by("last_name", "first_name")
    return render(
        request,
        "school/home_parent.html",
        {"people": people, "consent_labels": consent_labels()},
    )


@require_POST
@page(COORDINATOR)
def programme_create(request: HttpRequest) -> HttpResponse:
    form = ProgrammeCreateForm(request.POST)
    if form.is_valid():
        try:
            programme_services.programme_create(actor=actor_of(request), **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The programme is created with the default roadmap."))
            return redirect("school:programme")
    return render(request, "school/programme_create.html", {"form": form}, status=400)


# --- the programme: stage tracker and roadmap -----------------------------------------------------


@require_safe
@page(STAFF)
def programme(request: HttpRequest) -> HttpResponse:
    # The roadmap with its editing forms is built by the records area (views_records).
    from schools.web.views_records import roadmap_context

    return render(request, "school/programme.html", roadmap_context(request))


# --- participants and consents --------------------------------------------------------------------


def _participants(request: HttpRequest) -> QuerySet[Any]:
    return participant_selectors.participants_visible_to(
        actor_of(request), participant_selectors.participant_list()
    )


@require_safe
@page(STAFF)
def participants(request: HttpRequest) -> HttpResponse:
    """The participants the user may see, found by any order of surname, name and patronymic
    (ё = е) and filtered by class, category, consent and base (``participants.search``)."""
    from urllib.parse import urlencode

    from schools.participants import classes as class_services
    from schools.participants import search
    from schools.participants.models import Category, Participant

    groups = class_services.sorted_groups(class_services.study_groups_visible_to(actor_of(request)))
    query = request.GET.get("q", "").strip()[:200]
    group = request.GET.get("group", "")
    group_id = int(group) if group.isdigit() and int(group) in {g.pk for g in groups} else None
    category = request.GET.get("category", "")
    category = category if category in Category.values else ""
    consent = request.GET.get("consent", "")
    consent = consent if consent in consent_labels() or consent in ("lacking", "valid_any") else ""
    base = request.GET.get("base", "")
    base = base if base in search.BaseFilter.VALUES else ""
    queryset = search.people_search(
        participant_selectors.participants_visible_to(
            actor_of(request), Participant.objects.select_related("study_group")
        ),
        query=query,
        study_group_id=group_id,
        without_group=group == "none",
        category=category,
        consent=consent,
        base=base,
    ).order_by("last_name", "first_name", "middle_name", "pk")
    filters = {
        "q": query,
        "group": str(group_id) if group_id else ("none" if group == "none" else ""),
        "category": category,
        "consent": consent,
        "base": base,
    }
    page_obj = Paginator(queryset, 50).get_page(request.GET.get("page"))
    # A row's links and category label made once for the page, not per cell by ``{% url %}``
    # and ``get_category_display`` (which builds the choices' table again each time).
    person_url, class_url = url_with_id("school:participant"), url_with_id("school:class")
    categories = {value: str(label) for value, label in Category.choices}
    person: Any
    for person in page_obj:
        person.url = person_url(person.pk)
        person.class_url = class_url(person.study_group_id) if person.study_group_id else ""
        person.category_label = categories.get(person.category, person.category)
    context = {
        "page_obj": page_obj,
        **filters,
        "filters_query": urlencode({k: v for k, v in filters.items() if v}),
        "groups": groups,
        "categories": Category.choices,
        "consent_labels": consent_labels(),
    }
    template = "school/participants_table.html" if is_htmx(request) else "school/participants.html"
    return render(request, template, context)


class ParticipantDetail(ObjectPage):
    """A person's card with its consent register, for the staff who see the person."""

    roles = STAFF
    http_method_names = ["get", "head"]
    access_by_id = staticmethod(participant_access.access_participant_by_id)

    def object_queryset(self) -> QuerySet[Any]:
        return participant_selectors.participant_list()

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _participant_page(request, self.object, ConsentForm())


participant_detail = ParticipantDetail.as_view()


def _participant_page(
    request: HttpRequest, person: Any, form: ConsentForm, status: int = 200
) -> HttpResponse:
    consents = (
        participant_selectors.consent_list()
        .filter(participant=person)
        .prefetch_related("scans")
        .order_by("-created_at", "-pk")
    )
    return render(
        request,
        "school/participant_detail.html",
        {
            "person": person,
            "consents": consents,
            "form": form,
            "consent_labels": consent_labels(),
            "can_record": participant_access.participants_writable_by(actor_of(request))
            .filter(pk=person.pk)
            .exists(),
        },
        status=status,
    )


class ConsentCreate(ObjectPage):
    """Add a record to a person's consent register: the coordinator, or the curator of the
    person's class (``for_write``); who may record what is the service's rule too."""

    roles = COORDINATOR_AND_CURATORS
    http_method_names = ["post"]
    access_by_id = staticmethod(participant_access.access_participant_by_id)

    def object_queryset(self) -> QuerySet[Any]:
        return participant_selectors.participant_list()

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = self.object
        form = ConsentForm(request.POST)
        if form.is_valid():
            try:
                participants_api.consent_record(
                    participant_id=person.pk, actor=self.actor, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or _("You may not record this person's consent."))
            else:
                messages.success(request, _("The consent record is added to the register."))
                return redirect("school:participant", pk=person.pk)
        return _participant_page(request, person, form, status=400)


consent_create = ConsentCreate.as_view()


# --- imports -----------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@page(COORDINATOR)
def imports(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm()
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                batch = import_services.import_batch_create(
                    kind=form.cleaned_data["kind"],
                    uploaded_file=form.cleaned_data["file"],
                    default_category=form.cleaned_data["default_category"],
                    actor=actor_of(request),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("school:import", pk=batch.pk)
    batches = import_selectors.import_batch_list()[:20]
    return render(
        request,
        "school/imports.html",
        {"form": form, "batches": batches},
        status=400 if form.errors else 200,
    )


class _ImportPage(ObjectPage):
    """A page of one import batch: the coordinator's (``schools.imports.access``)."""

    roles = COORDINATOR
    access_by_id = staticmethod(import_access.access_import_batch_by_id)

    def object_queryset(self) -> QuerySet[ImportBatch]:
        return import_selectors.import_batch_list()


RUNNING_IMPORT = (ImportStatus.UPLOADED, ImportStatus.VALIDATING, ImportStatus.IMPORTING)


def _batch_context(batch: ImportBatch) -> dict[str, Any]:
    return {
        "batch": batch,
        "progress": import_selectors.import_batch_progress(batch=batch),
        "running": batch.status in RUNNING_IMPORT,
        "can_cancel": import_services.import_batch_cancellable(batch),
        "can_commit": batch.status == ImportStatus.PREVIEWED and not batch.error_count,
        # some rows are good, some not: the good ones may be imported and the others left
        "can_commit_valid": batch.status == ImportStatus.PREVIEWED
        and bool(batch.error_count)
        and batch.valid_rows > 0
        and not (batch.report or {}).get("file_errors"),
        "has_rejected": import_sheets.has_rejected_rows(batch),
    }


class ImportDetail(_ImportPage):
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, "school/import_detail.html", _batch_context(self.object))


class ImportProgress(_ImportPage):
    """The progress bar, polled by HTMX while the batch is checked or imported; when the work
    ends the page reloads to show the preview or the result."""

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        context = _batch_context(self.object)
        response = render(request, "school/import_progress.html", context)
        if not context["running"]:
            response["HX-Refresh"] = "true"
        return response


class ImportCancel(_ImportPage):
    """Cancel a check or an import no worker processes (queued, or left behind by its task)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = self.object
        try:
            import_services.import_batch_cancel(batch_id=batch.pk, actor=self.actor)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect("school:import", pk=batch.pk)


class ImportCommit(_ImportPage):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = self.object
        try:
            batch = import_services.import_batch_commit(
                batch_id=batch.pk, valid_rows_only=request.POST.get("valid_rows_only") == "1"
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            if batch.status == ImportStatus.DONE:
                messages.success(
                    request,
                    _("Imported: %(count)d people.") % {"count": batch.imported_count},
                )
        return redirect("school:import", pk=batch.pk)


import_detail = ImportDetail.as_view()
import_progress = ImportProgress.as_view()
import_cancel = ImportCancel.as_view()
import_commit = ImportCommit.as_view()


# --- matching ----------------------------------------------------------------------------------


@require_safe
@page(STAFF)
def matching(request: HttpRequest) -> HttpResponse:
    current = programme_selectors.programme_current()
    runs = matching_selectors.match_run_list()
    if current is not None:
        runs = runs.filter(programme=current)
    return render(
        request,
        "school/matching.html",
        {
            "programme": current,
            "runs": runs[:20],
            "can_run": actor_of(request).role == Role.COORDINATOR,
        },
    )


@require_POST
@page(COORDINATOR)
def matching_run_create(request: HttpRequest) -> HttpResponse:
    current = programme_selectors.programme_current()
    if current is None:
        raise Http404
    try:
        run = matching_services.run_create(programme=current, actor=actor_of(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("school:matching")
    return redirect("school:matching-run", pk=run.pk)


class _RunPage(ObjectPage):
    """A page of one matching run: the staff read it, the coordinator decides
    (``schools.matching.access``)."""

    access_by_id = staticmethod(matching_access.access_match_run_by_id)

    def object_queryset(self) -> QuerySet[MatchRun]:
        return matching_selectors.match_run_list()


PROPOSALS_PER_PAGE = 50


def proposal_status_row(
    *,
    pk: int,
    status: str,
    decide_url: Callable[[int], str] | None = None,
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What ``matching_proposal_status.html`` shows of a proposal: its status, its label and
    where the coordinator's decision goes (the URL reversed once per page, not per row)."""
    return {
        "pk": pk,
        "status": status,
        "status_label": (labels or _status_labels()).get(status, status),
        "decide_url": (decide_url or url_with_id("school:matching-decide"))(pk),
    }


def _status_labels() -> dict[str, str]:
    return {value: str(label) for value, label in ProposalStatus.choices}


def _memo_floatformat() -> Callable[[Any, int], str]:
    """The ``floatformat`` filter, remembered per value: a run's scores take few values."""
    seen: dict[tuple[type, Any, int], str] = {}

    def number(value: Any, digits: int) -> str:
        if not isinstance(value, int | float | str | None):
            return floatformat(value, digits)
        key = (type(value), value, digits)
        if key not in seen:
            seen[key] = floatformat(value, digits)
        return seen[key]

    return number


def _proposal_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The run's table as the page shows it, from plain values: names, the score, the links.
    A proposal's reasons (its score by criterion) are not written here: «Why» loads them
    (``matching-proposal`` answers an HTMX GET with them; without HTMX its page opens)."""
    number = _memo_floatformat()
    link = url_with_id("school:matching-proposal")
    decide = url_with_id("school:matching-decide")
    labels = _status_labels()
    approve_label = _("Approve the pair of %(mentee)s now")
    result = []
    for row in rows:
        mentee = full_name_of(
            row["mentee__last_name"], row["mentee__first_name"], row["mentee__middle_name"]
        )
        result.append(
            {
                **proposal_status_row(
                    pk=row["pk"], status=row["status"], decide_url=decide, labels=labels
                ),
                "url": link(row["pk"]),
                "mentor": full_name_of(
                    row["mentor__last_name"], row["mentor__first_name"], row["mentor__middle_name"]
                ),
                "mentee": mentee,
                "approve_label": approve_label % {"mentee": mentee},
                "score": number(row["score"], 1),
                "made_by_hand": row["made_by_hand"],
                "pair_id": row["pair_id"],
            }
        )
    return result


_STATUS_BADGES = {
    "accepted": "text-bg-success",
    "changed": "text-bg-success",
    "rejected": "text-bg-danger",
}


def proposal_status_html(
    proposal: dict[str, Any], *, can_decide: bool, csrf_input: str, words: dict[str, str]
) -> str:
    """A proposal's status (``proposal_status_row``) as ``matching_proposal_status.html``
    writes it, with the coordinator's «Accept» and «Reject» for a proposed one; the words
    (``proposal_words``) and the CSRF input made once for the page."""
    e = escaped
    pk = e(proposal["pk"])
    status = proposal["status"]
    badge = _STATUS_BADGES.get(status, "text-bg-secondary")
    parts = [
        f'<div id="proposal-{pk}-status"><span class="badge {badge}">'
        f"{e(proposal['status_label'])}</span>\n"
    ]
    if can_decide and status == "proposed":
        url = e(proposal["decide_url"])
        parts.append(
            f'\n  <form class="d-inline" method="post" action="{url}" hx-post="{url}" '
            f'hx-target="#proposal-{pk}-status" hx-swap="outerHTML">{csrf_input}\n'
            '    <button class="btn btn-sm btn-success" name="decision" value="accept" '
            f'type="submit">{e(words["accept"])}</button>\n'
            '    <button class="btn btn-sm btn-outline-danger" name="decision" value="reject" '
            f'type="submit">{e(words["reject"])}</button>\n  </form>\n'
        )
    parts.append("</div>\n")
    return "".join(parts)


def proposal_words() -> dict[str, str]:
    """The words of the run's rows, translated once for the page."""
    return {
        "accept": _("Accept"),
        "reject": _("Reject"),
        "by_hand": _("by hand"),
        "why": _("why"),
        "open_reasons": _("Open the reasons"),
        "approved": _("Approved: pair formed"),
    }


def proposal_rows_html(
    rows: list[dict[str, Any]], *, can_decide: bool, csrf_input: str, words: dict[str, str]
) -> SafeString:
    """The run's table rows (``_proposal_rows``) as ``matching_run.html`` wrote them with a
    ``{% for %}`` and an include of the status per row (fifty rows: most of the page's
    template time), written in Python once per row."""
    e = escaped
    by_hand = f' <span class="badge text-bg-info">{e(words["by_hand"])}</span>'
    approved = f'<span class="badge text-bg-success">{e(words["approved"])}</span>'
    why = e(words["why"])
    open_reasons = e(words["open_reasons"])
    parts = []
    for p in rows:
        pk = e(p["pk"])
        url = e(p["url"])
        tick = ""
        if can_decide:
            box = (
                f'<input class="form-check-input" type="checkbox" name="proposal" value="{pk}" '
                f'form="approve-selected" id="approve-{pk}" aria-label="{e(p["approve_label"])}">'
                if not p["pair_id"] and p["status"] != "rejected"
                else ""
            )
            tick = f"<td>{box}</td>"
        status = (
            approved
            if p["pair_id"]
            else proposal_status_html(p, can_decide=can_decide, csrf_input=csrf_input, words=words)
        )
        parts.append(
            f"<tr>\n    {tick}\n    <td>{e(p['mentor'])}{by_hand if p['made_by_hand'] else ''}"
            f'</td><td><a href="{url}">{e(p["mentee"])}</a></td>\n'
            f'    <td><details hx-get="{url}" hx-trigger="toggle once" '
            f'data-testid="proposal-why"><summary><strong>{e(p["score"])}</strong> '
            f'<span class="small">{why}</span></summary><div class="reasons small">'
            f'<a href="{url}">{open_reasons}</a></div></details></td>\n'
            f"    <td>{status}</td>\n  </tr>"
        )
    return mark_safe("".join(parts))  # noqa: S308  # every value escaped above


class MatchingRun(_RunPage):
    roles = STAFF
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _matching_run_page(request, self.object)


matching_run = MatchingRun.as_view()


def _matching_run_page(request: HttpRequest, run: MatchRun) -> HttpResponse:
    # Only what a row shows, as values: the run is the page's own (not read again on every
    # row), of its two people their names; the breakdown stays for «Why».
    names = ("last_name", "first_name", "middle_name")
    proposals = (
        matching_selectors.match_proposal_list()
        .select_related(None)
        .filter(run=run)
        .order_by("-score", "pk")
        .values(
            "pk",
            "pair_id",
            "status",
            "made_by_hand",
            "score",
            *(f"mentor__{n}" for n in names),
            *(f"mentee__{n}" for n in names),
        )
    )
    page_obj = counted_page(proposals, request.GET.get("page"), PROPOSALS_PER_PAGE)
    can_decide = actor_of(request).role == Role.COORDINATOR and run.status == RunStatus.DONE
    csrf_input = format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
    )
    unmatched = matching_explained_unmatched(run)
    return render(
        request,
        "school/matching_run.html",
        {
            "run": run,
            "page_obj": page_obj,
            "proposal_rows": proposal_rows_html(
                _proposal_rows(list(page_obj.object_list)),
                can_decide=can_decide,
                csrf_input=csrf_input,
                words=proposal_words(),
            ),
            "unmatched": unmatched,
            "unmatched_rows": unmatched_rows_html(unmatched),
            "running": run.status in (RunStatus.QUEUED, RunStatus.RUNNING),
            "can_cancel": actor_of(request).role == Role.COORDINATOR
            and matching_services.match_run_cancellable(run),
            "can_decide": can_decide,
        },
    )


def matching_explained_unmatched(run: MatchRun) -> list[dict[str, Any]]:
    """The run's mentees left without a mentor as the run's page lists them: the name, the
    reason's label and the sentence why (``briefs``), read as values; the whole explanation
    (by criterion, what would help) is on each mentee's own page (``url``)."""
    rows = list(
        matching_selectors.unmatched_list(run)
        .select_related(None)
        .values(
            "pk",
            "mentee_id",
            "reason",
            "detail",
            "mentee__last_name",
            "mentee__first_name",
            "mentee__middle_name",
            mentee_category=F("mentee__category"),
        )
    )
    said = briefs(rows)
    link = url_with_id("school:matching-unmatched")
    return [
        {
            "mentee_id": row["mentee_id"],
            "name": full_name_of(
                row["mentee__last_name"], row["mentee__first_name"], row["mentee__middle_name"]
            ),
            "reason_label": said[row["mentee_id"]].reason_label,
            "because": said[row["mentee_id"]].because,
            "url": link(row["pk"]),
        }
        for row in rows
    ]


def unmatched_rows_html(unmatched: list[dict[str, Any]]) -> SafeString:
    """The unmatched mentees (``matching_explained_unmatched``) as the run page's template loop
    wrote them, in Python once per mentee (forty of them were a third of the template's time)."""
    e = escaped
    return mark_safe(  # noqa: S308  # every value escaped here
        "".join(
            f'<li class="list-group-item" data-testid="unmatched-{e(u["mentee_id"])}">\n'
            f'  <a href="{e(u["url"])}" class="fw-semibold">{e(u["name"])}</a> '
            '<span class="badge text-bg-warning text-wrap text-start">'
            f"{e(u['reason_label'])}</span>\n"
            f'  <div class="small">{e(u["because"])}</div>\n</li>'
            for u in unmatched
        )
    )


class MatchingProposalDecide(ObjectPage):
    """Accept or reject a proposal of a run: the coordinator."""

    roles = COORDINATOR
    http_method_names = ["post"]
    access_by_id = staticmethod(matching_access.access_match_proposal_by_id)

    def object_queryset(self) -> QuerySet[MatchProposal]:
        return matching_selectors.match_proposal_list()

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        proposal = self.object
        decide = (
            matching_services.proposal_reject
            if request.POST.get("decision") == "reject"
            else matching_services.proposal_accept
        )
        try:
            proposal = decide(proposal=proposal, actor=self.actor)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        if is_htmx(request):
            return render(
                request,
                "school/matching_proposal_status.html",
                {
                    "proposal": proposal_status_row(pk=proposal.pk, status=proposal.status),
                    "can_decide": True,
                },
            )
        return redirect("school:matching-run", pk=proposal.run_id)


class MatchingRunCancel(_RunPage):
    """Cancel a run no worker computes (queued, or left behind by its task)."""

    roles = COORDINATOR
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = self.object
        try:
            matching_services.match_run_cancel(run_id=run.pk, actor=self.actor)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect("school:matching-run", pk=run.pk)


class MatchingRunApprove(_RunPage):
    roles = COORDINATOR
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = self.object
        try:
            matching_services.run_approve(
                run=run,
                accept_proposed=request.POST.get("accept_proposed") == "1",
                actor=self.actor,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("school:matching-run", pk=run.pk)
        messages.success(request, _("The run is approved: pairs and groups are formed."))
        return redirect("school:pairs")


matching_proposal_decide = MatchingProposalDecide.as_view()
matching_run_cancel = MatchingRunCancel.as_view()
matching_run_approve = MatchingRunApprove.as_view()


# --- pairs and meetings ------------------------------------------------------------------------


PAIRS_PER_PAGE = 50


@require_safe
@page(STAFF)
def pairs(request: HttpRequest) -> HttpResponse:
    # Paged in the database: a large school has hundreds of pairs (the list stopped at 200).
    page_obj = counted_page(
        _pair_values(_my_pairs(request)), request.GET.get("page"), PAIRS_PER_PAGE
    )
    return render(
        request,
        "school/pairs.html",
        {"pairs_html": pair_rows_html(pair_rows(list(page_obj.object_list))), "page_obj": page_obj},
    )


def _pair_values(pairs: QuerySet[Pair]) -> QuerySet[Any]:
    """A row of the pairs table is plain values: the mentor's name, the mentees' names read
    with the row (``PairMenteesJSON``; a prefetch built a queryset per pair to hand out its
    memberships), the labels looked up by ``pair_rows``, not ``get_*_display`` per cell."""
    return (
        pairs.select_related(None)
        .prefetch_related(None)
        .annotate(mentee_list=pair_selectors.PairMenteesJSON())
        .values(
            "pk",
            "form",
            "status",
            "mentor__last_name",
            "mentor__first_name",
            "mentor__middle_name",
            "mentee_list",
            "last_meeting_at",
            "is_stale",
        )
    )


def pair_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The list's rows as the page shows them: names, labels and the pair's link."""
    forms = dict(MentoringForm.choices)
    statuses = dict(PairStatus.choices)
    link = url_with_id("school:pair")
    return [
        {
            "url": link(row["pk"]),
            "mentor": full_name_of(
                row["mentor__last_name"], row["mentor__first_name"], row["mentor__middle_name"]
            ),
            "mentees": ", ".join(
                full_name_of(last, first, middle)
                for _pk, last, first, middle, _r in row["mentee_list"]
            ),
            "form": forms.get(row["form"], row["form"]),
            "status": statuses.get(row["status"], row["status"]),
            "is_stale": row["is_stale"],
            "last_meeting_at": row["last_meeting_at"],
        }
        for row in rows
    ]


def pair_rows_html(rows: list[dict[str, Any]]) -> SafeString:
    """The pairs table's rows (``pair_rows``) as ``pairs_table.html`` wrote them with a
    ``{% for %}``: written in Python once per row (fifty rows of six variables and a date
    filter were most of the list's time); the stale badge's words translated once."""
    e = escaped
    stale = f' <span class="badge text-bg-warning">{e(_("no meetings lately"))}</span>'
    parts = []
    for row in rows:
        when = row["last_meeting_at"]
        if isinstance(when, datetime.datetime) and timezone.is_aware(when):
            when = timezone.localtime(when)  # as the template's date filter does
        day = date_filter(when, "d.m.Y") if when is not None else ""
        parts.append(
            f'<tr>\n    <td><a href="{e(row["url"])}">{e(row["mentor"])}</a></td>\n'
            f"    <td>{e(row['mentees'])}</td>\n    <td>{e(row['form'])}</td>\n"
            f"    <td>{e(row['status'])}{stale if row['is_stale'] else ''}</td>\n"
            f"    <td>{e(day) if day else '—'}</td>\n  </tr>"
        )
    return mark_safe("".join(parts))  # noqa: S308  # every value escaped above


def _pair_page(
    request: HttpRequest,
    pair: Pair,
    form: MeetingForm,
    status: int = 200,
    goal_forms: dict[str, Any] | None = None,
    work_forms: dict[str, Any] | None = None,
) -> Any:
    from schools.web.views_documents import plan_blocks  # the plan with its goal forms
    from schools.web.views_meetings import caller_participant_id, meetings_context
    from schools.web.views_pairplan import pairplan_context  # ratings, plan summary
    from schools.web.views_pairwork import pair_work_context  # complete, end, re-assign

    # The meetings of this pair: no pair row joined to each, their attendees' ids read with
    # them (named from the pair's people: ``meetings_context``), not every attendee's row.
    meetings: list[Meeting] = list(
        pair_selectors.meeting_list()
        .select_related(None)
        .prefetch_related(None)
        .annotate(attendee_ids=pair_selectors.meeting_attendee_ids())
        .filter(pair=pair)
    )
    me = caller_participant_id(request)  # the calendar link's and the rating's, read once
    meetings_block = meetings_context(request, pair, meetings, participant_id=me)
    # the rule ``meetings_context`` asked already (``may_write_meetings``)
    can_log = meetings_block["can_write_meetings"] and pair.status == "active"
    return render(
        request,
        "school/pair_detail.html",
        {
            "pair": pair,
            **meetings_block,
            **pairplan_context(
                request, pair, (work_forms or {}).get("pairplan"), participant_id=me
            ),
            "plan_blocks": plan_blocks(request, pair, goal_forms or {}),
            "form": form,
            # an empty form is the same HTML on every visit: written once per language
            "meeting_form_html": _empty_meeting_form() if can_log and not form.is_bound else "",
            "progress": progress_of(pair, meetings=meetings),
            **pair_work_context(request, pair, work_forms or {}),
            "can_log": can_log,
        },
        status=status,
    )


_EMPTY_MEETING_FORMS: dict[str, SafeString] = {}


def _empty_meeting_form() -> SafeString:
    """The pair page's meeting form, unbound, rendered once per language and process: its
    eight fields through ``partials/form.html`` (a template per field and widget) were the
    largest part of the page's template for whom records meetings. Nothing in it depends on
    the visitor or the pair (the CSRF token and the form's action are the page's)."""
    language = get_language() or ""
    html = _EMPTY_MEETING_FORMS.get(language)
    if html is None:
        html = mark_safe(  # noqa: S308  # the form's own rendering, escaped by the template
            render_to_string("partials/form.html", {"form": MeetingForm()})
        )
        _EMPTY_MEETING_FORMS[language] = html
    return html


class _PairPage(ObjectPage):
    access_by_id = staticmethod(pair_access.access_pair_by_id)
    # Changing the pair itself (complete, end) has its own forms; here a write is a meeting,
    # whose rule is ``check_object``.
    write_methods = frozenset()

    def object_queryset(self) -> QuerySet[Pair]:
        return pair_selectors.pair_list()


class PairDetail(_PairPage):
    """The pair page: its meetings, plans, progress and the forms its viewer may use."""

    roles = EVERYONE
    http_method_names = ["get", "head"]

    def object_queryset(self) -> QuerySet[Pair]:
        # What the page shows of the pair: its mentor and mentees; not ``pair_list``'s
        # programme, latest meeting and staleness (their subquery and CASE built, compiled and
        # read on every visit were a fifth of the page).
        return Pair.objects.select_related("mentor").prefetch_related(
            Prefetch(
                "memberships", queryset=PairMentee.objects.select_related("mentee").order_by("id")
            )
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _pair_page(request, self.object, MeetingForm())


class MeetingCreate(_PairPage):
    """Record a meeting of the pair (held or planned): its mentor, the coordinator, or the
    curator of someone in the pair (``schools.pairs.access.may_write_meetings``)."""

    roles = MEETING_WRITERS
    http_method_names = ["post"]

    def check_object(self, obj: Pair) -> None:
        if not pair_access.may_write_meetings(self.actor, obj):
            raise PermissionDenied

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        pair = self.object
        form = MeetingForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            held = data.pop("held")
            try:
                with transaction.atomic():  # the meeting and its attendance, or neither
                    meeting = pair_services.meeting_create(
                        pair=pair, actor=actor_of(request), **data
                    )
                    if held:
                        members = [pair.mentor_id, *[m.mentee_id for m in pair.memberships.all()]]
                        pair_services.meeting_record_attendance(
                            meeting=meeting, participant_ids=members, actor=actor_of(request)
                        )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The meeting is recorded."))
                return redirect("school:pair", pk=pair.pk)
        return _pair_page(request, pair, form, status=400)


pair_detail = PairDetail.as_view()
meeting_create = MeetingCreate.as_view()
