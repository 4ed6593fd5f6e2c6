from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    label = "tenants"
    verbose_name = _("Institutions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from config import dataversion
        from config.db import use_c_timestamptz_loader
        from tenants import deletion

        deletion.install()
        # date-times loaded by psycopg's C extension, not Django's Python loader (config.db)
        connection_created.connect(use_c_timestamptz_loader, dispatch_uid="c-timestamptz")
        # every committed write changes its schema's data version (config.dataversion)
        connection_created.connect(dataversion.install, dispatch_uid="data-version")
