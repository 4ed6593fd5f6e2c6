from rest_framework.routers import BaseRouter

from schools.matching.views import (
    GroupMeetingViewSet,
    MatchingWeightsViewSet,
    MatchProposalViewSet,
    MatchRunViewSet,
)


def register(router: BaseRouter) -> None:
    router.register("matching/group-meetings", GroupMeetingViewSet, basename="group-meeting")
    router.register("matching/runs", MatchRunViewSet, basename="match-run")
    router.register("matching/proposals", MatchProposalViewSet, basename="match-proposal")
    router.register("matching/weights", MatchingWeightsViewSet, basename="matching-weights")
