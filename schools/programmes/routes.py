from rest_framework.routers import BaseRouter

from schools.programmes.views import ProgrammeViewSet


def register(router: BaseRouter) -> None:
    router.register("programmes", ProgrammeViewSet, basename="programme")
