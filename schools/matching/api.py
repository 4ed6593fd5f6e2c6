"""Public interface of the matching app: the only module other apps import."""

from __future__ import annotations

from schools.matching.models import MatchRun, RunStatus


def approved_run_count(*, programme_id: int) -> int:
    """Matching runs of the programme that the coordinator approved."""
    return MatchRun.objects.filter(programme_id=programme_id, status=RunStatus.APPROVED).count()


__all__ = ["approved_run_count"]
