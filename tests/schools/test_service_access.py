# ruff: noqa: F811 - the tests take the imported ``world`` fixture by its name
"""The write services enforce their rule themselves, whichever door calls them: each rule is
tested by an actor it must refuse (and, where the rule is more than a role, by one it lets
through), so that removing any one ``access.check_*`` call from a service makes a test here
fail. The world is the one of ``test_access_layer`` (institution A: two classes and their
curators, two pairs, two group meetings, parents, the staff)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone
from django_tenants.utils import schema_context

from schools.documents import services as document_services
from schools.documents.models import JobKind
from schools.imports import services as import_services
from schools.matching import services as matching_services
from schools.matching.models import GroupMeeting
from schools.monitoring import services as monitoring_services
from schools.pairs import services as pair_services
from schools.pairs.models import Meeting, Pair, PairStatus
from schools.participants import consents as consent_services
from schools.participants import services as participant_services
from schools.participants.models import Guardianship, Participant
from schools.programmes import services as programme_services
from schools.programmes.models import Programme
from schools.programmes.next_year import programme_start_next_year
from schools.publication import services as publication_services
from tests.schools.test_access_layer import (
    World,
    world,  # noqa: F401 - the shared fixture
)

REFUSED = (PermissionDenied, Http404)


def refused(call: Callable[[], Any]) -> None:
    """The service refuses (403 or 404) and changes nothing."""
    with pytest.raises(REFUSED):
        call()


def _pair(world: World, key: str = "pair") -> Pair:
    return Pair.objects.get(pk=world.ids[key])


def test_pairs_are_formed_ended_completed_and_rated_by_whom_the_rules_say(world: World) -> None:
    with schema_context(world.schema):
        pair, other = _pair(world), _pair(world, "other_pair")
        programme_id = pair.programme_id
        refused(
            lambda: pair_services.pair_create(
                programme_id=programme_id,
                mentor_participant_id=world.ids["mentor"],
                mentee_participant_ids=[world.ids["young"]],
                form="teacher_student",
                actor=world.actor("director"),
            )
        )
        refused(
            lambda: pair_services.pair_end_early(
                pair=pair, reason="Переезд", actor=world.actor("mentor")
            )
        )
        # the pair's own mentor completes it; the mentee, another mentor and a curator do not
        for role in ("mentee", "other_mentor", "curator"):
            refused(
                partial(
                    pair_services.pair_complete, pair=pair, outcome="Итог", actor=world.actor(role)
                )
            )
        refused(
            lambda: pair_services.pair_complete(
                pair=other, outcome="Итог", actor=world.actor("mentor")
            )
        )
        # a rating is one's own
        refused(
            lambda: pair_services.pair_rate(
                pair=pair,
                participant_id=world.ids["mentor"],
                rating=9,
                actor=world.actor("mentee"),
            )
        )
        pair_services.pair_rate(
            pair=pair, participant_id=world.ids["mentee"], rating=8, actor=world.actor("mentee")
        )
        done = pair_services.pair_complete(pair=pair, outcome="Итог", actor=world.actor("mentor"))
        assert done.status == PairStatus.COMPLETED
        pair_services.pair_end_early(pair=other, reason="Переезд", actor=world.actor("coordinator"))
        assert Pair.objects.get(pk=other.pk).status == PairStatus.ENDED_EARLY


def test_meetings_are_written_by_the_mentor_the_coordinator_and_the_curator_of_the_class(
    world: World,
) -> None:
    starts = timezone.now() + datetime.timedelta(days=3)
    with schema_context(world.schema):
        pair, other = _pair(world), _pair(world, "other_pair")
        for role in ("mentee", "parent", "director"):
            refused(
                partial(
                    pair_services.meeting_create,
                    pair=pair,
                    kind="organisational",
                    place="Кабинет 12",
                    starts_at=starts,
                    actor=world.actor(role),
                )
            )
        # the curator of 9А writes the meetings of its class's pair, not of 9Б's
        refused(
            lambda: pair_services.meeting_create(
                pair=other,
                kind="organisational",
                place="Кабинет 12",
                starts_at=starts,
                actor=world.actor("curator"),
            )
        )
        meeting = pair_services.meeting_create(
            pair=pair,
            kind="organisational",
            place="Кабинет 12",
            starts_at=starts,
            actor=world.actor("curator"),
        )
        refused(
            lambda: pair_services.meeting_update(
                meeting=meeting, place="Кабинет 5", actor=world.actor("mentee")
            )
        )
        refused(lambda: pair_services.meeting_cancel(meeting=meeting, actor=world.actor("mentee")))
        Meeting.objects.filter(pk=meeting.pk).update(
            starts_at=timezone.now() - datetime.timedelta(hours=1)
        )
        meeting.refresh_from_db()
        refused(
            lambda: pair_services.meeting_record_attendance(
                meeting=meeting,
                participant_ids=[world.ids["mentor"]],
                actor=world.actor("other_mentor"),
            )
        )
        held = pair_services.meeting_record_attendance(
            meeting=meeting, participant_ids=[world.ids["mentor"]], actor=world.actor("mentor")
        )
        assert held.status == "held"


def test_success_stories_are_written_by_staff_and_published_by_the_coordinator(
    world: World,
) -> None:
    with schema_context(world.schema):
        programme_id = _pair(world).programme_id
        refused(
            lambda: pair_services.practice_case_create(
                programme_id=programme_id,
                title="Кейс",
                text="Текст",
                form="teacher_student",
                actor=world.actor("mentor"),
            )
        )
        case = pair_services.practice_case_create(
            programme_id=programme_id,
            title="Кейс",
            text="Текст",
            form="teacher_student",
            actor=world.actor("curator"),
        )
        refused(
            lambda: pair_services.practice_case_update(
                case=case, text="Другой", actor=world.actor("mentee")
            )
        )
        refused(
            lambda: pair_services.practice_case_prepare(case=case, actor=world.actor("curator"))
        )
        refused(
            lambda: pair_services.practice_case_publish(case=case, actor=world.actor("curator"))
        )


def test_matching_is_the_coordinators_and_preferences_are_ones_own(world: World) -> None:
    with schema_context(world.schema):
        programme = Programme.objects.get(pk=_pair(world).programme_id)
        ours = GroupMeeting.objects.get(pk=world.ids["meeting"])
        theirs = GroupMeeting.objects.get(pk=world.ids["other_meeting"])
        refused(
            lambda: matching_services.group_meeting_create(
                programme=programme, held_on=timezone.localdate(), actor=world.actor("curator")
            )
        )
        refused(
            lambda: matching_services.group_meeting_update(
                meeting=ours, place="Актовый зал", actor=world.actor("mentor")
            )
        )
        refused(
            lambda: matching_services.group_meeting_mark_held(
                meeting=ours, attendee_ids=[world.ids["mentor"]], actor=world.actor("director")
            )
        )
        refused(
            lambda: matching_services.weights_update(
                programme=programme, data={}, actor=world.actor("curator")
            )
        )
        refused(
            lambda: matching_services.run_create(programme=programme, actor=world.actor("director"))
        )
        choice = [{"to_participant": world.ids["mentor"], "kind": "prefer", "rank": 1}]
        # the mentor cannot speak for the mentee; nobody states them at a meeting out of sight
        refused(
            lambda: matching_services.preferences_record(
                meeting=ours,
                from_participant_id=world.ids["mentee"],
                items=choice,
                actor=world.actor("mentor"),
            )
        )
        refused(
            lambda: matching_services.preferences_record(
                meeting=theirs,
                from_participant_id=world.ids["mentee"],
                items=choice,
                actor=world.actor("mentee"),
            )
        )
        stated = matching_services.preferences_record(
            meeting=ours,
            from_participant_id=world.ids["mentee"],
            items=choice,
            actor=world.actor("mentee"),
        )
        assert [p.to_participant_id for p in stated] == [world.ids["mentor"]]


def test_people_classes_profiles_and_the_catalogue_follow_the_participants_rules(
    world: World,
) -> None:
    with schema_context(world.schema):
        mentee = Participant.objects.get(pk=world.ids["mentee"])
        other = Participant.objects.get(pk=world.ids["other_mentee"])
        curator, other_curator = world.actor("curator"), world.actor("other_curator")
        refused(lambda: participant_services.study_group_create(name="10В", actor=curator))
        group = mentee.study_group
        assert group is not None
        refused(
            lambda: participant_services.study_group_update(group=group, name="9Г", actor=curator)
        )
        refused(
            lambda: participant_services.participant_update(
                participant=mentee, email="mentee@example.com", actor=other_curator
            )
        )
        refused(
            lambda: participant_services.participant_update(
                participant=mentee, email="mentee@example.com", actor=world.actor("mentor")
            )
        )
        participant_services.participant_update(
            participant=mentee, email="mentee@example.com", actor=curator
        )
        refused(
            lambda: participant_services.participant_create(
                last_name="Новый",
                first_name="Ученик",
                category="pupil",
                actor=world.actor("parent"),
            )
        )
        with pytest.raises(ValidationError):  # a curator adds people to its own classes only
            participant_services.participant_create(
                last_name="Новый",
                first_name="Ученик",
                category="pupil",
                study_group_id=other.study_group_id,
                actor=curator,
            )
        refused(
            lambda: participant_services.mentor_profile_upsert(
                participant_id=world.ids["mentor"], capacity=3, actor=curator
            )
        )
        refused(
            lambda: participant_services.mentor_profile_remove(
                participant_id=world.ids["mentor"], actor=curator
            )
        )
        refused(
            lambda: participant_services.mentee_profile_upsert(
                participant_id=other.pk, request="Олимпиады", actor=curator
            )
        )
        participant_services.mentee_profile_upsert(
            participant_id=mentee.pk, request="Олимпиады", actor=curator
        )
        refused(lambda: participant_services.topic_create(name="Шахматы", actor=curator))
        refused(
            lambda: participant_services.participant_erase(participant_id=other.pk, actor=curator)
        )
        link = Guardianship.objects.get(child=other)
        refused(lambda: participant_services.guardianship_delete(guardianship=link, actor=curator))


def test_consent_scans_requests_and_alerts_stay_within_reach(world: World) -> None:
    with schema_context(world.schema):
        other = Participant.objects.get(pk=world.ids["other_mentee"])
        consent = other.consents.first()
        assert consent is not None
        scan = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        refused(
            lambda: consent_services.consent_scan_attach(
                consent=consent, upload=scan, actor=world.actor("curator")
            )
        )
        refused(
            lambda: consent_services.consent_request_create(
                participant_id=other.pk, actor=world.actor("mentor"), send=False
            )
        )


def test_campaigns_documents_programmes_the_public_page_and_imports_refuse_other_roles(
    world: World,
) -> None:
    with schema_context(world.schema):
        programme = Programme.objects.get(pk=_pair(world).programme_id)
        refused(
            lambda: monitoring_services.questionnaire_create_local(
                title="Анкета", purpose="satisfaction", questions=[], actor=world.actor("mentor")
            )
        )
        questionnaire = monitoring_services.questionnaire_create_local(
            title="Анкета",
            purpose="satisfaction",
            questions=[{"code": "q1", "text": "Как прошло?", "kind": "short_text"}],
            actor=world.actor("coordinator"),
        )
        today = timezone.localdate()
        staff_target = monitoring_services.Target(kind="staff")
        refused(
            lambda: monitoring_services.campaign_create(
                questionnaire=questionnaire,
                title="Опрос",
                target=staff_target,
                opens_on=today,
                closes_on=today + datetime.timedelta(days=7),
                actor=world.actor("mentor"),
            )
        )
        campaign = monitoring_services.campaign_create(
            questionnaire=questionnaire,
            title="Опрос",
            target=staff_target,
            opens_on=today,
            closes_on=today + datetime.timedelta(days=7),
            actor=world.actor("coordinator"),
        )
        refused(
            lambda: monitoring_services.campaign_open(
                campaign=campaign, actor=world.actor("curator")
            )
        )
        refused(
            lambda: document_services.document_job_create(
                kind=JobKind.CONSENT_FORMS,
                title="Согласия",
                item_ids=[world.ids["mentee"]],
                actor=world.actor("mentor"),
            )
        )
        job = document_services.document_job_create(
            kind=JobKind.CONSENT_FORMS,
            title="Согласия",
            item_ids=[world.ids["mentee"]],
            actor=world.actor("curator"),
        )
        refused(
            lambda: document_services.document_job_retry(
                job_id=job.pk, actor=world.actor("other_curator")
            )
        )
        refused(
            lambda: programme_services.programme_approve(
                programme=programme, actor=world.actor("coordinator")
            )
        )
        refused(
            lambda: programme_start_next_year(programme=programme, actor=world.actor("director"))
        )
        refused(
            lambda: publication_services.public_page_update(
                intro="Мы", actor=world.actor("director")
            )
        )
        upload = SimpleUploadedFile("people.csv", "ФИО;Категория\n".encode())
        refused(
            lambda: import_services.import_batch_create(
                kind="participants", uploaded_file=upload, actor=world.actor("curator")
            )
        )


def test_the_programme_and_its_roadmap_are_set_up_by_the_coordinator_and_marked_by_curators(
    world: World,
) -> None:
    """The set-up (programme, roadmap, stages) is the coordinator's; a curator responsible for
    an activity marks it done and changes nothing else of it; another curator nothing."""
    from schools.programmes.models import ActivityStatus

    with schema_context(world.schema):
        programme = Programme.objects.get(pk=_pair(world).programme_id)
        deadline = datetime.date(programme.academic_year + 1, 3, 1)
        refused(
            lambda: programme_services.programme_update(
                programme=programme, title="Другая", actor=world.actor("director")
            )
        )
        refused(
            lambda: programme_services.roadmap_activity_create(
                programme=programme,
                stage=2,
                title="Совещание",
                deadline=deadline,
                actor=world.actor("curator"),
            )
        )
        activity = programme_services.roadmap_activity_create(
            programme=programme,
            stage=2,
            title="Совещание",
            deadline=deadline,
            responsible_people_ids=[world.users["curator"].pk],
            actor=world.actor("coordinator"),
        )
        refused(
            lambda: programme_services.roadmap_activity_update(
                activity=activity, title="Не то", actor=world.actor("curator")
            )
        )
        refused(
            lambda: programme_services.roadmap_activity_update(
                activity=activity, status=ActivityStatus.DONE, actor=world.actor("other_curator")
            )
        )
        done = programme_services.roadmap_activity_update(
            activity=activity, status=ActivityStatus.DONE, actor=world.actor("curator")
        )
        assert done.status == ActivityStatus.DONE and done.title == "Совещание"
        refused(
            lambda: programme_services.roadmap_activity_delete(
                activity=activity, actor=world.actor("curator")
            )
        )
        refused(
            lambda: programme_services.programme_stage_mark(
                programme=programme, stage=1, state="in_progress", actor=world.actor("curator")
            )
        )
        mark = programme_services.programme_stage_mark(
            programme=programme, stage=1, state="in_progress", actor=world.actor("coordinator")
        )
        assert mark.marked_by_id == world.users["coordinator"].pk


def test_questions_and_a_campaigns_dates_close_and_reminders_follow_the_campaign_rules(
    world: World,
) -> None:
    """Local questions are written by who runs campaigns; a campaign's dates, closing and
    reminders by who may manage that campaign (a curator: only its own classes')."""
    with schema_context(world.schema):
        questionnaire = monitoring_services.questionnaire_create_local(
            title="Анкета",
            purpose="satisfaction",
            questions=[{"code": "q1", "text": "Как прошло?", "kind": "short_text"}],
            actor=world.actor("coordinator"),
        )
        extra = {"code": "q2", "text": "Что улучшить?", "kind": "short_text"}
        refused(
            lambda: monitoring_services.question_add(
                questionnaire=questionnaire, data=extra, actor=world.actor("mentor")
            )
        )
        question = monitoring_services.question_add(
            questionnaire=questionnaire, data=extra, actor=world.actor("coordinator")
        )
        refused(
            lambda: monitoring_services.question_update(
                question=question, data={"text": "Иначе"}, actor=world.actor("director")
            )
        )
        refused(
            lambda: monitoring_services.question_delete(
                question=question, actor=world.actor("mentee")
            )
        )
        today = timezone.localdate()
        campaign = monitoring_services.campaign_create(
            questionnaire=questionnaire,
            title="Опрос",
            target=monitoring_services.Target(kind="staff"),
            opens_on=today,
            closes_on=today + datetime.timedelta(days=7),
            actor=world.actor("coordinator"),
        )
        calls: list[Callable[..., Any]] = [
            partial(
                monitoring_services.campaign_update_dates,
                campaign=campaign,
                opens_on=None,
                closes_on=today + datetime.timedelta(days=9),
            ),
            partial(monitoring_services.campaign_close, campaign=campaign),
            partial(monitoring_services.campaign_remind, campaign=campaign),
        ]
        curator = world.actor("curator")  # the campaign is not of its class
        for call in calls:
            refused(partial(call, actor=curator))
        campaign.refresh_from_db()
        assert campaign.closes_on == today + datetime.timedelta(days=7)
        monitoring_services.campaign_update_dates(
            campaign=campaign,
            opens_on=None,
            closes_on=today + datetime.timedelta(days=9),
            actor=world.actor("coordinator"),
        )


def test_a_calendar_link_is_made_and_switched_off_by_its_own_person_only(world: World) -> None:
    from schools.pairs.models import CalendarToken

    with schema_context(world.schema):
        mentee_id = world.ids["mentee"]
        for role in ("coordinator", "mentor", "other_mentee"):
            refused(
                partial(
                    pair_services.calendar_token_issue,
                    participant_id=mentee_id,
                    actor=world.actor(role),
                )
            )
        assert not CalendarToken.objects.filter(participant_id=mentee_id).exists()
        pair_services.calendar_token_issue(participant_id=mentee_id, actor=world.actor("mentee"))
        refused(
            lambda: pair_services.calendar_token_revoke(
                participant_id=mentee_id, actor=world.actor("coordinator")
            )
        )
        assert CalendarToken.objects.filter(participant_id=mentee_id).exists()
        pair_services.calendar_token_revoke(participant_id=mentee_id, actor=world.actor("mentee"))
        assert not CalendarToken.objects.filter(participant_id=mentee_id).exists()


# --- the rules whose removal no test noticed (tests/access_mutants.py over schools/) ----------


def test_a_document_set_an_import_and_a_matching_run_are_cancelled_only_by_their_managers(
    world: World,
) -> None:
    from schools.documents.models import ACTIVE_STATUSES, DocumentJob
    from schools.imports.models import ImportBatch, ImportStatus
    from schools.matching.models import MatchRun, RunStatus

    with schema_context(world.schema):
        job = document_services.document_job_create(
            kind=JobKind.CONSENT_FORMS,
            title="Согласия",
            item_ids=[world.ids["mentee"]],
            actor=world.actor("curator"),
        )
        refused(
            lambda: document_services.document_job_cancel(
                job_id=job.pk, actor=world.actor("other_curator")
            )
        )
        assert DocumentJob.objects.get(pk=job.pk).status in ACTIVE_STATUSES
        batch = ImportBatch.objects.create(kind="participants", file="imports/people.csv")
        refused(
            lambda: import_services.import_batch_cancel(
                batch_id=batch.pk, actor=world.actor("curator")
            )
        )
        assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.UPLOADED
        run = MatchRun.objects.create(programme_id=_pair(world).programme_id)
        refused(
            lambda: matching_services.match_run_cancel(run_id=run.pk, actor=world.actor("director"))
        )
        assert MatchRun.objects.get(pk=run.pk).status == RunStatus.QUEUED


def test_a_runs_proposals_are_decided_by_the_coordinator_only(world: World) -> None:
    from schools.matching.models import MatchProposal, MatchRun, ProposalStatus, RunStatus

    with schema_context(world.schema):
        run = MatchRun.objects.create(programme_id=_pair(world).programme_id, status=RunStatus.DONE)
        proposal = MatchProposal.objects.create(
            run=run,
            mentor_id=world.ids["mentor"],
            mentee_id=world.ids["young"],
            form="teacher_student",
            score=1.0,
        )
        director = world.actor("director")
        refused(lambda: matching_services.proposal_accept(proposal=proposal, actor=director))
        refused(lambda: matching_services.proposal_reject(proposal=proposal, actor=director))
        refused(
            lambda: matching_services.proposal_change(
                proposal=proposal, mentor_id=world.ids["other_mentor"], actor=director
            )
        )
        refused(
            lambda: matching_services.proposal_add(
                run=run,
                mentee_id=world.ids["young"],
                mentor_id=world.ids["other_mentor"],
                actor=world.actor("curator"),
            )
        )
        refused(
            lambda: matching_services.proposals_approve(
                run=run, proposal_ids=[proposal.pk], actor=director
            )
        )
        refused(
            lambda: matching_services.run_approve(run=run, accept_proposed=True, actor=director)
        )
        assert list(run.proposals.values_list("pk", "status", "mentor_id")) == [
            (proposal.pk, ProposalStatus.PROPOSED, world.ids["mentor"])
        ]
        assert MatchRun.objects.get(pk=run.pk).status == RunStatus.DONE
        assert not Pair.objects.filter(mentees__pk=world.ids["young"]).exists()
        # Nothing left to decide or to form: only the check keeps the approval out (with
        # proposals, their own checks and pair_create's would refuse the director too).
        decided = MatchRun.objects.create(
            programme_id=_pair(world).programme_id, status=RunStatus.DONE
        )
        refused(lambda: matching_services.run_approve(run=decided, actor=director))
        assert MatchRun.objects.get(pk=decided.pk).status == RunStatus.DONE


def test_templates_are_adopted_and_campaigns_launched_by_who_runs_campaigns(world: World) -> None:
    from schools.monitoring.models import CampaignStatus, Questionnaire

    with schema_context(world.schema):
        before = Questionnaire.objects.count()
        refused(
            lambda: monitoring_services.questionnaire_adopt(
                version_id=0, actor=world.actor("mentor")
            )
        )
        assert Questionnaire.objects.count() == before
        questionnaire = monitoring_services.questionnaire_create_local(
            title="Анкета",
            purpose="satisfaction",
            questions=[{"code": "q1", "text": "Как прошло?", "kind": "short_text"}],
            actor=world.actor("coordinator"),
        )
        today = timezone.localdate()
        campaign = monitoring_services.campaign_create(
            questionnaire=questionnaire,
            title="Опрос",
            target=monitoring_services.Target(kind="staff"),
            opens_on=today,
            closes_on=today + datetime.timedelta(days=7),
            actor=world.actor("coordinator"),
        )
        # the campaign is not of the curator's class
        refused(
            lambda: monitoring_services.campaign_launch(
                campaign=campaign, actor=world.actor("curator")
            )
        )
        campaign.refresh_from_db()
        assert campaign.status == CampaignStatus.DRAFT


def test_the_plan_is_written_by_its_mentor_and_its_summary_not_by_a_curator(
    world: World,
) -> None:
    from schools.pairs.models import DevelopmentPlan

    with schema_context(world.schema):
        plan = DevelopmentPlan.objects.get(pk=world.ids["plan"])
        refused(
            lambda: pair_services.plan_update(
                plan=plan, summary="Иначе", actor=world.actor("curator")
            )
        )
        mentee = world.actor("mentee")
        refused(lambda: pair_services.plan_goal_create(plan=plan, title="Цель", actor=mentee))
        goal = pair_services.plan_goal_create(plan=plan, title="Цель", actor=world.actor("mentor"))
        refused(lambda: pair_services.plan_goal_update(goal=goal, title="Иная", actor=mentee))
        refused(lambda: pair_services.plan_goal_delete(goal=goal, actor=mentee))
        plan.refresh_from_db()
        assert plan.summary != "Иначе"
        assert list(plan.goals.values_list("title", flat=True)) == ["Цель"]


def test_people_links_consents_profiles_and_the_catalogue_are_refused_to_other_roles(
    world: World,
) -> None:
    from schools.participants.models import (
        Consent,
        MentorProfile,
        StudyGroup,
        TopicCoverage,
    )

    with schema_context(world.schema):
        people = Participant.objects.count()
        refused(
            lambda: participant_services.participant_create(
                last_name="Новиков",
                first_name="Иван",
                category="teacher",
                actor=world.actor("mentor"),
            )
        )
        theirs = StudyGroup.objects.get(name="9Б")
        with pytest.raises(ValidationError):
            participant_services.participant_create(
                last_name="Новиков",
                first_name="Иван",
                category="pupil",
                study_group_id=theirs.pk,
                actor=world.actor("curator"),
            )
        assert Participant.objects.count() == people
        refused(
            lambda: participant_services.guardianship_create(
                parent_id=world.ids["other_parent"],
                child_id=world.ids["young"],
                relation="father",
                actor=world.actor("mentor"),
            )
        )
        assert not Guardianship.objects.filter(
            parent_id=world.ids["other_parent"], child_id=world.ids["young"]
        ).exists()
        consents = Consent.objects.count()
        refused(
            lambda: participant_services.consent_record(
                participant_id=world.ids["mentee"],
                kind="grant",
                signed_by="Петров Иван",
                signed_on=timezone.localdate(),
                method="paper",
                actor=world.actor("mentor"),
            )
        )
        assert Consent.objects.count() == consents
        refused(
            lambda: participant_services.mentor_profile_upsert(
                participant_id=world.ids["mentor"], capacity=5, actor=world.actor("curator")
            )
        )
        assert MentorProfile.objects.get(participant_id=world.ids["mentor"]).capacity == 2
        topic = participant_services.topic_create(
            name="Тема проверки доступа", actor=world.actor("coordinator")
        )
        other = participant_services.topic_create(
            name="Тема проверки прав", actor=world.actor("coordinator")
        )
        curator = world.actor("curator")
        refused(
            lambda: participant_services.topic_update(topic_id=topic.pk, name="Го", actor=curator)
        )
        refused(
            lambda: participant_services.topic_set_active(
                topic_id=topic.pk, is_active=False, actor=curator
            )
        )
        refused(
            lambda: participant_services.topic_coverage_set(
                need_id=topic.pk, covered_by_ids=[other.pk], actor=curator
            )
        )
        topic.refresh_from_db()
        assert (topic.name, topic.is_active) == ("Тема проверки доступа", True)
        assert not TopicCoverage.objects.filter(need=topic).exists()


def test_a_programme_its_default_roadmap_and_the_public_documents_are_the_coordinators(
    world: World,
) -> None:
    from schools.programmes.models import RoadmapActivity
    from schools.publication.models import PublicDocument, PublicDocumentKind

    with schema_context(world.schema):
        programmes = Programme.objects.count()
        refused(
            lambda: programme_services.programme_create(
                academic_year=2042,
                title="Ещё",
                with_default_roadmap=False,  # the roadmap's own check would refuse first
                actor=world.actor("director"),
            )
        )
        assert Programme.objects.count() == programmes
        programme = Programme.objects.get(pk=_pair(world).programme_id)
        activities = RoadmapActivity.objects.filter(programme=programme).count()
        refused(
            lambda: programme_services.roadmap_default_create(
                programme=programme, actor=world.actor("curator")
            )
        )
        assert RoadmapActivity.objects.filter(programme=programme).count() == activities
        pdf = SimpleUploadedFile(
            "charter.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"
        )
        kind = PublicDocumentKind.values[0]
        refused(
            lambda: publication_services.public_document_add(
                actor=world.actor("director"),
                title="Устав",
                kind=kind,
                file=pdf,
                no_learner_data=True,
            )
        )
        assert not PublicDocument.objects.exists()
        document = PublicDocument.objects.create(
            title="Устав", kind=kind, file="public/charter.pdf"
        )
        refused(
            lambda: publication_services.public_document_remove(
                actor=world.actor("director"), document=document
            )
        )
        assert PublicDocument.objects.filter(pk=document.pk).exists()


def test_a_curator_does_not_move_its_pupil_into_another_curators_class(
    world: World, tenant_a: Any, client_for: Any
) -> None:
    """A curator edits the people of its classes, and may move one only between the classes
    it curates: moving its pupil into 9Б would hand the pupil to another curator."""
    from schools.participants.models import StudyGroup

    with schema_context(world.schema):
        theirs = StudyGroup.objects.get(name="9Б")
        young = Participant.objects.get(pk=world.ids["young"])
        with pytest.raises(ValidationError):
            participant_services.participant_update(
                participant=young, study_group_id=theirs.pk, actor=world.actor("curator")
            )
        assert Participant.objects.get(pk=young.pk).study_group_id == world.ids["class"]
    moved = world.api(client_for, tenant_a, "curator").patch(
        f"/api/v1/participants/{world.ids['young']}/", {"study_group": theirs.pk}, format="json"
    )
    assert moved.status_code == 400, moved.content
    with schema_context(world.schema):
        assert Participant.objects.get(pk=world.ids["young"]).study_group_id == world.ids["class"]
