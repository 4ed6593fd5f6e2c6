"""Input forms of the institution pages: they only parse and check the shape of the input;
the rules live in the services they are passed to."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.pages import PageForm
from schools.imports.columns import CATEGORY_CODES
from schools.imports.models import ImportKind
from schools.pairs.models import MeetingKind
from schools.participants.models import (
    Category,
    ConsentKind,
    ConsentMethod,
    ConsentSigner,
    GuardianRelation,
)


class ProgrammeCreateForm(PageForm):
    academic_year = forms.IntegerField(
        label=_("Academic year (its first calendar year)"), min_value=2000, max_value=2100
    )
    title = forms.CharField(label=_("Title"), max_length=300)


class ImportUploadForm(PageForm):
    kind = forms.ChoiceField(label=_("What the file lists"), choices=ImportKind.choices)
    default_category = forms.ChoiceField(
        label=_("Category of everyone in the file"),
        required=False,
        help_text=_("Only when the file has no «Категория» column."),
        choices=[("", "—")] + [(c, Category(c).label) for c in CATEGORY_CODES],
    )
    file = forms.FileField(
        label=_("File (XLSX or CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class ConsentForm(PageForm):
    kind = forms.ChoiceField(label=_("Record"), choices=ConsentKind.choices)
    signed_by = forms.ChoiceField(label=_("Signed by"), choices=ConsentSigner.choices)
    guardian_name = forms.CharField(
        label=_("Parent or legal guardian (full name)"), required=False, max_length=300
    )
    guardian_relation = forms.ChoiceField(
        label=_("Relation"), required=False, choices=[("", "—"), *GuardianRelation.choices]
    )
    minor_signed = forms.BooleanField(label=_("The minor signed too"), required=False)
    signed_on = forms.DateField(
        label=_("Signed on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    method = forms.ChoiceField(label=_("How it was given"), choices=ConsentMethod.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["signed_on"].initial = timezone.localdate()


class MeetingForm(PageForm):
    kind = forms.ChoiceField(label=_("Meeting"), choices=MeetingKind.choices)
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration, minutes"), min_value=5, max_value=600, initial=60
    )
    place = forms.CharField(label=_("Place"), required=False, max_length=300)
    link = forms.URLField(
        label=_("Link (online meeting)"), required=False, max_length=500, assume_scheme="https"
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea({"rows": 3}))
    held = forms.BooleanField(
        label=_("The meeting has taken place (record everyone as present)"), required=False
    )
