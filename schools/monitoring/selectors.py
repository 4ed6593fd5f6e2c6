"""Reads of the monitoring app: results of a campaign, growth between two campaigns, the
numbers published to the region, and answers other apps (matching, KPIs) consume."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.actor import Actor
from regional.questionnaires.api import GrowthPhase, QuestionKind
from schools.monitoring import access
from schools.monitoring.models import (
    CampaignStatus,
    Question,
    Questionnaire,
    ResponseStatus,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
)

NUMERIC_KINDS = frozenset({QuestionKind.SCALE, QuestionKind.NUMBER})
TEXT_KINDS = frozenset({QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT})
# Kinds whose answers are counted per value (one value per answer, or several for multiple).
COUNTED_KINDS = frozenset(
    {
        QuestionKind.SCALE,
        QuestionKind.SINGLE_CHOICE,
        QuestionKind.MULTIPLE_CHOICE,
        QuestionKind.YES_NO,
    }
)


def questionnaire_list() -> QuerySet[Questionnaire]:
    return Questionnaire.objects.prefetch_related("questions")


def questionnaire_rows() -> QuerySet[Questionnaire]:
    """Questionnaires as a list shows them: with ``question_count`` counted in the same query,
    not every question read to count them."""
    return Questionnaire.objects.annotate(question_count=Count("questions"))


def campaign_list() -> QuerySet[SurveyCampaign]:
    return SurveyCampaign.objects.select_related("questionnaire")


def _count_of(rows: QuerySet[Any]) -> Coalesce:
    """The number of ``rows`` of the outer campaign, as a correlated subquery."""
    counted = (
        rows.filter(campaign=OuterRef("pk"))
        .order_by()
        .values("campaign")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def campaign_list_with_counts() -> QuerySet[SurveyCampaign]:
    """Campaigns with ``invited_count`` and ``submitted_count`` (for response rates)."""
    return (
        campaign_list()
        .annotate(
            # Counted per campaign in subqueries: two counts over one join of invitations and
            # responses made invitations x responses rows per campaign (0.4 s for 6 campaigns
            # of a 1,500-pupil school).
            invited_count=_count_of(SurveyInvitation.objects.all()),
            submitted_count=_count_of(
                SurveyResponse.objects.filter(status=ResponseStatus.SUBMITTED)
            ),
        )
        .order_by("-opens_on", "-id")
    )


def invitations_of_user(actor: Actor) -> QuerySet[SurveyInvitation]:
    """The invitations of the person signed in as ``actor`` (their own only), newest first,
    with the campaign, its questionnaire and the response if there is one."""
    return (
        access.invitations_visible_to(actor, SurveyInvitation.objects.all())
        .select_related("campaign__questionnaire", "response")
        .order_by("-campaign__opens_on", "-pk")
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _numbers(values: Iterable[Any]) -> list[float]:
    # a bool is an int, and True and False are the only bools
    numeric = (int, float)  # a tuple: faster in isinstance than the union int | float
    return [v for v in values if isinstance(v, numeric) and v is not True and v is not False]


def buckets(question: Question | Any) -> list[str]:
    """The values a counted question's distribution has, in order."""
    if question.kind == QuestionKind.SCALE and question.min_value is not None:
        return [str(v) for v in range(question.min_value, (question.max_value or 0) + 1)]
    if question.kind == QuestionKind.YES_NO:
        return ["yes", "no"]
    if question.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        return [o["code"] for o in question.options if isinstance(o, dict) and "code" in o]
    return []


def _keys(kind: str, value: Any) -> list[str]:
    if kind == QuestionKind.YES_NO:
        return ["yes" if value else "no"] if isinstance(value, bool) else []
    if kind == QuestionKind.MULTIPLE_CHOICE:
        return [str(v) for v in value] if isinstance(value, list) else []
    if value is None or value == "":
        return []
    return [str(value)]


def distribution(question: Question | Any, values: Sequence[Any]) -> dict[str, int]:
    """How many answers gave each value (``_keys`` of each), the question's ``buckets``
    first, then the others in the order they first appear; counted by ``Counter`` per kind
    rather than a call of ``_keys`` per answer (the year's report counts every answer of
    every campaign)."""
    counts = dict.fromkeys(buckets(question), 0)
    kind = question.kind
    if kind == QuestionKind.YES_NO:
        keys: Iterable[str] = (
            "yes" if value else "no" for value in values if value is True or value is False
        )
    elif kind == QuestionKind.MULTIPLE_CHOICE:
        keys = (str(item) for value in values if isinstance(value, list) for item in value)
    else:
        keys = map(str, [value for value in values if not (value is None or value == "")])
    for key, n in Counter(keys).items():
        counts[key] = counts.get(key, 0) + n
    return counts


def _answered(value: Any) -> bool:
    return not (value is None or value == "" or value == [])


@dataclass(frozen=True)
class QuestionStats:
    answered: int
    mean: float | None
    median: float | None
    distribution: dict[str, int] | None


def question_stats(question: Question | Any, values: Sequence[Any]) -> QuestionStats:
    given = [v for v in values if not (v is None or v == "" or v == [])]  # ``_answered``
    numbers = _numbers(given) if question.kind in NUMERIC_KINDS else []
    return QuestionStats(
        answered=len(given),
        mean=_round(statistics.fmean(numbers)) if numbers else None,
        median=_round(float(statistics.median(numbers))) if numbers else None,
        distribution=distribution(question, given) if question.kind in COUNTED_KINDS else None,
    )


def _option_texts(question: Question) -> dict[str, str]:
    if question.kind == QuestionKind.YES_NO:
        return {"yes": str(_("Yes")), "no": str(_("No"))}
    return {
        str(o.get("code")): str(o.get("text", "")) for o in question.options if isinstance(o, dict)
    }


def campaign_results(campaign: SurveyCampaign, *, open_answers: bool) -> dict[str, Any]:
    """Response rate and, per question: answers, mean and median (scales, numbers), the
    distribution (scales, choices, yes/no), the comparison by form and by pair, and — for the
    coordinator only (``open_answers``) — the texts of open answers."""
    invitations = {
        i.pk: i
        for i in SurveyInvitation.objects.filter(campaign=campaign).only("pk", "pair_id", "form")
    }
    responses = list(
        SurveyResponse.objects.filter(campaign=campaign).only(
            "pk", "invitation_id", "answers", "status", "submitted_at"
        )
    )
    return _results(
        campaign,
        questions=list(campaign.questionnaire.questions.all()),
        invited=len(invitations),
        invitations=invitations,
        responses=responses,
        open_answers=open_answers,
    )


class _Answers(NamedTuple):
    """What a summary reads of a response (a model instance each cost more than its answers:
    the year's report read every response of every campaign)."""

    status: str
    answers: dict[str, Any]
    pk: int = 0  # not read by a summary (no open answers)
    invitation_id: int = 0  # not read by a summary (no comparisons)


def campaigns_summaries(campaigns: Sequence[SurveyCampaign]) -> dict[int, dict[str, Any]]:
    """``campaign_results`` of many campaigns without the comparisons by form and by pair and
    without open answers (what a report of the year needs), in three queries whatever the
    number of campaigns: {campaign id: results}."""
    ids = [c.pk for c in campaigns]
    if not ids:
        return {}
    invited = dict(
        SurveyInvitation.objects.filter(campaign_id__in=ids)
        .order_by()
        .values("campaign_id")
        .annotate(n=Count("pk"))
        .values_list("campaign_id", "n")
    )
    responses: dict[int, list[Any]] = defaultdict(list)
    for campaign_id, status, answers in (
        SurveyResponse.objects.filter(campaign_id__in=ids)
        .order_by("pk")  # a campaign's responses in the order campaign_results reads them
        .values_list("campaign_id", "status", "answers")
    ):
        responses[campaign_id].append(_Answers(status=status, answers=answers or {}))
    questions: dict[int, list[Question]] = defaultdict(list)
    questionnaires = {c.questionnaire_id for c in campaigns}
    for question in Question.objects.filter(questionnaire_id__in=questionnaires):
        questions[question.questionnaire_id].append(question)
    return {
        campaign.pk: _results(
            campaign,
            questions=questions[campaign.questionnaire_id],
            invited=invited.get(campaign.pk, 0),
            invitations=None,
            responses=responses[campaign.pk],
            open_answers=False,
        )
        for campaign in campaigns
    }


def _results(
    campaign: SurveyCampaign,
    *,
    questions: list[Question],
    invited: int,
    invitations: dict[int, SurveyInvitation] | None,
    responses: Sequence[SurveyResponse | _Answers],
    open_answers: bool,
) -> dict[str, Any]:
    """The results of one campaign from its rows; the comparisons by form and by pair only
    when its ``invitations`` are given."""
    submitted = [r for r in responses if r.status == ResponseStatus.SUBMITTED]
    questions_out = []
    for question in sorted(questions, key=lambda q: q.order):
        values = [r.answers.get(question.code) for r in submitted]
        stats = question_stats(question, values)
        entry: dict[str, Any] = {
            "code": question.code,
            "text": question.text,
            "kind": question.kind,
            "regional": question.regional,
            "answered": stats.answered,
            "mean": stats.mean,
            "median": stats.median,
            "distribution": None,
            "by_form": [],
            "by_pair": [],
            "open_answers": None,
        }
        if stats.distribution is not None:
            texts = _option_texts(question)
            entry["distribution"] = [
                {"value": key, "label": texts.get(key, key), "count": count}
                for key, count in stats.distribution.items()
            ]
        if question.kind not in TEXT_KINDS:
            for group, field in (("by_form", "form"), ("by_pair", "pair_id")):
                if invitations is None:
                    break
                grouped: dict[Any, list[Any]] = defaultdict(list)
                for response in submitted:
                    key = getattr(invitations[response.invitation_id], field)
                    if key:
                        grouped[key].append(response.answers.get(question.code))
                entry[group] = [
                    {
                        "key": str(key),
                        "answered": (s := question_stats(question, vals)).answered,
                        "mean": s.mean,
                        "median": s.median,
                    }
                    for key, vals in sorted(grouped.items(), key=lambda kv: str(kv[0]))
                ]
        elif open_answers:
            entry["open_answers"] = [
                {"response": r.pk, "text": str(r.answers[question.code])}
                for r in submitted
                if _answered(r.answers.get(question.code))
            ]
        questions_out.append(entry)
    return {
        "campaign": campaign.pk,
        "title": campaign.title,
        "status": campaign.status,
        "invited": invited,
        "drafts": len(responses) - len(submitted),
        "submitted": len(submitted),
        "response_rate": round(100 * len(submitted) / invited, 1) if invited else None,
        "questions": questions_out,
    }


def growth(*, before: SurveyCampaign, after: SurveyCampaign) -> dict[str, Any]:
    """Growth = after − before per person, on the numeric questions both questionnaires share
    by code (the growth-before and growth-after templates use the same codes), and its
    summary per question."""
    if (
        before.questionnaire.growth_phase != GrowthPhase.BEFORE
        or after.questionnaire.growth_phase != GrowthPhase.AFTER
    ):
        raise ValidationError(
            {
                "before": [
                    _(
                        "Compare a campaign of a growth questionnaire answered before "
                        "the programme "
                        "with one answered after it."
                    )
                ]
            }
        )
    questions_before = {
        q.code: q for q in before.questionnaire.questions.all() if q.kind in NUMERIC_KINDS
    }
    shared = [
        q
        for q in sorted(after.questionnaire.questions.all(), key=lambda q: q.order)
        if q.kind in NUMERIC_KINDS and q.code in questions_before
    ]
    if not shared:
        raise ValidationError({"before": [_("The two questionnaires share no scale questions.")]})

    def answers_by_person(campaign: SurveyCampaign) -> dict[int, dict[str, Any]]:
        return dict(
            SurveyResponse.objects.filter(
                campaign=campaign, status=ResponseStatus.SUBMITTED, participant__isnull=False
            ).values_list("participant_id", "answers")
        )

    first, second = answers_by_person(before), answers_by_person(after)
    people = sorted(set(first) & set(second))
    from schools.participants.api import person_refs

    names = {pk: person.full_name for pk, person in person_refs(participant_ids=people).items()}
    per_person: list[dict[str, Any]] = []
    changes: dict[str, list[float]] = defaultdict(list)
    befores: dict[str, list[float]] = defaultdict(list)
    afters: dict[str, list[float]] = defaultdict(list)
    for pid in people:
        row: dict[str, float] = {}
        for question in shared:
            a: Any = first[pid].get(question.code)
            b: Any = second[pid].get(question.code)
            if _numbers([a]) and _numbers([b]):
                row[question.code] = b - a
                changes[question.code].append(b - a)
                befores[question.code].append(a)
                afters[question.code].append(b)
        per_person.append(
            {
                "participant": pid,
                "name": names.get(pid, ""),
                "changes": row,
                "mean_change": _round(statistics.fmean(row.values())) if row else None,
            }
        )
    summary = []
    for question in shared:
        diffs = changes[question.code]
        summary.append(
            {
                "code": question.code,
                "text": question.text,
                "people": len(diffs),
                "mean_before": _round(statistics.fmean(befores[question.code])) if diffs else None,
                "mean_after": _round(statistics.fmean(afters[question.code])) if diffs else None,
                "mean_change": _round(statistics.fmean(diffs)) if diffs else None,
                "median_change": _round(float(statistics.median(diffs))) if diffs else None,
                "improved": sum(1 for d in diffs if d > 0),
                "unchanged": sum(1 for d in diffs if d == 0),
                "declined": sum(1 for d in diffs if d < 0),
            }
        )
    all_changes = [c for row in per_person for c in row["changes"].values()]
    return {
        "before": before.pk,
        "after": after.pk,
        "people": len(people),
        "mean_change": _round(statistics.fmean(all_changes)) if all_changes else None,
        "questions": summary,
        "per_person": per_person,
    }


# --- for the region (numbers only) ---------------------------------------------------------------


def regional_aggregates() -> list[dict[str, Any]]:
    """Per (regional template version, academic year, question): the number of submitted
    answers, the sum and mean of numeric answers and the distribution of counted ones — for
    the regional questions of adopted questionnaires only. Open texts, local questions, people
    and campaign titles are never included. Suppression is the caller's job."""
    campaigns = list(
        SurveyCampaign.objects.filter(
            questionnaire__template_version_id__isnull=False,
            status__in=[CampaignStatus.OPEN, CampaignStatus.CLOSED],
        ).select_related("questionnaire")
    )
    groups: dict[tuple[str, int, int], list[SurveyCampaign]] = defaultdict(list)
    for campaign in campaigns:
        q = campaign.questionnaire
        groups[(q.template_code, int(q.template_version_id or 0), campaign.academic_year)].append(
            campaign
        )
    result: list[dict[str, Any]] = []
    for (code, version_id, year), members in sorted(groups.items()):
        answers = list(
            SurveyResponse.objects.filter(
                campaign__in=members, status=ResponseStatus.SUBMITTED
            ).values_list("answers", flat=True)
        )
        if not answers:
            continue
        questions = [
            q
            for q in members[0].questionnaire.questions.all()
            if q.regional and q.kind not in TEXT_KINDS
        ]
        for question in sorted(questions, key=lambda q: q.order):
            values = [a.get(question.code) for a in answers if _answered(a.get(question.code))]
            if not values:
                continue
            numbers = _numbers(values) if question.kind in NUMERIC_KINDS else []
            result.append(
                {
                    "template_code": code,
                    "template_version_id": version_id,
                    "academic_year": year,
                    "question_code": question.code,
                    "question_kind": question.kind,
                    "respondents": len(values),
                    "mean": statistics.fmean(numbers) if numbers else None,
                    "distribution": distribution(question, values)
                    if question.kind in COUNTED_KINDS
                    else None,
                }
            )
    return result


def own_regional_results(campaign: SurveyCampaign) -> list[dict[str, Any]]:
    """This institution's numbers for the campaign's regional questions (for the comparison
    with the region)."""
    submitted = list(
        SurveyResponse.objects.filter(
            campaign=campaign, status=ResponseStatus.SUBMITTED
        ).values_list("answers", flat=True)
    )
    out = []
    for question in sorted(campaign.questionnaire.questions.all(), key=lambda q: q.order):
        if not question.regional or question.kind in TEXT_KINDS:
            continue
        stats = question_stats(question, [a.get(question.code) for a in submitted])
        out.append(
            {
                "code": question.code,
                "text": question.text,
                "kind": question.kind,
                "answered": stats.answered,
                "mean": stats.mean,
                "distribution": stats.distribution,
            }
        )
    return out


# --- for matching and KPIs -----------------------------------------------------------------------


def answers_by_purpose(
    *, purpose: str, participant_ids: Iterable[int] | None = None
) -> dict[int, dict[str, Any]]:
    """The latest submitted answers per participant to questionnaires of ``purpose``:
    participant id → {"template_code", "questionnaire", "campaign", "submitted_at", "answers"}.
    Only people whose consent is valid now."""
    from schools.participants.api import consenting_participant_ids

    queryset = (
        SurveyResponse.objects.filter(
            status=ResponseStatus.SUBMITTED,
            campaign__questionnaire__purpose=purpose,
            participant__isnull=False,
        )
        .select_related("campaign__questionnaire")
        .order_by("participant_id", "-submitted_at", "-pk")
    )
    if participant_ids is not None:
        queryset = queryset.filter(participant_id__in=list(participant_ids))
    responses = list(queryset)
    consenting = set(
        consenting_participant_ids(
            participant_ids={r.participant_id for r in responses if r.participant_id is not None}
        )
    )
    result: dict[int, dict[str, Any]] = {}
    for response in responses:
        if response.participant_id not in consenting or response.participant_id in result:
            continue
        questionnaire = response.campaign.questionnaire
        result[response.participant_id] = {
            "template_code": questionnaire.template_code,
            "questionnaire": questionnaire.pk,
            "campaign": response.campaign_id,
            "submitted_at": response.submitted_at,
            "answers": dict(response.answers),
        }
    return result


def satisfaction_totals() -> dict[str, int]:
    """For the regional KPI "satisfaction index": the sum of the 1–10 scale answers of
    submitted satisfaction questionnaires and their number."""
    scales: dict[int, set[str]] = {}
    for question in Question.objects.filter(
        questionnaire__purpose="satisfaction", kind=QuestionKind.SCALE, min_value=1, max_value=10
    ).only("questionnaire_id", "code"):
        scales.setdefault(question.questionnaire_id, set()).add(question.code)
    score, count = 0, 0
    for questionnaire_id, answers in SurveyResponse.objects.filter(
        status=ResponseStatus.SUBMITTED, campaign__questionnaire_id__in=list(scales)
    ).values_list("campaign__questionnaire_id", "answers"):
        for code in scales[questionnaire_id]:
            value = answers.get(code)
            if isinstance(value, int) and not isinstance(value, bool):
                score += value
                count += 1
    return {"satisfaction_score_sum": score, "satisfaction_responses": count}


def questions_in_order(campaign: SurveyCampaign) -> list[Question]:
    return sorted(campaign.questionnaire.questions.all(), key=lambda q: q.order)
