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

import hashlib
import threading
import time
from collections import OrderedDict
from typing import Any

from django.http import HttpResponse
from django.utils import timezone, translation
from rest_framework.request import Request

from accounts.authentication import ExpiringTokenAuthentication
from config import dataversion
from config.db import tenant_connection

FRESH_SECONDS = 60


def _now() -> float:
    return time.time()


# (the data version it was made under, its Content-Type, its body, when it was made)
Entry = tuple[str, str, bytes, float]


class Lookup:
    """One request's place in the cache: its key and the version it was looked up under."""

    __slots__ = ("key", "schema", "version")

    def __init__(self, *, key: str, schema: str, version: str) -> None:
        self.key = key
        self.schema = schema
        self.version = version


def _key(request: Request, schema: str) -> str:
    parts = (
        schema,
        str(request.user.pk),
        translation.get_language() or "",
        timezone.get_current_timezone_name(),
        timezone.localdate().isoformat(),
        str(request.accepted_media_type),
        request.build_absolute_uri(),
    )
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"api-list:{schema}:{digest}"


def lookup(request: Request) -> tuple[Lookup | None, HttpResponse | None]:
    """The request's entry: (where to keep the answer, the kept answer or None). (None, None)
    when this request is not answered from the cache at all."""
    if request.method != "GET" or not isinstance(
        request.successful_authenticator, ExpiringTokenAuthentication
    ):
        return None, None
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is None or renderer.format != "json" or not dataversion.cacheable():
        return None, None
    schema = tenant_connection().schema_name
    versions = dataversion.versions([schema])
    if versions is None:
        return None, None
    version = versions[0]
    key = _key(request, schema)
    entry = _local_get(key)
    if entry is None:
        entry = _shared_get(key)
        if entry is not None:
            _local_put(key, entry)
    if entry is not None and entry[0] == version and _now() - entry[3] < FRESH_SECONDS:
        return None, HttpResponse(entry[2], content_type=entry[1])
    return Lookup(key=key, schema=schema, version=version), None


def _shared_get(key: str) -> Entry | None:
    try:
        entry = dataversion.store().get(key)
    except Exception:  # the cache away: built anew
        return None
    return entry if isinstance(entry, tuple) and len(entry) == 4 else None


# The entries this process read or made last, so that a hit costs the version's read only.
# Bounded: LOCAL_ENTRIES entries of at most LOCAL_BYTES each.
LOCAL_ENTRIES = 128
LOCAL_BYTES = 512 * 1024
_local: OrderedDict[str, Entry] = OrderedDict()
_local_lock = threading.Lock()


def _local_get(key: str) -> Entry | None:
    with _local_lock:
        entry = _local.get(key)
        if entry is not None:
            _local.move_to_end(key)
        return entry


def _local_put(key: str, entry: Entry) -> None:
    if len(entry[2]) > LOCAL_BYTES:
        return
    with _local_lock:
        _local[key] = entry
        _local.move_to_end(key)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)


def keep(place: Lookup, response: Any) -> None:
    """Keep a rendered 200 answer under the version it was looked up under."""
    if response.status_code != 200 or not dataversion.cacheable():
        return
    content_type = response.get("Content-Type", "application/json")
    entry = (place.version, content_type, response.content, _now())
    _local_put(place.key, entry)
    try:
        dataversion.store().set(place.key, entry, FRESH_SECONDS)
    except Exception:  # the cache away: the next request builds the list again
        return
