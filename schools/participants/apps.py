from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipantsConfig(AppConfig):
    name = "schools.participants"
    label = "participants"
    verbose_name = _("Participants, consents, mentor and mentee bases")
    default_auto_field = "django.db.models.BigAutoField"
