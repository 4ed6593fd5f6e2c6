"""Every link in every letter a test sends is checked after the test (the autouse fixture
``_mailed_links_lead_somewhere`` in ``tests/conftest.py``): it names the platform's own
host (the regional centre's or an institution's, the port at most once) and its path is a
page or an API route of that host's URLconf. Tests that open the links too: the password
reset (tests/accounts/test_login_protection.py), the invitation (tests/browser/test_journeys.py),
the survey links (tests/seeding/test_demo_e2e.py) and the reminders' and alerts' links
(tests/config/test_mailed_links.py)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import Resolver404, resolve

LINK = re.compile(r"https?://[^\s<>\"'«»]+")


def links_of(message: EmailMessage) -> list[str]:
    """The addresses in a letter's text (and its HTML alternative), trailing punctuation cut."""
    texts = [str(message.body)]
    texts += [str(content) for content, _type in getattr(message, "alternatives", [])]
    return [link.rstrip(".,;:)!") for text in texts for link in LINK.findall(text)]


def link_problem(link: str) -> str | None:
    """Why ``link`` leads nowhere on the platform, or None."""
    parts = urlsplit(link)
    try:
        parts.port  # noqa: B018  (raises on a port written twice: host:8803:8803)
    except ValueError:
        return f"{link}: the port is not a port"
    host = parts.hostname or ""
    base = settings.BASE_DOMAIN
    if host == base:
        urlconf = settings.PUBLIC_SCHEMA_URLCONF
    elif host.endswith(f".{base}"):
        urlconf = settings.ROOT_URLCONF
    else:
        return f"{link}: not a host of the platform ({base})"
    try:
        resolve(parts.path, urlconf=urlconf)
    except Resolver404:
        return f"{link}: no page or route at {parts.path} on {host}"
    return None


def mailed_link_problems(messages: Iterable[EmailMessage]) -> list[str]:
    return [
        f"«{message.subject}»: {problem}"
        for message in messages
        for link in links_of(message)
        if (problem := link_problem(link)) is not None
    ]
