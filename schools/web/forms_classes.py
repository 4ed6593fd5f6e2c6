"""Forms of the pages at class scale: classes and their curators, the papers a class returned,
a consent link, and the consent given online. They parse the input; the rules live in
``schools.participants``."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from config.pages import PageForm
from schools.participants.models import (
    ConsentMethod,
    ConsentSigner,
    GuardianRelation,
    Participant,
    StudyGroup,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ClassCreateForm(PageForm):
    names = forms.CharField(
        label=_("Classes or study groups to add"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Separated by commas or new lines, e.g. «5А, 5Б, 6А»."),
    )


class SharedOptionsSelect(forms.Select):
    """A ``<select>`` whose ``<option>``s are written once for every select of its form
    (``options``: the escaped markup of every option, the same for each); rendering marks
    the selected one. The curators form has a select per class, each listing every curator
    (60 classes x 60 curators): building and escaping the options per select took most of
    the page's time."""

    def __init__(self, *, options: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs)
        self.options_html = options

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> Any:
        final = self.build_attrs(self.attrs, attrs)
        options = self.options_html
        text = "" if value is None else str(value)
        if text:
            mark = format_html(' value="{}">', text)
            options = options.replace(mark, mark[:-1] + " selected>", 1)
        head = format_html('<select name="{}"{}>', name, flatatt(final))
        return mark_safe(head + options + "</select>")  # noqa: S308  # escaped when built


class CuratorField(forms.Field):
    """A curator's user id among ``curator_ids``, or None (no curator)."""

    default_error_messages = {
        "invalid_choice": forms.ChoiceField.default_error_messages["invalid_choice"]
    }

    def __init__(self, *, curator_ids: frozenset[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.curator_ids = curator_ids

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        try:
            number = int(str(value))
        except ValueError:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None
        if number not in self.curator_ids:
            message = self.error_messages["invalid_choice"]
            raise forms.ValidationError(message, code="invalid_choice")
        return number


class ClassCuratorsForm(PageForm):
    """One «curator» choice per class (empty: none); the options written once
    (``SharedOptionsSelect``)."""

    def __init__(
        self,
        *args: Any,
        groups: Sequence[StudyGroup],
        curators: Sequence[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        self.groups = list(groups)
        super().__init__(*args, **kwargs)
        options = mark_safe(  # noqa: S308  # every value escaped here
            '<option value="">—</option>'
            + "".join(
                format_html('<option value="{}">{}</option>', pk, name) for pk, name in curators
            )
        )
        curator_ids = frozenset(pk for pk, _name in curators)
        for group in self.groups:
            self.fields[f"curator_{group.pk}"] = CuratorField(
                label=group.name,
                required=False,
                curator_ids=curator_ids,
                initial=group.curator_id,
                widget=SharedOptionsSelect(options=options, attrs={"class": "form-select"}),
            )

    def assignments(self) -> dict[int, int | None]:
        return {group.pk: self.cleaned_data.get(f"curator_{group.pk}") for group in self.groups}

    def group_fields(self) -> list[tuple[StudyGroup, forms.BoundField]]:
        return [(group, self[f"curator_{group.pk}"]) for group in self.groups]


@dataclass
class PaperRow:
    """One person of the class's papers form, with its bound fields."""

    person: Participant
    age: int | None
    guardian: bool  # a parent signs (a minor)
    teen: bool  # 14–17: the minor signs too
    returned: forms.BoundField
    guardian_name: forms.BoundField | None
    guardian_relation: forms.BoundField | None
    minor_signed: forms.BoundField | None
    errors: list[str]


class ClassPapersForm(PageForm):
    """The papers a class returned: per person «returned», and for a minor the parent who
    signed and their relation (prefilled from the guardians on record) and, from 14, whether
    the minor signed too; one date and one method for all."""

    signed_on = forms.DateField(label=_("Papers signed on"), widget=DATE_WIDGET)
    method = forms.ChoiceField(
        label=_("How they were given"),
        choices=ConsentMethod.choices,
        initial=ConsentMethod.PAPER_SCAN,
    )

    def __init__(
        self,
        *args: Any,
        people: Sequence[Participant],
        guardians: Mapping[int, Mapping[str, str]],
        today: datetime.date,
        **kwargs: Any,
    ) -> None:
        self.people = list(people)
        self.row_errors: dict[int, list[str]] = {}
        kwargs.setdefault("initial", {"signed_on": today, "method": ConsentMethod.PAPER_SCAN})
        super().__init__(*args, **kwargs)
        self.today = today
        relations = [("", "—"), *GuardianRelation.choices]
        for person in self.people:
            known = guardians.get(person.pk) or {}
            age = person.age
            self.fields[f"p{person.pk}_returned"] = forms.BooleanField(
                label=person.full_name, required=False
            )
            if age is None or age < 18:
                self.fields[f"p{person.pk}_guardian_name"] = forms.CharField(
                    label=_("Parent or legal guardian (full name)"),
                    required=False,
                    max_length=300,
                    initial=known.get("name", ""),
                )
                self.fields[f"p{person.pk}_guardian_relation"] = forms.ChoiceField(
                    label=_("Relation"),
                    required=False,
                    choices=relations,
                    initial=known.get("relation") or GuardianRelation.MOTHER,
                )
                if age is not None and age >= 14:
                    self.fields[f"p{person.pk}_minor_signed"] = forms.BooleanField(
                        label=_("The pupil signed too"), required=False, initial=True
                    )
        self._clean_text_fields()
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select form-select-sm")
            elif name.startswith("p"):
                widget.attrs["class"] = "form-control form-control-sm"

    def rows(self) -> list[PaperRow]:
        out = []
        for person in self.people:
            age = person.age

            def bound(suffix: str, pk: int = person.pk) -> forms.BoundField | None:
                name = f"p{pk}_{suffix}"
                return self[name] if name in self.fields else None

            returned = bound("returned")
            assert returned is not None
            out.append(
                PaperRow(
                    person=person,
                    age=age,
                    guardian=age is None or age < 18,
                    teen=age is not None and 14 <= age < 18,
                    returned=returned,
                    guardian_name=bound("guardian_name"),
                    guardian_relation=bound("guardian_relation"),
                    minor_signed=bound("minor_signed"),
                    errors=self.row_errors.get(person.pk, []),
                )
            )
        return out

    def papers(self) -> list[tuple[Participant, Any]]:
        """(person, ``PaperConsent``) of every ticked row."""
        from schools.participants.api import PaperConsent

        data = self.cleaned_data
        out = []
        for person in self.people:
            key = f"p{person.pk}_"
            if not data.get(f"{key}returned"):
                continue
            guardian = f"{key}guardian_name" in self.fields
            out.append(
                (
                    person,
                    PaperConsent(
                        participant_id=person.pk,
                        signed_on=data["signed_on"],
                        signed_by=ConsentSigner.GUARDIAN if guardian else ConsentSigner.SELF,
                        method=data["method"],
                        guardian_name=(data.get(f"{key}guardian_name") or "") if guardian else "",
                        guardian_relation=(data.get(f"{key}guardian_relation") or "")
                        if guardian
                        else "",
                        minor_signed=bool(data.get(f"{key}minor_signed")),
                    ),
                )
            )
        return out

    def add_row_errors(
        self, people: Sequence[Participant], errors: Mapping[int, Mapping[str, Sequence[str]]]
    ) -> None:
        """The service's errors by row index, next to the rows (and their fields)."""
        for index, by_field in errors.items():
            person = people[index]
            for field, messages in by_field.items():
                name = f"p{person.pk}_{field}"
                if name in self.fields:
                    self.add_error(name, list(messages))
                elif field in ("signed_on", "method"):
                    self.add_error(field, list(messages))
                self.row_errors.setdefault(person.pk, []).extend(str(m) for m in messages)
        self.mark_errors()


class ConsentLinkForm(PageForm):
    email = forms.EmailField(
        label=_("E-mail of the parent (or of the adult participant)"),
        required=False,
        help_text=_("Empty: the link is shown to you once, to pass on."),
    )


class OnlineConsentForm(PageForm):
    signer_name = forms.CharField(label=_("Your full name"), max_length=300)
    guardian_relation = forms.ChoiceField(
        label=_("Who you are to the child"),
        required=False,
        choices=[("", "—"), *GuardianRelation.choices],
    )
    minor_agrees = forms.BooleanField(label=_("The child (14 or older) agrees too"), required=False)
    text_read = forms.BooleanField(
        label=_("I have read the text of the consent in full and give my consent"),
        required=False,
    )

    def __init__(self, *args: Any, adult: bool, teen: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if adult:
            del self.fields["guardian_relation"]
        if not teen:
            del self.fields["minor_agrees"]
