"""Classes and study groups at set-up: the coordinator lists the institution's classes («5А»,
«ТМ-21») and gives each its curator, before or after the people are imported (an import
reuses a class of the same name, case and spaces ignored)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.actor import Actor
from accounts.models import Role, User
from schools.audit.api import AuditAction, AuditChange, audit_record_many
from schools.participants import access
from schools.participants.models import StudyGroup


def can_manage_classes(*, actor: Actor) -> bool:
    """The coordinator lists the classes and appoints their curators."""
    return access.may_manage_classes(actor)


def study_groups_visible_to(actor: Actor) -> QuerySet[StudyGroup]:
    """The classes ``actor`` works with (``access.study_groups_visible_to``): every class for
    the coordinator, the director and the deputies; a curator's own classes; none for anyone
    else."""
    return access.study_groups_visible_to(actor, StudyGroup.objects.select_related("curator"))


def _natural_key(name: str) -> tuple[int, str]:
    """«5А» < «10А»: the grade number first, then the rest."""
    match = re.match(r"\s*(\d+)", name)
    return (int(match.group(1)) if match else 10**6, name.upper())


def sorted_groups(groups: Iterable[StudyGroup]) -> list[StudyGroup]:
    """Classes in the order a school reads them: by grade number, then by letter."""
    return sorted(groups, key=lambda group: _natural_key(group.name))


def class_names(text: str) -> list[str]:
    """«5А, 5Б; 6А\\n 7 Б» -> ["5А", "5Б", "6А", "7 Б"]: names in the order given, repeats
    (case and spaces ignored) dropped."""
    names: dict[str, str] = {}
    for part in re.split(r"[,;\n]", text or ""):
        name = " ".join(part.split())
        if name and name.upper() not in names:
            names[name.upper()] = name
    return list(names.values())


@transaction.atomic
def study_groups_create_many(*, names: str, actor: Actor) -> list[StudyGroup]:
    """Create the classes named in ``names`` (comma, semicolon or line separated) that do not
    exist yet; the new ones, in the order given."""
    access.check_classes_manage(actor)
    wanted = class_names(names)
    if not wanted:
        raise ValidationError({"names": [_("Name at least one class or study group.")]})
    too_long = [name for name in wanted if len(name) > 50]
    if too_long:
        raise ValidationError(
            {"names": [_("A class name is at most 50 characters: %s") % ", ".join(too_long)]}
        )
    existing = {name.upper() for name in StudyGroup.objects.values_list("name", flat=True)}
    new = [StudyGroup(name=name) for name in wanted if name.upper() not in existing]
    StudyGroup.objects.bulk_create(new)
    audit_record_many(
        actor=actor,
        changes=[AuditChange(AuditAction.CREATE, group, ["name"]) for group in new],
    )
    return new


@transaction.atomic
def study_groups_set_curators(
    *, assignments: Mapping[int, int | None], actor: Actor
) -> list[StudyGroup]:
    """Give classes their curators ({class id: curator user id or None}); the classes changed.
    Every curator must be an active user with the curator role."""
    access.check_classes_manage(actor)
    groups = {
        group.pk: group
        for group in StudyGroup.objects.select_for_update().filter(pk__in=list(assignments))
    }
    errors: list[str] = []
    unknown = sorted(set(assignments) - set(groups))
    if unknown:
        errors.append(_("No such class: %s") % ", ".join(str(pk) for pk in unknown))
    wanted = {user_id for user_id in assignments.values() if user_id is not None}
    curators = set(
        User.objects.filter(pk__in=wanted, role=Role.CURATOR, is_active=True).values_list(
            "pk", flat=True
        )
    )
    if wanted - curators:
        errors.append(_("Only an active curator can curate a class."))
    if errors:
        raise ValidationError({"curators": errors})
    changed = []
    for pk, curator_id in assignments.items():
        group = groups[pk]
        if group.curator_id != curator_id:
            group.curator_id = curator_id
            changed.append(group)
    StudyGroup.objects.bulk_update(changed, ["curator"])
    audit_record_many(
        actor=actor,
        changes=[AuditChange(AuditAction.UPDATE, group, ["curator"]) for group in changed],
    )
    return changed
