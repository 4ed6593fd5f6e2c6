from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PairsConfig(AppConfig):
    name = "schools.pairs"
    label = "pairs"
    verbose_name = _("Pairs, groups and meetings")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Reminders whose claim lapsed (the run that claimed them died) go out within minutes.
        from config import jobs
        from schools.pairs import reminders

        jobs.register("meeting-reminders", reminders.lapsed_claims_send)
