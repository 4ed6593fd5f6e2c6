from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnouncementsConfig(AppConfig):
    name = "regional.announcements"
    label = "announcements"
    verbose_name = _("Announcements")
    default_auto_field = "django.db.models.BigAutoField"
