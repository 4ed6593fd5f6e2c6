"""Names and identifiers out of free text before it leaves an institution (best-practice
cases, anything an institution writes that the region will read). Pure but for two lazily
loaded models: ``pymorphy3`` (the case forms of the names the institution records) and
``natasha`` (a Russian named-entity model, for the names nobody told us about). Both load on
first use, in the process that needs them — the worker, never a page request: natasha's
models take about a second to load.

What is hidden (each becomes ``HIDDEN``):

* every word of every name the institution records (participants, guardians, staff users), in
  every grammatical case, whether typed with «ё» or «е», in any letter case;
* every person a Russian NER model finds (PER spans): names of people the institution does not
  record, or records in another form;
* ИНН (10 or 12 digits), СНИЛС (``123-456-789 01`` or 11 digits), phone numbers, e-mail
  addresses and links.

The result lists what was hidden, so that a coordinator sees it before publishing."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

HIDDEN = "[скрыто]"

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A link ends before the punctuation that follows it («… https://vk.com/id1, и …»).
URL_RE = re.compile(
    r"(?:https?://|www\.)\S+?(?=[.,;:!?)»\]]*(?:\s|$))"
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:ru|рф|com|org|net|su|info|edu|me|io|pro|online|site)\b(?:/\S*?(?=[.,;:!?)»\]]*(?:\s|$)))?",
    re.IGNORECASE,
)
PHONE_RE = re.compile(
    r"(?<!\d)(?:\+7|8)[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}(?!\d)"
    r"|(?<!\d)\d{3}[\s-]\d{2}[\s-]\d{2}(?!\d)"
)
SNILS_RE = re.compile(r"(?<!\d)\d{3}[-\s]?\d{3}[-\s]?\d{3}[-\s]?\d{2}(?!\d)")
INN_RE = re.compile(r"(?<!\d)(?:\d{12}|\d{10})(?!\d)")
WORD_RE = re.compile(r"[А-Яа-яЁёA-Za-z]+(?:-[А-Яа-яЁёA-Za-z]+)*")

PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", EMAIL_RE),
    ("link", URL_RE),
    ("snils", SNILS_RE),
    ("inn", INN_RE),
    ("phone", PHONE_RE),
)


@dataclass(frozen=True)
class Hidden:
    start: int
    end: int
    kind: str  # "name", "person", "email", "link", "snils", "inn", "phone"
    text: str


@dataclass(frozen=True)
class Anonymised:
    original: str
    text: str
    hidden: tuple[Hidden, ...]


def fold(word: str) -> str:
    """A word compared as names are: letter case and «ё/е» do not matter."""
    return word.casefold().replace("ё", "е")


@functools.lru_cache(maxsize=1)
def _morph() -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@functools.lru_cache(maxsize=1)
def _ner() -> tuple[Any, Any, Any]:
    from natasha import Doc, NewsEmbedding, NewsNERTagger, Segmenter

    return Doc, Segmenter(), NewsNERTagger(NewsEmbedding())


NAME_GRAMMEMES = frozenset({"Name", "Surn", "Patr"})


@functools.lru_cache(maxsize=20000)
def word_forms(word: str) -> frozenset[str]:
    """Every case form of a name word (folded): the word itself, and the forms of each of its
    dictionary readings as a first name, surname or patronymic; for a word the dictionary does
    not know, the forms of its best guess."""
    forms = {fold(word)}
    parses = _morph().parse(word)
    named = [p for p in parses if NAME_GRAMMEMES & set(p.tag.grammemes)] or parses[:1]
    for parse in named:
        forms.update(fold(form.word) for form in parse.lexeme)
    return frozenset(forms)


def name_forms(names: Iterable[str]) -> frozenset[str]:
    """The folded forms of every word (two letters or more) of the given full names."""
    forms: set[str] = set()
    for name in names:
        for word in WORD_RE.findall(name):
            for part in word.split("-"):
                if len(part) >= 2:
                    forms |= word_forms(part)
    return frozenset(forms)


def _spans(text: str, forms: frozenset[str], *, use_model: bool) -> list[Hidden]:
    spans: list[Hidden] = []
    for kind, pattern in PATTERNS:
        spans += [Hidden(m.start(), m.end(), kind, m.group()) for m in pattern.finditer(text)]
    for match in WORD_RE.finditer(text):
        parts = match.group().split("-")
        if any(fold(part) in forms for part in parts if len(part) >= 2):
            spans.append(Hidden(match.start(), match.end(), "name", match.group()))
    if use_model and text.strip():
        doc_class, segmenter, tagger = _ner()
        doc = doc_class(text)
        doc.segment(segmenter)
        doc.tag_ner(tagger)
        spans += [
            Hidden(s.start, s.stop, "person", text[s.start : s.stop])
            for s in doc.spans
            if s.type == "PER"
        ]
    return spans


def _merge(spans: list[Hidden], text: str) -> list[Hidden]:
    """Overlapping or touching spans become one (a name inside a person, a phone inside a
    link); the first kind found wins."""
    merged: list[Hidden] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start <= merged[-1].end:
            last = merged[-1]
            if span.end > last.end:
                merged[-1] = Hidden(last.start, span.end, last.kind, text[last.start : span.end])
            continue
        merged.append(span)
    # names side by side («Петрова Алёна») read as one hidden person
    joined: list[Hidden] = []
    for span in merged:
        if joined and not text[joined[-1].end : span.start].strip():
            last = joined[-1]
            if last.kind in ("name", "person") and span.kind in ("name", "person"):
                joined[-1] = Hidden(last.start, span.end, last.kind, text[last.start : span.end])
                continue
        joined.append(span)
    return joined


def anonymise_text(text: str, *, names: Iterable[str], use_model: bool = True) -> Anonymised:
    """``text`` with every name and identifier hidden (see the module's docstring)."""
    forms = name_forms(names)
    hidden = _merge(_spans(text, forms, use_model=use_model), text)
    parts: list[str] = []
    position = 0
    for span in hidden:
        parts.append(text[position : span.start])
        parts.append(HIDDEN)
        position = span.end
    parts.append(text[position:])
    return Anonymised(original=text, text="".join(parts), hidden=tuple(hidden))
