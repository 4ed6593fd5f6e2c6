from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "regional.kpis"
    label = "kpis"
    verbose_name = _("Regional indicators")
    default_auto_field = "django.db.models.BigAutoField"
