from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from schools.programmes.models import MentoringForm, Programme


def _validate_forms(forms: Sequence[str]) -> list[str]:
    unknown = sorted(set(forms) - set(MentoringForm.values))
    if unknown:
        raise ValidationError({"forms": [_("Unknown forms of mentoring: %s") % ", ".join(unknown)]})
    return sorted(set(forms), key=list(MentoringForm.values).index)


@transaction.atomic
def programme_create(
    *,
    academic_year: int,
    title: str,
    forms: Sequence[str] = (),
    goals: str = "",
    planned_results: str = "",
) -> Programme:
    if Programme.objects.filter(academic_year=academic_year).exists():
        raise ValidationError(
            {"academic_year": [_("A programme for this academic year already exists.")]}
        )
    programme = Programme(
        academic_year=academic_year,
        title=title.strip(),
        forms=_validate_forms(forms),
        goals=goals,
        planned_results=planned_results,
    )
    programme.full_clean()
    programme.save()
    return programme


@transaction.atomic
def programme_update(*, programme: Programme, **fields: object) -> Programme:
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if "forms" in fields:
        fields["forms"] = _validate_forms(fields["forms"])  # type: ignore[arg-type]
    for name, value in fields.items():
        setattr(programme, name, value)
    programme.full_clean(validate_unique=True)
    programme.save()
    return programme
