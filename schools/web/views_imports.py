"""Pages of an import beyond the upload and the preview: the template to fill in and the rows
a check refused, downloaded as XLSX (coordinator only, like the import itself)."""

from __future__ import annotations

from urllib.parse import quote

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from config.pages import COORDINATOR, ObjectPage, role_required
from config.spreadsheets import XLSX_CONTENT_TYPE
from schools.imports import access as import_access
from schools.imports import selectors as import_selectors
from schools.imports import sheets
from schools.imports.models import ImportBatch, ImportKind
from schools.imports.reading import FileProblem
from schools.participants import api as participants_api


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"  # personal data: never kept by proxies
    return response


@require_safe
@role_required(COORDINATOR, scope="tenant")
def import_template(request: HttpRequest) -> HttpResponse:
    """The template XLSX of an import of ``?kind=`` (participants by default): the headers,
    every column described, and the catalogue's names for requests and competences."""
    kind = request.GET.get("kind") or ImportKind.PARTICIPANTS
    if kind not in ImportKind.values:
        raise Http404
    catalogue = participants_api.topic_rows() if kind != ImportKind.PARTICIPANTS else []
    content = sheets.template_xlsx(kind=kind, catalogue=catalogue)
    return _xlsx(content, f"{sheets.template_filename(kind)}.xlsx")


class ImportRejected(ObjectPage):
    """The rows of a batch that the check refused, as the user wrote them, with the errors in
    the last column: fix them and upload the file again."""

    roles = COORDINATOR
    http_method_names = ["get", "head"]
    access_by_id = staticmethod(import_access.access_import_batch_by_id)

    def object_queryset(self) -> QuerySet[ImportBatch]:
        return import_selectors.import_batch_list()

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = self.object
        if not sheets.has_rejected_rows(batch):
            raise Http404
        try:
            content = sheets.rejected_rows_xlsx(batch)
        except FileProblem as problem:
            raise Http404 from problem
        return _xlsx(content, f"oshibki-importa-{batch.pk}.xlsx")


import_rejected = ImportRejected.as_view()
