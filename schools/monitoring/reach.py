"""Who a campaign reaches (reads): the people who have not answered yet — with their class,
whether an e-mail can reach them and whether a printed slip is their way — and the response
rate per class or study group."""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from schools.monitoring.models import ResponseStatus, SurveyCampaign, SurveyInvitation


@dataclass(frozen=True)
class Pending:
    invitation_id: int
    name: str
    group: str
    group_id: int | None
    has_address: bool
    draft: bool
    emailed_at: datetime.datetime | None
    reminded_at: datetime.datetime | None


def campaign_invitations(
    campaign: SurveyCampaign, *, study_group_ids: Collection[int] | None = None
) -> QuerySet[SurveyInvitation]:
    """The campaign's invitations (of people in ``study_group_ids`` when given: a curator's
    classes), with the person, its class and its response."""
    queryset = SurveyInvitation.objects.filter(campaign=campaign).select_related(
        "participant__study_group", "participant__user", "user", "response"
    )
    if study_group_ids is not None:
        queryset = queryset.filter(participant__study_group_id__in=list(study_group_ids))
    return queryset.order_by(
        "participant__study_group__name", "participant__last_name", "participant__first_name", "pk"
    )


def _address(invitation: SurveyInvitation) -> str:
    if invitation.user_id is not None:
        return invitation.user.email if invitation.user is not None else ""
    person = invitation.participant
    if person is None:
        return ""
    if person.erased_at is not None or person.processing_stopped_at is not None:
        return ""
    return person.email or (person.user.email if person.user_id else "")  # type: ignore[union-attr]


def campaign_pending(
    campaign: SurveyCampaign, *, study_group_ids: Collection[int] | None = None
) -> list[Pending]:
    """The people who have not submitted their answers (drafts included), by class and name."""
    pending = campaign_invitations(campaign, study_group_ids=study_group_ids).exclude(
        Q(response__status=ResponseStatus.SUBMITTED)
    )
    result = []
    for invitation in pending:
        person = invitation.participant
        group = person.study_group if person is not None else None
        response = getattr(invitation, "response", None)
        result.append(
            Pending(
                invitation_id=invitation.pk,
                name=invitation.respondent_name,
                group=group.name if group is not None else "",
                group_id=group.pk if group is not None else None,
                has_address=bool(_address(invitation)),
                draft=response is not None and response.status == ResponseStatus.DRAFT,
                emailed_at=invitation.email_sent_at,
                reminded_at=invitation.reminded_at,
            )
        )
    return result


@dataclass(frozen=True)
class GroupRate:
    group: str
    group_id: int | None
    invited: int
    submitted: int

    @property
    def rate(self) -> float:
        return round(100 * self.submitted / self.invited, 1) if self.invited else 0.0


def campaign_rates_by_group(
    campaign: SurveyCampaign, *, study_group_ids: Collection[int] | None = None
) -> list[GroupRate]:
    """Invited, answered and the response rate per class or study group (people in no group
    together, last)."""
    counts: dict[tuple[str, int | None], list[int]] = {}
    for invitation in campaign_invitations(campaign, study_group_ids=study_group_ids):
        person = invitation.participant
        group = person.study_group if person is not None else None
        key = (group.name if group is not None else "", group.pk if group is not None else None)
        row = counts.setdefault(key, [0, 0])
        row[0] += 1
        response = getattr(invitation, "response", None)
        if response is not None and response.status == ResponseStatus.SUBMITTED:
            row[1] += 1
    return [
        GroupRate(group=name, group_id=pk, invited=invited, submitted=submitted)
        for (name, pk), (invited, submitted) in sorted(
            counts.items(), key=lambda item: (item[0][0] == "", item[0][0])
        )
    ]
