"""An institution's workspace, at <slug>.BASE_DOMAIN (the institution's own schema)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from accounts.views import InvitationViewSet
from config.admin_sites import tenant_site
from config.urls_common import common_urlpatterns
from schools.programmes.views import ProgrammeViewSet

router = DefaultRouter()
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("programmes", ProgrammeViewSet, basename="programme")

urlpatterns = [
    *common_urlpatterns,
    path("admin/", tenant_site().urls),
    path("api/v1/", include(router.urls)),
]
