from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    label = "tenants"
    verbose_name = _("Institutions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tenants import deletion

        deletion.install()
