"""``{% static_once %}`` (the layout's static files) is ``{% static %}``, asked once."""

from __future__ import annotations

from typing import Any

from django.template import engines


def _render(source: str) -> str:
    return engines["django"].from_string(source).render({})


def test_static_once_is_static_and_follows_the_static_url(settings: Any) -> None:
    for path in ("web/site.css", "vendor/htmx/htmx.min.js", "a b&c.js"):
        ours = _render(f"{{% load layout %}}{{% static_once '{path}' %}}")
        assert ours == _render(f"{{% load static %}}{{% static '{path}' %}}")
    settings.STATIC_URL = "/assets/"
    assert _render("{% load layout %}{% static_once 'web/site.css' %}") == "/assets/web/site.css"
