from django.apps import AppConfig


class SeedingConfig(AppConfig):
    """No models: installed for its management commands (``nastavnik demo``)."""

    name = "seeding"
    label = "seeding"
    verbose_name = "Seeding"
