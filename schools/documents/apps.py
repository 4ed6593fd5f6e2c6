from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "schools.documents"
    label = "documents"
    verbose_name = _("Documents")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The stage tracker's checks of the order register (stages 1 and 4).
        # Jobs left behind by their task: failed with a reason or sent again (config.jobs).
        from config import jobs
        from schools.documents import checks, services  # noqa: F401 - checks registers itself

        jobs.register("documents", services.document_jobs_sweep)
