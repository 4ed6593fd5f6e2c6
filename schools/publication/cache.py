"""The public page's content, rendered once and shared by its visitors for a minute.

The content (``selectors.public_content``) is the same for every visitor of one institution:
no user's data, learners' surnames hidden. Building it reads the programme, the roadmap, the
contacts, the documents, the results and every learner's and parent's surname (for the
redaction): about 14 queries and a large regular expression per request. It is therefore kept
rendered (one entry per institution and language):

* the key names the institution's schema (besides django-tenants' key function, which
  prefixes it too), so no institution ever reads another's entry;
* an entry holds the page settings' ``updated_at`` it was made with and is used only while the
  settings are the same, so a change of the settings is shown at once; the publication's own
  writes (settings, documents) also clear the entries when they commit;
* what other apps change (counts, the roadmap, the stories, the contacts, the surnames) is
  shown at most ``FRESH_SECONDS`` late. A surname added by an import can therefore stay
  unhidden in a text for that long — text the page showed before the import as well.

The coordinator's preview of unsaved settings never reads or writes an entry."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from config.db import tenant_connection
from schools.publication.models import PublicPage

FRESH_SECONDS = 60


def _key(language: str) -> str:
    return f"publication:content-html:v1:{tenant_connection().schema_name}:{language}"


def _stamp(page: PublicPage) -> str:
    return f"{page.pk}:{page.updated_at.isoformat() if page.updated_at else '-'}"


def content_html_get(*, page: PublicPage) -> str | None:
    """The rendered content made with these settings in the active language, or None."""
    entry = cache.get(_key(translation.get_language() or settings.LANGUAGE_CODE))
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == _stamp(page):
        return str(entry[1])
    return None


def content_html_set(*, page: PublicPage, html: str) -> None:
    language = translation.get_language() or settings.LANGUAGE_CODE
    cache.set(_key(language), (_stamp(page), html), FRESH_SECONDS)


def content_html_clear() -> None:
    """Forget the institution's entries (every language): the next visitor builds it anew."""
    cache.delete_many([_key(code) for code, _name in settings.LANGUAGES])
