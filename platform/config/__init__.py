"""Nastavnik project core: settings, URLconfs, Celery app, API base classes."""

from config.celery import app as celery_app

__all__ = ["celery_app"]
