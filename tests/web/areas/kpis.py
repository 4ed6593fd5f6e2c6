"""The regional KPI dashboard."""

from __future__ import annotations

from tests.web.areas.core import REGIONAL

PUBLIC_ALLOWED = {"kpis": REGIONAL}
