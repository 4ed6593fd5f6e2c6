from rest_framework.routers import BaseRouter

from regional.practices.views import PracticeCaseViewSet


def register(router: BaseRouter) -> None:
    router.register("practice-cases", PracticeCaseViewSet, basename="practice-case")
