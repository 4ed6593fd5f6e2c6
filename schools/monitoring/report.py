"""The two parts of the Р-145 monitoring of a programme year, from its campaigns:

1. the quality of the programme's implementation — the curator's checklist (questionnaires of
   purpose ``programme_quality``: the share of «yes» per item, the mean of scales) and the
   personal satisfaction of mentors and mentees (``satisfaction``: the mean of the 1–10
   scales);
2. the growth of each participant — the same questionnaire before and after (``growth``,
   phases before/after, the same question codes): the mean before and after and the change per
   item, and per person the expectation («Чего вы ждёте…») beside the result («Что
   изменилось…»)."""

from __future__ import annotations

import datetime
import statistics
from typing import Any

from django.db.models import Q

from regional.questionnaires.api import GrowthPhase, QuestionKind
from schools.monitoring.models import CampaignStatus, ResponseStatus, SurveyCampaign, SurveyResponse
from schools.monitoring.selectors import campaigns_summaries, growth

EXPECTATION_CODES = ("expectations",)
RESULT_CODES = ("results",)


def programme_campaigns(*, programme_id: int, academic_year: int) -> list[SurveyCampaign]:
    """The campaigns of the programme (or, not tied to a programme, opened in its year)."""
    year_start = datetime.date(academic_year, 8, 1)
    year_end = datetime.date(academic_year + 1, 8, 31)
    return list(
        SurveyCampaign.objects.filter(
            Q(programme_id=programme_id)
            | Q(programme__isnull=True, opens_on__gte=year_start, opens_on__lte=year_end)
        )
        .exclude(status=CampaignStatus.DRAFT)
        .select_related("questionnaire")
        .order_by("opens_on", "pk")
    )


def _quality(
    campaigns: list[SurveyCampaign], summaries: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    items: dict[str, dict[str, Any]] = {}
    respondents = 0
    for campaign in campaigns:
        results = summaries[campaign.pk]
        respondents += results["submitted"]
        for question in results["questions"]:
            entry = items.setdefault(
                question["text"], {"text": question["text"], "yes": 0, "answered": 0, "means": []}
            )
            if question["kind"] == QuestionKind.YES_NO:
                counts = {d["value"]: d["count"] for d in question["distribution"] or []}
                entry["yes"] += counts.get("yes", 0)
                entry["answered"] += counts.get("yes", 0) + counts.get("no", 0)
            elif question["kind"] == QuestionKind.SCALE and question["mean"] is not None:
                entry["means"].append((question["mean"], question["answered"]))
                entry["answered"] += question["answered"]
    rows = []
    for entry in items.values():
        if entry["means"]:
            total = sum(n for _m, n in entry["means"])
            mean = sum(m * n for m, n in entry["means"]) / total if total else None
            rows.append({"text": entry["text"], "kind": "scale", "value": round(mean or 0, 1)})
        elif entry["answered"]:
            share = round(100 * entry["yes"] / entry["answered"])
            rows.append({"text": entry["text"], "kind": "yes_share", "value": share})
    return {"campaigns": len(campaigns), "respondents": respondents, "items": rows}


def _satisfaction(
    campaigns: list[SurveyCampaign], summaries: dict[int, dict[str, Any]]
) -> list[dict[str, Any]]:
    out = []
    for campaign in campaigns:
        results = summaries[campaign.pk]
        scales = [
            (q["text"], q["mean"])
            for q in results["questions"]
            if q["kind"] == QuestionKind.SCALE and q["mean"] is not None
        ]
        out.append(
            {
                "title": campaign.title,
                "invited": results["invited"],
                "respondents": results["submitted"],
                "mean": round(statistics.fmean(m for _t, m in scales), 1) if scales else None,
                "questions": scales,
            }
        )
    return out


def _texts(campaign: SurveyCampaign, codes: tuple[str, ...]) -> dict[int, str]:
    texts: dict[int, str] = {}
    for participant_id, answers in SurveyResponse.objects.filter(
        campaign=campaign, status=ResponseStatus.SUBMITTED, participant__isnull=False
    ).values_list("participant_id", "answers"):
        value = next((answers.get(c) for c in codes if answers.get(c)), "")
        if value:
            texts[participant_id] = str(value)
    return texts


def _growth(campaigns: list[SurveyCampaign], *, with_names: bool) -> dict[str, Any] | None:
    befores = [c for c in campaigns if c.questionnaire.growth_phase == GrowthPhase.BEFORE]
    afters = [c for c in campaigns if c.questionnaire.growth_phase == GrowthPhase.AFTER]
    if not befores or not afters:
        return None
    before, after = befores[-1], afters[-1]
    result = growth(before=before, after=after)
    expectations, outcomes = _texts(before, EXPECTATION_CODES), _texts(after, RESULT_CODES)
    people = []
    for row in result["per_person"]:
        pid = row["participant"]
        people.append(
            {
                "name": row["name"] if with_names else "",
                "mean_change": row["mean_change"],
                "expectation": expectations.get(pid, ""),
                "result": outcomes.get(pid, ""),
            }
        )
    return {
        "before": before.title,
        "after": after.title,
        "people": result["people"],
        "mean_change": result["mean_change"],
        "questions": result["questions"],
        "per_person": people,
    }


def monitoring_parts(
    *, programme_id: int, academic_year: int, with_names: bool = False
) -> dict[str, Any]:
    """{"quality": {...}, "satisfaction": [...], "growth": {...} | None} of the programme year
    (names of people only ``with_names``, for the staff's page)."""
    campaigns = programme_campaigns(programme_id=programme_id, academic_year=academic_year)
    by_purpose: dict[str, list[SurveyCampaign]] = {}
    for campaign in campaigns:
        by_purpose.setdefault(campaign.questionnaire.purpose, []).append(campaign)
    quality = by_purpose.get("programme_quality", [])
    satisfaction = by_purpose.get("satisfaction", [])
    # The results of every campaign at once: a fixed number of queries, and no comparison by
    # pair (it was computed for every question of every campaign, then dropped).
    summaries = campaigns_summaries([*quality, *satisfaction])
    return {
        "quality": _quality(quality, summaries),
        "satisfaction": _satisfaction(satisfaction, summaries),
        "growth": _growth(by_purpose.get("growth", []), with_names=with_names),
    }
