"""Input forms of the regional pages (shape only; the rules live in tenants.services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from config.pages import PageForm
from regional.announcements.models import Audience
from regional.privacy.api import MIN_GROUP_SIZE_FLOOR
from tenants.models import InstitutionKind, InstitutionStatus, PublicAuditAction
from tenants.selectors import municipality_list


class InstitutionForm(PageForm):
    name = forms.CharField(label=_("Full name"), max_length=500)
    short_name = forms.CharField(label=_("Short name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=InstitutionKind.choices)
    municipality_id = forms.TypedChoiceField(label=_("Municipality"), coerce=int)
    slug = forms.SlugField(
        label=_("Address"),
        max_length=40,
        help_text=_("Latin letters, digits and hyphens; the workspace opens at address.%(domain)s"),
    )
    inn = forms.CharField(label=_("INN"), max_length=12, required=False)
    coordinator_email = forms.EmailField(label=_("Coordinator's e-mail"))
    coordinator_name = forms.CharField(
        label=_("Coordinator's full name"), max_length=300, required=False
    )

    def __init__(self, *args: Any, domain: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["municipality_id"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(m.pk, m.name) for m in municipality_list()]
        self.fields["slug"].help_text = str(self.fields["slug"].help_text) % {"domain": domain}


class RejectForm(PageForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea({"rows": 2}))


class StatusForm(PageForm):
    """Suspend, archive or re-activate an institution, with the reason people will read."""

    status = forms.ChoiceField(
        label=_("New status"),
        choices=[
            (InstitutionStatus.SUSPENDED, _("Suspend (no one can sign in)")),
            (InstitutionStatus.ARCHIVED, _("Archive (read-only)")),
            (InstitutionStatus.ACTIVE, _("Activate")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=1000, widget=forms.Textarea({"rows": 2})
    )


class AuditFilterForm(PageForm):
    """Filters of the regional audit page; every field optional."""

    actor = forms.ChoiceField(label=_("Who"), required=False)
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("Any action")), *PublicAuditAction.choices],
    )
    kind = forms.ChoiceField(label=_("Object"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self, *args: Any, actors: list[str], kinds: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        actor = self.fields["actor"]
        assert isinstance(actor, forms.ChoiceField)
        actor.choices = [("", _("Anyone")), *((a, a) for a in actors)]
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [("", _("Any object")), *kinds]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the period is before its start."))
        return data


class RegionSettingsForm(PageForm):
    min_group_size = forms.IntegerField(
        label=_("Minimum group size k"),
        min_value=MIN_GROUP_SIZE_FLOOR,
        max_value=100,
        help_text=_(
            "No number about fewer than k people is published: indicators, survey results, "
            "the employers' board. Never less than %(floor)s."
        )
        % {"floor": MIN_GROUP_SIZE_FLOOR},
    )


class InstitutionFilterForm(PageForm):
    """Search and filters of the institutions list; every field optional."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    municipality = forms.TypedChoiceField(
        label=_("Municipality"), coerce=int, required=False, empty_value=None
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *InstitutionKind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *InstitutionStatus.choices],
    )
    stage = forms.ChoiceField(label=_("Stages completed"), required=False)

    def __init__(self, *args: Any, municipalities: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        municipality = self.fields["municipality"]
        assert isinstance(municipality, forms.ChoiceField)
        municipality.choices = [("", _("All municipalities")), *municipalities]
        stage = self.fields["stage"]
        assert isinstance(stage, forms.ChoiceField)
        stage.choices = [
            ("", _("Any")),
            ("none", _("No numbers yet")),
            *[(str(n), _("%(n)s of 6") % {"n": n}) for n in range(7)],
        ]


class MunicipalOfficerForm(PageForm):
    """Invite a user of a municipal education department."""

    municipality = forms.TypedChoiceField(label=_("Municipality"), coerce=int)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    middle_name = forms.CharField(label=_("Patronymic"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["municipality"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(m.pk, m.name) for m in municipality_list()]


class ApplicationForm(PageForm):
    """A school's application to join (anyone may send it). ``website`` is a honeypot: hidden
    from people, filled in by robots; such a submission is thanked and dropped."""

    name = forms.CharField(label=_("Full name of the institution"), max_length=500)
    short_name = forms.CharField(label=_("Short name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=InstitutionKind.choices)
    municipality = forms.TypedChoiceField(label=_("Municipality"), coerce=int)
    inn = forms.CharField(label=_("INN"), max_length=12, required=False)
    desired_slug = forms.SlugField(
        label=_("Desired address"),
        max_length=40,
        help_text=_("Latin letters, digits and hyphens; the workspace opens at address.%(domain)s"),
    )
    applicant_name = forms.CharField(
        label=_("Your full name (you become the coordinator)"), max_length=300
    )
    applicant_email = forms.EmailField(label=_("Your e-mail"))
    applicant_phone = forms.CharField(label=_("Your phone"), max_length=40, required=False)
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)

    def __init__(self, *args: Any, domain: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["municipality"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(m.pk, m.name) for m in municipality_list()]
        help_text = str(self.fields["desired_slug"].help_text)
        self.fields["desired_slug"].help_text = help_text % {"domain": domain}
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get(self.add_prefix("website"), "").strip())


class InstitutionImportForm(PageForm):
    file = forms.FileField(
        label=_("Table of institutions (.xlsx)"),
        help_text=_(
            "One row per institution under a header row: full name, short name, kind, "
            "municipality, INN, address, coordinator's full name and e-mail."
        ),
    )


class AnnouncementForm(PageForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), max_length=5000, widget=forms.Textarea({"rows": 6}))
    audience = forms.ChoiceField(
        label=_("To whom"), choices=Audience.choices, widget=forms.RadioSelect
    )
    municipalities = forms.TypedMultipleChoiceField(
        label=_("Municipalities"), coerce=int, required=False
    )
    institutions = forms.TypedMultipleChoiceField(
        label=_("Institutions"), coerce=int, required=False
    )

    def __init__(
        self,
        *args: Any,
        municipalities: list[tuple[int, str]],
        institutions: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in (("municipalities", municipalities), ("institutions", institutions)):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices
            field.widget.attrs["size"] = "8"
        self.fields["audience"].widget.attrs["class"] = "form-check-input"
