from rest_framework.routers import BaseRouter

from schools.pairs.views import (
    CalendarFeedViewSet,
    CalendarLinkViewSet,
    DevelopmentPlanViewSet,
    MeetingViewSet,
    PairViewSet,
    PlanGoalViewSet,
    PracticeCaseViewSet,
)


def register(router: BaseRouter) -> None:
    router.register("pairs", PairViewSet, basename="pair")
    router.register("development-plans", DevelopmentPlanViewSet, basename="development-plan")
    router.register("plan-goals", PlanGoalViewSet, basename="plan-goal")
    router.register("meetings", MeetingViewSet, basename="meeting")
    router.register("practice-cases", PracticeCaseViewSet, basename="practice-case")
    router.register("calendar-links", CalendarLinkViewSet, basename="calendar-link")
    # The secret per-person feed: /api/v1/calendar/<token>.ics (open by design, see the view).
    router.register("calendar", CalendarFeedViewSet, basename="calendar-feed")
