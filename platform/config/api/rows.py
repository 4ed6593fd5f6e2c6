"""Lists answered from plain rows instead of a DRF serializer per row.

A page of 50 rows through a ``ModelSerializer`` costs more than the rest of the request: its
fields are built anew from the model on every request, every value goes through
``get_attribute`` and ``to_representation``, every row is a model instance with related
managers. A list that is read often names ``list_rows`` on its view (``RowsListMixin``, part
of ``TenantModelViewSet``): a ``Rows`` that takes the columns it needs from the scoped and
filtered queryset (``values()``, annotations included, so a page is one query) and turns the
page into the output's dicts with plain code.

Scoping is untouched: the rows come from ``get_queryset()`` (the view's ``scope_for_actor``)
and ``filter_queryset()`` like every other list. The view's output serializer stays the
contract: it documents the list in the OpenAPI schema and answers a single object. A row must
be exactly what that serializer gives for the same object, key for key and format for format
(``iso_date``, ``iso_datetime``: DRF's formats); ``tests/config/test_list_rows.py`` compares
the two for every view that declares rows.

A list of rows read with an API token is kept rendered under its school's data version
(``config.api.listcache``) and answered from the cache while nothing of the school changed."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from django.db.models import QuerySet
from django.utils import timezone
from rest_framework import mixins
from rest_framework.request import Request
from rest_framework.response import Response

from config import dataversion
from config.api import listcache

if TYPE_CHECKING:
    from rest_framework.generics import GenericAPIView

    _ListBase = GenericAPIView
else:
    _ListBase = object

Row = dict[str, Any]


class Rows:
    """The columns of one list and how a page of them becomes the output."""

    def select(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """``queryset`` (scoped and filtered) as the rows of one page need it: ``values()``
        of the columns, with the annotations that replace per-row lookups."""
        raise NotImplementedError

    def output(self, rows: Sequence[Row]) -> list[Row]:
        """One page of ``select``'s rows as the output serializer would write them."""
        raise NotImplementedError


def current_zone() -> datetime.tzinfo:
    """The zone date-times are written in (the institution's, set by its middleware)."""
    return timezone.get_current_timezone()


def iso_datetime(value: datetime.datetime | None, zone: datetime.tzinfo) -> str | None:
    """A date-time as DRF's ``DateTimeField`` writes it: in ``zone``, ISO 8601, ``Z`` for
    UTC."""
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def iso_date(value: datetime.date | None) -> str | None:
    """A date as DRF's ``DateField`` writes it."""
    return None if value is None else value.isoformat()


class RowsListMixin(mixins.ListModelMixin, _ListBase):
    """``list`` from ``list_rows`` when the view names one; DRF's list otherwise."""

    list_rows: ClassVar[Rows | None] = None
    _list_place: dataversion.Place | None = None

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = self.list_rows
        if rows is None:
            return super().list(request, *args, **kwargs)
        place, kept = listcache.lookup(request)
        if kept is not None:
            return kept  # type: ignore[return-value]  # an HttpResponse, rendered already
        self._list_place = place
        queryset = rows.select(self.filter_queryset(self.get_queryset()))
        page = self.paginate_queryset(queryset)
        if page is None:
            return Response(rows.output(list(queryset)))
        return self.get_paginated_response(rows.output(page))

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        place = getattr(self, "_list_place", None)
        if place is not None:
            self._list_place = None
            response.render()
            listcache.keep(place, response)
        return response
