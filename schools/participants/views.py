"""API of participants, study groups, guardianships, the consent register and the mentor and
mentee bases. Views are thin: input serializers check shapes, services check rules and write,
``scope_for_actor`` limits every queryset (and so every lookup by id) to what the actor may
see, through the app's access layer (``schools.participants.access``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import roles
from accounts.actor import Actor, actor_of
from accounts.models import Role, User
from config.api.base import (
    EVERY_TENANT_ROLE,
    INSTITUTION_MANAGERS,
    INSTITUTION_STAFF,
    TenantModelViewSet,
    TenantViewSet,
)
from config.api.parsers import CleanFormParser, CleanJSONParser, CleanMultiPartParser
from config.api.rows import Row, Rows, current_zone, iso_date, iso_datetime
from schools.participants import access, selectors, services
from schools.participants.consent_texts import consent_text
from schools.participants.documents import (
    DOCX_CONTENT_TYPE,
    consent_form_docx,
    consent_form_filename,
)
from schools.participants.models import (
    REQUIRED_PURPOSE,
    Category,
    Consent,
    ConsentKind,
    ConsentMethod,
    ConsentPurpose,
    ConsentSigner,
    GuardianRelation,
    Guardianship,
    MenteeProfile,
    MentorProfile,
    Participant,
    RequestSource,
    SelectionCriterion,
    StudyGroup,
    Topic,
    age_on,
    full_name_of,
    is_minor_at,
)
from schools.participants.selectors import ConsentState
from schools.programmes.models import MentoringForm

COORDINATOR_AND_CURATORS = roles.COORDINATION_AND_CURATORS
CONSENT_RECORDERS = roles.CONSENT_RECORDERS
SCAN_MAX_BYTES = 10 * 1024 * 1024
SCAN_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png")


def named_enum_field(
    component: str, choices: list[tuple[str, Any]], *, blank: bool = False
) -> type[serializers.ChoiceField]:
    """A ChoiceField documented as the enum component ``component``.

    drf-spectacular names enums after the field ("kind" → ``KindEnum``) and warns when
    several apps use one field name for different choice sets. A field of this class refers
    to its own named component instead, so no global ENUM_NAME_OVERRIDES entry is needed."""
    values = [value for value, _label in choices] + ([""] if blank else [])
    field_class = type(f"{component}Field", (serializers.ChoiceField,), {})

    class Extension(OpenApiSerializerFieldExtension):
        target_class = field_class

        def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
            resolved = ResolvedComponent(
                name=component,
                type=ResolvedComponent.SCHEMA,
                object=component,
                schema={"type": "string", "enum": values},
            )
            auto_schema.registry.register_on_missing(resolved)
            return resolved.ref

    return field_class


ConsentKindField = named_enum_field("ConsentKindEnum", ConsentKind.choices)
GuardianRelationField = named_enum_field(
    "ConsentGuardianRelationEnum", GuardianRelation.choices, blank=True
)


# --- study groups -----------------------------------------------------------------------------


class StudyGroupOutput(serializers.ModelSerializer[StudyGroup]):
    class Meta:
        model = StudyGroup
        fields = ["id", "name", "curator", "created_at"]


class StudyGroupInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=50)
    curator = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(role=Role.CURATOR, is_active=True),
        allow_null=True,
        required=False,
    )


class StudyGroupViewSet(TenantModelViewSet):
    """Classes of a school («5А») and study groups of a college («ТМ-21»)."""

    read_roles = INSTITUTION_STAFF
    write_roles = INSTITUTION_MANAGERS
    serializer_class = StudyGroupOutput
    filterset_fields = ["curator"]
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]

    def scoped_queryset(self) -> QuerySet[StudyGroup]:
        return selectors.study_group_list()

    def scope_for_actor(self, queryset: QuerySet[Any], actor: Actor) -> QuerySet[Any]:
        return access.study_groups_visible_to(actor, queryset)

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action in ("create", "partial_update"):
            return StudyGroupInput
        return StudyGroupOutput

    @extend_schema(request=StudyGroupInput, responses={201: StudyGroupOutput})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = StudyGroupInput(data=request.data)
        data.is_valid(raise_exception=True)
        curator = data.validated_data.get("curator")
        group = services.study_group_create(
            name=data.validated_data["name"],
            curator_id=curator.pk if curator else None,
            actor=actor_of(request),
        )
        return Response(StudyGroupOutput(group).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=StudyGroupInput, responses=StudyGroupOutput)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        group = self.get_object()
        data = StudyGroupInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "curator" in fields:
            curator = fields.pop("curator")
            fields["curator_id"] = curator.pk if curator else None
        group = services.study_group_update(group=group, actor=actor_of(request), **fields)
        return Response(StudyGroupOutput(group).data)


# --- participants -----------------------------------------------------------------------------


class ParticipantOutput(serializers.ModelSerializer[Participant]):
    full_name = serializers.CharField(read_only=True)
    age = serializers.IntegerField(read_only=True, allow_null=True)
    is_minor = serializers.BooleanField(read_only=True)
    consent_state = serializers.ChoiceField(choices=ConsentState.CHOICES, read_only=True)
    has_valid_consent = serializers.SerializerMethodField()
    needs_reconsent = serializers.SerializerMethodField()
    is_mentee = serializers.BooleanField(read_only=True)
    is_mentor = serializers.BooleanField(read_only=True)

    class Meta:
        model = Participant
        fields = [
            "id",
            "last_name",
            "first_name",
            "middle_name",
            "full_name",
            "birth_date",
            "age",
            "is_minor",
            "category",
            "study_group",
            "is_young_specialist",
            "email",
            "phone",
            "user",
            "consent_state",
            "has_valid_consent",
            "needs_reconsent",
            "is_mentee",
            "is_mentor",
            "processing_stopped_at",
            "erase_after",
            "erased_at",
            "created_at",
            "updated_at",
        ]

    def get_has_valid_consent(self, obj: Participant) -> bool:
        return getattr(obj, "consent_state", None) in ConsentState.VALID_STATES

    def get_needs_reconsent(self, obj: Participant) -> bool:
        """The person turns (or has turned) 14 or 18 and must sign anew."""
        return getattr(obj, "consent_state", None) in ConsentState.NEEDS_RECONSENT


class ParticipantRows(Rows):
    """The list of participants: ``ParticipantOutput``'s rows from plain values. The consent
    state is ``selectors.consent_state_from`` over the latest consent's columns (the rule of
    the annotation, in Python: building and compiling the annotation cost more than the page)."""

    def select(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.values(
            "id",
            "last_name",
            "first_name",
            "middle_name",
            "birth_date",
            "category",
            "study_group",
            "is_young_specialist",
            "email",
            "phone",
            "user",
            "latest_consent",
            "is_mentee",
            "is_mentor",
            "processing_stopped_at",
            "erase_after",
            "erased_at",
            "created_at",
            "updated_at",
        )

    def output(self, rows: Sequence[Row]) -> list[Row]:
        zone = current_zone()
        today = timezone.localdate()
        state_of = selectors.consent_state_of_columns
        page = []
        for row in rows:
            age = age_on(row["birth_date"], today)
            state = state_of(
                erased_at=row["erased_at"],
                processing_stopped_at=row["processing_stopped_at"],
                birth_date=row["birth_date"],
                latest_consent=row["latest_consent"],
                today=today,
            )
            page.append(
                {
                    "id": row["id"],
                    "last_name": row["last_name"],
                    "first_name": row["first_name"],
                    "middle_name": row["middle_name"],
                    "full_name": full_name_of(
                        row["last_name"], row["first_name"], row["middle_name"]
                    ),
                    "birth_date": iso_date(row["birth_date"]),
                    "age": age,
                    "is_minor": is_minor_at(age),
                    "category": row["category"],
                    "study_group": row["study_group"],
                    "is_young_specialist": row["is_young_specialist"],
                    "email": row["email"],
                    "phone": row["phone"],
                    "user": row["user"],
                    "consent_state": state,
                    "has_valid_consent": state in ConsentState.VALID_STATES,
                    "needs_reconsent": state in ConsentState.NEEDS_RECONSENT,
                    "is_mentee": row["is_mentee"],
                    "is_mentor": row["is_mentor"],
                    "processing_stopped_at": iso_datetime(row["processing_stopped_at"], zone),
                    "erase_after": iso_date(row["erase_after"]),
                    "erased_at": iso_datetime(row["erased_at"], zone),
                    "created_at": iso_datetime(row["created_at"], zone),
                    "updated_at": iso_datetime(row["updated_at"], zone),
                }
            )
        return page


class ParticipantInput(serializers.Serializer[Any]):
    last_name = serializers.CharField(max_length=150)
    first_name = serializers.CharField(max_length=150)
    middle_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    birth_date = serializers.DateField(required=False, allow_null=True)
    category = serializers.ChoiceField(choices=Category.choices)
    study_group = serializers.PrimaryKeyRelatedField(
        queryset=StudyGroup.objects.all(), required=False, allow_null=True
    )
    is_young_specialist = serializers.BooleanField(required=False)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )


class ParticipantFilter(django_filters.FilterSet):
    consent_state = django_filters.ChoiceFilter(
        choices=ConsentState.CHOICES, method="filter_consent_state"
    )
    minor = django_filters.BooleanFilter(method="filter_minor", label="minor")
    needs_reconsent = django_filters.BooleanFilter(
        method="filter_needs_reconsent", label="needs re-consent"
    )
    is_mentee = django_filters.BooleanFilter(method="filter_flag", label="is a mentee")
    is_mentor = django_filters.BooleanFilter(method="filter_flag", label="is a mentor")

    class Meta:
        model = Participant
        fields = ["category", "study_group", "is_young_specialist"]

    def filter_minor(
        self, queryset: QuerySet[Participant], name: str, value: bool | None
    ) -> QuerySet[Participant]:
        if value is None:
            return queryset
        from django.utils import timezone

        adult = selectors.years_before(timezone.localdate(), 18)
        minor = Q(birth_date__gt=adult)
        return queryset.filter(minor) if value else queryset.exclude(minor)

    def filter_flag(
        self, queryset: QuerySet[Participant], name: str, value: bool | None
    ) -> QuerySet[Participant]:
        """``is_mentee`` / ``is_mentor``: annotated by the view."""
        return queryset if value is None else queryset.filter(**{name: value})

    def filter_consent_state(
        self, queryset: QuerySet[Participant], name: str, value: str
    ) -> QuerySet[Participant]:
        """The list's rows carry the latest consent only: the state is annotated here."""
        return selectors.with_consent_state(queryset).filter(Q(consent_state=value))

    def filter_needs_reconsent(
        self, queryset: QuerySet[Participant], name: str, value: bool | None
    ) -> QuerySet[Participant]:
        if value is None:
            return queryset
        rule = Q(consent_state__in=ConsentState.NEEDS_RECONSENT)
        queryset = selectors.with_consent_state(queryset)
        return queryset.filter(rule) if value else queryset.exclude(rule)


CONSENT_FORM_PARAMETERS = [
    OpenApiParameter(
        "purpose",
        OpenApiTypes.STR,
        enum=ConsentPurpose.values,
        description="The purpose of the consent (default: personal data).",
    )
]


class ParticipantViewSet(TenantModelViewSet):
    """People of the institution's programme. Coordinators, directors and deputies see all;
    a curator sees the groups it curates; a mentor or mentee itself; a parent its children."""

    read_roles = EVERY_TENANT_ROLE
    write_roles = COORDINATOR_AND_CURATORS
    serializer_class = ParticipantOutput
    list_rows = ParticipantRows()
    filterset_class = ParticipantFilter
    search_fields = ["last_name", "first_name", "middle_name"]
    ordering_fields = ["last_name", "birth_date", "created_at", "updated_at"]

    def scoped_queryset(self) -> QuerySet[Participant]:
        # The list computes the consent state per row (ParticipantRows); a single person is
        # answered by the serializer, which reads the annotation. (A view made outside a
        # request, as the schema generator and the cross-tenant walk make it, has no action.)
        if getattr(self, "action", None) == "list":
            people = selectors.participant_rows()
        else:
            people = selectors.participant_list()
        return people.annotate(
            is_mentee=Exists(MenteeProfile.objects.filter(participant=OuterRef("pk"))),
            is_mentor=Exists(MentorProfile.objects.filter(participant=OuterRef("pk"))),
        )

    def scope_for_actor(self, queryset: QuerySet[Any], actor: Actor) -> QuerySet[Any]:
        return access.participants_visible_to(actor, queryset)

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action in ("create", "partial_update"):
            return ParticipantInput
        return ParticipantOutput

    def _output(self, participant: Participant) -> dict[str, Any]:
        fresh = self.get_queryset().get(pk=participant.pk)
        return dict(ParticipantOutput(fresh).data)

    @extend_schema(request=ParticipantInput, responses={201: ParticipantOutput})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ParticipantInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        group = fields.pop("study_group", None)
        account = fields.pop("user", None)
        access.check_study_group_choice(self.actor, group.pk if group else None)
        participant = services.participant_create(
            **fields,
            study_group_id=group.pk if group else None,
            user_id=account.pk if account else None,
            actor=actor_of(request),
        )
        return Response(self._output(participant), status=status.HTTP_201_CREATED)

    @extend_schema(request=ParticipantInput, responses=ParticipantOutput)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        participant = self.get_object()
        data = ParticipantInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "study_group" in fields:
            group = fields.pop("study_group")
            access.check_study_group_choice(self.actor, group.pk if group else None)
            fields["study_group_id"] = group.pk if group else None
        if "user" in fields:
            account = fields.pop("user")
            fields["user_id"] = account.pk if account else None
        participant = services.participant_update(
            participant=participant, actor=actor_of(request), **fields
        )
        return Response(self._output(participant))

    @extend_schema(
        parameters=CONSENT_FORM_PARAMETERS,
        responses={
            (200, DOCX_CONTENT_TYPE): OpenApiResponse(
                OpenApiTypes.BINARY, description="The consent form (DOCX) to print and sign."
            )
        },
    )
    @action(detail=True, methods=["get"], url_path="consent-form")
    def consent_form(self, request: Request, pk: str | None = None, **kwargs: Any) -> HttpResponse:
        """The person's consent form: for whom may read its consents (not its mentor)."""
        participant = self.get_object()
        access.access_consent_subject_by_id(self.actor, participant.pk)
        purpose = request.query_params.get("purpose") or REQUIRED_PURPOSE
        text = consent_text(purpose=purpose)
        if text is None or participant.erased_at is not None:
            raise ValidationError({"purpose": [_("No consent form for this purpose.")]})
        content = consent_form_docx(participant=participant, text=text)
        response = HttpResponse(content, content_type=DOCX_CONTENT_TYPE)
        filename = consent_form_filename(participant, purpose)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


# --- guardianships ----------------------------------------------------------------------------


class GuardianshipOutput(serializers.ModelSerializer[Guardianship]):
    class Meta:
        model = Guardianship
        fields = ["id", "parent", "child", "relation", "created_at"]


class GuardianshipInput(serializers.Serializer[Any]):
    # The metaclass moves declared fields off the class, so ``parent`` does not clash with
    # ``Field.parent`` at run time; the type checker cannot know that.
    parent = serializers.IntegerField(min_value=1)  # type: ignore[assignment]
    child = serializers.IntegerField(min_value=1)
    relation = serializers.ChoiceField(choices=GuardianRelation.choices)


class GuardianshipViewSet(
    TenantViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin
):
    """Who is the parent or legal guardian of whom."""

    read_roles = INSTITUTION_STAFF | {Role.PARENT}
    write_roles = COORDINATOR_AND_CURATORS
    serializer_class = GuardianshipOutput
    filterset_fields = ["parent", "child", "relation"]

    def scoped_queryset(self) -> QuerySet[Guardianship]:
        return selectors.guardianship_list()

    def scope_for_actor(self, queryset: QuerySet[Any], actor: Actor) -> QuerySet[Any]:
        return access.guardianships_visible_to(actor, queryset)

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return GuardianshipInput if self.action == "create" else GuardianshipOutput

    @extend_schema(request=GuardianshipInput, responses={201: GuardianshipOutput})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = GuardianshipInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        link = services.guardianship_create(
            parent_id=values["parent"],
            child_id=values["child"],
            relation=values["relation"],
            actor=self.actor,
        )
        return Response(GuardianshipOutput(link).data, status=status.HTTP_201_CREATED)


# --- consent register -------------------------------------------------------------------------


class ConsentOutput(serializers.ModelSerializer[Consent]):
    kind = ConsentKindField(choices=ConsentKind.choices, read_only=True)
    guardian_relation = GuardianRelationField(choices=GuardianRelation.choices, read_only=True)
    has_scan = serializers.SerializerMethodField()

    class Meta:
        model = Consent
        fields = [
            "id",
            "participant",
            "kind",
            "purpose",
            "text_version",
            "text_checksum",
            "signed_by",
            "guardian_name",
            "guardian_relation",
            "minor_signed",
            "signed_on",
            "method",
            "has_scan",
            "recorded_by",
            "created_at",
        ]

    def get_has_scan(self, obj: Consent) -> bool:
        return bool(obj.scan)


class ConsentInput(serializers.Serializer[Any]):
    participant = serializers.IntegerField(min_value=1)
    kind = ConsentKindField(choices=ConsentKind.choices)
    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices, default=REQUIRED_PURPOSE)
    text_version = serializers.CharField(max_length=32, required=False, allow_blank=True)
    signed_by = serializers.ChoiceField(choices=ConsentSigner.choices)
    guardian_name = serializers.CharField(max_length=300, required=False, allow_blank=True)
    guardian_relation = GuardianRelationField(
        choices=GuardianRelation.choices, required=False, allow_blank=True
    )
    minor_signed = serializers.BooleanField(required=False, default=False)
    signed_on = serializers.DateField()
    method = serializers.ChoiceField(choices=ConsentMethod.choices)
    scan = serializers.FileField(required=False, allow_null=True)

    def validate_scan(self, value: Any) -> Any:
        if value is None:
            return value
        if value.size > SCAN_MAX_BYTES:
            raise serializers.ValidationError(_("The scan is larger than 10 MB."))
        if not str(value.name).lower().endswith(SCAN_EXTENSIONS):
            raise serializers.ValidationError(_("Upload a PDF, JPEG or PNG file."))
        return value


class ConsentViewSet(
    TenantViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin
):
    """The consent register (152-FZ). Append-only: a correction or a withdrawal is a new record
    (``kind = withdrawal``); a withdrawal stops processing at once and schedules erasure."""

    read_roles = EVERY_TENANT_ROLE
    write_roles = CONSENT_RECORDERS
    serializer_class = ConsentOutput
    parser_classes = [CleanJSONParser, CleanMultiPartParser, CleanFormParser]
    filterset_fields = ["participant", "kind", "purpose", "method", "signed_by"]
    ordering_fields = ["created_at", "signed_on"]

    def scoped_queryset(self) -> QuerySet[Consent]:
        return selectors.consent_list()

    def scope_for_actor(self, queryset: QuerySet[Any], actor: Actor) -> QuerySet[Any]:
        return access.consents_visible_to(actor, queryset)

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return ConsentInput if self.action == "create" else ConsentOutput

    @extend_schema(request=ConsentInput, responses={201: ConsentOutput})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ConsentInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        participant_id = fields.pop("participant")
        # Who may record for whom (a parent for its minor children only) is the service's
        # rule: access.check_consent_record.
        consent = services.consent_record(
            participant_id=participant_id,
            text_version=fields.pop("text_version", None) or None,
            actor=self.actor,
            **fields,
        )
        return Response(ConsentOutput(consent).data, status=status.HTTP_201_CREATED)


# --- mentee and mentor bases ------------------------------------------------------------------


class MenteeProfileOutput(serializers.ModelSerializer[MenteeProfile]):
    participant_name = serializers.CharField(source="participant.full_name", read_only=True)
    needs: Any = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = MenteeProfile
        fields = [
            "id",
            "participant",
            "participant_name",
            "request",
            "needs",
            "preferred_form",
            "raised_by",
            "created_at",
            "updated_at",
        ]


class MenteeProfileInput(serializers.Serializer[Any]):
    participant = serializers.IntegerField(min_value=1)
    request = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    need_codes = serializers.ListField(
        child=serializers.SlugField(max_length=50), required=False, max_length=50
    )
    preferred_form = serializers.ChoiceField(
        choices=MentoringForm.choices, required=False, allow_blank=True
    )
    raised_by = serializers.ChoiceField(choices=RequestSource.choices, required=False)


class MenteeProfileUpdateInput(MenteeProfileInput):
    participant = None  # type: ignore[assignment]


class MenteeProfileViewSet(TenantModelViewSet):
    """The mentee base: requests (free text and need tags), preferred form, who raised it."""

    read_roles = EVERY_TENANT_ROLE
    write_roles = COORDINATOR_AND_CURATORS
    serializer_class = MenteeProfileOutput
    filterset_fields = ["preferred_form", "raised_by", "needs__code", "participant"]
    search_fields = ["participant__last_name", "participant__first_name"]
    ordering_fields = ["created_at", "updated_at"]

    def scoped_queryset(self) -> QuerySet[MenteeProfile]:
        return selectors.mentee_profile_list()

    def scope_for_actor(self, queryset: QuerySet[Any], actor: Actor) -> QuerySet[Any]:
        return access.mentee_profiles_visible_to(actor, queryset)

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "create":
            return MenteeProfileInput
        if self.action == "partial_update":
            return MenteeProfileUpdateInput
        return MenteeProfileOutput

    @extend_schema(request=MenteeProfileInput, responses={201: MenteeProfileOutput})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _profile_create(
            request,
            MenteeProfileInput,
            MenteeProfileOutput,
            MenteeProfile,
            services.mentee_profile_upsert,
            _("This person is already a mentee."),
        )

    @extend_schema(request=MenteeProfileUpdateInput, responses=MenteeProfileOutput)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _profile_update(
            request,
            self.get_object(),
            MenteeProfileUpdateInput,
            MenteeProfileOutput,
            services.mentee_profile_upsert,
        )


def _profile_create(
    request: Request,
    input_class: type[serializers.Serializer[Any]],
    output_class: type[serializers.BaseSerializer[Any]],
    model: type[MenteeProfile] | type[MentorProfile],
    upsert: Any,
    already_message: str,
) -> Response:
    """Create a mentee or mentor profile for a participant the caller can see."""
    data = input_class(data=request.data)
    data.is_valid(raise_exception=True)
    fields = dict(data.validated_data)
    participant_id = fields.pop("participant")
    if not access.participants_writable_by(actor_of(request)).filter(pk=participant_id).exists():
        raise ValidationError({"participant": [_("No such participant.")]})
    if model.objects.filter(participant_id=participant_id).exists():
        raise ValidationError({"participant": [already_message]})
    profile = upsert(participant_id=participant_id, actor=actor_of(request), **fields)
    return Response(output_class(profile).data, status=status.HTTP_201_CREATED)


def _profile_update(
    request: Request,
    profile: MenteeProfile | MentorProfile,
    input_class: type[serializers.Serializer[Any]],
    output_class: type[serializers.BaseSerializer[Any]],
    upsert: Any,
) -> Response:
    data = input_class(data=request.data, partial=True)
    data.is_valid(raise_exception=True)
    profile = upsert(
        participant_id=profile.participant_id, actor=actor_of(request), **data.validated_data
    )
    return Response(output_class(profile).data)


class MentorProfileOutput(serializers.ModelSerializer[MentorProfile]):
    participant_name = serializers.CharField(source="participant.full_name", read_only=True)
    competences: Any = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    selection_scores = serializers.DictField(child=serializers.IntegerField())
    selection_total = serializers.IntegerField(read_only=True)

    class Meta:
        model = MentorProfile
        fields = [
            "id",
            "participant",
            "participant_name",
            "competences",
            "experience",
            "experience_years",
            "hours_per_month",
            "capacity",
            "motivation",
            "selection_scores",
            "selection_total",
            "training",
            "created_at",
            "updated_at",
        ]


class MentorProfileInput(serializers.Serializer[Any]):
    participant = serializers.IntegerField(min_value=1)
    competence_codes = serializers.ListField(
        child=serializers.SlugField(max_length=50), required=False, max_length=50
    )
    experience = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    experience_years = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=80
    )
    hours_per_month = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=200
    )
    capacity = serializers.IntegerField(required=False, min_value=1, max_value=50)
    motivation = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    selection_scores = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=5),
        required=False,
        help_text="Criterion → score 0..5; criteria: " + ", ".join(SelectionCriterion.values),
    )
    training = serializers.CharField(required=False, allow_blank=True, max_length=5000)

    def validate_selection_scores(self, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - set(SelectionCriterion.values))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown selection criteria: %s") % ", ".join(unknown)
            )
        return value


class MentorProfileUpdateInput(MentorProfileInput):
    participant = None  # type: ignore[assignment]


class MentorProfileViewSet(TenantModelViewSet):
    """The mentor base: competences, experience, time resource, capacity, motivation, the
    selection criteria scored by the coordinator, training taken."""

    read_roles = EVERY_TENANT_ROLE
    write_roles = INSTITUTION_MANAGERS
    serializer_class = MentorProfileOutput
    filterset_fields = ["competences__code", "participant", "capacity"]
    search_fields = ["participant__last_name", "participant__first_name"]
    ordering_fields = ["created_at", "updated_at", "capacity", "hours_per_month"]

    def scoped_queryset(self) -> QuerySet[MentorProfile]:
        return selectors.mentor_profile_list()

    def scope_for_actor(self, queryset: QuerySet[Any], actor: Actor) -> QuerySet[Any]:
        return access.mentor_profiles_visible_to(actor, queryset)

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "create":
            return MentorProfileInput
        if self.action == "partial_update":
            return MentorProfileUpdateInput
        return MentorProfileOutput

    @extend_schema(request=MentorProfileInput, responses={201: MentorProfileOutput})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _profile_create(
            request,
            MentorProfileInput,
            MentorProfileOutput,
            MentorProfile,
            services.mentor_profile_upsert,
            _("This person is already a mentor."),
        )

    @extend_schema(request=MentorProfileUpdateInput, responses=MentorProfileOutput)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _profile_update(
            request,
            self.get_object(),
            MentorProfileUpdateInput,
            MentorProfileOutput,
            services.mentor_profile_upsert,
        )


# --- the catalogue of requests and competences -------------------------------------------------


class TopicOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    group = serializers.CharField()
    audience = serializers.CharField()
    synonyms = serializers.ListField(child=serializers.CharField())
    covered_by = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_covered_by(self, topic: Topic) -> list[str]:
        """Codes of the other entries that also cover this need."""
        return sorted(c.covered_by.code for c in topic.coverage.all())


class TopicViewSet(TenantViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """The catalogue of requests and competences (active entries): mentees' needs and mentors'
    competences both name its codes."""

    read_roles = EVERY_TENANT_ROLE
    # No write routes exist; naming the roles makes other methods answer 405, not 403.
    write_roles = EVERY_TENANT_ROLE
    serializer_class = TopicOutput
    pagination_class = None
    search_fields = ["name", "code"]

    def scoped_queryset(self) -> QuerySet[Topic]:
        return selectors.topic_list().prefetch_related("coverage__covered_by")
