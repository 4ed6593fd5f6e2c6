"""Writes of the programmes app: programmes, their roadmap, the coordinator's stage marks."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import FileExtensionValidator
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from accounts.actor import Actor, author_id
from accounts.models import Role, User
from config.db import tenant_connection
from schools.programmes import access
from schools.programmes.default_roadmap import DEFAULT_ROADMAP
from schools.programmes.models import (
    RESPONSIBLE_ROLES,
    ActivityStatus,
    MentoringForm,
    Programme,
    ProgrammeStage,
    ProgrammeStatus,
    RoadmapActivity,
    Stage,
    StageState,
)

DOCUMENT_EXTENSIONS = [
    "pdf",
    "doc",
    "docx",
    "odt",
    "rtf",
    "xls",
    "xlsx",
    "ods",
    "jpg",
    "jpeg",
    "png",
]
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024


class _Unchanged(enum.Enum):
    """The default of optional update arguments for which ``None`` is a value."""

    UNCHANGED = 0


UNCHANGED = _Unchanged.UNCHANGED
HEADCOUNT_FIELDS = ("headcount_learners", "headcount_teachers", "headcount_young_teachers")
PROGRAMME_FIELDS = ("academic_year", "title", "forms", "goals", "planned_results", "status")


# --- Programme --------------------------------------------------------------------------------


def _validate_forms(forms: Sequence[str]) -> list[str]:
    unknown = sorted(set(forms) - set(MentoringForm.values))
    if unknown:
        raise ValidationError({"forms": [_("Unknown forms of mentoring: %s") % ", ".join(unknown)]})
    return sorted(set(forms), key=list(MentoringForm.values).index)


def _users_with_role(ids: Sequence[int], *, role: str, field: str, message: str) -> list[User]:
    wanted = set(ids)
    users = list(User.objects.filter(pk__in=wanted, role=role, is_active=True))
    missing = wanted - {u.pk for u in users}
    if missing:
        raise ValidationError(
            {field: [message % {"ids": ", ".join(str(i) for i in sorted(missing))}]}
        )
    return users


def _coordinator(coordinator_id: int | None) -> User | None:
    if coordinator_id is None:
        return None
    return _users_with_role(
        [coordinator_id],
        role=Role.COORDINATOR,
        field="coordinator",
        message=_("User %(ids)s is not an active coordinator of this institution."),
    )[0]


def _director(director_id: int | None) -> User | None:
    if director_id is None:
        return None
    return _users_with_role(
        [director_id],
        role=Role.DIRECTOR,
        field="director",
        message=_("User %(ids)s is not an active director of this institution."),
    )[0]


def _curators(curator_ids: Sequence[int]) -> list[User]:
    return _users_with_role(
        curator_ids,
        role=Role.CURATOR,
        field="curators",
        message=_("Users %(ids)s are not active curators of this institution."),
    )


def _validate_headcount(programme: Programme) -> None:
    if programme.headcount_young_teachers > programme.headcount_teachers:
        raise ValidationError(
            {"headcount_young_teachers": [_("Young teachers cannot outnumber all teachers.")]}
        )


@transaction.atomic
def programme_create(
    *,
    academic_year: int,
    title: str,
    forms: Sequence[str] = (),
    goals: str = "",
    planned_results: str = "",
    status: str | None = None,
    coordinator_id: int | None = None,
    director_id: int | None = None,
    curator_ids: Sequence[int] = (),
    headcount_learners: int = 0,
    headcount_teachers: int = 0,
    headcount_young_teachers: int = 0,
    with_default_roadmap: bool = True,
    actor: Actor,
) -> Programme:
    """Create the programme of an academic year, by default with the default roadmap."""
    access.check_set_up(actor=actor)
    if Programme.objects.filter(academic_year=academic_year).exists():
        raise ValidationError(
            {"academic_year": [_("A programme for this academic year already exists.")]}
        )
    coordinator = _coordinator(coordinator_id)
    director = _director(director_id)
    curators = _curators(curator_ids)
    programme = Programme(
        academic_year=academic_year,
        title=title.strip(),
        forms=_validate_forms(forms),
        goals=goals,
        planned_results=planned_results,
        coordinator=coordinator,
        director=director,
        headcount_learners=headcount_learners,
        headcount_teachers=headcount_teachers,
        headcount_young_teachers=headcount_young_teachers,
    )
    if status is not None:
        programme.status = status
    _validate_headcount(programme)
    programme.full_clean()
    programme.save()
    programme.curators.set(curators)
    if with_default_roadmap:
        roadmap_default_create(programme=programme, actor=actor)
    return programme


def _shift_year(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def programme_update(
    *,
    programme: Programme,
    coordinator_id: int | _Unchanged | None = UNCHANGED,
    director_id: int | _Unchanged | None = UNCHANGED,
    curator_ids: Sequence[int] | None = None,
    actor: Actor,
    **fields: Any,
) -> Programme:
    """Change the given fields. A new academic year moves the roadmap's deadlines with it."""
    access.check_set_up(actor=actor)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    unknown = set(fields) - set(PROGRAMME_FIELDS) - set(HEADCOUNT_FIELDS)
    if unknown:
        raise TypeError(f"programme_update() got unknown fields: {sorted(unknown)}")
    if "forms" in fields:
        fields["forms"] = _validate_forms(fields["forms"])
    if "title" in fields:
        fields["title"] = fields["title"].strip()
    old_year = programme.academic_year
    for name, value in fields.items():
        setattr(programme, name, value)
    if coordinator_id is not UNCHANGED:
        programme.coordinator = _coordinator(coordinator_id)
    if director_id is not UNCHANGED:
        programme.director = _director(director_id)
    curators = _curators(curator_ids) if curator_ids is not None else None
    _validate_headcount(programme)
    programme.full_clean()
    programme.save()
    if curators is not None:
        programme.curators.set(curators)
    years = programme.academic_year - old_year
    if years:
        activities = list(programme.activities.all())
        for activity in activities:
            activity.deadline = _shift_year(activity.deadline, years)
        RoadmapActivity.objects.bulk_update(activities, ["deadline"])
    return programme


# --- Roadmap ----------------------------------------------------------------------------------


def roadmap_default_create(*, programme: Programme, actor: Actor) -> list[RoadmapActivity]:
    """Fill the programme's roadmap from the methodology's default (see default_roadmap.py).
    The coordinator and curators, if already appointed, are made responsible for the
    activities of their role."""
    access.check_set_up(actor=actor)
    coordinator = programme.coordinator
    curators = list(programme.curators.all())
    positions: dict[int, int] = {}
    created = []
    for spec in DEFAULT_ROADMAP:
        positions[spec.stage] = positions.get(spec.stage, 0) + 1
        activity = RoadmapActivity.objects.create(
            programme=programme,
            stage=spec.stage,
            position=positions[spec.stage],
            title=spec.title,
            content=spec.content,
            deadline=spec.deadline_for(programme.academic_year),
            responsible_roles=list(spec.roles),
        )
        people: list[User] = []
        if coordinator is not None and Role.COORDINATOR in spec.roles:
            people.append(coordinator)
        if Role.CURATOR in spec.roles:
            people.extend(curators)
        if people:
            activity.responsible_people.set(people)
        created.append(activity)
    return created


def _validate_deadline(programme: Programme, deadline: date) -> None:
    start, end = programme.window
    if not start <= deadline <= end:
        raise ValidationError(
            {
                "deadline": [
                    _("The deadline must fall within the programme's year: %(start)s – %(end)s.")
                    % {"start": start.strftime("%d.%m.%Y"), "end": end.strftime("%d.%m.%Y")}
                ]
            }
        )


def _validate_roles(roles: Sequence[str]) -> list[str]:
    allowed = [r.value for r in RESPONSIBLE_ROLES]
    unknown = sorted(set(roles) - set(allowed))
    if unknown:
        raise ValidationError(
            {"responsible_roles": [_("These roles cannot be responsible: %s") % ", ".join(unknown)]}
        )
    return sorted(set(roles), key=allowed.index)


def _responsible_people(ids: Sequence[int]) -> list[User]:
    wanted = set(ids)
    users = list(
        User.objects.filter(
            pk__in=wanted, is_active=True, role__in=[r.value for r in RESPONSIBLE_ROLES]
        )
    )
    missing = wanted - {u.pk for u in users}
    if missing:
        raise ValidationError(
            {
                "responsible_people": [
                    _("Users %(ids)s cannot be responsible for an activity.")
                    % {"ids": ", ".join(str(i) for i in sorted(missing))}
                ]
            }
        )
    return users


def _validate_document(document: UploadedFile) -> None:
    errors = []
    try:
        FileExtensionValidator(DOCUMENT_EXTENSIONS)(document)
    except ValidationError as exc:
        errors.extend(exc.messages)
    if document.size is not None and document.size > DOCUMENT_MAX_BYTES:
        errors.append(
            _("The file is larger than %(mb)s MB.") % {"mb": DOCUMENT_MAX_BYTES // (1024 * 1024)}
        )
    if errors:
        raise ValidationError({"document": errors})


def _settle_completion(activity: RoadmapActivity, *, completed_on_given: bool) -> None:
    """A done activity has a completion date (today unless given); other states have none."""
    today = timezone.localdate()
    if activity.status == ActivityStatus.DONE:
        if activity.completed_on is None:
            activity.completed_on = today
        elif activity.completed_on > today:
            raise ValidationError({"completed_on": [_("The completion date is in the future.")]})
    elif activity.completed_on is not None:
        if completed_on_given:
            raise ValidationError(
                {"completed_on": [_("Only a done activity has a completion date.")]}
            )
        activity.completed_on = None


def _delete_file_on_commit(name: str) -> None:
    if not name:
        return
    schema = tenant_connection().schema_name

    def delete() -> None:
        from django.core.files.storage import default_storage

        with schema_context(schema):
            default_storage.delete(name)

    transaction.on_commit(delete)


@transaction.atomic
def roadmap_activity_create(
    *,
    programme: Programme,
    stage: int,
    title: str,
    deadline: date,
    content: str = "",
    responsible_roles: Sequence[str] = (),
    responsible_people_ids: Sequence[int] = (),
    status: str = ActivityStatus.PLANNED,
    completed_on: date | None = None,
    position: int | None = None,
    document: UploadedFile | None = None,
    actor: Actor,
) -> RoadmapActivity:
    access.check_set_up(actor=actor)
    if stage not in Stage.values:
        raise ValidationError({"stage": [_("The stage must be from 1 to 6.")]})
    _validate_deadline(programme, deadline)
    people = _responsible_people(responsible_people_ids)
    if position is None:
        last = RoadmapActivity.objects.filter(programme=programme, stage=stage).aggregate(
            last=Max("position")
        )["last"]
        position = (last or 0) + 1
    activity = RoadmapActivity(
        programme=programme,
        stage=stage,
        position=position,
        title=title.strip(),
        content=content,
        deadline=deadline,
        responsible_roles=_validate_roles(responsible_roles),
        status=status,
        completed_on=completed_on,
    )
    _settle_completion(activity, completed_on_given=completed_on is not None)
    if document is not None:
        _validate_document(document)
        activity.document = document
    activity.full_clean()
    activity.save()
    activity.responsible_people.set(people)
    return activity


ACTIVITY_FIELDS = ("stage", "position", "title", "content", "deadline", "status", "completed_on")


@transaction.atomic
def roadmap_activity_update(
    *,
    activity: RoadmapActivity,
    responsible_roles: Sequence[str] | None = None,
    responsible_people_ids: Sequence[int] | None = None,
    document: UploadedFile | _Unchanged | None = UNCHANGED,
    actor: Actor,
    **fields: Any,
) -> RoadmapActivity:
    """Change the given fields; ``document=None`` removes the attached document. A curator
    responsible for the activity may change its status only (``access``)."""
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"roadmap_activity_update() got unknown fields: {sorted(unknown)}")
    activity = (
        RoadmapActivity.objects.select_for_update().select_related("programme").get(pk=activity.pk)
    )
    changing = set(fields)
    if responsible_roles is not None:
        changing.add("responsible_roles")
    if responsible_people_ids is not None:
        changing.add("responsible_people")
    if document is not UNCHANGED:
        changing.add("document")
    access.check_activity_update(actor=actor, activity=activity, fields=changing)
    if "stage" in fields and fields["stage"] not in Stage.values:
        raise ValidationError({"stage": [_("The stage must be from 1 to 6.")]})
    if "title" in fields:
        fields["title"] = fields["title"].strip()
    for name, value in fields.items():
        setattr(activity, name, value)
    if "deadline" in fields:
        _validate_deadline(activity.programme, activity.deadline)
    if responsible_roles is not None:
        activity.responsible_roles = _validate_roles(responsible_roles)
    people = (
        _responsible_people(responsible_people_ids) if responsible_people_ids is not None else None
    )
    _settle_completion(activity, completed_on_given=fields.get("completed_on") is not None)
    old_document = activity.document.name
    if document is not UNCHANGED:
        if document is None:
            activity.document = ""
        else:
            _validate_document(document)
            activity.document = document
    activity.full_clean()
    activity.save()
    if people is not None:
        activity.responsible_people.set(people)
    if document is not UNCHANGED and old_document and old_document != activity.document.name:
        _delete_file_on_commit(old_document)
    return activity


@transaction.atomic
def roadmap_activity_delete(*, activity: RoadmapActivity, actor: Actor) -> None:
    access.check_set_up(actor=actor)
    document = activity.document.name
    activity.delete()
    _delete_file_on_commit(document)


# --- Stages -----------------------------------------------------------------------------------


@transaction.atomic
def programme_stage_mark(
    *, programme: Programme, stage: int, state: str, actor: Actor
) -> ProgrammeStage:
    """The coordinator marks a stage done (only when nothing is missing) or back in progress."""
    access.check_set_up(actor=actor)
    from schools.programmes.stages import stage_missing

    if stage not in Stage.values:
        raise ValidationError({"stage": [_("The stage must be from 1 to 6.")]})
    if state not in (StageState.IN_PROGRESS, StageState.DONE):
        raise ValidationError({"state": [_("A stage can be marked done or in progress only.")]})
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if state == StageState.DONE:
        missing = stage_missing(programme=programme, stage=stage)
        if missing:
            raise ValidationError({"missing": [item.message for item in missing]})
    mark, _created = ProgrammeStage.objects.update_or_create(
        programme=programme,
        stage=stage,
        defaults={
            "marked_state": state,
            "marked_at": timezone.now(),
            "marked_by_id": author_id(actor),
        },
    )
    return mark


# --- the director's approval -----------------------------------------------------------------


@transaction.atomic
def programme_approve(*, programme: Programme, actor: Actor) -> Programme:
    """The director approves the programme (signing the order approving it and its roadmap):
    it becomes active. Idempotent: an approved programme keeps its first approval."""
    access.require(access.can_approve_programme(actor=actor))
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if programme.status == ProgrammeStatus.CLOSED:
        raise ValidationError({"programme": [_("The programme is closed.")]})
    if programme.approved_at is None:
        programme.approved_at = timezone.now()
        programme.approved_by_id = author_id(actor)
        programme.status = ProgrammeStatus.ACTIVE
        programme.save(update_fields=["approved_at", "approved_by", "status", "updated_at"])
    return programme
