"""A ceiling on every uploaded body, read by no more than the ceiling.

Django reads a multipart body whole before any view runs (the CSRF check reads the form), so a
page that refuses a 60 MB file still read 60 MB. ``BodyLimitUploadHandler`` comes first among
the upload handlers: past ``UPLOAD_MAX_BYTES`` (the largest upload any form takes, the same as
the proxy's ``client_max_body_size``) it stops reading and marks the request;
``config.middleware.UploadLimitMiddleware`` (before the CSRF check) then answers 413 for
pages. Each form's own, lower limit (an import's 10 MB) still applies after it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

MULTIPART_SLACK_BYTES = 64 * 1024


def upload_max_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_BYTES", 21 * 1024 * 1024))


class BodyLimitUploadHandler(FileUploadHandler):
    def _mark(self) -> None:
        if self.request is not None:
            self.request.upload_too_large = True  # type: ignore[attr-defined]

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: Any,
        encoding: str | None = None,
    ) -> tuple[QueryDict, MultiValueDict[str, Any]] | None:
        if content_length and content_length > upload_max_bytes() + MULTIPART_SLACK_BYTES:
            # declared too large: "handled" as an empty form, the body is never read
            self._mark()
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > upload_max_bytes():
            self._mark()  # a body without (or with a false) length: stop at the limit
            raise StopUpload(connection_reset=True)
        return raw_data  # the next handlers keep the data

    def file_complete(self, file_size: int) -> None:
        return None
