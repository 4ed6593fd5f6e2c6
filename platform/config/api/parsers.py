"""Request parsers that clean text at the edge (``config.text``): every string of a JSON,
form or multipart body is normalised (NFC, no control or invisible characters) before any
serializer sees it, and a string with bidirectional controls is refused with a 400 naming the
field. Passwords and tokens pass untouched; uploaded files are not text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.http import QueryDict
from rest_framework import parsers
from rest_framework.parsers import DataAndFiles

from config.text import BIDI_MESSAGE, has_bidi_controls, is_secret_field, normalise_text


def _clean(value: Any, field: str, errors: dict[str, list[str]]) -> Any:
    if isinstance(value, str):
        cleaned = normalise_text(value)
        if has_bidi_controls(cleaned):
            errors.setdefault(field, [str(BIDI_MESSAGE)])
        return cleaned
    if isinstance(value, list):
        return [_clean(item, field, errors) for item in value]
    if isinstance(value, Mapping):
        return {
            key: item if is_secret_field(str(key)) else _clean(item, field, errors)
            for key, item in value.items()
        }
    return value


def clean_data(data: Any) -> Any:
    """``data`` (a parsed body) with every string cleaned; ``ValidationError`` keyed by the
    top-level field when a string holds bidirectional controls."""
    errors: dict[str, list[str]] = {}
    if isinstance(data, QueryDict):
        cleaned = QueryDict(mutable=True, encoding=data.encoding)
        for key, values in data.lists():
            name = normalise_text(key)
            if is_secret_field(key):
                cleaned.setlist(name, values)
            else:
                cleaned.setlist(name, [_clean(v, name, errors) for v in values])
        cleaned._mutable = False
        result: Any = cleaned
    elif isinstance(data, Mapping):
        result = {
            key: item if is_secret_field(str(key)) else _clean(item, str(key), errors)
            for key, item in data.items()
        }
    else:
        result = _clean(data, "non_field_errors", errors)
    if errors:
        raise ValidationError(errors)
    return result


class CleanJSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        return clean_data(super().parse(stream, media_type, parser_context))


class CleanFormParser(parsers.FormParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        return clean_data(super().parse(stream, media_type, parser_context))


class CleanMultiPartParser(parsers.MultiPartParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        parsed = super().parse(stream, media_type, parser_context)
        return DataAndFiles(clean_data(parsed.data), parsed.files)
