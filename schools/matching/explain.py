"""Why a mentee was left without a mentor, in words: the engine's explanation
(``engine.explain_unmatched``, stored in ``UnmatchedMentee.detail``) turned into what the pages,
the matching report and the documents say — how many mentors pass each criterion, the blocking
one in a sentence («2 наставника покрывают „Олимпиады“, но у них нет свободных мест») and what
would fix it, the mentors closest to fitting, the fate of the mentee's own wishes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from schools.matching.models import UnmatchedMentee, UnmatchedReason
from schools.participants import api as participants_api

STEP_LABELS = {
    "form": gettext_lazy("A form of the programme fits both roles"),
    "needs": gettext_lazy("Covers the requests"),
    "age": gettext_lazy("Not younger than the mentee (learner mentors)"),
    "wishes": gettext_lazy("Not avoided after the group meeting, not rejected earlier"),
    "consent": gettext_lazy("Valid consent"),
    "capacity": gettext_lazy("A free place before the run"),
    "this_run": gettext_lazy("A place left after this run"),
}
DROPPED_LABELS = {
    "form": gettext_lazy("no form fits"),
    "needs": gettext_lazy("does not cover the requests"),
    "age": gettext_lazy("younger than the mentee"),
    "wishes": gettext_lazy("avoided or rejected earlier"),
    "consent": gettext_lazy("no valid consent"),
    "capacity": gettext_lazy("no free place"),
    "this_run": gettext_lazy("places taken in this run"),
}
CATEGORY_LABELS = dict(participants_api.Category.choices)


@dataclass(frozen=True)
class Step:
    criterion: str
    label: str
    mentors: int
    blocking: bool


@dataclass(frozen=True)
class MentorNote:
    id: int
    name: str
    note: str


@dataclass(frozen=True)
class Explanation:
    mentee_id: int
    reason: str
    reason_label: str
    because: str
    fix: str
    steps: list[Step] = field(default_factory=list)
    needs: list[dict[str, Any]] = field(default_factory=list)  # name, any, fitting_form
    mentors: list[MentorNote] = field(default_factory=list)
    wishes: list[MentorNote] = field(default_factory=list)


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f"«{n}»" for n in names)


def _mentor_note(item: Mapping[str, Any], reason: str) -> str:
    if reason == "mentors_full":
        return _("%(load)s of %(capacity)s places taken") % {
            "load": item["load"],
            "capacity": item["capacity"],
        }
    if reason == "capacity_exhausted":
        return _("%(taken)s of %(free)s free places given in this run") % {
            "taken": item["taken_in_run"],
            "free": max(item["capacity"] - item["load"], 0),
        }
    return ""


def reason_label(reason: str) -> str:
    """The reason's label (the reason's code for a reason no longer known)."""
    return str(UnmatchedReason(reason).label) if reason in UnmatchedReason.values else reason


def _needs(detail: Mapping[str, Any], topics: Mapping[str, str]) -> list[dict[str, Any]]:
    per_need = detail.get("per_need", {})
    return [
        {
            "code": c,
            "name": topics.get(c, c),
            "any": per_need.get(c, {}).get("any", 0),
            "fitting_form": per_need.get(c, {}).get("fitting_form", 0),
        }
        for c in detail.get("needs", ())
    ]


def _mentor_name(pk: int, names: Mapping[int, str]) -> str:
    return names.get(pk, f"#{pk}")


def _because_and_fix(
    reason: str,
    detail: Mapping[str, Any],
    *,
    names: Mapping[int, str],
    topics: Mapping[str, str],
    category: str,
    needs: list[dict[str, Any]],
) -> tuple[str, str]:
    """(why, what would fix it) of a mentee left without a mentor: the blocking criterion in
    words. ``needs``: ``_needs`` of the detail; ``category``: the mentee's category code."""
    blocking = detail.get("blocking")
    funnel = detail.get("funnel", ())
    before = int(funnel[-2]["mentors"]) if len(funnel) >= 2 else 0
    need_names = [n["name"] for n in needs]
    # After the requests' criterion, name what the remaining mentors actually cover.
    covered = sorted({c for m in detail.get("mentors", ()) for c in m.get("covers", ())})
    if covered and blocking not in (None, "form", "needs"):
        need_names = [topics.get(c, c) for c in covered]
    return _sentences(
        reason,
        count=before,
        needs=need_names,
        mentor_names=[_mentor_name(m["id"], names) for m in detail.get("mentors", ())],
        per_need=needs,
        category=str(CATEGORY_LABELS.get(category, category)),
    )


def explain(
    unmatched: UnmatchedMentee,
    *,
    names: Mapping[int, str],
    topics: Mapping[str, str],
    categories: Mapping[int, str] | None = None,
) -> Explanation:
    """The explanation of one mentee left without a mentor. ``names``: participant id → full
    name; ``topics``: catalogue code → name; ``categories``: participant id → category."""
    reason = unmatched.reason
    detail = unmatched.detail or {}
    blocking = detail.get("blocking")
    steps = [
        Step(
            criterion=s["criterion"],
            label=str(STEP_LABELS.get(s["criterion"], s["criterion"])),
            mentors=int(s["mentors"]),
            blocking=s["criterion"] == blocking,
        )
        for s in detail.get("funnel", ())
    ]
    needs = _needs(detail, topics)
    mentors = [
        MentorNote(id=m["id"], name=_mentor_name(m["id"], names), note=_mentor_note(m, reason))
        for m in detail.get("mentors", ())
    ]
    wishes = [
        MentorNote(
            id=w["mentor"],
            name=_mentor_name(w["mentor"], names),
            note=str(DROPPED_LABELS.get(w.get("dropped_at") or "", "")),
        )
        for w in detail.get("wishes", ())
    ]
    because, fix = _because_and_fix(
        reason,
        detail,
        names=names,
        topics=topics,
        category=(categories or {}).get(unmatched.mentee_id, ""),
        needs=needs,
    )
    return Explanation(
        mentee_id=unmatched.mentee_id,
        reason=reason,
        reason_label=reason_label(reason),
        because=because,
        fix=fix,
        steps=steps,
        needs=needs,
        mentors=mentors,
        wishes=wishes,
    )


def _sentences(
    reason: str,
    *,
    count: int,
    needs: list[str],
    mentor_names: list[str],
    per_need: list[dict[str, Any]],
    category: str,
) -> tuple[str, str]:
    """(why, what would fix it) for the blocking criterion."""
    quoted = _quoted(needs)
    who = ", ".join(mentor_names)
    values = {"count": count, "needs": quoted, "names": who, "category": category}
    if reason == "no_consent":
        return (
            _("The mentee has no valid consent to personal-data processing."),
            _(
                "Record the consent (under 14 a parent signs it; from 14 a parent and the "
                "pupil), then run matching again."
            ),
        )
    if reason == "already_paired":
        return (_("The mentee is already in an active pair of the programme."), "")
    if reason == "no_form":
        return (
            _(
                "No mentor of the base works in a form of the programme with a mentee of the "
                "category «%(category)s»."
            )
            % values,
            _(
                "Add a form that fits to the programme (e.g. «Pupil – pupil» for pupils), or "
                "add mentors of a fitting category to the mentor base."
            ),
        )
    if reason == "needs_not_covered":
        elsewhere = sum(n["any"] - n["fitting_form"] for n in per_need)
        because = (
            ngettext(
                "%(count)s mentor works in a fitting form, but none covers %(needs)s.",
                "%(count)s mentors work in a fitting form, but none covers %(needs)s.",
                count,
            )
            % values
        )
        if elsewhere:
            because += " " + ngettext(
                "%(n)s mentor covers it in a form the programme does not run.",
                "%(n)s mentors cover it in forms the programme does not run.",
                elsewhere,
            ) % {"n": elsewhere}
        return (
            because,
            _(
                "Add one of these competences to a mentor, let an entry that mentors have cover "
                "the request in the catalogue, or find a mentor who covers it."
            ),
        )
    if reason == "mentor_younger":
        return (
            ngettext(
                "The %(count)s mentor who covers %(needs)s is younger than the mentee.",
                "The %(count)s mentors who cover %(needs)s are younger than the mentee.",
                count,
            )
            % values,
            _("Find an older mentor, or make the pair by hand if the age gap does not matter."),
        )
    if reason == "avoided":
        return (
            ngettext(
                "The %(count)s mentor who fits was avoided after the group meeting or rejected "
                "earlier: %(names)s.",
                "The %(count)s mentors who fit were avoided after the group meeting or rejected "
                "earlier: %(names)s.",
                count,
            )
            % values,
            _("Talk to them; if the wish changed, make the pair by hand."),
        )
    if reason == "mentors_no_consent":
        because = (
            ngettext(
                "%(count)s mentor covers %(needs)s but has no valid consent: %(names)s.",
                "%(count)s mentors cover %(needs)s but have no valid consent: %(names)s.",
                count,
            )
            if needs
            else ngettext(
                "%(count)s mentor fits but has no valid consent: %(names)s.",
                "%(count)s mentors fit but have no valid consent: %(names)s.",
                count,
            )
        )
        return because % values, _("Record their consents, then run matching again.")
    if reason == "mentors_full":
        because = (
            ngettext(
                "%(count)s mentor covers %(needs)s but has no free place: %(names)s.",
                "%(count)s mentors cover %(needs)s but have no free place: %(names)s.",
                count,
            )
            if needs
            else ngettext(
                "%(count)s mentor fits but has no free place: %(names)s.",
                "%(count)s mentors fit but have no free place: %(names)s.",
                count,
            )
        )
        return (
            because % values,
            _(
                "Raise the capacity of one of them in the mentor base, or find another mentor "
                "who covers the request; then run matching again."
            ),
        )
    if reason == "capacity_exhausted":
        because = (
            ngettext(
                "%(count)s mentor covers %(needs)s, but the places went to other mentees in "
                "this run: %(names)s.",
                "%(count)s mentors cover %(needs)s, but their places went to other mentees in "
                "this run: %(names)s.",
                count,
            )
            if needs
            else ngettext(
                "%(count)s mentor fits, but the places went to other mentees in this run: "
                "%(names)s.",
                "%(count)s mentors fit, but their places went to other mentees in this run: "
                "%(names)s.",
                count,
            )
        )
        return (
            because % values,
            _(
                "Raise the capacity of one of them, or make the pair by hand (a group with the "
                "mentor's other mentees)."
            ),
        )
    return (_("No compatible mentor."), _("Run matching again to see the reasons by criterion."))


def explanations(rows: Iterable[UnmatchedMentee]) -> dict[int, Explanation]:
    """Explanations of many unmatched mentees (a run's), names read at once."""
    rows = list(rows)
    ids: set[int] = set()
    for row in rows:
        ids.add(row.mentee_id)
        detail = row.detail or {}
        ids.update(m["id"] for m in detail.get("mentors", ()))
        ids.update(w["mentor"] for w in detail.get("wishes", ()))
    # names and categories only (not the consent state of ``participant_list``)
    people = participants_api.person_refs(participant_ids=ids)
    names = {pk: person.full_name for pk, person in people.items()}
    categories = {pk: person.category for pk, person in people.items()}
    topics = participants_api.topic_names()
    return {
        row.mentee_id: explain(row, names=names, topics=topics, categories=categories)
        for row in rows
    }


@dataclass(frozen=True)
class Brief:
    """What a run's page says of a mentee left without a mentor: the reason's label and why."""

    reason_label: str
    because: str


def briefs(rows: Iterable[Mapping[str, Any]]) -> dict[int, Brief]:
    """``explanations`` cut to the label and the sentence «why», from plain values: each row
    has ``mentee_id``, ``mentee_category`` (the mentee's category code), ``reason`` and
    ``detail``. Names and the catalogue are read only when a sentence names them."""
    rows = list(rows)
    mentor_ids = {m["id"] for row in rows for m in (row["detail"] or {}).get("mentors", ())}
    people = participants_api.person_refs(participant_ids=mentor_ids) if mentor_ids else {}
    names = {pk: person.full_name for pk, person in people.items()}
    named = any(
        (row["detail"] or {}).get("needs") or (row["detail"] or {}).get("mentors") for row in rows
    )
    topics = participants_api.topic_names() if named else {}
    out = {}
    # Without a detail (a mentee's own state: no consent, already paired) the words depend on
    # the reason and the category only: said once for each.
    said: dict[tuple[str, str], Brief] = {}
    labels: dict[str, str] = {}
    for row in rows:
        reason, detail, category = row["reason"], row["detail"] or {}, row["mentee_category"] or ""
        if not detail and (reason, category) in said:
            out[row["mentee_id"]] = said[reason, category]
            continue
        if reason not in labels:
            labels[reason] = reason_label(reason)
        because, _fix = _because_and_fix(
            reason,
            detail,
            names=names,
            topics=topics,
            category=category,
            needs=_needs(detail, topics),
        )
        out[row["mentee_id"]] = Brief(reason_label=labels[reason], because=because)
        if not detail:
            said[reason, category] = out[row["mentee_id"]]
    return out
