"""The documents a job puts into its ZIP, one function per kind: item id -> (file name, DOCX).

The DOCX files themselves are made by the apps that own their data (the consent form in
``schools.participants.documents``, the thank-you letter in ``schools.pairs.documents``); the
people and pairs are read through those apps' list selectors, in the schema that is active,
so a job can only ever contain its own institution's documents."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from schools.documents.models import JobKind

UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


class ItemMissing(LookupError):
    """The participant or pair of a job is gone (erased, deleted) since the job was made."""


def safe_name(text: str) -> str:
    return UNSAFE_IN_NAME.sub("_", text).strip(" ._") or "document"


def consent_form(item_id: int, position: int, options: dict[str, Any]) -> tuple[str, bytes]:
    from schools.participants import api as participants_api

    purpose = str(options.get("purpose") or participants_api.REQUIRED_PURPOSE)
    form = participants_api.consent_form_file(participant_id=item_id, purpose=purpose)
    if form is None:
        raise ItemMissing(item_id)
    return f"{position:03d} {safe_name(form.full_name)}.docx", form.content


def thank_you_letter(item_id: int, position: int, options: dict[str, Any]) -> tuple[str, bytes]:
    """One letter per mentor: ``item_id`` is the mentor's participant id, ``options`` name the
    programme and the statuses of the pairs that count (a job without a programme names pairs,
    as jobs made before letters were per person did)."""
    from schools.pairs import selectors as pair_selectors
    from schools.pairs.documents import mentor_letter_docx, thank_you_letter_docx
    from schools.pairs.honours import honoured_mentor
    from schools.programmes import api as programmes_api

    if "programme_id" not in options:
        # the letter reads its mentor itself (plain values): nothing prefetched with the pair
        pair = (
            pair_selectors.pair_rows()
            .select_related("mentor", "programme")
            .filter(pk=item_id)
            .first()
        )
        if pair is None:
            raise ItemMissing(item_id)
        name = f"{position:03d} {safe_name(pair.mentor.full_name)}.docx"
        return name, thank_you_letter_docx(pair=pair, addressee=str(options.get("addressee", "")))
    programme = programmes_api.programme_get(programme_id=int(options.get("programme_id") or 0))
    honoree = (
        honoured_mentor(
            programme_id=programme.id,
            participant_id=item_id,
            statuses=options.get("statuses") or None,
        )
        if programme
        else None
    )
    if programme is None or honoree is None:
        raise ItemMissing(item_id)
    name = f"{position:03d} {safe_name(honoree.name.full)}.docx"
    return name, mentor_letter_docx(honoree=honoree, programme=programme)


GENERATORS: dict[str, Callable[[int, int, dict[str, Any]], tuple[str, bytes]]] = {
    JobKind.CONSENT_FORMS: consent_form,
    JobKind.THANK_YOU_LETTERS: thank_you_letter,
}


def missing_message() -> str:
    return _("Some of the documents could not be made: the person or pair no longer exists.")
