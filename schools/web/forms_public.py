"""Forms of the coordinator's public page settings. They only parse the input; the rules live in
the services of ``schools.publication``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from config.pages import PageForm
from schools.publication.models import PublicDocumentKind, PublicPage


class PublicPageForm(forms.ModelForm, PageForm):
    class Meta:
        model = PublicPage
        fields = [
            "is_published",
            "intro",
            "show_forms",
            "show_roadmap",
            "show_contacts",
            "show_documents",
            "show_results",
            "show_cases",
            "contact_phone",
            "contact_email",
        ]
        widgets = {"intro": forms.Textarea(attrs={"rows": 4})}


class PublicDocumentForm(PageForm):
    prefix = "document"
    title = forms.CharField(label=_("Title"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=PublicDocumentKind.choices)
    file = forms.FileField(label=_("File (PDF, DOCX)"))
    no_learner_data = forms.BooleanField(
        label=_("The document holds no learner's personal data"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
