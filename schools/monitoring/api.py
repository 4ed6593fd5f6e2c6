"""Public interface of the monitoring app: the only module other apps import.

For matching (answers feed it where the questionnaire's purpose says so):
``mentee_intake_answers``, ``mentor_profile_answers`` and ``preference_answers`` give, per
participant with valid consent, the latest submitted answers ``{question code: value}`` to a
questionnaire of that purpose (question codes are those of the regional starter templates
``mentee-intake``, ``mentor-profile`` and ``group-meeting-preference`` when the institution
adopted them; ``template_code`` says which).

For the regional layer (numbers only): ``regional_aggregates`` and ``satisfaction_totals``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from regional.questionnaires.api import Purpose
from schools.monitoring import selectors
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
