from rest_framework.routers import BaseRouter

from schools.imports.export_views import EXPORT_VIEWSETS
from schools.imports.views import ImportBatchViewSet


def register(router: BaseRouter) -> None:
    router.register("imports", ImportBatchViewSet, basename="import-batch")
    for viewset in EXPORT_VIEWSETS:
        name = viewset.export.name
        router.register(f"exports/{name}", viewset, basename=f"export-{name}")
