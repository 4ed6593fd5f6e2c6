"""Validators shared by several apps."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_1 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_2 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _check_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def is_valid_inn(value: str) -> bool:
    """A Russian taxpayer number: 10 digits (organisation) or 12 (person), with check digits."""
    if not value.isdigit() or not value.isascii():
        return False
    if len(value) == 10:
        return _check_digit(value, _INN10_WEIGHTS) == int(value[9])
    if len(value) == 12:
        return _check_digit(value, _INN12_WEIGHTS_1) == int(value[10]) and _check_digit(
            value, _INN12_WEIGHTS_2
        ) == int(value[11])
    return False


def validate_inn(value: str) -> None:
    if value and not is_valid_inn(value):
        raise ValidationError(
            _("INN must be 10 or 12 digits with correct check digits."), code="invalid_inn"
        )
