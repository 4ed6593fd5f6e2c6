"""Filters for API query strings that cannot fail on the server."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.request import Request


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, converted to UTC here: a value with any offset the format allows
    (``0001-01-01T00:00+05:00`` is before year 1 in UTC) becomes a 400, never a database
    error."""

    default_error_messages = {"overflow": _("The date and time are out of range.")}

    def to_python(self, value: Any) -> datetime | None:
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(UTC) if parsed.tzinfo else parsed
        except (OverflowError, ValueError) as exc:
            raise ValidationError(self.error_messages["overflow"], code="overflow") from exc


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class: type[forms.Field] = UtcIsoDateTimeField


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, which builds nothing for a request without a query string.

    Given no data, a filterset filters nothing (every filter passes an empty value by), yet
    building it (a filterset class for ``filterset_fields``, deep copies of every filter and
    form field, a form to validate) costs as much as the rest of a short list.
    ``tests/config/test_filter_backend.py`` checks, for every filterset of the API, that given
    no data it is valid and leaves the queryset as it was."""

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        if not request.query_params:
            return queryset
        return super().filter_queryset(request, queryset, view)
