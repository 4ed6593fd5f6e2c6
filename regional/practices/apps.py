from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticesConfig(AppConfig):
    name = "regional.practices"
    label = "practices"
    verbose_name = _("Best practices")
    default_auto_field = "django.db.models.BigAutoField"
