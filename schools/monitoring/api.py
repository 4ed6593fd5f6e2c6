"""Public interface of the monitoring app: the only module other apps import.

For matching (answers feed it where the questionnaire's purpose says so):
``mentee_intake_answers``, ``mentor_profile_answers`` and ``preference_answers`` give, per
participant with valid consent, the latest submitted answers ``{question code: value}`` to a
questionnaire of that purpose (question codes are those of the regional starter templates
``mentee-intake``, ``mentor-profile`` and ``group-meeting-preference`` when the institution
adopted them; ``template_code`` says which).

For the regional layer (numbers only): ``regional_aggregates`` and ``satisfaction_totals``."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from accounts.actor import Actor
from regional.questionnaires.api import Purpose
from schools.monitoring import selectors, services
from schools.monitoring.models import CampaignStatus, Questionnaire, SurveyInvitation
from schools.monitoring.report import monitoring_parts


def answers_by_purpose(
    *, purpose: str, participant_ids: Iterable[int] | None = None
) -> dict[int, dict[str, Any]]:
    """participant id → {"template_code", "questionnaire", "campaign", "submitted_at",
    "answers"}: the latest submitted response to a questionnaire of ``purpose``."""
    return selectors.answers_by_purpose(purpose=purpose, participant_ids=participant_ids)


def mentee_intake_answers(
    *, participant_ids: Iterable[int] | None = None
) -> dict[int, dict[str, Any]]:
    return answers_by_purpose(purpose=Purpose.MENTEE_INTAKE, participant_ids=participant_ids)


def mentor_profile_answers(
    *, participant_ids: Iterable[int] | None = None
) -> dict[int, dict[str, Any]]:
    return answers_by_purpose(purpose=Purpose.MENTOR_PROFILE, participant_ids=participant_ids)


def preference_answers(
    *, participant_ids: Iterable[int] | None = None
) -> dict[int, dict[str, Any]]:
    return answers_by_purpose(
        purpose=Purpose.GROUP_MEETING_PREFERENCE, participant_ids=participant_ids
    )


def regional_aggregates() -> list[dict[str, Any]]:
    """Numbers only, before suppression: per (template code, template version id, academic
    year, question code) the kind, ``respondents``, ``mean`` and ``distribution``."""
    return selectors.regional_aggregates()


def satisfaction_totals() -> dict[str, int]:
    """{"satisfaction_score_sum", "satisfaction_responses"} (regional KPI keys)."""
    return selectors.satisfaction_totals()


__all__ = [
    "answers_by_purpose",
    "mentee_intake_answers",
    "mentor_profile_answers",
    "monitoring_parts",
    "preference_answers",
    "regional_aggregates",
    "satisfaction_totals",
]


def questionnaire_id_by_template(*, template_code: str) -> int | None:
    """The institution's questionnaire adopted from the regional template ``template_code``
    (the first one), or None."""
    return (
        Questionnaire.objects.filter(template_code=template_code)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )


def questionnaire_adopt(*, version_id: int, actor: Actor) -> int:
    """Adopt a published regional template version; the questionnaire's id."""
    return services.questionnaire_adopt(version_id=version_id, actor=actor).pk


def open_invitation_exists(*, participant_id: int, on: datetime.date) -> bool:
    """Whether the participant is invited to a campaign open on ``on``."""
    return SurveyInvitation.objects.filter(
        participant_id=participant_id,
        campaign__status=CampaignStatus.OPEN,
        campaign__closes_on__gte=on,
    ).exists()


def campaign_open_for_participants(
    *,
    questionnaire_id: int,
    participant_ids: Sequence[int],
    opens_on: datetime.date,
    closes_on: datetime.date,
    programme_id: int | None = None,
    title: str = "",
    actor: Actor,
) -> int:
    """Create a campaign of the questionnaire for these people and open it (those without
    valid consent are not invited); the campaign's id."""
    campaign = services.campaign_create(
        questionnaire=Questionnaire.objects.get(pk=questionnaire_id),
        title=title,
        target=services.Target(kind="explicit", participant_ids=tuple(participant_ids)),
        opens_on=opens_on,
        closes_on=closes_on,
        programme_id=programme_id,
        actor=actor,
    )
    services.campaign_open(campaign=campaign, actor=actor)
    return campaign.pk
