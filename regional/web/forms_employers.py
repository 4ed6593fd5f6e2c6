"""Input forms of the employer portal (shape only; the rules live in the employers services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from config.pages import PageForm
from regional.employers.mentoring_forms import MENTORING_FORM_CHOICES
from regional.employers.models import Employer, EmployerMentor, MentorStatus
from tenants.selectors import municipality_list

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def competences_from_text(text: str) -> list[str]:
    """«Агрономия, проектная деятельность» -> ["Агрономия", "проектная деятельность"]."""
    parts = text.replace(";", ",").replace("\n", ",").split(",")
    return [part.strip() for part in parts if part.strip()]


class OfferForm(PageForm):
    """A mentor offer: the specialist, what they can do, where and for how many mentees."""

    employer = forms.TypedChoiceField(label=_("Employer"), coerce=int)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    middle_name = forms.CharField(label=_("Patronymic"), max_length=150, required=False)
    position = forms.CharField(label=_("Position"), max_length=300)
    bio = forms.CharField(
        label=_("Short profile"),
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("Experience and what the specialist can teach; shown to institutions."),
    )
    competences = forms.CharField(
        label=_("Competences"),
        max_length=1000,
        required=False,
        help_text=_("Separated by commas, e.g. «agronomy, project work»."),
    )
    municipalities = forms.TypedMultipleChoiceField(
        label=_("Municipalities the specialist can reach"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    remote = forms.BooleanField(label=_("Works remotely (anywhere in the region)"), required=False)
    capacity = forms.IntegerField(
        label=_("Capacity (mentees in total)"), min_value=1, max_value=1000
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=MentorStatus.choices,
        initial=MentorStatus.ACTIVE,
        help_text=_("A paused offer is hidden from institutions' catalogue."),
    )
    available_from = forms.DateField(label=_("Available from"), required=False, widget=DATE_WIDGET)
    available_to = forms.DateField(label=_("Available until"), required=False, widget=DATE_WIDGET)
    contact_email = forms.EmailField(
        label=_("Specialist's e-mail"),
        help_text=_("The institution invites the specialist at this address once approved."),
    )

    # declared last: the name shadows the forms module in the class body
    forms = forms.MultipleChoiceField(
        label=_("Forms of mentoring"),
        choices=MENTORING_FORM_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )

    # what employer_mentor_create / _update take, in the order the form shows them
    SERVICE_FIELDS = (
        "last_name",
        "first_name",
        "middle_name",
        "position",
        "bio",
        "competences",
        "forms",
        "municipalities",
        "remote",
        "capacity",
        "status",
        "available_from",
        "available_to",
        "contact_email",
    )
    field_order = ["employer", *SERVICE_FIELDS]

    def __init__(
        self, *args: Any, employers: list[Employer], mentor: EmployerMentor | None = None, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        for name in ("forms", "municipalities"):
            self.fields[name].widget.attrs["class"] = "form-check-input"
        municipalities = self.fields["municipalities"]
        assert isinstance(municipalities, forms.ChoiceField)
        municipalities.choices = [(m.pk, m.name) for m in municipality_list()]
        employer = self.fields["employer"]
        assert isinstance(employer, forms.ChoiceField)
        employer.choices = [(e.pk, e.name) for e in employers]
        if mentor is not None or len(employers) == 1:
            # the employer of an offer never changes; a single employer needs no choice
            del self.fields["employer"]
        self.employers = employers
        self.mentor = mentor

    def clean_competences(self) -> list[str]:
        return competences_from_text(self.cleaned_data.get("competences", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            not data.get("remote")
            and not data.get("municipalities")
            and not self.has_error("municipalities")
        ):
            self.add_error(
                "municipalities",
                _("Choose the municipalities the specialist reaches, or mark remote work."),
            )
        start, end = data.get("available_from"), data.get("available_to")
        if start and end and start > end:
            self.add_error("available_to", _("The end of availability is before its start."))
        return data

    def chosen_employer(self) -> Employer:
        """The employer of a new offer (one of the user's)."""
        if "employer" not in self.fields:
            return self.employers[0]
        wanted = self.cleaned_data["employer"]
        return next(e for e in self.employers if e.pk == wanted)

    def service_fields(self) -> dict[str, Any]:
        """Keyword arguments for employer_mentor_create / _update."""
        return {name: self.cleaned_data[name] for name in self.SERVICE_FIELDS}

    @classmethod
    def initial_of(cls, mentor: EmployerMentor) -> dict[str, Any]:
        return {
            "last_name": mentor.last_name,
            "first_name": mentor.first_name,
            "middle_name": mentor.middle_name,
            "position": mentor.position,
            "bio": mentor.bio,
            "competences": ", ".join(mentor.competences),
            "forms": list(mentor.forms),
            "municipalities": [m.pk for m in mentor.municipalities.all()],
            "remote": mentor.remote,
            "capacity": mentor.capacity,
            "status": mentor.status,
            "available_from": mentor.available_from,
            "available_to": mentor.available_to,
            "contact_email": mentor.contact_email,
        }


class DeclineForm(PageForm):
    reason = forms.CharField(
        label=_("Reason (the institution sees it)"), max_length=1000, required=False
    )
