from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "regional.privacy"
    label = "privacy"
    verbose_name = _("Publication rules")
    default_auto_field = "django.db.models.BigAutoField"
