"""The group meeting before matching (Р-145: the meeting where mentors and mentees get to know
each other) and the mutual preferences after it, on the pages.

The coordinator plans the meeting and marks it held with who came; then each mentor and mentee
who came chooses, on their own page, up to ``PREFERRED_CHOICES`` people they would like to work
with (first choice first) and whom they would rather not; the coordinator may record a paper
form for someone. The matching score reads the preferences (mutual preference, 40 of 100
points by default). Staff read; mentors and mentees see the meetings they attended and only
their own preferences (``schools.matching.selectors``, the API's rules)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.actor import actor_of
from accounts.models import Role
from config.pages import (
    COORDINATOR,
    STAFF,
    ObjectPage,
    add_service_errors,
    counted_page,
    role_required,
)
from schools.matching import access as matching_access
from schools.matching import selectors as matching_selectors
from schools.matching import services as matching_services
from schools.matching.models import GroupMeeting, PreferenceKind
from schools.participants import api as participants_api
from schools.programmes import selectors as programme_selectors
from schools.web.forms_meetings import (
    GroupAttendanceForm,
    GroupMeetingForm,
    PreferencesForm,
    WeightsForm,
)

PREFERRED_CHOICES = 3  # "choose up to three people you would like to work with"
READERS = STAFF | {Role.MENTOR, Role.MENTEE}
PREFERENCE_WRITERS = COORDINATOR | {Role.MENTOR, Role.MENTEE}


def _is_manager(request: HttpRequest) -> bool:
    return actor_of(request).role in COORDINATOR


def _meetings(request: HttpRequest) -> QuerySet[GroupMeeting]:
    return matching_access.group_meetings_visible_to(
        actor_of(request), matching_selectors.group_meeting_list()
    )


class _MeetingPage(ObjectPage):
    """A page of one group meeting, looked up in the caller's sight
    (``schools.matching.access``); a write (change it, mark it held) is the coordinator's."""

    access_by_id = staticmethod(matching_access.access_group_meeting_by_id)

    def object_queryset(self) -> QuerySet[GroupMeeting]:
        # not its attendees (a thousand rows): the pages read the few they show
        return matching_selectors.group_meeting_list().prefetch_related(None)


def _bases() -> list[tuple[int, str]]:
    """Everyone in the mentor or mentee base (the people a group meeting is for)."""
    return participants_api.bases_choices()


def _others(meeting: GroupMeeting, person_id: int) -> list[tuple[int, str]]:
    """Whom ``person_id`` may name: the meeting's other attendees, of the other side (a mentor
    names mentees, a mentee names mentors; someone in both bases, or neither, names anyone)."""
    others = set(meeting.attendees.values_list("pk", flat=True)) - {person_id}
    attendees = participants_api.person_choices(participant_ids=others)
    mentors = participants_api.mentor_base_ids()
    mentees = participants_api.mentee_base_ids()
    wanted: set[int] | None = None
    if person_id in mentors and person_id not in mentees:
        wanted = mentees
    elif person_id in mentees and person_id not in mentors:
        wanted = mentors
    return [(pk, label) for pk, label in attendees if wanted is None or pk in wanted]


def _renamed(error: ValidationError, names: dict[str, str]) -> ValidationError:
    """A service's error with its field names as the form calls them."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {names.get(field, field): messages for field, messages in error.message_dict.items()}
    )


def _is_held(meeting: GroupMeeting) -> bool:
    return meeting.attendees.exists()


# --- the list and planning ----------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(READERS, scope="tenant")
def group_meetings(request: HttpRequest) -> HttpResponse:
    """The group meetings (a mentor or mentee: those they attended); the coordinator plans a
    new one here."""
    programme = programme_selectors.programme_current()
    form = (
        GroupMeetingForm(request.POST if request.method == "POST" else None)
        if _is_manager(request)
        else None
    )
    if request.method == "POST":
        if form is None:
            return render(request, "403.html", status=403)
        if programme is None:
            form.add_error(None, _("Create the programme of the year first."))
        elif form.is_valid():
            try:
                meeting = matching_services.group_meeting_create(
                    programme=programme, actor=actor_of(request), **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The group meeting is planned."))
                return redirect("school:group-meeting", pk=meeting.pk)
    # The attendees counted in the database: a meeting of a large school has a thousand of
    # them (a prefetch made a model instance of each to print a number).
    meetings = (
        _meetings(request)
        .select_related(None)
        .prefetch_related(None)
        .only("pk", "held_on", "place")
        .annotate(attendee_count=Count("attendees"))
    )
    rows = [
        {"meeting": m, "held": m.attendee_count > 0, "attendee_count": m.attendee_count}
        for m in meetings[:50]
    ]
    return render(
        request,
        "school/groupmeeting_list.html",
        {"rows": rows, "form": form, "programme": programme},
        status=400 if form is not None and form.errors else 200,
    )


ATTENDEES_PER_PAGE = 100


def _attendee_page(request: HttpRequest, meeting: GroupMeeting) -> Any:
    """The meeting's attendees by name, a page of them, each with whether they have chosen
    (``stated``, counted in the database over the preferences the caller sees): a meeting of
    a large school has a thousand attendees."""
    stated = (
        matching_access.preferences_visible_to(actor_of(request), meeting)
        .filter(from_participant_id=OuterRef("pk"))
        .values("from_participant_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    rows = (
        meeting.attendees.order_by("last_name", "first_name", "middle_name", "pk")
        .annotate(stated=Coalesce(Subquery(stated), 0))
        .values("pk", "last_name", "first_name", "middle_name", "stated")
    )
    page_obj = counted_page(rows, request.GET.get("page"), ATTENDEES_PER_PAGE)
    page_obj.object_list = [
        {
            "pk": row["pk"],
            "name": " ".join(
                part for part in (row["last_name"], row["first_name"], row["middle_name"]) if part
            ),
            "stated": row["stated"],
        }
        for row in page_obj.object_list
    ]
    return page_obj


def attendee_rows_html(rows: list[dict[str, Any]], *, paper_form_url: str | None) -> SafeString:
    """The meeting page's attendees (a page of ``_attendee_page``'s rows), as the page's
    template wrote them with a ``{% for %}`` (a hundred rows of labels, a link and a
    ``{% url %}`` each were most of the page's time): written in Python once per row, the
    words translated once. ``paper_form_url`` is the preferences page of the meeting, for the
    coordinator of a held meeting (each row links to it for that person), else None."""
    e = conditional_escape
    chosen = f'<span class="badge text-bg-success">{e(_("has chosen"))}</span>'
    not_yet = f'<span class="badge text-bg-light">{e(_("not yet"))}</span>'
    enter = e(_("Enter the paper form"))
    url = e(paper_form_url) if paper_form_url is not None else None
    parts = []
    for row in rows:
        name = e(row["name"])
        link = (
            f' <a class="small ms-2" href="{url}?person={e(row["pk"])}">{enter}'
            f'<span class="visually-hidden">: {name}</span></a>'
            if url is not None
            else ""
        )
        parts.append(
            '\n    <li class="list-group-item d-flex flex-wrap justify-content-between gap-2">'
            f"<span>{name}</span>\n      <span>{chosen if row['stated'] else not_yet}{link}"
            "</span></li>\n  "
        )
    return mark_safe("".join(parts))  # noqa: S308  # every value escaped above


def _detail(
    request: HttpRequest, meeting: GroupMeeting, *, forms: dict[str, Any], status: int = 200
) -> HttpResponse:
    page_obj = _attendee_page(request, meeting) if actor_of(request).role in STAFF else None
    # held is that someone came: the staff's page of attendees has counted them already
    held = page_obj.paginator.count > 0 if page_obj is not None else _is_held(meeting)
    context: dict[str, Any] = {"meeting": meeting, "held": held, "today": timezone.localdate()}
    if _is_manager(request):
        context["edit_form"] = forms.get("edit") or GroupMeetingForm(
            initial={"held_on": meeting.held_on, "place": meeting.place, "notes": meeting.notes}
        )
    if page_obj is not None:
        context["attendee_page"] = page_obj
        paper_form = "edit_form" in context and held
        context["attendee_rows"] = attendee_rows_html(
            page_obj.object_list,
            paper_form_url=reverse("school:group-meeting-preferences", args=[meeting.pk])
            if paper_form
            else None,
        )
    else:
        me = actor_of(request).participant_id
        if me is not None and held:
            context["own"] = _own_preferences(request, meeting, me)
    return render(request, "school/groupmeeting_detail.html", context, status=status)


def _held_page(
    request: HttpRequest,
    meeting: GroupMeeting,
    form: GroupAttendanceForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """Who came, ticked among everyone in the bases: its own page (a school's bases are a
    thousand people, too many to send with every look at the meeting)."""
    if form is None:
        came = [str(pk) for pk in meeting.attendees.values_list("pk", flat=True)]
        form = GroupAttendanceForm(
            people=_bases(), initial={"attendees": came, "notes": meeting.notes}
        )
        held = bool(came)  # who came, read once: held is that someone did
    else:
        held = _is_held(meeting)
    context = {"meeting": meeting, "held": held, "held_form": form}
    return render(request, "school/groupmeeting_held.html", context, status=status)


def _own_preferences(request: HttpRequest, meeting: GroupMeeting, me: int) -> list[Any]:
    return list(
        matching_access.preferences_visible_to(actor_of(request), meeting)
        .filter(from_participant_id=me)
        .order_by("kind", "rank", "pk")
    )


class GroupMeetingDetail(_MeetingPage):
    roles = READERS
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _detail(request, self.object, forms={})


class GroupMeetingEdit(_MeetingPage):
    roles = COORDINATOR
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        meeting = self.object
        form = GroupMeetingForm(request.POST)
        if form.is_valid():
            try:
                matching_services.group_meeting_update(
                    meeting=meeting, actor=self.actor, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The group meeting is saved."))
                return redirect("school:group-meeting", pk=meeting.pk)
        return _detail(request, meeting, forms={"edit": form}, status=400)


class GroupMeetingHeld(_MeetingPage):
    """Mark the group meeting held with who came (or correct it): the coordinator."""

    roles = COORDINATOR
    write_methods = frozenset({"GET", "HEAD", "POST"})

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _held_page(request, self.object)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        meeting = self.object
        form = GroupAttendanceForm(request.POST, people=_bases())
        if form.is_valid():
            try:
                matching_services.group_meeting_mark_held(
                    meeting=meeting,
                    attendee_ids=[int(i) for i in form.cleaned_data["attendees"]],
                    notes=form.cleaned_data["notes"],
                    actor=self.actor,
                )
            except ValidationError as exc:
                add_service_errors(form, _renamed(exc, {"attendee_ids": "attendees"}))
            else:
                messages.success(request, _("The group meeting is marked held."))
                return redirect("school:group-meeting", pk=meeting.pk)
        return _held_page(request, meeting, form, status=400)


group_meeting = GroupMeetingDetail.as_view()
group_meeting_edit = GroupMeetingEdit.as_view()
group_meeting_held = GroupMeetingHeld.as_view()


# --- preferences ---------------------------------------------------------------------------------


def _whose(request: HttpRequest, meeting: GroupMeeting) -> int | None:
    """Whose preferences the page is about: the caller's own (a mentor or mentee who came), or
    for the coordinator the attendee named in ``person``."""
    if _is_manager(request):
        raw = (request.POST.get("person") or request.GET.get("person") or "").strip()
        if raw.isdigit() and meeting.attendees.filter(pk=int(raw)).exists():
            return int(raw)
        return None
    me = actor_of(request).participant_id
    if me is None or not meeting.attendees.filter(pk=me).exists():
        return None
    return me


class GroupMeetingPreferences(_MeetingPage):
    """A participant of the group meeting chooses whom they would like to work with (whose
    preferences may be written is the service's rule, ``check_preferences_write``: the
    meeting itself is only read)."""

    roles = PREFERENCE_WRITERS
    write_methods = frozenset()

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _preferences(request, self.object)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _preferences(request, self.object)


group_meeting_preferences = GroupMeetingPreferences.as_view()


def _preferences(request: HttpRequest, meeting: GroupMeeting) -> HttpResponse:
    person_id = _whose(request, meeting)
    if person_id is None:
        raise Http404
    people = _others(meeting, person_id)
    earlier = list(meeting.preferences.filter(from_participant_id=person_id))
    initial: dict[str, Any] = {
        f"choice_{p.rank}": str(p.to_participant_id)
        for p in earlier
        if p.kind == PreferenceKind.PREFER and p.rank and p.rank <= PREFERRED_CHOICES
    }
    initial["avoid"] = [str(p.to_participant_id) for p in earlier if p.kind == PreferenceKind.AVOID]
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        people=people,
        choices=PREFERRED_CHOICES,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            matching_services.preferences_record(
                meeting=meeting,
                from_participant_id=person_id,
                items=form.items(),
                actor=actor_of(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your choice is saved. Thank you!"))
            return redirect("school:group-meeting", pk=meeting.pk)
    person = participants_api.person_refs(participant_ids=[person_id])[person_id]
    return render(
        request,
        "school/groupmeeting_preferences.html",
        {
            "meeting": meeting,
            "form": form,
            "person": person,
            "on_behalf": _is_manager(request),
            "choices": PREFERRED_CHOICES,
        },
        status=400 if form.errors else 200,
    )


# --- the weights of the score -----------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(STAFF, scope="tenant")
def matching_weights(request: HttpRequest) -> HttpResponse:
    """How much each criterion weighs in the score of the current programme; the coordinator
    changes them (the next run uses them), the other staff read them."""
    programme = programme_selectors.programme_current()
    if programme is None:
        raise Http404
    weights = matching_services.weights_get(programme=programme)
    form = WeightsForm(
        request.POST if request.method == "POST" else None, initial=weights.as_dict()
    )
    if request.method == "POST":
        if not _is_manager(request):
            return render(request, "403.html", status=403)
        if form.is_valid():
            try:
                matching_services.weights_update(
                    programme=programme, data=form.cleaned_data, actor=actor_of(request)
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The weights are saved: the next run uses them."))
                return redirect("school:matching-weights")
    if not _is_manager(request):
        for field in form.fields.values():
            field.disabled = True
    return render(
        request,
        "school/matching_weights.html",
        {"form": form, "programme": programme, "can_edit": _is_manager(request)},
        status=400 if form.errors else 200,
    )
