from rest_framework.routers import BaseRouter

from regional.employers import views


def register(router: BaseRouter) -> None:
    """The regional API of employers and their mentors (public host)."""
    router.register("employers", views.EmployerViewSet, basename="employer")
    router.register("employer-mentors", views.EmployerMentorViewSet, basename="employer-mentor")
    router.register("mentor-requests", views.MentorRequestViewSet, basename="mentor-request")
    router.register("placements", views.PlacementViewSet, basename="placement")
    router.register("employer-board", views.EmployerBoardViewSet, basename="employer-board")
