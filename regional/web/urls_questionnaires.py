"""Page routes of the regional layer: questionnaire templates, survey results, practices."""

from django.urls import URLPattern, path

from regional.web import views_questionnaires as views

urlpatterns: list[URLPattern] = [
    path("templates/", views.templates, name="templates"),
    path("templates/new/", views.template_create, name="template-create"),
    path("templates/<int:pk>/edit/", views.template_update, name="template-update"),
    path("templates/<int:pk>/new-version/", views.version_new, name="template-version-new"),
    path("templates/versions/<int:pk>/", views.template_version, name="template-version"),
    path(
        "templates/versions/<int:pk>/update/", views.version_update, name="template-version-update"
    ),
    path(
        "templates/versions/<int:pk>/publish/",
        views.version_publish,
        name="template-version-publish",
    ),
    path(
        "templates/versions/<int:pk>/retire/", views.version_retire, name="template-version-retire"
    ),
    path(
        "templates/versions/<int:pk>/delete/", views.version_delete, name="template-version-delete"
    ),
    path(
        "templates/versions/<int:pk>/preview/",
        views.version_preview,
        name="template-version-preview",
    ),
    path(
        "templates/versions/<int:pk>/questions/", views.question_add, name="template-question-add"
    ),
    path("templates/questions/<int:pk>/", views.question_edit, name="template-question"),
    path("templates/questions/<int:pk>/move/", views.question_move, name="template-question-move"),
    path(
        "templates/questions/<int:pk>/delete/",
        views.question_delete,
        name="template-question-delete",
    ),
    path("survey-results/", views.survey_results, name="survey-results"),
    path("survey-results/xlsx/", views.survey_results_xlsx, name="survey-results-xlsx"),
    path("practices/", views.practices, name="practices"),
    path("practices/<int:pk>/", views.practice, name="practice"),
]
