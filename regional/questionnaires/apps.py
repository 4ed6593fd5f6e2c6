from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuestionnaireTemplatesConfig(AppConfig):
    name = "regional.questionnaires"
    label = "questionnaire_templates"
    verbose_name = _("Questionnaire templates")
    default_auto_field = "django.db.models.BigAutoField"
