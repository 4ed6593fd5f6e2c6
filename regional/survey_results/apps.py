from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveyResultsConfig(AppConfig):
    name = "regional.survey_results"
    label = "survey_results"
    verbose_name = _("Anonymous survey results of the region")
    default_auto_field = "django.db.models.BigAutoField"
