"""Public interface of the anonymous survey results (for the institutions' monitoring app)."""

from regional.survey_results.selectors import MIN_PEER_INSTITUTIONS, min_group_size, peer_summary

__all__ = ["MIN_PEER_INSTITUTIONS", "min_group_size", "peer_summary"]
