from rest_framework.routers import BaseRouter

from schools.monitoring.views import (
    QuestionnaireViewSet,
    QuestionViewSet,
    SurveyCampaignViewSet,
    SurveyInvitationViewSet,
    SurveyLinkViewSet,
    SurveyResponseViewSet,
)


def register(router: BaseRouter) -> None:
    router.register("questionnaires", QuestionnaireViewSet, basename="questionnaire")
    router.register("questionnaire-questions", QuestionViewSet, basename="questionnaire-question")
    router.register("survey-campaigns", SurveyCampaignViewSet, basename="survey-campaign")
    router.register("survey-invitations", SurveyInvitationViewSet, basename="survey-invitation")
    router.register("survey-responses", SurveyResponseViewSet, basename="survey-response")
    # Answering through a personal one-time link, no login (open by design, see the view).
    router.register("survey-links", SurveyLinkViewSet, basename="survey-link")
