"""Nastavnik project core: settings, URLconfs, Celery app, API base classes."""

import os

# Before anything imports Django-dependent modules (the Celery app below does).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

from config.celery import app as celery_app

__all__ = ["celery_app"]
