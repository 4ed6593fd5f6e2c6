"""The regional layer and the employer portal, at BASE_DOMAIN (public schema)."""

from django.urls import include, path
from django.utils.module_loading import import_string
from rest_framework.routers import DefaultRouter

from config.admin_sites import public_site
from config.urls_common import common_urlpatterns

# Each public app registers its API routes in its own ``routes.register(router)``.
PUBLIC_ROUTE_MODULES = [
    "tenants.routes",
    "regional.employers.routes",
    "regional.questionnaires.routes",
    "regional.survey_results.routes",
    "regional.kpis.routes",
    "regional.practices.routes",
]

router = DefaultRouter()
for module in PUBLIC_ROUTE_MODULES:
    import_string(f"{module}.register")(router)

urlpatterns = [
    *common_urlpatterns,
    path("admin/", public_site().urls),
    path("api/v1/", include(router.urls)),
    path("", include("regional.web.urls")),  # the pages
]

# Errors: the API answers its JSON error shape, pages their templates (config.views).
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
