"""Forms of the year-end pages. They only parse the input; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from config.pages import PageForm


class PrintSlipsForm(PageForm):
    """Printed invitations of one class (or of every class the user works with)."""

    prefix = "print"
    study_group = forms.ChoiceField(label=_("Class or study group"), required=False)
    only_pending = forms.BooleanField(
        label=_("Only people who have not answered"), required=False, initial=True
    )

    def __init__(self, *args: Any, groups: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["study_group"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Every class")), *[(str(pk), name) for pk, name in groups]]
