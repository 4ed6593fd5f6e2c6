"""Who may see and do what with the people of an institution: participants, study groups,
guardianships, the consent register, the mentor and mentee bases.

The one place of these rules. The API's viewsets (``get_queryset``), the pages and the services
call the same functions:

- ``<things>_visible_to(actor)`` — a queryset of what the actor may see;
- ``access_<thing>_by_id(actor, id, *, for_write=False)`` — the object, or ``NotFound`` when it
  is missing *or* out of the actor's sight (one answer for both), or ``PermissionDenied`` when
  the actor sees it but may not change it;
- ``check_<act>(actor, ...)`` — raises ``PermissionDenied`` when the act is not the actor's.

Who sees whom: the coordinator, the director and the deputies everyone; a curator the people of
the classes it curates; a mentor itself and the mentees of its pairs; a mentee itself; a parent
itself and its children. Consents are narrower: the person, its guardian, the curator of its
class and the institution's leadership read them — not the mentor."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts import roles
from accounts.actor import Actor, ActorScope
from accounts.models import Role
from schools.participants.models import (
    Consent,
    ConsentAlert,
    ConsentScan,
    Guardianship,
    MenteeProfile,
    MentorProfile,
    Participant,
    StudyGroup,
    Topic,
)


class NotFound(Http404):
    """Missing, or not the actor's to see: the same answer (404) on both doors."""


_Row = TypeVar("_Row", bound=Model)


def found_by_id(queryset: QuerySet[_Row], pk: int, *, write_refused: bool) -> _Row:
    """The row ``pk`` of ``queryset`` (the rows the actor sees), or ``NotFound``; then
    ``PermissionDenied`` when the actor may see it but the write asked for is refused. The
    tail of every ``access_<thing>_by_id``."""
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise NotFound
    if write_refused:
        raise PermissionDenied
    return found


# --- the actor's scope ------------------------------------------------------------------------


def actor_scope(user_id: int, role: str) -> ActorScope:
    """The scope of a tenant user (``settings.ACTOR_SCOPE_RESOLVER``): the classes a curator
    curates; the own participant id of a mentor or mentee; a parent's own id and its
    children. Leadership needs none."""
    if role == Role.CURATOR:
        groups = StudyGroup.objects.filter(curator_id=user_id).values_list("pk", flat=True)
        return ActorScope(ids=frozenset(groups))
    if role not in roles.PAIR_MEMBERS | roles.PARENT:
        return ActorScope()
    own = Participant.objects.filter(user_id=user_id).values_list("pk", flat=True).first()
    if role == Role.PARENT:
        children = Guardianship.objects.filter(parent__user_id=user_id).values_list(
            "child_id", flat=True
        )
        return ActorScope(participant_id=own, ids=frozenset(children))
    return ActorScope(participant_id=own, ids=frozenset({own}) if own is not None else frozenset())


# --- participants -----------------------------------------------------------------------------


def _mentees_of_mentor(actor: Actor) -> Q:
    """The mentees of the pairs the actor is the mentor of (a reverse relation of the pairs
    app's membership: no import of that app)."""
    if actor.participant_id is None:
        return Q(pk__in=[])
    return Q(
        pk__in=Participant.objects.filter(mentee_pairs__mentor_id=actor.participant_id).values("pk")
    )


def participant_rule(actor: Actor) -> Q | None:
    """The participants ``actor`` may see, as a filter; None means every one of them."""
    if actor.sees_whole_institution:
        return None
    own = Q(pk=actor.participant_id) if actor.participant_id is not None else Q(pk__in=[])
    if actor.has_role({Role.CURATOR}):
        return Q(study_group_id__in=actor.scope)
    if actor.has_role({Role.MENTOR}):
        return own | _mentees_of_mentor(actor)
    if actor.has_role({Role.MENTEE}):
        return own
    if actor.has_role(roles.PARENT):
        return own | Q(pk__in=actor.scope)
    return Q(pk__in=[])


def participants_visible_to(
    actor: Actor, queryset: QuerySet[Participant] | None = None
) -> QuerySet[Participant]:
    queryset = Participant.objects.all() if queryset is None else queryset
    rule = participant_rule(actor)
    return queryset if rule is None else queryset.filter(rule)


def participant_ids_visible_to(actor: Actor) -> QuerySet[Participant]:
    """For ``participant__in=`` filters of related rows (a subquery)."""
    return participants_visible_to(actor).values("pk")  # type: ignore[return-value]


def participants_writable_by(
    actor: Actor, queryset: QuerySet[Participant] | None = None
) -> QuerySet[Participant]:
    """The people whose records ``actor`` may change: the coordinator everyone, a curator the
    people of its classes."""
    queryset = Participant.objects.all() if queryset is None else queryset
    if actor.is_system or actor.is_coordinator:
        return queryset
    if actor.has_role({Role.CURATOR}):
        return queryset.filter(study_group_id__in=actor.scope)
    return queryset.none()


def access_participant_by_id(
    actor: Actor,
    participant_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[Participant] | None = None,
) -> Participant:
    found = participants_visible_to(actor, queryset).filter(pk=participant_id).first()
    if found is None:
        raise NotFound
    if for_write and not participants_writable_by(actor).filter(pk=found.pk).exists():
        raise PermissionDenied
    return found


def check_study_group_choice(actor: Actor, group_id: int | None) -> None:
    """A curator adds and moves people only into the study groups it curates."""
    from django.core.exceptions import ValidationError

    if not actor.has_role({Role.CURATOR}):
        return
    if group_id is None or group_id not in actor.scope:
        raise ValidationError({"study_group": [_("Choose one of the study groups you curate.")]})


# --- study groups -----------------------------------------------------------------------------


def may_manage_classes(actor: Actor) -> bool:
    """The coordinator lists the classes and appoints their curators (a system job may)."""
    return actor.is_system or actor.is_coordinator


def check_classes_manage(actor: Actor) -> None:
    if not may_manage_classes(actor):
        raise PermissionDenied


def study_groups_visible_to(
    actor: Actor, queryset: QuerySet[StudyGroup] | None = None
) -> QuerySet[StudyGroup]:
    queryset = StudyGroup.objects.all() if queryset is None else queryset
    if actor.sees_whole_institution:
        return queryset
    if actor.has_role({Role.CURATOR}):
        return queryset.filter(pk__in=actor.scope)
    return queryset.none()


def may_record_for_class(actor: Actor, group: StudyGroup) -> bool:
    """Record the consents a class returned, send its parents the links: the coordinator any
    class, a curator the classes it curates."""
    if actor.is_system or actor.is_coordinator:
        return True
    return actor.has_role({Role.CURATOR}) and group.pk in actor.scope


def access_study_group_by_id(
    actor: Actor,
    group_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[StudyGroup] | None = None,
) -> StudyGroup:
    """The class, or ``NotFound`` (missing, or not the actor's: a curator sees the classes it
    curates); for a write (record its people's consents) ``PermissionDenied`` unless
    ``may_record_for_class``."""
    found = study_groups_visible_to(actor, queryset).filter(pk=group_id).first()
    if found is None:
        raise NotFound
    if for_write and not may_record_for_class(actor, found):
        raise PermissionDenied
    return found


# --- guardianships ----------------------------------------------------------------------------


def guardianships_visible_to(
    actor: Actor, queryset: QuerySet[Guardianship] | None = None
) -> QuerySet[Guardianship]:
    """A parent its own links; staff the links of the children they see; nobody else."""
    queryset = Guardianship.objects.all() if queryset is None else queryset
    if actor.has_role(roles.PARENT):
        if actor.participant_id is None:
            return queryset.none()
        return queryset.filter(parent_id=actor.participant_id)
    if actor.is_system or actor.has_role(roles.STAFF):
        rule = participant_rule(actor)
        return (
            queryset
            if rule is None
            else queryset.filter(child__in=Participant.objects.filter(rule).values("pk"))
        )
    return queryset.none()


def access_guardianship_by_id(
    actor: Actor,
    guardianship_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[Guardianship] | None = None,
) -> Guardianship:
    """The link, or ``NotFound``; for a write (unlink) ``PermissionDenied`` unless the actor
    may change the child's record (the coordinator; the curator of the child's class)."""
    found = guardianships_visible_to(actor, queryset).filter(pk=guardianship_id).first()
    if found is None:
        raise NotFound
    if for_write and not participants_writable_by(actor).filter(pk=found.child_id).exists():
        raise PermissionDenied
    return found


def check_guardianship_create(actor: Actor, *, child_id: int) -> None:
    """The coordinator links any child to its parent, a curator the children of its classes."""
    if actor.is_system:
        return
    if not actor.has_role(roles.COORDINATION_AND_CURATORS):
        raise PermissionDenied
    if not participants_writable_by(actor).filter(pk=child_id).exists():
        raise NotFound


# --- the consent register ---------------------------------------------------------------------


def consent_subject_rule(actor: Actor) -> Q | None:
    """The people whose consents (records and forms) ``actor`` may read: None for all.

    The leadership every one; a curator those of its classes; a person its own; a parent its
    children's. A mentor sees its mentees but not their consents."""
    if actor.sees_whole_institution:
        return None
    own = Q(pk=actor.participant_id) if actor.participant_id is not None else Q(pk__in=[])
    if actor.has_role({Role.CURATOR}):
        return Q(study_group_id__in=actor.scope)
    if actor.has_role(roles.PAIR_MEMBERS):
        return own
    if actor.has_role(roles.PARENT):
        return own | Q(pk__in=actor.scope)
    return Q(pk__in=[])


def consent_subjects_visible_to(
    actor: Actor, queryset: QuerySet[Participant] | None = None
) -> QuerySet[Participant]:
    queryset = Participant.objects.all() if queryset is None else queryset
    rule = consent_subject_rule(actor)
    return queryset if rule is None else queryset.filter(rule)


def consents_visible_to(
    actor: Actor, queryset: QuerySet[Consent] | None = None
) -> QuerySet[Consent]:
    queryset = Consent.objects.all() if queryset is None else queryset
    rule = consent_subject_rule(actor)
    if rule is None:
        return queryset
    return queryset.filter(participant__in=Participant.objects.filter(rule).values("pk"))


def access_consent_subject_by_id(
    actor: Actor,
    participant_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[Participant] | None = None,
) -> Participant:
    """The person whose consent form or records ``actor`` asks for (``NotFound`` otherwise);
    for a write, ``check_consent_record`` (who may add a record to the register)."""
    found = consent_subjects_visible_to(actor, queryset).filter(pk=participant_id).first()
    if found is None:
        raise NotFound
    if for_write:
        check_consent_record(actor, found)
    return found


def _may_change_records_of(actor: Actor, participant_id: int) -> bool:
    return participants_writable_by(actor).filter(pk=participant_id).exists()


def access_consent_by_id(
    actor: Actor,
    consent_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[Consent] | None = None,
) -> Consent:
    """A record of the consent register, or ``NotFound`` (``consents_visible_to``); for a write
    (attach the scan of the paper) ``PermissionDenied`` unless the actor may change the
    person's record (the coordinator; the curator of the person's class)."""
    found = consents_visible_to(actor, queryset).filter(pk=consent_id).first()
    if found is None:
        raise NotFound
    if for_write and not _may_change_records_of(actor, found.participant_id):
        raise PermissionDenied
    return found


def consent_scans_visible_to(
    actor: Actor, queryset: QuerySet[ConsentScan] | None = None
) -> QuerySet[ConsentScan]:
    """The scans of the consents ``actor`` may read."""
    queryset = ConsentScan.objects.all() if queryset is None else queryset
    return queryset.filter(consent__in=consents_visible_to(actor).values("pk"))


def access_consent_scan_by_id(
    actor: Actor,
    scan_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[ConsentScan] | None = None,
) -> ConsentScan:
    """The scan of a signed paper, or ``NotFound``; read by who may read the consent."""
    queryset = ConsentScan.objects.select_related("consent") if queryset is None else queryset
    found = consent_scans_visible_to(actor, queryset).filter(pk=scan_id).first()
    if found is None:
        raise NotFound
    if for_write and not _may_change_records_of(actor, found.consent.participant_id):
        raise PermissionDenied
    return found


def consent_alerts_visible_to(
    actor: Actor, queryset: QuerySet[ConsentAlert] | None = None
) -> QuerySet[ConsentAlert]:
    """The alerts a withdrawal raises, for the staff told of them: the coordinator, the
    director and the deputies every one, a curator those of its classes."""
    queryset = ConsentAlert.objects.all() if queryset is None else queryset
    if actor.sees_whole_institution:
        return queryset
    if actor.has_role({Role.CURATOR}):
        return queryset.filter(study_group_id__in=actor.scope)
    return queryset.none()


def access_consent_alert_by_id(
    actor: Actor,
    alert_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[ConsentAlert] | None = None,
) -> ConsentAlert:
    """An alert, or ``NotFound``; whoever is told of it may mark it read."""
    found = consent_alerts_visible_to(actor, queryset).filter(pk=alert_id).first()
    if found is None:
        raise NotFound
    return found


def children_visible_to(
    actor: Actor, queryset: QuerySet[Participant] | None = None
) -> QuerySet[Participant]:
    """A parent's own children (its guardianships); nobody else has any."""
    queryset = Participant.objects.all() if queryset is None else queryset
    if not actor.has_role(roles.PARENT):
        return queryset.none()
    return queryset.filter(pk__in=actor.scope)


def access_child_by_id(
    actor: Actor,
    participant_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[Participant] | None = None,
) -> Participant:
    """One of the parent's children, or ``NotFound`` (anyone else's id, whatever the role).
    What the parent may record for the child is ``check_consent_record`` (the service's rule:
    an adult child is refused there, with the reason next to the form)."""
    found = children_visible_to(actor, queryset).filter(pk=participant_id).first()
    if found is None:
        raise NotFound
    if for_write:
        check_consent_record(actor, found)
    return found


def check_consent_record(actor: Actor, participant: Participant) -> None:
    """May ``actor`` add a record (a grant or a withdrawal) to ``participant``'s register?

    The coordinator for anyone; a curator for the people of its classes; a parent for its
    minor children only — an adult gives and withdraws consent personally. Raises
    ``NotFound`` when the person is out of the actor's sight, ``PermissionDenied`` otherwise."""
    if actor.is_system or actor.is_coordinator:
        return
    if actor.has_role({Role.CURATOR}):
        if participant.study_group_id not in actor.scope:
            raise NotFound
        return
    if actor.has_role(roles.PARENT):
        if participant.pk not in actor.scope:
            raise NotFound
        if participant.age is not None and not participant.is_minor:
            raise PermissionDenied(
                _("%(name)s is of age: an adult gives and withdraws consent personally.")
                % {"name": participant.full_name}
            )
        return
    if participants_visible_to(actor).filter(pk=participant.pk).exists():
        raise PermissionDenied
    raise NotFound


def may_record_consent(actor: Actor, participant: Participant) -> bool:
    try:
        check_consent_record(actor, participant)
    except (PermissionDenied, NotFound):
        return False
    return True


# --- the mentor and mentee bases --------------------------------------------------------------


def mentee_profiles_visible_to(
    actor: Actor, queryset: QuerySet[MenteeProfile] | None = None
) -> QuerySet[MenteeProfile]:
    queryset = MenteeProfile.objects.all() if queryset is None else queryset
    rule = participant_rule(actor)
    if rule is None:
        return queryset
    return queryset.filter(participant__in=Participant.objects.filter(rule).values("pk"))


def mentor_profiles_visible_to(
    actor: Actor, queryset: QuerySet[MentorProfile] | None = None
) -> QuerySet[MentorProfile]:
    queryset = MentorProfile.objects.all() if queryset is None else queryset
    rule = participant_rule(actor)
    if rule is None:
        return queryset
    return queryset.filter(participant__in=Participant.objects.filter(rule).values("pk"))


def may_edit_mentor_profiles(actor: Actor) -> bool:
    """The mentor base (selection scores, capacity) is the coordinator's."""
    return actor.is_system or actor.is_coordinator


def may_edit_mentee_profiles(actor: Actor) -> bool:
    """The mentee base: the coordinator, and curators for the people of their classes."""
    return actor.is_system or actor.has_role(roles.COORDINATION_AND_CURATORS)


def check_profiles_write(actor: Actor, *, mentor: bool, participant_ids: Iterable[int]) -> None:
    """Write mentor profiles (the coordinator) or mentee profiles (the coordinator; a curator
    for the people of its classes): ``PermissionDenied`` otherwise, ``NotFound`` for a person
    out of the actor's reach."""
    allowed = may_edit_mentor_profiles(actor) if mentor else may_edit_mentee_profiles(actor)
    if not allowed:
        raise PermissionDenied
    if actor.is_system or actor.is_coordinator:
        return
    wanted = set(participant_ids)
    writable = participants_writable_by(actor).filter(pk__in=wanted).count()
    known = Participant.objects.filter(pk__in=wanted).count()
    if writable != known:
        raise NotFound


def may_write_people(actor: Actor) -> bool:
    """Add people and change their records: the coordinator, and curators (for their
    classes: ``participants_writable_by``, ``check_study_group_choice``)."""
    return actor.is_system or actor.has_role(roles.COORDINATION_AND_CURATORS)


def check_person_write(actor: Actor, participant: Participant) -> None:
    """Change ``participant``'s record: ``NotFound`` when out of sight, ``PermissionDenied``
    when seen but not the actor's to change."""
    access_participant_by_id(actor, participant.pk, for_write=True)


def may_erase_people(actor: Actor) -> bool:
    """Erase a person's data ahead of the sweeper: the coordinator (or the sweeper itself)."""
    return actor.is_system or actor.is_coordinator


def may_edit_catalogue(actor: Actor) -> bool:
    """The catalogue of requests and competences is the coordinator's."""
    return actor.is_system or actor.is_coordinator


def require(allowed: bool) -> None:
    """Raise ``PermissionDenied`` (a 403) unless ``allowed``."""
    if not allowed:
        raise PermissionDenied


def topics_visible_to(actor: Actor, queryset: QuerySet[Topic] | None = None) -> QuerySet[Topic]:
    """The catalogue of requests and competences (no people in it): the staff read it."""
    queryset = Topic.objects.all() if queryset is None else queryset
    return queryset if actor.is_system or actor.has_role(roles.STAFF) else queryset.none()


def access_topic_by_id(
    actor: Actor,
    topic_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[Topic] | None = None,
) -> Topic:
    """An entry of the catalogue, or ``NotFound``; for a write ``PermissionDenied`` unless
    ``may_edit_catalogue``."""
    return found_by_id(
        topics_visible_to(actor, queryset),
        topic_id,
        write_refused=for_write and not may_edit_catalogue(actor),
    )


def access_mentor_profile_by_id(
    actor: Actor,
    profile_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[MentorProfile] | None = None,
) -> MentorProfile:
    return found_by_id(
        mentor_profiles_visible_to(actor, queryset),
        profile_id,
        write_refused=for_write and not may_edit_mentor_profiles(actor),
    )


def access_mentee_profile_by_id(
    actor: Actor,
    profile_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[MenteeProfile] | None = None,
) -> MenteeProfile:
    found = mentee_profiles_visible_to(actor, queryset).filter(pk=profile_id).first()
    if found is None:
        raise NotFound
    if for_write and not (
        may_edit_mentee_profiles(actor)
        and participants_writable_by(actor).filter(pk=found.participant_id).exists()
    ):
        raise PermissionDenied
    return found


__all__ = [
    "NotFound",
    "access_child_by_id",
    "access_consent_alert_by_id",
    "access_consent_by_id",
    "access_consent_scan_by_id",
    "access_consent_subject_by_id",
    "access_guardianship_by_id",
    "access_mentee_profile_by_id",
    "access_mentor_profile_by_id",
    "access_participant_by_id",
    "access_study_group_by_id",
    "access_topic_by_id",
    "actor_scope",
    "check_classes_manage",
    "check_consent_record",
    "check_guardianship_create",
    "check_person_write",
    "check_profiles_write",
    "check_study_group_choice",
    "children_visible_to",
    "consent_alerts_visible_to",
    "consent_scans_visible_to",
    "consent_subjects_visible_to",
    "consents_visible_to",
    "guardianships_visible_to",
    "may_edit_catalogue",
    "may_edit_mentee_profiles",
    "may_edit_mentor_profiles",
    "may_erase_people",
    "may_manage_classes",
    "may_record_consent",
    "may_record_for_class",
    "may_write_people",
    "mentee_profiles_visible_to",
    "mentor_profiles_visible_to",
    "participant_ids_visible_to",
    "participant_rule",
    "participants_visible_to",
    "participants_writable_by",
    "require",
    "study_groups_visible_to",
    "topics_visible_to",
]
