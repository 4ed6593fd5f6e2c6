"""Page routes of the regional layer: questionnaire templates, survey results, practices."""

from django.urls import URLPattern, path

from regional.web import views_questionnaires as views

urlpatterns: list[URLPattern] = [
    path("templates/", views.templates, name="templates"),
    path("templates/new/", views.template_create, name="template-create"),
    path("templates/<int:pk>/edit/", views.TemplateUpdate.as_view(), name="template-update"),
    path(
        "templates/<int:pk>/new-version/", views.VersionNew.as_view(), name="template-version-new"
    ),
    path(
        "templates/versions/<int:pk>/", views.TemplateVersionPage.as_view(), name="template-version"
    ),
    path(
        "templates/versions/<int:pk>/update/",
        views.VersionUpdate.as_view(),
        name="template-version-update",
    ),
    path(
        "templates/versions/<int:pk>/publish/",
        views.VersionPublish.as_view(),
        name="template-version-publish",
    ),
    path(
        "templates/versions/<int:pk>/retire/",
        views.VersionRetire.as_view(),
        name="template-version-retire",
    ),
    path(
        "templates/versions/<int:pk>/delete/",
        views.VersionDelete.as_view(),
        name="template-version-delete",
    ),
    path(
        "templates/versions/<int:pk>/preview/",
        views.VersionPreview.as_view(),
        name="template-version-preview",
    ),
    path(
        "templates/versions/<int:pk>/questions/",
        views.QuestionAdd.as_view(),
        name="template-question-add",
    ),
    path("templates/questions/<int:pk>/", views.QuestionEdit.as_view(), name="template-question"),
    path(
        "templates/questions/<int:pk>/move/",
        views.QuestionMove.as_view(),
        name="template-question-move",
    ),
    path(
        "templates/questions/<int:pk>/delete/",
        views.QuestionDelete.as_view(),
        name="template-question-delete",
    ),
    path("survey-results/", views.survey_results, name="survey-results"),
    path("survey-results/xlsx/", views.survey_results_xlsx, name="survey-results-xlsx"),
    path("practices/", views.practices, name="practices"),
    path("practices/<int:pk>/", views.PracticePage.as_view(), name="practice"),
]
