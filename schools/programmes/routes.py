from rest_framework.routers import BaseRouter

from schools.programmes.views import ProgrammeViewSet, RoadmapActivityViewSet


def register(router: BaseRouter) -> None:
    router.register("programmes", ProgrammeViewSet, basename="programme")
    router.register("roadmap-activities", RoadmapActivityViewSet, basename="roadmap-activity")
