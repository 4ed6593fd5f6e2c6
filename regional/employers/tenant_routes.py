from rest_framework.routers import BaseRouter

from regional.employers import tenant_views


def register(router: BaseRouter) -> None:
    """The employer mentor catalogue and the institution's own requests (institution host)."""
    router.register("employer-mentors", tenant_views.CatalogueViewSet, basename="employer-mentor")
    router.register(
        "mentor-requests", tenant_views.InstitutionMentorRequestViewSet, basename="mentor-request"
    )
