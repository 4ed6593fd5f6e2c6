"""The catalogue of requests and competences: recognising what schools write.

A mentee's request and a mentor's competences come as free text — «Подготовка к олимпиадам»,
«олимпиады», «Подтянуть оценки», «Работа с классом, дисциплина» — in import files, forms and
questionnaires. ``CatalogueIndex.match`` recognises one such entry: by the entry's name, code or
one of its other wordings (``Topic.synonyms``), compared without case, «ё/е», punctuation and
extra spaces, or by a part of a name that belongs to one entry only («Профориентация» of
«Профориентация, выбор профессии»). What it does not recognise gets the closest entries as
suggestions, for the row's error.

The coverage map says which entries cover a need: the entry itself and those the coordinator
listed (``TopicCoverage``); matching compares needs with what a mentor's competences cover."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from schools.participants.models import Topic, TopicCoverage

_PUNCTUATION = re.compile(r"[\s«»\"'“”„.,;:!?()\[\]{}/\\|–—\-_+*#№]+")


def normalise(text: str | None) -> str:
    """Lower case, «ё» as «е», punctuation and runs of spaces as one space."""
    return _PUNCTUATION.sub(" ", (text or "").casefold().replace("ё", "е")).strip()


def split_entries(cell: str | None) -> list[str]:
    """The entries of one cell or field: separated by «;» or new lines (commas stay inside a
    name, as in «Методика преподавания, подготовка уроков»); blanks and repeats dropped."""
    seen: dict[str, str] = {}
    for part in re.split(r"[;\n]", cell or ""):
        entry = " ".join(part.split()).strip(" .")
        if entry and normalise(entry) not in seen:
            seen[normalise(entry)] = entry
    return list(seen.values())


@dataclass(frozen=True, slots=True)
class TopicRow:
    code: str
    name: str
    synonyms: tuple[str, ...] = ()
    is_active: bool = True


@dataclass(frozen=True, slots=True)
class TopicMatch:
    """What one written entry is in the catalogue.

    ``code`` and ``name`` are the entry recognised (None when none); ``how`` says by what:
    "name", "code", "synonym" or "part" (a part of a name between commas). ``suggestions`` are
    (code, name) of the closest entries when nothing was recognised, best first."""

    text: str
    code: str | None
    name: str | None
    how: str = ""
    suggestions: tuple[tuple[str, str], ...] = ()

    @property
    def found(self) -> bool:
        return self.code is not None


class CatalogueIndex:
    """The catalogue indexed for recognition (build once, match many)."""

    def __init__(self, topics: Iterable[TopicRow]) -> None:
        self.names: dict[str, str] = {}
        self._exact: dict[str, tuple[str, str]] = {}  # normalised wording → (code, how)
        parts: dict[str, set[str]] = {}
        rows = list(topics)
        for row in rows:
            self.names[row.code] = row.name
        # Weakest first, so that a stronger kind of wording wins a clash.
        for row in rows:
            for part in re.split(r"[,:]", row.name):
                if normalise(part):
                    parts.setdefault(normalise(part), set()).add(row.code)
        for part, codes in parts.items():
            if len(codes) == 1:
                self._exact[part] = (next(iter(codes)), "part")
        for row in rows:
            for synonym in row.synonyms:
                if normalise(synonym):
                    self._exact[normalise(synonym)] = (row.code, "synonym")
        for row in rows:
            self._exact[normalise(row.code)] = (row.code, "code")
        for row in rows:
            self._exact[normalise(row.name)] = (row.code, "name")
        self._wordings = sorted(self._exact)

    def __contains__(self, code: object) -> bool:
        return code in self.names

    def match(self, text: str, *, suggestions: int = 3) -> TopicMatch:
        key = normalise(text)
        hit = self._exact.get(key)
        if hit is not None:
            code, how = hit
            return TopicMatch(text=text, code=code, name=self.names[code], how=how)
        return TopicMatch(
            text=text, code=None, name=None, suggestions=self.suggest(text, limit=suggestions)
        )

    def suggest(self, text: str, *, limit: int = 3) -> tuple[tuple[str, str], ...]:
        """The closest entries to ``text``: wordings that contain it or that it contains (as
        whole words) first, then the most similar ones."""
        key = normalise(text)
        if not key or limit <= 0:
            return ()
        padded = f" {key} "
        inside = [w for w in self._wordings if f" {w} " in padded or padded in f" {w} "]
        inside.sort(key=lambda w: (-len(w), w))  # the most specific wording first
        found = [self._exact[w][0] for w in inside]
        close = difflib.get_close_matches(key, self._wordings, n=limit * 3, cutoff=0.6)
        found += [self._exact[w][0] for w in close]
        out: list[tuple[str, str]] = []
        for code in found:
            if all(code != c for c, _n in out):
                out.append((code, self.names[code]))
            if len(out) == limit:
                break
        return tuple(out)

    def match_all(self, texts: Sequence[str]) -> list[TopicMatch]:
        return [self.match(t) for t in texts]


def catalogue_index(*, include_retired: bool = False) -> CatalogueIndex:
    """The institution's catalogue (active entries; retired ones too when asked)."""
    queryset = Topic.objects.all() if include_retired else Topic.objects.filter(is_active=True)
    return CatalogueIndex(
        TopicRow(code=code, name=name, synonyms=tuple(synonyms or ()), is_active=active)
        for code, name, synonyms, active in queryset.values_list(
            "code", "name", "synonyms", "is_active"
        )
    )


def coverage_map() -> dict[str, frozenset[str]]:
    """Competence code → the need codes a mentor with it covers: the same entry and every need
    whose coverage lists it. Retired entries still count (profiles keep them)."""
    codes = Topic.objects.values_list("code", flat=True)
    out: dict[str, set[str]] = {code: {code} for code in codes}
    for need, covered_by in TopicCoverage.objects.values_list("need__code", "covered_by__code"):
        out.setdefault(covered_by, {covered_by}).add(need)
    return {code: frozenset(needs) for code, needs in out.items()}
