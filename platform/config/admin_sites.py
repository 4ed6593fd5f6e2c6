"""Two admin sites: the regional one (public schema models) and the institution one (tenant
models). An institution's admin must never list shared models such as other institutions,
employers or the beat schedule, even though the public schema is on its search path."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _


def _build_site(name: str, app_names: list[str], header: str) -> admin.AdminSite:
    site = admin.AdminSite(name=name)
    site.site_header = header
    site.site_title = header
    labels = {config.label for config in apps.get_app_configs() if config.name in set(app_names)}
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in labels:
            site.register(model, type(model_admin))
    return site


def public_site() -> admin.AdminSite:
    return _build_site("public_admin", settings.SHARED_APPS, str(_("Nastavnik: regional centre")))


def tenant_site() -> admin.AdminSite:
    return _build_site("tenant_admin", settings.TENANT_APPS, str(_("Nastavnik: institution")))
