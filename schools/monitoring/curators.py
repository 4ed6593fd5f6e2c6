"""Curators run questionnaire campaigns for their own classes (the roadmap's duty): a curator
creates a campaign whose audience is one of its classes, launches, reminds and closes its own
campaigns, and sees the campaigns and results of its classes only. The coordinator runs every
campaign; the director and the deputy read every campaign.

One place for the rule, used by the pages and the API alike."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.actor import role_of
from accounts.models import Role
from schools.monitoring.models import SurveyCampaign, TargetKind

FULL_READERS = frozenset({Role.COORDINATOR, Role.DIRECTOR, Role.DEPUTY})


def _role(user: Any) -> str:
    if not getattr(user, "is_authenticated", False):
        return ""
    return role_of(user)


def own_class_ids(user: Any) -> set[int]:
    """The classes and study groups ``user`` curates."""
    from schools.participants import api as participants_api

    if _role(user) != Role.CURATOR:
        return set()
    return set(
        participants_api.study_group_list().filter(curator=user).values_list("pk", flat=True)
    )


def campaign_visibility(user: Any) -> Q | None:
    """The campaigns ``user`` may see, as a filter; None means all of them. A curator sees the
    campaigns of its classes and those it created."""
    role = _role(user)
    if role in FULL_READERS:
        return None
    if role == Role.CURATOR:
        return Q(created_by=user) | Q(
            target_kind=TargetKind.STUDY_GROUP, target_study_group__curator=user
        )
    return Q(pk__in=[])


def campaigns_visible_to(user: Any, queryset: QuerySet[SurveyCampaign]) -> QuerySet[SurveyCampaign]:
    rule = campaign_visibility(user)
    return queryset if rule is None else queryset.filter(rule)


def can_run_campaigns(user: Any) -> bool:
    """Whether ``user`` creates and launches campaigns at all (the coordinator; a curator for
    its classes)."""
    return _role(user) in (Role.COORDINATOR, Role.CURATOR)


def can_manage_campaign(user: Any, campaign: SurveyCampaign) -> bool:
    """Launch, remind, close: the coordinator any campaign, a curator a campaign of one of
    its classes."""
    role = _role(user)
    if role == Role.COORDINATOR:
        return True
    if role == Role.CURATOR:
        return (
            campaign.target_kind == TargetKind.STUDY_GROUP
            and campaign.target_study_group_id in own_class_ids(user)
        )
    return False


def check_audience(*, actor: Any, target_kind: str, study_group_id: int | None) -> None:
    """A curator's campaign surveys one of its own classes; others are refused next to the
    field. Other roles are not limited here."""
    if _role(actor) != Role.CURATOR:
        return
    if target_kind != TargetKind.STUDY_GROUP:
        raise ValidationError({"target_kind": [_("A curator surveys one of its own classes.")]})
    if study_group_id not in own_class_ids(actor):
        raise ValidationError({"target_study_group": [_("Choose one of the classes you curate.")]})
