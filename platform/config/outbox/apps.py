from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    """The task outbox (public schema): the intent to run a task, written in the transaction
    of the state that needs it, and published to the broker by a relay (ADR 0008)."""

    name = "config.outbox"
    label = "outbox"
    verbose_name = _("Task outbox")
    default_auto_field = "django.db.models.BigAutoField"
