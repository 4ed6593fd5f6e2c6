from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PairsConfig(AppConfig):
    name = "schools.pairs"
    label = "pairs"
    verbose_name = _("Pairs, groups and meetings")
    default_auto_field = "django.db.models.BigAutoField"
