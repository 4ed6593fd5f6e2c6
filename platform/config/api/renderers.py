"""Renderers of files (XLSX, iCalendar) whose errors still use the API's JSON error shape."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from rest_framework.renderers import BaseRenderer

from config.spreadsheets import XLSX_CONTENT_TYPE


class FileRenderer(BaseRenderer):
    """A file built by the view (bytes or text) is passed through; anything else is an error
    (a dict from the exception handler), written as JSON with a JSON Content-Type: a 403 or 404
    is never labelled as a workbook or a calendar."""

    charset: str | None = None
    render_style = "binary"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if isinstance(data, bytes):
            return data
        if isinstance(data, str):
            return data.encode()
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return json.dumps(data, ensure_ascii=False).encode()


class XLSXRenderer(FileRenderer):
    """Lets content negotiation accept ``.xlsx`` / ``?format=xlsx``."""

    media_type = XLSX_CONTENT_TYPE
    format = "xlsx"


class ICalendarRenderer(FileRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"
