from rest_framework.routers import BaseRouter

from regional.questionnaires.views import (
    QuestionViewSet,
    TemplateVersionViewSet,
    TemplateViewSet,
)


def register(router: BaseRouter) -> None:
    router.register("questionnaire-templates", TemplateViewSet, basename="questionnaire-template")
    router.register(
        "questionnaire-template-versions",
        TemplateVersionViewSet,
        basename="questionnaire-template-version",
    )
    router.register(
        "questionnaire-template-questions",
        QuestionViewSet,
        basename="questionnaire-template-question",
    )
