"""The API's OpenAPI schema documents every status code an operation answers.

Every operation can answer the project's error shape (``config.api.exceptions``): 400 (invalid
input), 401 (not signed in), 403 (role not allowed), 404 (missing or not yours, or an unknown
host) and 429 (throttled or locked out). A drf-spectacular post-processing hook adds them to
each operation that does not document them itself, with one ``Error`` component."""

from __future__ import annotations

from typing import Any

ERROR_COMPONENT = {
    "type": "object",
    "description": "Every API error: a message, and for invalid input the errors per field.",
    "properties": {
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "Per field (or non_field_errors): a list of messages.",
            "additionalProperties": {},
        },
    },
    "required": ["detail"],
}
ERROR_RESPONSES = {
    "400": "Invalid input: `errors` lists the problems per field.",
    "401": "Not signed in (no valid session or token).",
    "403": "Signed in, but this role may not do this.",
    "404": "Not found, or not visible to the caller.",
    "429": "Too many requests (throttled, or the login is locked out for a while).",
}
METHODS = ("get", "post", "put", "patch", "delete")


def document_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR_COMPONENT)
    reference = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_RESPONSES.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result


def single_object_schema() -> Any:
    """The schema of a ``list`` action that answers one object (a summary, a board), not a
    list: drf-spectacular would document an array."""
    from drf_spectacular.openapi import AutoSchema

    class SingleObjectSchema(AutoSchema):
        def _is_list_view(self, serializer: Any = None) -> bool:
            return False

    return SingleObjectSchema()
