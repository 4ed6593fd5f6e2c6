from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionalWebConfig(AppConfig):
    """The pages of the regional layer (server-rendered, on the regional host)."""

    name = "regional.web"
    label = "regional_web"
    verbose_name = _("Regional pages")
