"""``{% load layout %}`` (registered in ``TEMPLATES``): ``{% static_once 'web/site.css' %}`` is
``{% static %}`` asked of the storage once per process (a path and ``STATIC_URL`` give the same
address until the next deployment; the storage's ``url()`` cost 30–60 µs on each of the
layout's five files on every page)."""

from __future__ import annotations

from functools import cache

from django import template
from django.conf import settings
from django.templatetags.static import static

register = template.Library()


@cache
def _address(path: str, static_url: str) -> str:
    return static(path)


@register.simple_tag
def static_once(path: str) -> str:
    return _address(path, settings.STATIC_URL)
