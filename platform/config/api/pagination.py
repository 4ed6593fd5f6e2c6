"""Page-number pagination whose total comes with the page.

Django's paginator counts the rows in a query of its own (``SELECT COUNT(*) …``, built from
the list's queryset with every annotation it carries) before it reads the page. A page of a
plain queryset can carry the total itself: ``COUNT(*) OVER ()`` is the number of rows the
query selects before ``LIMIT`` and ``OFFSET``, which is what ``count()`` returns. So the page
is one query; an empty page tells the rest (page 1: no rows at all; a later page: past the
end). Querysets whose rows a window would count differently (``DISTINCT``, ``GROUP BY``, a
union, a slice) and paginators with orphans are counted the usual way."""

from __future__ import annotations

from typing import Any, cast

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Count, QuerySet, Window
from rest_framework.pagination import PageNumberPagination

# The name of the annotation that carries the total (not a field of any model).
TOTAL = "pagination_total_rows"


def counts_with_window(object_list: Any) -> bool:
    """``COUNT(*) OVER ()`` of ``object_list`` is its ``count()``."""
    if not isinstance(object_list, QuerySet):
        return False
    query = object_list.query
    return not (
        query.distinct
        or query.combinator
        or query.group_by is not None
        or query.is_sliced
        or TOTAL in query.annotations
    )


class WindowCountPaginator(Paginator):
    """A paginator that reads the total with the page (see the module's docstring)."""

    def page(self, number: Any) -> Page:
        if "count" in self.__dict__ or self.orphans or not counts_with_window(self.object_list):
            return super().page(number)
        number = self._number_before_count(number)
        bottom = (number - 1) * self.per_page
        queryset = cast(QuerySet[Any], self.object_list).annotate(**{TOTAL: Window(Count("*"))})
        rows = list(queryset[bottom : bottom + self.per_page])
        if rows:
            first = rows[0]
            total = first[TOTAL] if isinstance(first, dict) else getattr(first, TOTAL)
        elif number == 1 and self.allow_empty_first_page:
            total = 0
        else:  # past the last page, as ``validate_number`` would say
            raise EmptyPage(self.error_messages["no_results"])
        self.__dict__["count"] = total  # the cached property ``count``
        return Page(rows, number, self)

    def _number_before_count(self, number: Any) -> int:
        """``validate_number`` but for the upper bound, which needs the count."""
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    django_paginator_class = WindowCountPaginator
