"""What the public programme page shows, read from the apps' public interfaces: the forms run,
the roadmap, the coordinator's and curators' contacts, the public documents, the results in
figures and the published (anonymised) success stories.

It never shows a learner's name: the free texts (the introduction, roadmap lines, document
titles, stories) go through ``Redactor``, which hides every surname of the institution's
learners and parents wherever it appears, in any case ending; people are never listed."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from schools.publication.models import PublicDocument, PublicPage

HIDDEN = "[скрыто]"
_ENDINGS = "аяоеёьйиыую"


class Redactor:
    """Hides the given surnames (their stems, followed by any short ending) in texts."""

    def __init__(self, surnames: Iterable[str]) -> None:
        stems = set()
        for surname in surnames:
            for word in surname.split():
                stem = word.strip()
                while len(stem) > 4 and stem[-1].lower() in _ENDINGS:
                    stem = stem[:-1]
                if len(stem) >= 3:
                    stems.add(re.escape(stem))
        self._pattern = (
            re.compile(
                r"\b(?:" + "|".join(sorted(stems, key=len, reverse=True)) + r")\w{0,4}\b",
                re.IGNORECASE,
            )
            if stems
            else None
        )

    def __call__(self, text: str) -> str:
        if not text or self._pattern is None:
            return text
        return self._pattern.sub(HIDDEN, text)


def page_settings() -> PublicPage:
    page = PublicPage.objects.order_by("pk").first()
    return page if page is not None else PublicPage()


@dataclass
class PublicContent:
    institution: str
    page: PublicPage
    programme: dict[str, Any] | None
    intro: str = ""
    forms: list[str] = field(default_factory=list)
    roadmap: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, str]] = field(default_factory=list)
    documents: list[PublicDocument] = field(default_factory=list)
    results: list[tuple[str, Any]] = field(default_factory=list)
    cases: list[dict[str, str]] = field(default_factory=list)


def public_content(*, page: PublicPage | None = None) -> PublicContent:
    """The page's content as ``page`` (default: the saved settings) chooses; the coordinator's
    preview passes unsaved settings."""
    from django.utils.translation import gettext as _

    from config.office import institution
    from schools.monitoring import api as monitoring_api
    from schools.pairs import api as pairs_api
    from schools.participants import api as participants_api
    from schools.programmes import api as programmes_api

    page = page or page_settings()
    found = institution()
    redact = Redactor(participants_api.learner_and_parent_surnames())
    programme = programmes_api.programme_public()
    content = PublicContent(
        institution=str(getattr(found, "name", "") or ""),
        page=page,
        programme=programme,
        intro=redact(page.intro),
    )
    if programme is None:
        return content
    if programme is not None:
        content.programme = {**programme, "title": redact(programme["title"])}
    if page.show_forms:
        content.forms = list(programme["forms"])
    if page.show_roadmap:
        content.roadmap = [
            {**row, "title": redact(row["title"]), "content": redact(row["content"])}
            for row in programmes_api.roadmap_public(programme_id=programme["id"])
        ]
    if page.show_contacts:
        content.contacts = programmes_api.programme_contacts(programme_id=programme["id"])
    if page.show_documents:
        documents = list(PublicDocument.objects.filter(is_public=True))
        for document in documents:
            document.title = redact(document.title)
        content.documents = documents
    if page.show_results:
        by_form = pairs_api.pairs_by_form(programme_id=programme["id"], status=None)
        labels = dict(programmes_api.MentoringForm.choices)
        satisfaction = monitoring_api.satisfaction_totals()
        mean = (
            round(
                satisfaction["satisfaction_score_sum"] / satisfaction["satisfaction_responses"], 1
            )
            if satisfaction["satisfaction_responses"]
            else None
        )
        content.results = [
            (_("Pairs and groups"), sum(by_form.values())),
            *[(str(labels.get(code, code)), count) for code, count in by_form.items()],
            (
                _("Completed pairs and groups"),
                pairs_api.pair_count(programme_id=programme["id"], status="completed"),
            ),
            (_("Meetings held"), pairs_api.meetings_held_count(programme_id=programme["id"])),
        ]
        if mean is not None:
            content.results.append((_("Satisfaction of participants (1–10)"), mean))
    if page.show_cases:
        content.cases = [
            {"title": redact(case["title"]), "text": redact(case["text"])}
            for case in pairs_api.success_stories_published()
        ]
    return content
