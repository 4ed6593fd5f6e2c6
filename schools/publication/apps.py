from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationConfig(AppConfig):
    name = "schools.publication"
    label = "publication"
    verbose_name = _("Public programme page")
    default_auto_field = "django.db.models.BigAutoField"
