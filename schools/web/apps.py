from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolWebConfig(AppConfig):
    """The pages of an institution's workspace (server-rendered, on the institution's host)."""

    name = "schools.web"
    label = "school_web"
    verbose_name = _("Institution pages")
