"""Every role's pages read as Russian: signed in as each demo login, the pages reachable from
its home page (two clicks deep, one page per kind of address) show no internal code
(``pupil_pupil``, ``classroom_management``) and no English text the catalogue translates.

A text is untranslated when it is exactly a msgid of the Russian catalogue whose Russian
differs; a code is a snake_case word in the visible text (never inside <code>, scripts or
attributes, where codes belong)."""

from __future__ import annotations

import gettext
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from accounts.models import User
from seeding import demo
from tests.web.conftest import page_client

ROOT = Path(__file__).resolve().parents[2]
MO = ROOT / "platform" / "config" / "locale" / "ru" / "LC_MESSAGES" / "django.mo"
CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
SKIP_PATH = re.compile(r"(export|download|\.xlsx|\.docx|\.zip|\.ics|\.csv|/api/|/admin/|/static/)")
PAGES_PER_ROLE = 30


class _Text(HTMLParser):
    """The visible text nodes of a page and its links."""

    HIDDEN = {"script", "style", "code", "pre", "template", "textarea", "option"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0
        self._hidden_tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # codes and another language where the page says so (the language switch: «English»)
        if tag in self.HIDDEN or dict(attrs).get("lang", "ru") != "ru":
            self._hidden_tags.append(tag)
            self._hidden += 1
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith("/") and not href.startswith("//"):
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if self._hidden_tags and self._hidden_tags[-1] == tag:
            self._hidden_tags.pop()
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self._hidden:
            self.texts.append(text)


def _untranslated() -> set[str]:
    """English msgids whose Russian differs (one-word technical names like «XLSX» excluded)."""
    with MO.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    found = set()
    for key, value in catalog.items():
        msgid = key[0] if isinstance(key, tuple) else key
        msgid = msgid.split("\x04", 1)[-1]  # without its context
        text = value if isinstance(value, str) else ""
        if text and text != msgid and re.search(r"[a-z]{3}", msgid) and "%" not in msgid:
            found.add(msgid)
    return found


def _kind(path: str) -> str:
    """One page per kind of address: ``/pairs/12/`` and ``/pairs/13/`` are the same kind."""
    return re.sub(r"\d+", "N", urlsplit(path).path)


@pytest.mark.django_db
def test_every_roles_pages_read_as_russian() -> None:
    region = demo.demo_region_ensure(password="demo-pass")  # school-1: a generated school
    english = _untranslated()
    schemas = {i.host: i.schema_name for i in region.institutions}
    problems: list[str] = []
    visited = 0
    for login in region.logins:
        host = login.host or settings.BASE_DOMAIN
        schema = schemas.get(login.host, "public")
        with schema_context(schema):
            user = User.objects.get(username=login.username)
        client = page_client(host, user, schema, language="ru")
        queue, seen = ["/"], {_kind("/")}
        pages = 0
        while queue and pages < PAGES_PER_ROLE:
            path = queue.pop(0)
            response = client.get(path)
            if response.status_code in (301, 302):
                continue
            where = f"{login.username}@{host}{path}"
            assert response.status_code == 200, f"{where}: {response.status_code}"
            if "text/html" not in response.get("Content-Type", ""):
                continue
            pages += 1
            parser = _Text()
            parser.feed(response.content.decode())
            for text in parser.texts:
                if text in english:
                    problems.append(f"{where}: untranslated «{text}»")
                for code in CODE.findall(text):
                    problems.append(f"{where}: code «{code}» in «{text[:80]}»")
            for link in parser.links:
                kind = _kind(link)
                if kind not in seen and not SKIP_PATH.search(link) and path.count("/") < 8:
                    seen.add(kind)
                    queue.append(link)
        visited += pages
    assert visited > 50
    assert not problems, "\n".join(sorted(set(problems))[:60])
