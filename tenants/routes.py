from rest_framework.routers import BaseRouter

from tenants.views import ApplicationViewSet, InstitutionViewSet, MunicipalityViewSet


def register(router: BaseRouter) -> None:
    router.register("institutions", InstitutionViewSet, basename="institution")
    router.register("municipalities", MunicipalityViewSet, basename="municipality")
    router.register("onboarding/applications", ApplicationViewSet, basename="application")
