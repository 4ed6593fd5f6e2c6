"""Import API: upload a file for a preview, watch its check, commit it. Coordinators only."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db.models import QuerySet
from django.http import HttpRequest
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.actor import actor_of
from accounts.models import Role
from config.api.base import INSTITUTION_MANAGERS, TenantViewSet
from config.api.parsers import CleanFormParser, CleanJSONParser, CleanMultiPartParser
from schools.imports import selectors, services
from schools.imports.columns import CATEGORY_CODES
from schools.imports.models import ImportBatch, ImportKind

# Multipart overhead allowed above the file size limit before a body is refused unread.
MULTIPART_SLACK_BYTES = 64 * 1024


class FileTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "file_too_large"


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops reading an upload as soon as it passes the limit (also for bodies sent without
    a Content-Length), so an oversized file is neither kept in memory nor written to disk."""

    def __init__(self, request: HttpRequest | None = None, *, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: Any,
        encoding: str | None = None,
    ) -> None:
        if content_length and content_length > self.limit + MULTIPART_SLACK_BYTES:
            self.exceeded = True
            raise StopUpload(connection_reset=True)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


class ImportFileErrorOutput(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="headers, empty, xls, not_a_table, encoding, ...")
    message = serializers.CharField()
    expected_headers = serializers.ListField(child=serializers.CharField(), required=False)


class ImportCellErrorOutput(serializers.Serializer[Any]):
    column = serializers.CharField(help_text="The column header as written in the file.")
    message = serializers.CharField()


class ImportRowOutput(serializers.Serializer[Any]):
    row = serializers.IntegerField(help_text="Row number as in the spreadsheet.")
    name = serializers.CharField()
    errors = ImportCellErrorOutput(many=True)  # type: ignore[assignment]
    duplicate_of_row = serializers.IntegerField(required=False)
    existing_participant_id = serializers.IntegerField(required=False)


class ImportReportOutput(serializers.Serializer[Any]):
    file_format = serializers.CharField()
    encoding = serializers.CharField()
    delimiter = serializers.CharField()
    header_row = serializers.IntegerField()
    columns = serializers.DictField(child=serializers.CharField())
    ignored_columns = serializers.ListField(child=serializers.CharField())
    file_errors = ImportFileErrorOutput(many=True)
    rows = ImportRowOutput(many=True, help_text="Rows with errors (at most 1000).")
    rows_truncated = serializers.BooleanField()
    existing_participants = serializers.IntegerField(
        help_text="Rows that name a participant already in the base (mentee/mentor imports "
        "attach the profile to them)."
    )


@extend_schema_field(ImportReportOutput)
class ReportField(serializers.JSONField):
    pass


class DefaultCategoryField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text", "The category of everyone in a file without a «Категория» column."
        )
        super().__init__(choices=[(code, code) for code in CATEGORY_CODES], **kwargs)


class ImportBatchOutput(serializers.ModelSerializer[ImportBatch]):
    progress = serializers.SerializerMethodField()
    report = ReportField(read_only=True)
    can_commit = serializers.SerializerMethodField()

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "kind",
            "status",
            "progress",
            "original_name",
            "size",
            "default_category",
            "total_rows",
            "valid_rows",
            "error_count",
            "duplicate_count",
            "imported_count",
            "can_commit",
            "report",
            "created_by",
            "created_at",
            "validated_at",
            "committed_at",
        ]

    @extend_schema_field(OpenApiTypes.INT)
    def get_progress(self, batch: ImportBatch) -> int:
        return selectors.import_batch_progress(batch=batch)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_can_commit(self, batch: ImportBatch) -> bool:
        return batch.status == "previewed" and batch.error_count == 0 and batch.total_rows > 0


class ImportBatchInput(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    file = serializers.FileField(
        help_text="XLSX or CSV (UTF-8 or Windows-1251; delimiter ; , or tab), at most 10 MB."
    )
    default_category = DefaultCategoryField(required=False, allow_blank=True)


class ImportBatchViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    TenantViewSet,
):
    """Imports of participants, mentees and mentors from XLSX/CSV: preview first, then an
    all-or-nothing commit. Large files are checked and imported in the background; poll the
    batch for ``status`` and ``progress``."""

    read_roles = INSTITUTION_MANAGERS
    write_roles = INSTITUTION_MANAGERS
    action_roles = {"commit": frozenset({Role.COORDINATOR})}
    serializer_class = ImportBatchOutput
    parser_classes = [CleanMultiPartParser, CleanFormParser, CleanJSONParser]
    filterset_fields = ["kind", "status"]
    ordering_fields = ["created_at"]

    def scoped_queryset(self) -> QuerySet[ImportBatch]:
        return selectors.import_batch_list()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if self.action == "create":
            # Refuse an oversized body before anything (authentication's CSRF check
            # included) reads it.
            limit = services.max_file_bytes()
            self._size_guard = SizeLimitUploadHandler(request._request, limit=limit)
            handlers = request._request.upload_handlers
            if isinstance(handlers, list):  # still mutable: nothing has read the body yet
                handlers.insert(0, self._size_guard)
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit + MULTIPART_SLACK_BYTES:
                raise FileTooLarge(services.file_too_large_message())
        super().initial(request, *args, **kwargs)

    @extend_schema(
        request={"multipart/form-data": ImportBatchInput},
        responses={201: ImportBatchOutput},
        description="Upload a file: the batch comes back with its preview (small files) or "
        "with status `uploaded` while a background task checks it. 413 over the size limit.",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ImportBatchInput(data=request.data)
        valid = data.is_valid()
        guard = getattr(self, "_size_guard", None)
        if guard is not None and guard.exceeded:
            raise FileTooLarge(services.file_too_large_message())
        if not valid:
            raise exceptions.ValidationError(data.errors)
        batch = services.import_batch_create(
            kind=data.validated_data["kind"],
            uploaded_file=data.validated_data["file"],
            default_category=data.validated_data.get("default_category") or "",
            actor=actor_of(request),
        )
        return Response(ImportBatchOutput(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: ImportBatchOutput, 202: ImportBatchOutput},
        description="Import every row in one transaction. Refused (400) while the preview has "
        "errors, unless `valid_rows_only=true` is given: then the rows without errors are "
        "imported and the others left. 200 when imported inline, 202 while a background task "
        "imports; committing a batch that is already imported or importing changes nothing.",
        parameters=[
            OpenApiParameter(
                "valid_rows_only",
                OpenApiTypes.BOOL,
                description="Import the rows without errors and leave the others.",
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def commit(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        batch = self.get_object()
        flag = str(request.query_params.get("valid_rows_only", "")).lower()
        batch = services.import_batch_commit(
            batch_id=batch.pk, valid_rows_only=flag in ("1", "true", "yes")
        )
        code = status.HTTP_202_ACCEPTED if batch.status == "importing" else status.HTTP_200_OK
        return Response(ImportBatchOutput(batch).data, status=code)
