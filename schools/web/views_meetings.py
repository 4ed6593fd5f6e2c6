"""A pair's meetings on the pages: move or edit a meeting, mark a planned one held with who
attended (each member of a group) and the outcomes, cancel it; and the person's calendar link
(the iCalendar feed of their meetings) with how to subscribe to it.

Who may: the coordinator, the pair's mentor and the curator of the class of someone in the pair
(``schools.pairs.selectors.may_write_meetings``, the API's rule too). A meeting is looked up in
the caller's scope first ("missing" and "not yours" are one 404); a role that sees the pair but
may not write gets 403."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.actor import actor_of
from accounts.models import Role
from config.links import absolute_url
from config.pages import ObjectPage, add_service_errors, role_required
from schools.pairs import access as pair_access
from schools.pairs import selectors as pair_selectors
from schools.pairs import services as pair_services
from schools.pairs.models import CalendarToken, Meeting, MeetingStatus, Pair
from schools.participants import api as participants_api
from schools.web.forms_meetings import AttendanceForm, MeetingEditForm

MEETING_WRITERS = frozenset({Role.COORDINATOR, Role.MENTOR, Role.CURATOR})
# Anyone whose login is a participant of the programme (mentors, mentees, a teacher who is
# also staff) has a calendar of their meetings.
CALENDAR_ROLES = frozenset(Role)
CALENDAR_SESSION_KEY = "calendar_link_once"


def _members(pair: Pair) -> list[tuple[int, str]]:
    """The mentor and the pair's mentees (of a group: each of them), as choices."""
    mentees = [(m.mentee_id, m.mentee.full_name) for m in pair.memberships.select_related("mentee")]
    return [(pair.mentor_id, f"{pair.mentor.full_name} ({_('mentor')})"), *mentees]


class Unread:
    """The type of ``UNREAD``: a value the caller has not read yet (None is a value read)."""


UNREAD = Unread()


def caller_participant_id(request: HttpRequest) -> int | None:
    """The id of the participant whose login the caller is (mentors, mentees, parents have
    one; staff may), or None."""
    return pair_selectors.participant_id_of(actor_of(request))


def meetings_context(
    request: HttpRequest,
    pair: Pair,
    meetings: list[Meeting],
    *,
    participant_id: int | Unread | None = UNREAD,
) -> dict[str, Any]:
    """The pair page's meetings block: the meetings, whether the caller may act on them, and the
    caller's calendar link (``participant_id``: the caller's, read once by the page). The
    meetings come with their attendees' ids (``attendee_ids``: ``meeting_attendee_ids``)."""
    can_write = pair_selectors.may_write_meetings(actor_of(request), pair)
    now = timezone.now()
    names = _attendee_names(pair, meetings)
    rows = [
        {
            "meeting": m,
            "attendees": ", ".join(
                name for _key, name in sorted(names[i] for i in _attendee_ids(m))
            ),
            "can_mark": can_write and m.status == MeetingStatus.PLANNED and m.starts_at <= now,
            "can_edit": can_write and m.status != MeetingStatus.CANCELLED,
            "can_cancel": can_write and m.status == MeetingStatus.PLANNED,
        }
        for m in sorted(meetings, key=lambda m: m.starts_at, reverse=True)
    ]
    return {
        "meeting_rows": rows,
        "can_write_meetings": can_write,
        **calendar_context(request, participant_id=participant_id),
    }


def _attendee_ids(meeting: Meeting) -> list[int]:
    """The annotation ``meeting_attendee_ids`` of a meeting of the pair page."""
    return list(meeting.attendee_ids)  # type: ignore[attr-defined]


def _attendee_names(pair: Pair, meetings: list[Meeting]) -> dict[int, tuple[Any, str]]:
    """Participant id → (the people's order, the full name) of every attendee of
    ``meetings``: the pair's mentor and mentees as the pair was read, anyone else (a mentee
    re-assigned since) in one query, only when there is such a person."""
    people = [pair.mentor, *(m.mentee for m in pair.memberships.all())]
    names: dict[int, tuple[Any, str]] = {
        p.pk: ((p.last_name, p.first_name, p.middle_name, p.pk), p.full_name) for p in people
    }
    others = {i for m in meetings for i in _attendee_ids(m)} - names.keys()
    if others:
        for ref in participants_api.person_refs(participant_ids=others).values():
            names[ref.id] = (
                (ref.last_name, ref.first_name, ref.middle_name, ref.id),
                ref.full_name,
            )
    return names


def calendar_context(
    request: HttpRequest, *, participant_id: int | Unread | None = UNREAD
) -> dict[str, Any]:
    """The caller's calendar feed: on or off, and its address once, right after it was made
    (only its hash is kept)."""
    if isinstance(participant_id, Unread):
        participant_id = caller_participant_id(request)
    if participant_id is None:
        return {}
    url = request.session.pop(CALENDAR_SESSION_KEY, None)
    return {
        "calendar": {
            "on": CalendarToken.objects.filter(participant_id=participant_id).exists(),
            "url": url,
            "webcal": "webcal://" + url.split("://", 1)[1] if url else None,
        }
    }


def _pair_url(meeting: Meeting) -> str:
    return reverse("school:pair", kwargs={"pk": meeting.pair_id}) + "#meetings"


class _MeetingWrite(ObjectPage):
    """A page that changes one meeting: looked up in the caller's sight, and only for who may
    write the pair's meetings (``schools.pairs.access.access_meeting_by_id`` with
    ``for_write``): the form itself is refused to a reader too (403)."""

    roles = MEETING_WRITERS
    access_by_id = staticmethod(pair_access.access_meeting_by_id)
    write_methods = frozenset({"GET", "HEAD", "POST"})

    def object_queryset(self) -> QuerySet[Meeting]:
        return pair_selectors.meeting_list().select_related("pair__mentor")


class MeetingEdit(_MeetingWrite):
    """Move a meeting or change it (a held one keeps its attendance; its outcomes can be
    corrected)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.post(request, pk)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        meeting = self.object
        if meeting.status == MeetingStatus.CANCELLED:
            raise Http404
        held = meeting.status == MeetingStatus.HELD
        initial = {
            "kind": meeting.kind,
            "starts_at": timezone.localtime(meeting.starts_at),
            "duration_minutes": meeting.duration_minutes,
            "place": meeting.place,
            "link": meeting.link,
            "notes": meeting.notes,
            "outcomes": meeting.outcomes,
        }
        form = MeetingEditForm(
            request.POST if request.method == "POST" else None, initial=initial, held=held
        )
        if request.method == "POST" and form.is_valid():
            try:
                pair_services.meeting_update(meeting=meeting, actor=self.actor, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The meeting is saved."))
                return redirect(_pair_url(meeting))
        return render(
            request,
            "school/meeting_edit.html",
            {"meeting": meeting, "pair": meeting.pair, "form": form},
            status=400 if form.errors else 200,
        )


class MeetingHeld(_MeetingWrite):
    """Mark a planned meeting held: who attended, the outcomes and notes."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.post(request, pk)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        meeting = self.object
        if meeting.status == MeetingStatus.CANCELLED:
            raise Http404
        members = _members(meeting.pair)
        attended = [str(p.pk) for p in meeting.attendees.all()] or [str(i) for i, _n in members]
        form = AttendanceForm(
            request.POST if request.method == "POST" else None,
            members=members,
            initial={"attendees": attended, "outcomes": meeting.outcomes, "notes": meeting.notes},
        )
        if request.method == "POST" and form.is_valid():
            try:
                pair_services.meeting_record_attendance(
                    meeting=meeting,
                    participant_ids=[int(i) for i in form.cleaned_data["attendees"]],
                    outcomes=form.cleaned_data["outcomes"],
                    notes=form.cleaned_data["notes"],
                    actor=self.actor,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The meeting is marked held."))
                return redirect(_pair_url(meeting))
        return render(
            request,
            "school/meeting_held.html",
            {"meeting": meeting, "pair": meeting.pair, "form": form},
            status=400 if form.errors else 200,
        )


class MeetingCancel(_MeetingWrite):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        meeting = self.object
        try:
            pair_services.meeting_cancel(meeting=meeting, actor=self.actor)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The meeting is cancelled."))
        return redirect(_pair_url(meeting))


meeting_edit = MeetingEdit.as_view()
meeting_held = MeetingHeld.as_view()
meeting_cancel = MeetingCancel.as_view()


# --- the calendar link ---------------------------------------------------------------------------


def _back(request: HttpRequest) -> HttpResponse:
    """Back to the pair the form was sent from (one of the caller's), else home."""
    raw = request.POST.get("pair", "")
    if raw.isdigit():
        pairs = pair_selectors.pairs_visible_to(actor_of(request), Pair.objects.all())
        if pairs.filter(pk=int(raw)).exists():
            return redirect(reverse("school:pair", kwargs={"pk": int(raw)}) + "#calendar")
    return redirect("school:home")


@require_POST
@role_required(CALENDAR_ROLES, scope="tenant")
def calendar_link_issue(request: HttpRequest) -> HttpResponse:
    """A new address of the caller's calendar feed (the previous one stops working); it is
    shown once, on the next page."""
    participant_id = pair_selectors.participant_id_of(actor_of(request))
    if participant_id is None:
        messages.error(request, _("Your login is not linked to a participant of the programme."))
        return _back(request)
    token = pair_services.calendar_token_issue(
        participant_id=participant_id, actor=actor_of(request)
    )
    request.session[CALENDAR_SESSION_KEY] = absolute_url(
        request.get_host(), f"/api/v1/calendar/{token}.ics"
    )
    return _back(request)


@require_POST
@role_required(CALENDAR_ROLES, scope="tenant")
def calendar_link_revoke(request: HttpRequest) -> HttpResponse:
    participant_id = pair_selectors.participant_id_of(actor_of(request))
    if participant_id is not None:
        pair_services.calendar_token_revoke(participant_id=participant_id, actor=actor_of(request))
        messages.success(request, _("The calendar link is switched off."))
    return _back(request)
