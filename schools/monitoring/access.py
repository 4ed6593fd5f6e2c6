"""Who may see and run questionnaire campaigns. The one place of these rules (the services,
the API and the pages call it).

Curators run campaigns for their own classes (the roadmap's duty): a curator creates a
campaign whose audience is one of its classes, launches, reminds and closes it, and sees the
campaigns and results of its classes (and those it created) only. The coordinator runs every
campaign; the director and the deputies read every campaign. Printing invitations follows the
same line: the coordinator every class, a curator its own."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts import roles
from accounts.actor import Actor
from accounts.models import Role
from schools.monitoring.models import SurveyCampaign, SurveyInvitation, TargetKind
from schools.participants.access import NotFound


def require(allowed: bool) -> None:
    """Raise ``PermissionDenied`` (a 403) unless ``allowed``."""
    if not allowed:
        raise PermissionDenied


def _is_curator(actor: Actor) -> bool:
    return actor.has_role({Role.CURATOR})


def own_class_ids(actor: Actor) -> set[int]:
    """The classes and study groups ``actor`` curates (its scope, for a curator)."""
    return set(actor.scope) if _is_curator(actor) else set()


def campaign_visibility(actor: Actor) -> Q | None:
    """The campaigns ``actor`` may see, as a filter; None means all of them."""
    if actor.sees_whole_institution:
        return None
    if _is_curator(actor):
        return Q(created_by_id=actor.user_id) | Q(
            target_kind=TargetKind.STUDY_GROUP, target_study_group_id__in=own_class_ids(actor)
        )
    return Q(pk__in=[])


def campaigns_visible_to(
    actor: Actor, queryset: QuerySet[SurveyCampaign] | None = None
) -> QuerySet[SurveyCampaign]:
    queryset = SurveyCampaign.objects.all() if queryset is None else queryset
    rule = campaign_visibility(actor)
    return queryset if rule is None else queryset.filter(rule)


def can_run_campaigns(actor: Actor) -> bool:
    """Whether ``actor`` creates and launches campaigns at all (the coordinator; a curator
    for its classes)."""
    return actor.is_system or actor.has_role(roles.COORDINATION_AND_CURATORS)


def can_manage_campaign(actor: Actor, campaign: SurveyCampaign) -> bool:
    """Launch, remind, close: the coordinator any campaign, a curator a campaign of one of
    its classes."""
    if actor.is_system or actor.is_coordinator:
        return True
    if _is_curator(actor):
        return (
            campaign.target_kind == TargetKind.STUDY_GROUP
            and campaign.target_study_group_id in own_class_ids(actor)
        )
    return False


def check_campaign_manage(actor: Actor, campaign: SurveyCampaign) -> None:
    if not can_manage_campaign(actor, campaign):
        raise PermissionDenied


def access_campaign_by_id(
    actor: Actor,
    campaign_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[SurveyCampaign] | None = None,
) -> SurveyCampaign:
    """The campaign, or ``NotFound`` (missing, or not the actor's to see: a curator sees the
    campaigns of its classes and those it created); for a write (launch, remind, close, move
    the dates) ``PermissionDenied`` unless the actor may manage it."""
    found = campaigns_visible_to(actor, queryset).filter(pk=campaign_id).first()
    if found is None:
        raise NotFound
    if for_write:
        check_campaign_manage(actor, found)
    return found


def campaign_reach_visible_to(
    actor: Actor, queryset: QuerySet[SurveyCampaign] | None = None
) -> QuerySet[SurveyCampaign]:
    """The campaigns whose reach (who has answered, by class; the printed invitations) the
    actor may open: every campaign for the institution's staff — the rows shown are cut to the
    classes a curator curates (``curated_group_ids``) — and none for anyone else."""
    queryset = SurveyCampaign.objects.all() if queryset is None else queryset
    return queryset if actor.is_system or actor.has_role(roles.STAFF) else queryset.none()


def access_campaign_reach_by_id(
    actor: Actor,
    campaign_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[SurveyCampaign] | None = None,
) -> SurveyCampaign:
    """A campaign for its reach page, or ``NotFound``; for a write (print the invitations of
    one's classes) ``PermissionDenied`` unless the actor runs campaigns."""
    found = campaign_reach_visible_to(actor, queryset).filter(pk=campaign_id).first()
    if found is None:
        raise NotFound
    if for_write:
        require(can_run_campaigns(actor))
    return found


def invitations_visible_to(
    actor: Actor, queryset: QuerySet[SurveyInvitation] | None = None
) -> QuerySet[SurveyInvitation]:
    """The invitations to answer that are the actor's own (as a participant, or addressed to
    its login); nobody sees another person's invitation here."""
    queryset = SurveyInvitation.objects.all() if queryset is None else queryset
    if actor.user_id is None:
        return queryset.none()
    return queryset.filter(Q(participant__user_id=actor.user_id) | Q(user_id=actor.user_id))


def access_invitation_by_id(
    actor: Actor,
    invitation_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[SurveyInvitation] | None = None,
) -> SurveyInvitation:
    """One's own invitation, or ``NotFound``; answering it is its owner's (``for_write``
    asks nothing more)."""
    found = invitations_visible_to(actor, queryset).filter(pk=invitation_id).first()
    if found is None:
        raise NotFound
    return found


def may_adopt_questionnaires(actor: Actor) -> bool:
    """Take a regional template or write a local questionnaire: who runs campaigns."""
    return can_run_campaigns(actor)


def check_audience(*, actor: Actor, target_kind: str, study_group_id: int | None) -> None:
    """Who may run a campaign for this audience: the coordinator any; a curator one of its
    own classes (refused next to the field); anyone else not at all."""
    if not can_run_campaigns(actor):
        raise PermissionDenied
    if not _is_curator(actor):
        return
    if target_kind != TargetKind.STUDY_GROUP:
        raise ValidationError({"target_kind": [_("A curator surveys one of its own classes.")]})
    if study_group_id not in own_class_ids(actor):
        raise ValidationError({"target_study_group": [_("Choose one of the classes you curate.")]})


def curated_group_ids(*, actor: Actor) -> list[int] | None:
    """The classes whose people the actor may print for: every class (None) for the
    coordinator (and a system job), the classes a curator curates; none for anyone else."""
    if actor.is_system or actor.is_coordinator:
        return None
    return sorted(own_class_ids(actor))


__all__ = [
    "access_campaign_by_id",
    "access_campaign_reach_by_id",
    "access_invitation_by_id",
    "campaign_reach_visible_to",
    "campaign_visibility",
    "campaigns_visible_to",
    "can_manage_campaign",
    "can_run_campaigns",
    "check_audience",
    "check_campaign_manage",
    "curated_group_ids",
    "invitations_visible_to",
    "may_adopt_questionnaires",
    "own_class_ids",
    "require",
]
