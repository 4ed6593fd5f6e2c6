"""The regional layer and the employer portal, at BASE_DOMAIN (public schema)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from config.admin_sites import public_site
from config.urls_common import common_urlpatterns
from tenants.views import ApplicationViewSet, InstitutionViewSet, MunicipalityViewSet

router = DefaultRouter()
router.register("institutions", InstitutionViewSet, basename="institution")
router.register("municipalities", MunicipalityViewSet, basename="municipality")
router.register("onboarding/applications", ApplicationViewSet, basename="application")

urlpatterns = [
    *common_urlpatterns,
    path("admin/", public_site().urls),
    path("api/v1/", include(router.urls)),
]
