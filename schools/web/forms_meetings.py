"""Forms of a pair's meetings, the group meeting with the preferences after it, guardianships,
the weights of the score and invitations. They only parse the input; the rules live in the
services they are passed to."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from config.pages import FastSelect, PageForm
from schools.pairs.models import MeetingKind
from schools.participants.models import GuardianRelation

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

Choices = Sequence[tuple[Any, Any]]


def _set_choices(form: forms.Form, name: str, choices: Choices) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


# --- a pair's meetings ---------------------------------------------------------------------------


class MeetingEditForm(PageForm):
    """Move a meeting, change its kind, place or link, or its notes (and the outcomes of a held
    one)."""

    prefix = "meeting"
    kind = forms.ChoiceField(label=_("Meeting"), choices=MeetingKind.choices)
    starts_at = forms.DateTimeField(
        label=_("Date and time"), widget=DATETIME_WIDGET, input_formats=["%Y-%m-%dT%H:%M"]
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration, minutes"), min_value=5, max_value=600, initial=60
    )
    place = forms.CharField(label=_("Place"), required=False, max_length=300)
    link = forms.URLField(
        label=_("Link (online meeting)"), required=False, max_length=500, assume_scheme="https"
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea({"rows": 3}))
    outcomes = forms.CharField(
        label=_("Outcomes"), required=False, widget=forms.Textarea({"rows": 3})
    )

    def __init__(self, *args: Any, held: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not held:  # outcomes are written when the meeting is marked held
            del self.fields["outcomes"]


class AttendanceForm(PageForm):
    """Mark a meeting held: who attended (of a group: each member), the outcomes and notes."""

    prefix = "held"
    attendees = forms.MultipleChoiceField(
        label=_("Who attended"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Name at least one person who attended.")},
    )
    outcomes = forms.CharField(
        label=_("Outcomes"),
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("What was done and agreed: tasks, next steps."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args: Any, members: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "attendees", [(str(pk), name) for pk, name in members])


# --- the group meeting and preferences ----------------------------------------------------------


class GroupMeetingForm(PageForm):
    """Plan the group meeting (or change its date, place and notes)."""

    prefix = "group"
    held_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    place = forms.CharField(label=_("Place or link"), required=False, max_length=300)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("The agenda: introductions, the mentors' stories, games, questions."),
    )


class GroupAttendanceForm(PageForm):
    """Mark the group meeting held: who came (only they state preferences)."""

    prefix = "attended"
    attendees = forms.MultipleChoiceField(
        label=_("Who came"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Name at least one person who attended.")},
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args: Any, people: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "attendees", [(str(pk), name) for pk, name in people])


class PreferencesForm(PageForm):
    """Whom a participant of the group meeting would like to work with (up to ``choices``
    people, first choice first) and with whom they would rather not."""

    prefix = "prefs"

    def __init__(self, *args: Any, people: Choices, choices: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = [("", "—"), *[(str(pk), name) for pk, name in people]]
        self.choice_names = [f"choice_{n}" for n in range(1, choices + 1)]
        for n, name in enumerate(self.choice_names, start=1):
            self.fields[name] = forms.ChoiceField(
                label=_("Choice %(number)s") % {"number": n},
                required=False,
                choices=options,
                widget=FastSelect,  # every participant of the meeting, in each choice
            )
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["avoid"] = forms.MultipleChoiceField(
            label=_("I would rather not work with"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            choices=[(str(pk), name) for pk, name in people],
        )

    def choice_fields(self) -> list[Any]:
        return [self[name] for name in self.choice_names]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen: list[str] = []
        for name in self.choice_names:
            value = data.get(name) or ""
            if not value:
                continue
            if value in chosen:
                self.add_error(name, _("This person is already chosen above."))
            chosen.append(value)
        for value in data.get("avoid") or []:
            if value in chosen:
                self.add_error("avoid", _("A person you chose cannot be one you would avoid."))
                break
        return data

    def items(self) -> list[dict[str, Any]]:
        """The preferences for ``preferences_record``: the choices ranked, then the avoided."""
        data = self.cleaned_data
        ranked = [data[name] for name in self.choice_names if data.get(name)]
        items: list[dict[str, Any]] = [
            {"to_participant": int(pk), "kind": "prefer", "rank": rank}
            for rank, pk in enumerate(ranked, start=1)
        ]
        items += [
            {"to_participant": int(pk), "kind": "avoid", "rank": None}
            for pk in data.get("avoid") or []
        ]
        return items


# --- guardianships ------------------------------------------------------------------------------


class GuardianshipForm(PageForm):
    """Link a parent's account (a participant of the category «parent») to a child."""

    prefix = "guardian"
    parent = forms.ChoiceField(label=_("Parent or legal guardian"))
    relation = forms.ChoiceField(label=_("Relation"), choices=GuardianRelation.choices)

    def __init__(self, *args: Any, parents: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "parent", [("", "—"), *[(str(pk), name) for pk, name in parents]])


# --- the weights of the matching score ----------------------------------------------------------


class WeightsForm(PageForm):
    """Points of each criterion of the compatibility score (and its two tunable rules)."""

    prefix = "weights"
    preference = forms.FloatField(
        label=_("Mutual preference after the group meeting"), min_value=0, max_value=1000
    )
    needs = forms.FloatField(label=_("Competences fit the requests"), min_value=0, max_value=1000)
    form = forms.FloatField(label=_("Form of mentoring"), min_value=0, max_value=1000)
    time = forms.FloatField(label=_("Time resource"), min_value=0, max_value=1000)
    peer = forms.FloatField(label=_("Peer rules (age, class)"), min_value=0, max_value=1000)
    min_needs_covered = forms.IntegerField(
        label=_("Requests a mentor must cover at least"),
        min_value=0,
        max_value=20,
        help_text=_("0: a mentor may be proposed who covers none of the mentee's requests."),
    )
    hours_per_mentee = forms.FloatField(
        label=_("Hours a month per mentee that make a full time resource"),
        min_value=0.5,
        max_value=200,
    )


# --- invitations ----------------------------------------------------------------------------------


class InvitationForm(PageForm):
    """Invite a person to the institution's workspace by e-mail, with their role."""

    prefix = "invite"
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    middle_name = forms.CharField(label=_("Patronymic"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, roles: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "role", roles)
