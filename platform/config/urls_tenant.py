"""An institution's workspace, at <slug>.BASE_DOMAIN (the institution's own schema)."""

from django.urls import include, path
from django.utils.module_loading import import_string
from rest_framework.routers import DefaultRouter

from config.admin_sites import tenant_site
from config.urls_common import common_urlpatterns

# Each tenant app registers its API routes in its own ``routes.register(router)``.
TENANT_ROUTE_MODULES = [
    "accounts.routes",
    "schools.programmes.routes",
    "schools.participants.routes",
    "schools.imports.routes",
    "schools.matching.routes",
    "schools.pairs.routes",
    "schools.monitoring.routes",
    "regional.employers.tenant_routes",  # the employer mentor catalogue, seen from a school
]

router = DefaultRouter()
for module in TENANT_ROUTE_MODULES:
    import_string(f"{module}.register")(router)

urlpatterns = [
    *common_urlpatterns,
    path("admin/", tenant_site().urls),
    path("api/v1/", include(router.urls)),
    path("", include("schools.web.urls")),  # the pages
]

# Errors: the API answers its JSON error shape, pages their templates (config.views).
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
