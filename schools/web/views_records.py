"""Pages of the records area: the mentor and mentee bases with inline editing, the roadmap's
activities (add, edit, reschedule, mark done), and a parent's consents with withdrawal.

Thin like the other pages: reads through selectors in the caller's scope ("missing" and "not
yours" are one 404), writes through services (which write the audit entries), and answers
HTMX requests with the fragment that changed."""

from __future__ import annotations

import datetime
from typing import Any, ClassVar
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from accounts import roles
from accounts.actor import Actor, actor_of
from accounts.models import Role
from config.pages import (
    COORDINATOR,
    COORDINATOR_AND_CURATORS,
    STAFF,
    ObjectPage,
    add_service_errors,
    is_htmx,
    role_required,
    url_with_id,
)
from schools.pairs import api as pairs_api
from schools.participants import access as participant_access
from schools.participants import api as participants_api
from schools.participants import selectors as participant_selectors
from schools.participants.models import (
    ERASURE_DELAY_DAYS,
    REQUIRED_PURPOSE,
    ConsentKind,
    ConsentMethod,
    ConsentPurpose,
    ConsentSigner,
    MenteeProfile,
    MentorProfile,
    Participant,
)
from schools.participants.selectors import ConsentState
from schools.programmes import access as programme_access
from schools.programmes import selectors as programme_selectors
from schools.programmes import services as programme_services
from schools.programmes.models import (
    ActivityStatus,
    MentoringForm,
    Programme,
    RoadmapActivity,
    Stage,
)
from schools.programmes.stages import activity_counts_of, stage_reports
from schools.web.forms_records import (
    ActivityForm,
    MenteeProfileForm,
    MentorProfileForm,
    RescheduleForm,
    WithdrawalForm,
)
from schools.web.labels import consent_labels
from schools.web.templatetags.web_forms import consent_badge

PARENT = roles.PARENT
MENTEES, MENTORS = "mentees", "mentors"
PAGE_SIZE = 50


def page(roles: frozenset[str]) -> Any:
    return role_required(roles, scope="tenant")


def _role(request: HttpRequest) -> str:
    return actor_of(request).role


# --- the bases -----------------------------------------------------------------------------------


def _can_edit(request: HttpRequest, kind: str) -> bool:
    """Mentor profiles are edited by the coordinator, mentee profiles also by curators (as the
    API allows them)."""
    editors = COORDINATOR if kind == MENTORS else COORDINATOR_AND_CURATORS
    return _role(request) in editors


def _tags(kind: str) -> list[tuple[str, str]]:
    """The catalogue's active entries (one catalogue for needs and competences)."""
    return sorted(participants_api.topic_codes().items(), key=lambda item: item[1])


def _free_of(profile: MentorProfile, loads: dict[int, int]) -> int:
    return max(profile.capacity - loads.get(profile.participant_id, 0), 0)


def _labels(model: Any, field: str) -> dict[Any, str]:
    """A choice field's labels by value, in the active language (a row's ``get_*_display``
    built this table again for every cell)."""
    return {value: str(label) for value, label in model._meta.get_field(field).flatchoices}


def _decorate(profiles: list[Any], kind: str) -> list[Any]:
    """Attach what a row shows beyond the profile's columns: the consent state (and for mentors
    the load and free places), the names of its needs or competences unless read with it
    (``with_tag_names``), the labels of its choices and its edit link, made once here rather
    than per cell in the template."""
    states = participant_selectors.consent_states_of(
        participant_ids=[p.participant_id for p in profiles]
    )
    loads = pairs_api.mentor_active_loads() if kind == MENTORS else {}
    categories = _labels(Participant, "category")
    if kind == MENTORS:
        edit_url = url_with_id("school:bases-mentor-edit")
    else:
        edit_url = url_with_id("school:bases-mentee-edit")
        forms = _labels(MenteeProfile, "preferred_form")
        sources = _labels(MenteeProfile, "raised_by")
    for profile in profiles:
        profile.consent_state = states.get(profile.participant_id, ConsentState.MISSING)
        if not hasattr(profile, "tag_names"):
            tags = profile.competences if kind == MENTORS else profile.needs
            profile.tag_names = [t.name for t in tags.all()]
        profile.edit_url = edit_url(profile.pk)
        category = profile.participant.category
        profile.category_label = categories.get(category, category)
        if kind == MENTORS:
            profile.load = loads.get(profile.participant_id, 0)
            profile.free = _free_of(profile, loads)
        else:
            profile.form_label = forms.get(profile.preferred_form, profile.preferred_form)
            profile.source_label = sources.get(profile.raised_by, profile.raised_by)
            profile.request_summary = Truncator(profile.request).chars(120)
    return profiles


def _filters(request: HttpRequest) -> dict[str, str]:
    kind = request.GET.get("kind", MENTEES)
    values = {
        "kind": kind if kind in (MENTEES, MENTORS) else MENTEES,
        "q": request.GET.get("q", "").strip()[:100],
        "tag": request.GET.get("tag", "").strip()[:50],
        "form": request.GET.get("form", ""),
        "consent": request.GET.get("consent", ""),
        "free": "1" if request.GET.get("free") == "1" else "",
    }
    if values["consent"] not in consent_labels():
        values["consent"] = ""
    if values["form"] not in MentoringForm.values:
        values["form"] = ""
    return values


@require_safe
@page(STAFF)
def bases(request: HttpRequest) -> HttpResponse:
    """The mentee base and the mentor base, one at a time (``?kind=``), with filters."""
    filters = _filters(request)
    kind = filters["kind"]
    rows: list[Any] | QuerySet[Any]
    if kind == MENTORS:
        rows = participant_selectors.with_tag_names(
            participant_selectors.mentor_base(
                actor=actor_of(request),
                query=filters["q"],
                competence=filters["tag"],
                consent=filters["consent"],
            ),
            tags="competences",
        )
        if filters["free"]:  # the free places are worked out here: every mentor read
            rows = [row for row in _decorate(list(rows), kind) if row.free > 0]
    else:
        rows = participant_selectors.with_tag_names(
            participant_selectors.mentee_base(
                actor=actor_of(request),
                query=filters["q"],
                need=filters["tag"],
                form=filters["form"],
                consent=filters["consent"],
            ),
            tags="needs",
        )
    # Paged in the database (but for mentors with free places): a page's rows decorated.
    page_obj = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    if isinstance(rows, QuerySet):
        _decorate(list(page_obj.object_list), kind)
    query = {k: v for k, v in filters.items() if v}
    can_edit = _can_edit(request, kind)
    context = {
        "filters": filters,
        "kind": kind,
        "page_obj": page_obj,
        "rows": _rows(list(page_obj), kind, can_edit=can_edit),
        "tags": _tags(kind),
        "forms": MentoringForm.choices,
        "consent_labels": consent_labels(),
        "can_edit": can_edit,
        "query": urlencode(query),
    }
    template = "records_bases_table" if is_htmx(request) else "records_bases"
    return render(request, f"school/{template}.html", context)


def _row(request: HttpRequest, kind: str, profile: Any, status: int = 200) -> HttpResponse:
    _decorate([profile], kind)
    return HttpResponse(_rows([profile], kind, can_edit=_can_edit(request, kind)), status=status)


_TAG = '<span class="badge text-bg-light border me-1">{}</span>'
_EDIT = (
    '<a class="btn btn-sm btn-outline-primary" href="{url}" hx-get="{url}" hx-target="closest tr"'
    ' hx-swap="outerHTML">{edit}<span class="visually-hidden">: {name}</span></a>'
)
_MENTEE_ROW = (
    '<tr id="mentee-{pk}">\n'
    '  <td>{name}<div class="small text-body-secondary">{category}{group}</div></td>\n'
    "  <td>{tags}</td>\n"
    '  <td class="small">{request}<div class="text-body-secondary">{raised_by}: {source}</div>'
    "</td>\n"
    "  <td>{form}</td>\n"
    "  <td>{consent}</td>\n"
    '  <td class="text-end">{edit}</td>\n'
    "</tr>\n"
)
_MENTOR_ROW = (
    '<tr id="mentor-{pk}">\n'
    '  <td>{name}<div class="small text-body-secondary">{category}</div></td>\n'
    "  <td>{tags}</td>\n"
    '  <td class="text-nowrap">{load} / {capacity} {places}</td>\n'
    "  <td>{hours}</td>\n"
    "  <td>{consent}</td>\n"
    '  <td class="text-end">{edit}</td>\n'
    "</tr>\n"
)


def _rows(profiles: list[Any], kind: str, *, can_edit: bool) -> SafeString:
    """The base's rows (``_decorate``d profiles), written here: fifty rows through a row
    template were a third of the page's time. A row put back alone (``_row``) is the same."""
    edit_label = _("Edit")
    raised_by = _("raised by")
    full = format_html('<span class="badge text-bg-secondary">{}</span>', _("full"))
    rows = []
    for p in profiles:
        name = p.participant.full_name
        edit = format_html(_EDIT, url=p.edit_url, edit=edit_label, name=name) if can_edit else ""
        tags = format_html_join("", _TAG, ((tag,) for tag in p.tag_names)) or "—"
        consent = consent_badge(p.consent_state)
        if kind == MENTORS:
            places = (
                format_html(
                    '<span class="badge text-bg-success">{}</span>',
                    ngettext("%(free)s place free", "%(free)s places free", p.free)
                    % {"free": p.free},
                )
                if p.free
                else full
            )
            hours = "—" if p.hours_per_month is None else p.hours_per_month
            rows.append(
                format_html(
                    _MENTOR_ROW,
                    pk=p.pk,
                    name=name,
                    category=p.category_label,
                    tags=tags,
                    load=p.load,
                    capacity=p.capacity,
                    places=places,
                    hours=hours,
                    consent=consent,
                    edit=edit,
                )
            )
        else:
            group = p.participant.study_group
            rows.append(
                format_html(
                    _MENTEE_ROW,
                    pk=p.pk,
                    name=name,
                    category=p.category_label,
                    group=f" · {group.name}" if group is not None else "",
                    tags=tags,
                    request=p.request_summary or "—",
                    raised_by=raised_by,
                    source=p.source_label,
                    form=p.form_label or "—",
                    consent=consent,
                    edit=edit,
                )
            )
    return mark_safe("".join(rows))  # noqa: S308  # each row written by format_html


def _form_class(kind: str) -> type[MentorProfileForm] | type[MenteeProfileForm]:
    return MentorProfileForm if kind == MENTORS else MenteeProfileForm


def _profile_form(kind: str, *args: Any, **kwargs: Any) -> MentorProfileForm | MenteeProfileForm:
    return _form_class(kind)(*args, tags=_tags(kind), **kwargs)


def _edit_response(
    request: HttpRequest, kind: str, profile: Any, form: Any, status: int = 200
) -> HttpResponse:
    context = {"p": profile, "form": form, "kind": kind}
    if is_htmx(request):
        return render(request, "school/records_profile_form_row.html", context, status=status)
    return render(request, "school/records_profile_edit.html", context, status=status)


class _ProfilePage(ObjectPage):
    """A profile of the mentor or mentee base, looked up through the participants' access
    layer within the caller's base (erased people left out)."""

    kind: ClassVar[str]

    def object_queryset(self) -> QuerySet[Any]:
        if self.kind == MENTORS:
            return participant_selectors.mentor_base(actor=self.actor)
        return participant_selectors.mentee_base(actor=self.actor)


class _ProfileRow(_ProfilePage):
    """One row of the base (HTMX puts it back when an inline edit is cancelled)."""

    roles = STAFF
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _row(request, self.kind, self.object)


class MentorRow(_ProfileRow):
    kind = MENTORS
    access_by_id = staticmethod(participant_access.access_mentor_profile_by_id)


class MenteeRow(_ProfileRow):
    kind = MENTEES
    access_by_id = staticmethod(participant_access.access_mentee_profile_by_id)


class _ProfileEdit(_ProfilePage):
    """The inline (HTMX) or full-page edit of a profile: for whom may edit it (the form is
    shown only to them: ``write_methods`` includes GET)."""

    write_methods = frozenset({"GET", "HEAD", "POST"})

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        kind, profile = self.kind, self.object
        form = _profile_form(kind, initial=_form_class(kind).initial_of(profile))
        return _edit_response(request, kind, profile, form)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        kind, profile = self.kind, self.object
        form = _profile_form(kind, request.POST)
        if form.is_valid():
            if isinstance(form, MentorProfileForm):
                arguments = form.service_arguments()
                upsert: Any = participants_api.mentor_profile_upsert
            else:
                arguments = dict(form.cleaned_data)
                upsert = participants_api.mentee_profile_upsert
            try:
                upsert(participant_id=profile.participant_id, actor=actor_of(request), **arguments)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                profile = self.get_object()
                if is_htmx(request):
                    return _row(request, kind, profile)
                messages.success(request, _("The profile is saved."))
                return redirect(f"{reverse('school:bases')}?kind={kind}")
        return _edit_response(request, kind, profile, form, status=400)


class MentorEdit(_ProfileEdit):
    roles = COORDINATOR
    kind = MENTORS
    access_by_id = staticmethod(participant_access.access_mentor_profile_by_id)


class MenteeEdit(_ProfileEdit):
    roles = COORDINATOR_AND_CURATORS
    kind = MENTEES
    access_by_id = staticmethod(participant_access.access_mentee_profile_by_id)


mentor_row = MentorRow.as_view()
mentee_row = MenteeRow.as_view()
mentor_edit = MentorEdit.as_view()
mentee_edit = MenteeEdit.as_view()


# --- roadmap activities --------------------------------------------------------------------------


def roadmap_context(
    request: HttpRequest,
    *,
    create_form: ActivityForm | None = None,
    notice: str = "",
) -> dict[str, Any]:
    """The roadmap page's context: each stage with its report, activities and the form to add
    one (``create_form`` is the bound form of a failed attempt, shown at its stage)."""
    current = programme_selectors.programme_current()
    stages: list[dict[str, Any]] = []
    can_edit = _role(request) == Role.COORDINATOR
    mine = _curated_activity_ids(request)
    row_labels = roadmap_row_labels()
    if current is not None:
        by_stage: dict[int, list[dict[str, Any]]] = {}
        # Plain rows (``roadmap_rows``: the overdue flag and the summary made in the database)
        # with their labels and links looked up once for the page, not built per activity.
        role_labels = {value: str(label) for value, label in Role.choices}
        status_labels = {value: str(label) for value, label in ActivityStatus.choices}
        links = [(attribute, url_with_id(name)) for attribute, name in _ROW_LINKS]
        for row in programme_selectors.roadmap_rows(programme=current):
            row["can_mark"] = can_edit or row["pk"] in mine
            row["role_labels"] = [
                role_labels[role] for role in row["responsible_roles"] if role in role_labels
            ]
            row["status_label"] = status_labels.get(row["status"], row["status"])
            for attribute, link in links:
                row[attribute] = link(row["pk"])
            row["deadline_text"] = _day(row["deadline"])
            row["completed_text"] = _day(row["completed_on"])
            row["html"] = activity_row_html(
                row, can_edit=can_edit, can_mark=can_edit or bool(mine), labels=row_labels
            )
            by_stage.setdefault(row["stage"], []).append(row)
        counts = activity_counts_of(row for rows in by_stage.values() for row in rows)
        reports = {r.stage: r for r in stage_reports(programme=current, activities=counts)}
        failed_stage = create_form.data.get("stage") if create_form is not None else None
        words: dict[str, str] = {}
        # The form to add an activity is made for the stage asked (``?add=<stage>``, what the
        # stage's «Add an activity» loads when opened), not for all six on every visit.
        wanted = request.GET.get("add", "")
        for stage in Stage:
            form = None
            if can_edit:
                if create_form is not None and str(failed_stage) == str(stage.value):
                    form = create_form
                elif wanted == str(stage.value):
                    form = ActivityForm(
                        initial={"stage": stage.value, "status": ActivityStatus.PLANNED},
                        auto_id=f"id_new{stage.value}_%s",
                    )
            item: dict[str, Any] = {
                "stage": stage,
                "report": reports.get(stage.value),
                "activities": by_stage.get(stage.value, []),
                "create_form": form,
            }
            # written in Python unless it shows the form to add an activity (the template's)
            if form is None:
                words = words or roadmap_stage_words()
                item["html"] = stage_section_html(
                    item, can_edit=can_edit, can_mark=can_edit or bool(mine), words=words
                )
            stages.append(item)
    return {
        "programme": current,
        "stages": stages,
        "can_edit": can_edit,
        "can_mark": can_edit or bool(mine),
        "notice": notice,
        "today": timezone.localdate(),
        "row_labels": row_labels,
    }


def roadmap_stage_words() -> dict[str, str]:
    """The words of every stage of the roadmap (``stage_section_html``), translated and
    escaped once for the page, and the page's own link."""
    e = conditional_escape
    words = {
        key: str(e(_(text)))
        for key, text in (
            ("activity", "Activity"),
            ("deadline", "Deadline"),
            ("responsible", "Responsible"),
            ("status", "Status"),
            ("actions", "Actions"),
            ("none", "No activities at this stage."),
            ("add", "Add an activity"),
            ("open_form", "Open the form"),
        )
    }
    words["url"] = str(e(reverse("school:programme")))
    words["roadmap"] = _("Roadmap: %(done)s of %(total)s done")
    words["overdue"] = _("overdue: %(count)s")
    return words


def stage_section_html(
    item: dict[str, Any], *, can_edit: bool, can_mark: bool, words: dict[str, str]
) -> SafeString:
    """A stage of the roadmap (``roadmap_context``'s ``item``: its report, its rows already
    written, no form to add an activity) as ``school/records_stage.html`` writes it: in Python
    once per stage, the words translated once per page (``roadmap_stage_words``)."""
    e, n = conditional_escape, localize
    value = e(n(item["stage"].value))
    label = e(str(item["stage"].label))
    report = item["report"]
    state = e(report.state) if report is not None else ""
    parts = [
        f'<section class="card mb-3 stage-{state}" id="stage-{value}" '
        f'aria-labelledby="stage-{value}-title"><div class="card-body">\n'
        '  <div class="d-flex flex-wrap justify-content-between gap-2">\n'
        f'    <h2 class="h5" id="stage-{value}-title">{value}. {label}</h2>\n    '
    ]
    counts = report.activities if report is not None else None
    if counts is not None and counts.total:
        done = words["roadmap"] % {"done": e(n(counts.done)), "total": e(n(counts.total))}
        parts.append(f'<span class="small text-body-secondary">{done}')
        if counts.overdue:
            late = words["overdue"] % {"count": e(n(counts.overdue))}
            parts.append(f' · <span class="text-danger">{late}</span>')
        parts.append("</span>")
    parts.append("\n  </div>\n  ")
    if report is not None and report.missing:
        items = "".join(f"<li>{e(m.message)}</li>" for m in report.missing)
        parts.append(f'<ul class="small text-danger-emphasis">{items}</ul>')
    parts.append("\n  ")
    if item["activities"]:
        actions = (
            f'<th scope="col"><span class="visually-hidden">{words["actions"]}</span></th>'
            if can_edit or can_mark
            else ""
        )
        rows = "".join(str(e(a["html"])) for a in item["activities"])
        parts.append(
            '\n  <div class="table-responsive"><table class="table table-sm align-middle mb-2">'
            f'\n    <caption class="visually-hidden">{label}</caption>\n'
            f'    <thead><tr><th scope="col">{words["activity"]}</th><th scope="col">'
            f'{words["deadline"]}</th><th scope="col">{words["responsible"]}</th>'
            f'<th scope="col">{words["status"]}</th>{actions}</tr></thead>\n'
            f"    <tbody>{rows}</tbody>\n  </table></div>\n  "
        )
    else:
        parts.append(f'<p class="small text-body-secondary">{words["none"]}</p>')
    parts.append("\n  ")
    if can_edit:
        url = words["url"]
        parts.append(
            f'\n  <details id="new-activity-{value}" hx-disinherit="*" hx-get="{url}?add='
            f'{value}" hx-trigger="toggle once" hx-select="#new-activity-{value} .new-activity" '
            'hx-target="find .new-activity" hx-swap="outerHTML"><summary class="btn btn-sm '
            f'btn-outline-primary">{words["add"]}</summary>\n    <div class="new-activity">'
            f'<a class="small" href="{url}?add={value}#stage-{value}">{words["open_form"]}</a>'
            "</div>\n  </details>\n  "
        )
    parts.append("\n</div></section>\n")
    return mark_safe("".join(parts))  # noqa: S308  # every value escaped above


def roadmap_row_labels() -> dict[str, str]:
    """The words of every roadmap row, translated once for the page (``{% translate %}`` in
    the row was a third of the roadmap's template time)."""
    return {
        "overdue": _("overdue"),
        "done": _("Done"),
        "edit": _("Edit"),
        "reschedule": _("Reschedule"),
        "open_form": _("Open the form"),
    }


def activity_row_html(
    a: dict[str, Any], *, can_edit: bool, can_mark: bool, labels: dict[str, str]
) -> SafeString:
    """A roadmap row as ``school/records_activity_row.html`` writes it without a deadline
    form (the page's rows; the template stays for a row with the form's errors): written in
    Python once per row, since the template's ≈ 30 variables and tags per row were most of
    the roadmap's time. ``a`` is a row of ``roadmap_context`` (labels, texts and links)."""
    e = conditional_escape
    pk = int(a["pk"])
    status = a["status"]
    if a["is_overdue"]:
        css = ' class="table-warning" data-overdue="1"'
    elif status == "done":
        css = ' class="text-body-secondary"'
    else:
        css = ""
    parts = [f'<tr id="activity-{pk}"{css}>\n<td><span id="at{pk}">{e(a["title"])}</span>']
    if a["summary"]:
        parts.append(f'<div class="small text-body-secondary">{e(a["summary"])}</div>')
    parts.append(f'</td>\n<td class="text-nowrap">{e(a["deadline_text"])}')
    if a["is_overdue"]:
        parts.append(f' <span class="badge text-bg-danger">{e(labels["overdue"])}</span>')
    roles_text = ", ".join(str(e(label)) for label in a["role_labels"]) or "—"
    parts.append(f'</td>\n<td class="small">{roles_text}</td>\n<td>')
    if status == "done":
        parts.append(f'<span class="badge text-bg-success">{e(a["status_label"])}</span>')
        if a["completed_text"]:
            parts.append(f' <span class="small">{e(a["completed_text"])}</span>')
    else:
        parts.append(str(e(a["status_label"])))
    parts.append("</td>\n")
    if can_edit or can_mark:
        is_open = status not in ("done", "cancelled")
        edit = e(a["edit_url"])
        parts.append(
            '<td class="text-end"><div class="d-flex flex-wrap gap-1 justify-content-end">'
        )
        if is_open and (can_edit or a["can_mark"]):
            done = e(a["done_url"])
            parts.append(
                f'<button id="ad{pk}" aria-labelledby="ad{pk} at{pk}" class="btn btn-sm '
                f'btn-success" type="submit" form="roadmap-done" formaction="{done}" '
                f'hx-post="{done}" hx-target="#roadmap">{e(labels["done"])}</button>'
            )
        if can_edit:
            parts.append(
                f'<a id="ae{pk}" aria-labelledby="ae{pk} at{pk}" class="btn btn-sm '
                f'btn-outline-primary" href="{edit}" hx-get="{edit}" hx-target="closest tr" '
                f'hx-swap="outerHTML">{e(labels["edit"])}</a>'
            )
        parts.append("</div>\n")
        if can_edit and is_open:
            parts.append(
                f'<details class="mt-1 text-start" hx-disinherit="*" '
                f'hx-get="{e(a["reschedule_url"])}" hx-trigger="toggle once" '
                f'hx-target="find .reschedule" hx-swap="innerHTML"><summary class="small">'
                f'{e(labels["reschedule"])}</summary><div class="reschedule"><a class="small" '
                f'href="{edit}">{e(labels["open_form"])}</a></div></details>'
            )
        parts.append("</td>")
    parts.append("\n</tr>\n")
    return mark_safe("".join(parts))  # noqa: S308  # every value escaped above


def _day(day: datetime.date | None) -> str:
    """A row's date as ``{{ day|date:"d.m.Y" }}`` writes it, without the filter per cell."""
    return day.strftime("%d.%m.%Y") if day else ""


def _curated_activity_ids(request: HttpRequest) -> set[int]:
    """The activities a curator is responsible for: it marks them done (the API's rule)."""
    user_pk = getattr(request.user, "pk", None)
    if _role(request) != Role.CURATOR or user_pk is None:
        return set()
    return set(
        RoadmapActivity.objects.filter(responsible_people__pk=user_pk).values_list("pk", flat=True)
    )


def _with_role_labels(activity: RoadmapActivity) -> RoadmapActivity:
    """The activity as its row shows it: the responsible roles by name and its links
    (reversed once for all the rows: ``url_with_id``)."""
    activity.role_labels = [  # type: ignore[attr-defined]
        str(Role(role).label) for role in activity.responsible_roles if role in Role.values
    ]
    # once, not per use in the row's cells (the status twice, ``truncatechars:160``)
    activity.status_label = activity.get_status_display()  # type: ignore[attr-defined]
    activity.summary = Truncator(activity.content).chars(160) if activity.content else ""  # type: ignore[attr-defined]
    activity.deadline_text = _day(activity.deadline)  # type: ignore[attr-defined]
    activity.completed_text = _day(activity.completed_on)  # type: ignore[attr-defined]
    for attribute, name in _ROW_LINKS:
        setattr(activity, attribute, url_with_id(name)(activity.pk))
    return activity


_ROW_LINKS = (
    ("done_url", "school:activity-done"),
    ("edit_url", "school:activity-edit"),
    ("reschedule_url", "school:activity-reschedule"),
)


def current_programme_or_404() -> Programme:
    """The programme of the current year (404 without one): the roadmap's and the set-up's."""
    current = programme_selectors.programme_current()
    if current is None:
        raise Http404
    return current


class _ActivityPage(ObjectPage):
    """A page that changes one activity of the current programme's roadmap
    (``schools.programmes.access.access_activity_by_id``: the coordinator any, a curator
    those it is responsible for)."""

    roles = COORDINATOR
    access_by_id = staticmethod(programme_access.access_activity_by_id)

    def object_queryset(self) -> QuerySet[RoadmapActivity]:
        return programme_selectors.roadmap_activity_list().filter(
            programme=current_programme_or_404()
        )


def _roadmap_changed(request: HttpRequest, activity: RoadmapActivity, notice: str) -> HttpResponse:
    """After a write: HTMX gets the whole roadmap (stage reports change too), a plain form post
    goes back to the page at the activity's stage."""
    if is_htmx(request):
        response = render(
            request, "school/records_roadmap.html", roadmap_context(request, notice=notice)
        )
        response["HX-Retarget"] = "#roadmap"
        response["HX-Reswap"] = "innerHTML"
        return response
    messages.success(request, notice)
    return redirect(f"{reverse('school:programme')}#stage-{activity.stage}")


@require_POST
@page(COORDINATOR)
def activity_create(request: HttpRequest) -> HttpResponse:
    current = current_programme_or_404()
    stage_value = request.POST.get("stage", "")
    auto_id = f"id_new{stage_value}_%s" if stage_value.isdigit() else "id_%s"
    form = ActivityForm(request.POST, auto_id=auto_id)
    if form.is_valid():
        try:
            activity = programme_services.roadmap_activity_create(
                programme=current, actor=actor_of(request), **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _roadmap_changed(request, activity, _("The activity is added to the roadmap."))
    if is_htmx(request):
        return render(
            request,
            "school/records_activity_create.html",
            {"form": form, "stage_value": stage_value},
            status=400,
        )
    return render(
        request, "school/programme.html", roadmap_context(request, create_form=form), status=400
    )


def _activity_form_response(
    request: HttpRequest, activity: RoadmapActivity, form: ActivityForm, status: int = 200
) -> HttpResponse:
    context = {"a": activity, "form": form}
    template = (
        "school/records_activity_form_row.html"
        if is_htmx(request)
        else "school/records_activity_edit.html"
    )
    return render(request, template, context, status=status)


class ActivityEdit(_ActivityPage):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _activity_edit(request, _with_role_labels(self.object))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _activity_edit(request, _with_role_labels(self.object))


def _activity_edit(request: HttpRequest, activity: RoadmapActivity) -> HttpResponse:
    auto_id = f"id_a{activity.pk}_%s"
    if request.method != "POST":
        form = ActivityForm(initial=ActivityForm.initial_of(activity), auto_id=auto_id)
        return _activity_form_response(request, activity, form)
    form = ActivityForm(request.POST, auto_id=auto_id)
    if form.is_valid():
        data = dict(form.cleaned_data)
        roles = data.pop("responsible_roles")
        try:
            activity = programme_services.roadmap_activity_update(
                activity=activity, responsible_roles=roles, actor=actor_of(request), **data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _roadmap_changed(request, activity, _("The activity is saved."))
    return _activity_form_response(request, activity, form, status=400)


class ActivityReschedule(_ActivityPage):
    """Move an activity's deadline. A GET gives the form, which the roadmap's row loads when
    its «Reschedule» is opened (without HTMX: the activity's edit page, deadline included)."""

    http_method_names = ["get", "head", "post"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        activity = _with_role_labels(self.object)
        if not is_htmx(request):
            return _activity_edit(request, activity)
        return render(request, "school/records_activity_reschedule.html", {"a": activity})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _activity_reschedule(request, _with_role_labels(self.object))


def _activity_reschedule(request: HttpRequest, activity: RoadmapActivity) -> HttpResponse:
    form = RescheduleForm(request.POST, auto_id=f"id_r{activity.pk}_%s")
    if form.is_valid():
        try:
            activity = programme_services.roadmap_activity_update(
                activity=activity, deadline=form.cleaned_data["deadline"], actor=actor_of(request)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _roadmap_changed(
                request,
                activity,
                _("The deadline is moved to %(date)s.")
                % {"date": activity.deadline.strftime("%d.%m.%Y")},
            )
    if is_htmx(request):
        return render(
            request,
            "school/records_activity_row.html",
            {
                "a": activity,
                "can_edit": True,
                "reschedule_form": form,
                "row_labels": roadmap_row_labels(),
            },
            status=400,
        )
    edit_form = ActivityForm(
        data={
            **{k: v for k, v in ActivityForm.initial_of(activity).items() if v is not None},
            "deadline": request.POST.get("deadline", ""),
        },
        auto_id=f"id_a{activity.pk}_%s",
    )
    edit_form.is_valid()
    for message in form.errors.get("deadline", []):
        if message not in edit_form.errors.get("deadline", []):
            edit_form.add_error("deadline", message)
    edit_form.mark_errors()
    return _activity_form_response(request, activity, edit_form, status=400)


class ActivityDone(_ActivityPage):
    """Mark an activity done: the coordinator, or a curator responsible for it (403 for
    another curator: ``for_write``)."""

    roles = COORDINATOR_AND_CURATORS
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        activity = _with_role_labels(self.object)
        if activity.status != ActivityStatus.DONE:
            activity = programme_services.roadmap_activity_update(
                activity=activity, status=ActivityStatus.DONE, actor=self.actor
            )
        return _roadmap_changed(request, activity, _("The activity is marked done."))


activity_edit = ActivityEdit.as_view()
activity_reschedule = ActivityReschedule.as_view()
activity_done = ActivityDone.as_view()


# --- a parent's consents -----------------------------------------------------------------------


def _children(request: HttpRequest) -> list[dict[str, Any]]:
    """The signed-in parent's children with their consent state and register history."""
    actor = actor_of(request)
    links = list(participant_selectors.guardianships_of_parent(actor=actor))
    states = participant_selectors.consent_states_of(participant_ids=[g.child_id for g in links])
    history: dict[int, list[Any]] = {}
    for consent in (
        participant_selectors.consent_list()
        .filter(participant_id__in=[g.child_id for g in links])
        .order_by("-created_at", "-pk")
    ):
        history.setdefault(consent.participant_id, []).append(consent)
    children = []
    for link in sorted(links, key=lambda g: (g.child.last_name, g.child.first_name, g.child_id)):
        records = history.get(link.child_id, [])
        children.append(
            {
                "link": link,
                "child": link.child,
                "state": states.get(link.child_id, ConsentState.MISSING),
                "history": records,
                "withdrawable": _withdrawable(actor, link.child, records),
            }
        )
    return children


def _withdrawable(actor: Actor, child: Any, records: list[Any]) -> list[tuple[str, str]]:
    """The purposes whose latest record is a grant: those a withdrawal can stop. None for a
    person whose data is erased, or whose consent the parent may not record (an adult withdraws
    personally: ``access.check_consent_record``, the rule the service enforces too)."""
    if child.erased_at is not None or not participant_access.may_record_consent(actor, child):
        return []
    latest: dict[str, str] = {}
    for record in records:  # newest first
        latest.setdefault(record.purpose, record.kind)
    return [
        (purpose.value, str(purpose.label))
        for purpose in ConsentPurpose
        if latest.get(purpose.value) == ConsentKind.GRANT
    ]


def _no_withdrawal_reason(actor: Actor, child: Any) -> str:
    """Why the page offers nothing to withdraw: the person is of age (the access rule's own
    words), or no consent is in force."""
    try:
        participant_access.check_consent_record(actor, child)
    except PermissionDenied as exc:
        return str(exc)
    return _("There is no consent to withdraw.")


@require_safe
@page(PARENT)
def my_consents(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "school/records_my_consents.html",
        {"children": _children(request), "consent_labels": consent_labels()},
    )


class MyConsentWithdraw(ObjectPage):
    """Withdraw a consent given for one's child, after a confirmation step. The child is looked
    up first (``access_child_by_id``): anyone else's id is the same 404 whatever the caller's
    role. Whether the parent may withdraw (not for an adult) is the register's rule, shown
    next to the form (``write_methods`` is empty: the service checks it)."""

    roles = frozenset(Role)
    access_by_id = staticmethod(participant_access.access_child_by_id)
    write_methods = frozenset()

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _my_consent_withdraw(request, self.object.pk)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _my_consent_withdraw(request, self.object.pk)


my_consent_withdraw = MyConsentWithdraw.as_view()


def _my_consent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    child_info = next((c for c in _children(request) if c["child"].pk == pk), None)
    if child_info is None:
        raise Http404
    purposes = child_info["withdrawable"]
    # Bound on every POST, an empty one too: its errors are shown, not a server error.
    form = WithdrawalForm(request.POST if request.method == "POST" else None, purposes=purposes)
    status = 200
    if request.method == "POST":
        status = 400
        if not purposes:
            form.add_error(None, _no_withdrawal_reason(actor_of(request), child_info["child"]))
        elif form.is_valid():
            link = child_info["link"]
            try:
                participants_api.consent_withdraw(
                    participant_id=pk,
                    purpose=form.cleaned_data["purpose"],
                    signed_by=ConsentSigner.GUARDIAN,
                    guardian_name=link.parent.full_name,
                    guardian_relation=link.relation,
                    signed_on=timezone.localdate(),
                    method=ConsentMethod.ELECTRONIC,
                    actor=actor_of(request),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or _("You may not withdraw this consent."))
            else:
                messages.success(request, _("The consent is withdrawn."))
                return redirect("school:my-consents")
    return render(
        request,
        "school/records_withdraw.html",
        {
            **child_info,
            "form": form,
            "consent_labels": consent_labels(),
            "required_purpose": REQUIRED_PURPOSE,
            "erasure_days": ERASURE_DELAY_DAYS,
            "erase_on": timezone.localdate() + datetime.timedelta(days=ERASURE_DELAY_DAYS),
        },
        status=status,
    )
