from rest_framework.routers import BaseRouter

from regional.survey_results.views import RegionalSurveyResultViewSet


def register(router: BaseRouter) -> None:
    router.register("survey-results", RegionalSurveyResultViewSet, basename="survey-result")
