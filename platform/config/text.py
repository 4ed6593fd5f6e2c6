"""Clean text at the edge: the one rule for names and free text, wherever they come in.

Used by the API (``config.api.parsers``: every string of every request body), the pages
(``config.pages.PageForm``: every text field) and the importer (``schools.imports.columns``):

- Unicode NFC, so «й» typed as «и» + combining breve is the same «й» as everywhere else
  (search, duplicates and sorting agree);
- control characters (``\\x05``, ``\\x1a``, NUL, C1), invisible characters (zero-width space,
  word joiner, soft hyphen, byte order mark, left-to-right / right-to-left marks) and lone
  surrogates are removed; tab and line breaks stay in free text (CR LF becomes LF);
- bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) are refused: they make
  text display in another order than it is stored («Trojan Source»), which no name or answer
  needs.

Error messages never repeat the value (it may be a person's name): logs and error reports stay
free of personal data.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Bidirectional embeddings, overrides and isolates: refused.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Removed: C0 controls but tab and line breaks, DEL, C1 controls, invisible format characters
# (soft hyphen, zero-width space, LRM/RLM, word joiner and invisible operators, BOM, the
# interlinear annotation marks), lone surrogates. ZWJ/ZWNJ stay (emoji and some scripts).
_REMOVED = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b\u200e\u200f"
    "\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]"
)
BIDI_MESSAGE = _(
    "Remove the text direction control characters: they make the text display differently "
    "from what is stored."
)


def has_bidi_controls(value: str) -> bool:
    return any(char in BIDI_CONTROLS for char in value)


def normalise_text(value: str) -> str:
    """``value`` in NFC without control and invisible characters (bidi controls are left for
    ``validate_text`` to refuse). Tabs and line breaks stay; CR LF and CR become LF."""
    if value.isascii() and value.isprintable():
        return value  # the common case, untouched
    value = _REMOVED.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return unicodedata.normalize("NFC", value)


def validate_text(value: Any) -> None:
    """A validator (Django forms, DRF fields, services): refuses bidirectional controls."""
    if isinstance(value, str) and has_bidi_controls(value):
        raise ValidationError(BIDI_MESSAGE, code="bidi_control")


def clean_text(value: str) -> str:
    """Normalise ``value`` and refuse bidirectional controls (``ValidationError``)."""
    value = normalise_text(value)
    validate_text(value)
    return value


def is_secret_field(name: str) -> bool:
    """Fields whose value is taken exactly as typed (a password, a token): never altered."""
    lowered = name.lower()
    return any(word in lowered for word in ("password", "token", "secret"))


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(value: Any) -> str:
    """``value`` as text an XML document (DOCX, XLSX) can hold: stored text from before the
    edge was cleaned may still carry control characters, which would fail the document."""
    return _XML_ILLEGAL.sub("", str(value))


def quoted(value: str) -> str:
    """``value`` in Russian quotes, «…»; quotes inside become „…“ (Russian typography nests
    them so: «Анкета „Мой наставник“», never «Анкета «Мой наставник»»)."""
    inner = value.strip().replace("«", "„").replace("»", "“")
    return f"«{inner}»"


def titled(kind: str, title: str) -> str:
    """A document named by its kind and title without saying the kind twice:
    ("Анкета", "Анкета наставника") → Анкета наставника;
    ("Анкета", "Мой наставник") → Анкета «Мой наставник»."""
    title = title.strip()
    if title.casefold().startswith(kind.casefold()):
        return title
    return f"{kind} {quoted(title)}"
