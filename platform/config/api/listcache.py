"""A read list's JSON kept rendered under its schema's data version, per token and request.

An API client reads the same lists again and again (a school's other systems poll them);
each read costs the scoped query, its rows and their JSON, several times the request itself.
A list that names ``list_rows`` (``RowsListMixin``) is therefore kept, once rendered, in the
cache and answered from it while nothing of the school has changed since:

* the entry is made under the schema's data version read *before* the rows
  (``config.dataversion``): any committed write in the schema changes the version, and an
  entry of another version is never served;
* its key names the schema, the user, the language, the time zone, the day, the media type
  and the whole address (host, path and query: the page, the filters, the ordering): the same
  user asking the same thing of the same school, nothing else, ever reads it;
* only requests authenticated by an API token are kept (a session may carry more than the
  user: the second factor, the chosen language), only answers of 200, only JSON;
* an entry lives ``FRESH_SECONDS`` at most: what changes with the clock and not with the
  data (``age``, ``is_minor``, a pair's ``is_stale``) is at most that late;
* a connection whose transaction has written and not committed neither reads nor fills it.

Authentication, the role check and the schema check run before the cache is asked, as for
every request; a revoked token or a changed role is a write, which changes the version."""

from __future__ import annotations

import time
from typing import Any

from django.http import HttpResponse
from django.utils import timezone, translation
from rest_framework.request import Request

from accounts.authentication import ExpiringTokenAuthentication
from config import dataversion
from config.db import tenant_connection

FRESH_SECONDS = 60
# This process keeps the last LOCAL_ENTRIES answers read or made, of at most LOCAL_BYTES each.
LOCAL_ENTRIES = 128
LOCAL_BYTES = 512 * 1024

_kept = dataversion.Kept(
    kind="api-list",
    fresh_seconds=FRESH_SECONDS,
    local_entries=LOCAL_ENTRIES,
    local_size=LOCAL_BYTES,
)


def _now() -> float:
    return time.time()


def _parts(request: Request) -> tuple[str, ...]:
    return (
        str(request.user.pk),
        translation.get_language() or "",
        timezone.get_current_timezone_name(),
        timezone.localdate().isoformat(),
        str(request.accepted_media_type),
        request.build_absolute_uri(),
    )


def lookup(request: Request) -> tuple[dataversion.Place | None, HttpResponse | None]:
    """The request's entry: (where to keep the answer, the kept answer or None). (None, None)
    when this request is not answered from the cache at all."""
    if request.method != "GET" or not isinstance(
        request.successful_authenticator, ExpiringTokenAuthentication
    ):
        return None, None
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is None or renderer.format != "json":
        return None, None
    schema = tenant_connection().schema_name
    version = _kept.version(schema=schema)
    if version is None:
        return None, None
    place, kept = _kept.lookup(schema=schema, version=version, parts=_parts(request), now=_now())
    if kept is not None:
        content_type, body = kept
        return None, HttpResponse(body, content_type=content_type)
    return place, None


def keep(place: dataversion.Place, response: Any) -> None:
    """Keep a rendered 200 answer under the version it was looked up under."""
    if response.status_code != 200:
        return
    content_type = response.get("Content-Type", "application/json")
    body = response.content
    _kept.keep(place=place, value=(content_type, body), size=len(body), now=_now())
