"""Objects of institution B, one per model that any route can address by id.

The cross-tenant test creates them inside B's schema with ids far above anything A has, each
carrying ``MARKER`` where the model has text, so that a leak shows in a response body. When a
new model gets a route (API detail route or admin), add a factory here: the test fails with
"add an object of B for <app_label.model_name>" until you do.

Each factory runs inside B's schema, gets B's coordinator ``user``, and returns the value the
route takes as its id (usually ``str(obj.pk)``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection

from accounts.models import Invitation, Role, User

MARKER = "СЕКРЕТ-Б-7f3a"

Factory = Callable[[User], str]
FACTORIES: dict[str, Factory] = {}


def factory(label: str) -> Callable[[Factory], Factory]:
    def register(func: Factory) -> Factory:
        FACTORIES[label] = func
        return func

    return register


def bump_sequence(table: str) -> None:
    """Move the table's id sequence far above anything the other institution has."""
    with connection.cursor() as cursor:
        cursor.execute(
            # Never backwards: several factories bump the same table (participants), and a lower
            # value than one already given would hand out an id twice.
            "SELECT setval(seq, GREATEST(1000000 + (random()*1000)::int, nextval(seq))) "
            "FROM pg_get_serial_sequence(%s, 'id') AS seq",
            [table],
        )


@factory("accounts.user")
def _user(user: User) -> str:
    return str(user.pk)


@factory("authtoken.tokenproxy")
def _token(user: User) -> str:
    from rest_framework.authtoken.models import Token

    Token.objects.get_or_create(user=user)
    return str(user.pk)


@factory("accounts.invitation")
def _invitation(user: User) -> str:
    bump_sequence("accounts_invitation")
    invitation = Invitation.objects.create(
        email="secret-b@beta.ru",
        role=Role.MENTOR,
        first_name=MARKER,
        expires_at="2099-01-01T00:00:00Z",
    )
    return str(invitation.pk)


@factory("auth.group")
def _group(user: User) -> str:
    from django.contrib.auth.models import Group

    bump_sequence("auth_group")
    return str(Group.objects.create(name=MARKER).pk)


@factory("programmes.programme")
def _programme(user: User) -> str:
    from schools.programmes.models import Programme

    bump_sequence("programmes_programme")
    return str(Programme.objects.create(academic_year=2031, title=MARKER).pk)


def _b_institution() -> Any:
    from config.db import tenant_connection
    from tenants.models import Institution

    return Institution.objects.get(schema_name=tenant_connection().schema_name)


@factory("employers.employermentor")
def _employer_mentor(user: User) -> str:
    """Employers' mentors are regional (public schema); a paused one is in nobody's catalogue."""
    from regional.employers.models import Employer, EmployerMentor

    bump_sequence("employers_employermentor")
    employer = Employer.objects.create(name=MARKER, inn="7707083893")
    mentor = EmployerMentor.objects.create(
        employer=employer,
        last_name=MARKER,
        first_name=MARKER,
        position=MARKER,
        forms=["employer_pupil"],
        remote=True,
        capacity=3,
        status="paused",
        contact_email="secret-b@employer.ru",
    )
    return str(mentor.pk)


@factory("employers.mentorrequest")
def _mentor_request(user: User) -> str:
    """B's request for an employer's mentor (stored in public, scoped to B)."""
    from regional.employers.models import EmployerMentor, MentorRequest

    bump_sequence("employers_mentorrequest")
    request = MentorRequest.objects.create(
        institution=_b_institution(),
        employer_mentor=EmployerMentor.objects.filter(last_name=MARKER).first()
        or EmployerMentor.objects.get(pk=int(_employer_mentor(user))),
        form="employer_pupil",
        mentees_count=1,
        topic=MARKER,
        requested_by_id=user.pk,
        requested_by_role=user.role,
    )
    return str(request.pk)


@factory("imports.importbatch")
def _import_batch(user: User) -> str:
    from schools.imports.models import ImportBatch

    bump_sequence("imports_importbatch")
    batch = ImportBatch.objects.create(
        kind="participants",
        file="imports/secret-b.csv",
        original_name=MARKER,
        status="previewed",
        report={"file_errors": [], "rows": [{"row": 2, "name": MARKER, "errors": []}]},
        created_by=user,
    )
    return str(batch.pk)


# --- participants and audit (schools/participants, schools/audit) ----------------------------


def _b_participant(user: User) -> Any:
    """B's one pupil, in B's one study group (made once, shared by the factories below)."""
    from schools.participants.models import Participant, StudyGroup

    found = Participant.objects.filter(last_name=MARKER, first_name=MARKER).first()
    if found is not None:
        return found
    bump_sequence("participants_studygroup")
    group = StudyGroup.objects.create(name=MARKER[:50], curator=user)
    bump_sequence("participants_participant")
    return Participant.objects.create(
        last_name=MARKER,
        first_name=MARKER,
        category="pupil",
        birth_date="2012-03-04",
        study_group=group,
        email="secret-b@beta.ru",
    )


@factory("participants.participant")
def _participant(user: User) -> str:
    return str(_b_participant(user).pk)


@factory("participants.studygroup")
def _study_group(user: User) -> str:
    from schools.participants.models import StudyGroup

    _b_participant(user)
    return str(StudyGroup.objects.get(name=MARKER[:50]).pk)


@factory("participants.guardianship")
def _guardianship(user: User) -> str:
    from schools.participants.models import Guardianship, Participant

    bump_sequence("participants_guardianship")
    parent = Participant.objects.create(last_name=MARKER, first_name="Родитель", category="parent")
    link = Guardianship.objects.create(parent=parent, child=_b_participant(user), relation="mother")
    return str(link.pk)


@factory("participants.consent")
def _consent(user: User) -> str:
    from schools.participants.models import Consent

    bump_sequence("participants_consent")
    consent = Consent.objects.create(
        participant=_b_participant(user),
        kind="grant",
        purpose="personal_data",
        text_version="2026-1",
        text_checksum="0" * 64,
        signed_by="guardian",
        guardian_name=MARKER,
        guardian_relation="mother",
        signed_on="2026-01-10",
        method="electronic",
        recorded_by=user,
    )
    return str(consent.pk)


@factory("participants.consentscan")
def _consent_scan(user: User) -> str:
    """A scan of B's consent paper, in B's storage."""
    from django.core.files.base import ContentFile

    from schools.participants.models import Consent, ConsentScan

    bump_sequence("participants_consentscan")
    consent = Consent.objects.filter(guardian_name=MARKER).first() or Consent.objects.get(
        pk=int(_consent(user))
    )
    content = b"%PDF-1.4\n" + MARKER.encode() + b"\n%%EOF\n"
    scan = ConsentScan(
        consent=consent,
        content_type="application/pdf",
        size=len(content),
        sha256="0" * 64,
        uploaded_by=user,
    )
    scan.file.save("scan-b.pdf", ContentFile(content))
    return str(scan.pk)


@factory("participants.consentalert")
def _consent_alert(user: User) -> str:
    from schools.participants.models import ConsentAlert

    bump_sequence("participants_consentalert")
    alert = ConsentAlert.objects.create(participant=_b_participant(user), kind="withdrawn")
    return str(alert.pk)


@factory("participants.menteeprofile")
def _mentee_profile(user: User) -> str:
    from schools.participants.models import MenteeProfile

    bump_sequence("participants_menteeprofile")
    return str(MenteeProfile.objects.create(participant=_b_participant(user), request=MARKER).pk)


@factory("participants.mentorprofile")
def _mentor_profile(user: User) -> str:
    from schools.participants.models import MentorProfile, Participant

    bump_sequence("participants_participant")
    mentor = Participant.objects.create(
        last_name=MARKER, first_name="Наставник", category="teacher"
    )
    bump_sequence("participants_mentorprofile")
    return str(MentorProfile.objects.create(participant=mentor, experience=MARKER).pk)


@factory("participants.topic")
def _topic(user: User) -> str:
    from schools.participants.models import Topic

    bump_sequence("participants_topic")
    return str(Topic.objects.create(code="secret-b", name=MARKER).pk)


@factory("audit.auditentry")
def _audit_entry(user: User) -> str:
    from schools.audit.models import AuditEntry

    bump_sequence("audit_auditentry")
    entry = AuditEntry.objects.create(
        actor=user, action="update", model_label=MARKER, object_id="1", changed_fields=["x"]
    )
    return str(entry.pk)


def _b_programme() -> Any:
    from schools.programmes.models import Programme

    return Programme.objects.filter(title=MARKER).first() or Programme.objects.get(
        pk=int(_programme(User.objects.get(username="b-user")))
    )


@factory("programmes.roadmapactivity")
def _roadmap_activity(user: User) -> str:
    from schools.programmes.models import RoadmapActivity

    bump_sequence("programmes_roadmapactivity")
    activity = RoadmapActivity.objects.create(
        programme=_b_programme(),
        stage=1,
        title=MARKER,
        content=MARKER,
        deadline="2031-09-15",
        responsible_roles=["coordinator"],
    )
    activity.responsible_people.add(user)
    return str(activity.pk)


@factory("programmes.programmestage")
def _programme_stage(user: User) -> str:
    from django.utils import timezone

    from schools.programmes.models import ProgrammeStage

    bump_sequence("programmes_programmestage")
    stage = ProgrammeStage.objects.create(
        programme=_b_programme(), stage=1, marked_state="in_progress", marked_at=timezone.now()
    )
    return str(stage.pk)


@factory("programmes.roadmapreminder")
def _roadmap_reminder(user: User) -> str:
    from schools.programmes.models import RoadmapActivity, RoadmapReminder

    bump_sequence("programmes_roadmapreminder")
    activity = RoadmapActivity.objects.filter(title=MARKER).first() or RoadmapActivity.objects.get(
        pk=int(_roadmap_activity(user))
    )
    reminder = RoadmapReminder.objects.create(
        activity=activity, user=user, sent_on="2031-09-16", kind="overdue"
    )
    return str(reminder.pk)


# --- pairs, plans, meetings, cases (schools/pairs) ------------------------------------------------


def _b_pair(user: User) -> Any:
    """B's one pair (made once, shared by the factories below): its own programme and people,
    every text carrying the marker."""
    from schools.pairs.models import Pair, PairMentee
    from schools.participants.models import Participant
    from schools.programmes.models import Programme

    found = Pair.objects.filter(outcome=MARKER).first()
    if found is not None:
        return found
    programme = Programme.objects.create(academic_year=2033, title=MARKER)
    bump_sequence("participants_participant")
    mentor = Participant.objects.create(
        last_name=MARKER, first_name="Наставник", category="teacher"
    )
    mentee = Participant.objects.create(
        last_name=MARKER, first_name="Наставляемый", category="pupil"
    )
    bump_sequence("pairs_pair")
    pair = Pair.objects.create(
        programme=programme, form="pupil_pupil", mentor=mentor, outcome=MARKER
    )
    bump_sequence("pairs_pairmentee")
    PairMentee.objects.create(pair=pair, mentee=mentee, programme=programme)
    return pair


@factory("pairs.pair")
def _pair(user: User) -> str:
    return str(_b_pair(user).pk)


@factory("pairs.developmentplan")
def _development_plan(user: User) -> str:
    from schools.pairs.models import DevelopmentPlan

    pair = _b_pair(user)
    bump_sequence("pairs_developmentplan")
    plan = DevelopmentPlan.objects.create(
        pair=pair, mentee=pair.memberships.get().mentee, summary=MARKER
    )
    return str(plan.pk)


@factory("pairs.plangoal")
def _plan_goal(user: User) -> str:
    from schools.pairs.models import DevelopmentPlan, PlanGoal

    plan = DevelopmentPlan.objects.filter(summary=MARKER).first() or DevelopmentPlan.objects.get(
        pk=int(_development_plan(user))
    )
    bump_sequence("pairs_plangoal")
    return str(PlanGoal.objects.create(plan=plan, title=MARKER, tasks=MARKER).pk)


@factory("pairs.meeting")
def _meeting(user: User) -> str:
    from schools.pairs.models import Meeting

    bump_sequence("pairs_meeting")
    meeting = Meeting.objects.create(
        pair=_b_pair(user),
        kind="regular",
        starts_at="2031-10-01T10:00:00Z",
        place=MARKER,
        notes=MARKER,
    )
    return str(meeting.pk)


@factory("pairs.practicecase")
def _practice_case(user: User) -> str:
    from schools.pairs.models import PracticeCase

    pair = _b_pair(user)
    bump_sequence("pairs_practicecase")
    case = PracticeCase.objects.create(
        programme=pair.programme, pair=pair, form="pupil_pupil", title=MARKER, text=MARKER
    )
    return str(case.pk)


# --- matching ------------------------------------------------------------------------------------


def _b_matching_people():
    """A programme of B with one mentor and one mentee (shared by the matching factories)."""
    from schools.participants.models import Participant
    from schools.programmes.models import Programme

    programme, _ = Programme.objects.get_or_create(academic_year=2032, defaults={"title": MARKER})
    mentor, _ = Participant.objects.get_or_create(
        last_name=MARKER, first_name="Наставник подбора", defaults={"category": "teacher"}
    )
    mentee, _ = Participant.objects.get_or_create(
        last_name=MARKER, first_name="Наставляемый подбора", defaults={"category": "student"}
    )
    return programme, mentor, mentee


@factory("matching.groupmeeting")
def _group_meeting(user: User) -> str:
    from schools.matching.models import GroupMeeting

    bump_sequence("matching_groupmeeting")
    programme, mentor, mentee = _b_matching_people()
    meeting = GroupMeeting.objects.create(
        programme=programme, held_on="2032-09-15", place=MARKER, notes=MARKER
    )
    meeting.attendees.set([mentor, mentee])
    return str(meeting.pk)


def _b_match_run():
    from schools.matching.models import MatchRun, RunStatus

    programme, _, _ = _b_matching_people()
    run = MatchRun.objects.filter(programme=programme).first()
    if run is None:
        bump_sequence("matching_matchrun")
        run = MatchRun.objects.create(programme=programme, status=RunStatus.DONE, error=MARKER)
    return run


@factory("matching.matchrun")
def _match_run(user: User) -> str:
    return str(_b_match_run().pk)


@factory("matching.matchproposal")
def _match_proposal(user: User) -> str:
    from schools.matching.models import MatchProposal

    bump_sequence("matching_matchproposal")
    _, mentor, mentee = _b_matching_people()
    proposal = MatchProposal.objects.create(
        run=_b_match_run(),
        mentor=mentor,
        mentee=mentee,
        form="teacher_student",
        score=50.0,
        breakdown={"form": "teacher_student", "note": MARKER},
    )
    return str(proposal.pk)


@factory("matching.unmatchedmentee")
def _unmatched_mentee(user: User) -> str:
    from schools.matching.models import UnmatchedMentee

    bump_sequence("matching_unmatchedmentee")
    _, _, mentee = _b_matching_people()
    row, _ = UnmatchedMentee.objects.get_or_create(
        run=_b_match_run(),
        mentee=mentee,
        defaults={"reason": "needs_not_covered", "detail": {"note": MARKER}},
    )
    return str(row.pk)


# --- monitoring (schools/monitoring) ------------------------------------------------------------


def _b_questionnaire() -> Any:
    from schools.monitoring.models import Question, Questionnaire

    questionnaire = Questionnaire.objects.filter(title=MARKER).first()
    if questionnaire is None:
        bump_sequence("monitoring_questionnaire")
        bump_sequence("monitoring_question")
        questionnaire = Questionnaire.objects.create(
            title=MARKER, description=MARKER, purpose="satisfaction", origin="local"
        )
        Question.objects.create(
            questionnaire=questionnaire, order=1, code="secret", text=MARKER, kind="long_text"
        )
    return questionnaire


def _b_invitation() -> Any:
    from schools.monitoring.models import SurveyCampaign, SurveyInvitation
    from schools.participants.models import Participant

    invitation = SurveyInvitation.objects.filter(campaign__title=MARKER).first()
    if invitation is None:
        bump_sequence("monitoring_surveycampaign")
        bump_sequence("monitoring_surveyinvitation")
        campaign = SurveyCampaign.objects.create(
            questionnaire=_b_questionnaire(),
            title=MARKER,
            target_kind="explicit",
            opens_on="2031-09-01",
            closes_on="2031-09-30",
            status="open",
        )
        person, _ = Participant.objects.get_or_create(
            last_name=MARKER, first_name="Опрошенный", defaults={"category": "teacher"}
        )
        invitation = SurveyInvitation.objects.create(
            campaign=campaign, participant=person, token_hash="b" * 64
        )
    return invitation


@factory("monitoring.questionnaire")
def _questionnaire(user: User) -> str:
    return str(_b_questionnaire().pk)


@factory("monitoring.question")
def _question(user: User) -> str:
    return str(_b_questionnaire().questions.get().pk)


@factory("monitoring.surveycampaign")
def _survey_campaign(user: User) -> str:
    return str(_b_invitation().campaign_id)


@factory("monitoring.surveyinvitation")
def _survey_invitation(user: User) -> str:
    return str(_b_invitation().pk)


@factory("monitoring.surveyresponse")
def _survey_response(user: User) -> str:
    from schools.monitoring.models import SurveyResponse

    bump_sequence("monitoring_surveyresponse")
    invitation = _b_invitation()
    response = SurveyResponse.objects.create(
        campaign_id=invitation.campaign_id,
        invitation=invitation,
        participant_id=invitation.participant_id,
        answers={"secret": MARKER},
        channel="link",
    )
    return str(response.pk)


@factory("documents.documentjob")
def _document_job(user: User) -> str:
    from schools.documents.models import DocumentJob

    bump_sequence("documents_documentjob")
    job = DocumentJob.objects.create(
        kind="consent_forms", title=MARKER, item_ids=[1], status="done", created_by=user
    )
    return str(job.pk)


@factory("documents.order")
def _order(user: User) -> str:
    """A draft order of B's programme (the coordinator's stage-1 order)."""
    from schools.documents.models import Order

    bump_sequence("documents_order")
    order = Order.objects.create(programme=_b_programme(), kind="introduction", number=MARKER)
    return str(order.pk)


@factory("publication.publicdocument")
def _public_document(user: User) -> str:
    """A document of B not marked public (so that even B's own host does not serve it)."""
    from django.core.files.base import ContentFile

    from schools.publication.models import PublicDocument

    bump_sequence("publication_publicdocument")
    document = PublicDocument(title=MARKER, kind="order", is_public=False, created_by=user)
    document.file.save("secret.pdf", ContentFile(MARKER.encode()), save=False)
    document.save()
    return str(document.pk)
