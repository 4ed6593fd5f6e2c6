"""Public interface of the best-practices library for the layers above it."""

from __future__ import annotations

from regional.practices.services import practice_cases_collect

__all__ = ["practice_cases_collect"]
