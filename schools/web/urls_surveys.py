"""Page routes of the workspace: questionnaire campaigns, results, answering."""

from django.urls import URLPattern, path

from schools.web import views_surveys as views

urlpatterns: list[URLPattern] = [
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/adopt/", views.questionnaire_adopt, name="questionnaire-adopt"),
    path("campaigns/new/", views.campaign_create, name="campaign-create"),
    # the options of the new campaign's pair select (HTMX), fetched when a pair is the target
    path(
        "campaigns/new/pair-choices/",
        views.campaign_pair_choices,
        name="campaign-pair-choices",
    ),
    path(
        "campaigns/questionnaires/new/",
        views.questionnaire_create,
        name="questionnaire-create",
    ),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/open/", views.campaign_open, name="campaign-open"),
    path(
        "campaigns/<int:pk>/launch-progress/",
        views.campaign_launch_progress,
        name="campaign-launch-progress",
    ),
    path("campaigns/<int:pk>/close/", views.campaign_close, name="campaign-close"),
    path("campaigns/<int:pk>/remind/", views.campaign_remind, name="campaign-remind"),
    path("campaigns/<int:pk>/xlsx/", views.campaign_xlsx, name="campaign-xlsx"),
    path("my-surveys/", views.my_surveys, name="my-surveys"),
    path("my-surveys/<int:pk>/", views.my_survey, name="my-survey"),
    # A personal one-time link from the e-mail (no sign-in; the token is looked up in the
    # host's schema only).
    path("surveys/link/<str:token>/", views.survey_link, name="survey-link"),
]
