"""Input forms of the regional pages (shape only; the rules live in tenants.services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from config.pages import PageForm
from tenants.models import InstitutionKind
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
