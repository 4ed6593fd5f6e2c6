"""The daily reminder of overdue and soon-due roadmap activities: who gets it, what it says,
and that a second run on the same day sends nothing."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from config.tasks import MissingTenantSchema
from schools.programmes import reminders, services, tasks
from schools.programmes.models import RoadmapActivity, RoadmapReminder
from tests.conftest import SETUP


@pytest.fixture
def roadmap(tenant_a, staff):
    """A programme with three activities of known deadlines around ``TODAY``."""
    with schema_context(tenant_a.schema_name):
        programme = services.programme_create(
            actor=SETUP,
            academic_year=2030,
            title="П",
            coordinator_id=staff["coordinator"].pk,
            with_default_roadmap=False,
        )

        def activity(title, deadline, people=(), status="planned"):
            return services.roadmap_activity_create(
                actor=SETUP,
                programme=programme,
                stage=1,
                title=title,
                deadline=deadline,
                responsible_people_ids=[p.pk for p in people],
                status=status,
            )

        return {
            "overdue": activity(
                "Приказ о внедрении",
                TODAY - datetime.timedelta(days=5),
                [staff["curator"], staff["deputy"]],
            ),
            "soon": activity(
                "Родительское собрание", TODAY + datetime.timedelta(days=3), [staff["curator"]]
            ),
            "later": activity("Педсовет", TODAY + datetime.timedelta(days=4), [staff["curator"]]),
            "done": activity(
                "Выбор форм", TODAY - datetime.timedelta(days=9), [staff["curator"]], status="done"
            ),
            "nobody": activity("Банк программ", TODAY - datetime.timedelta(days=1)),
        }


TODAY = datetime.date(2030, 10, 1)


def test_reminders_go_to_the_responsible_people_once_a_day(
    tenant_a, staff, roadmap, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with schema_context(tenant_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        sent = reminders.roadmap_reminders_send(today=TODAY)
    assert sent == 3
    letters = {m.to[0]: m for m in mail.outbox}
    assert set(letters) == {"curator@alpha.ru", "deputy@alpha.ru", "coordinator@alpha.ru"}
    curator_letter = letters["curator@alpha.ru"].body
    assert "Приказ о внедрении" in curator_letter and "Родительское собрание" in curator_letter
    assert "Педсовет" not in curator_letter and "Выбор форм" not in curator_letter
    assert "26.09.2030" in curator_letter  # the overdue deadline
    # an activity with nobody responsible reminds the programme's coordinator
    assert "Банк программ" in letters["coordinator@alpha.ru"].body
    with schema_context(tenant_a.schema_name):
        assert RoadmapReminder.objects.filter(sent_on=TODAY).count() == 4
        kinds = dict(
            RoadmapReminder.objects.filter(user=staff["curator"]).values_list(
                "activity__title", "kind"
            )
        )
        assert kinds == {"Приказ о внедрении": "overdue", "Родительское собрание": "due_soon"}

    mail.outbox.clear()
    with schema_context(tenant_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        assert reminders.roadmap_reminders_send(today=TODAY) == 0
    assert mail.outbox == []

    # the next day, what is still open is reminded again; a newly soon-due one joins
    with schema_context(tenant_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        services.roadmap_activity_update(actor=SETUP, activity=roadmap["overdue"], status="done")
        assert reminders.roadmap_reminders_send(today=TODAY + datetime.timedelta(days=1)) == 2
    curator_letter = next(m for m in mail.outbox if m.to == ["curator@alpha.ru"]).body
    assert "Педсовет" in curator_letter and "Приказ о внедрении" not in curator_letter


def test_a_new_activity_on_the_same_day_is_still_reminded(
    tenant_a, staff, roadmap, django_capture_on_commit_callbacks
):
    with schema_context(tenant_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        reminders.roadmap_reminders_send(today=TODAY)
    mail.outbox.clear()
    with schema_context(tenant_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        services.roadmap_activity_update(
            actor=SETUP, activity=roadmap["later"], deadline=TODAY + datetime.timedelta(days=1)
        )
        assert reminders.roadmap_reminders_send(today=TODAY) == 1
    assert [m.to for m in mail.outbox] == [["curator@alpha.ru"]]
    assert "Педсовет" in mail.outbox[0].body and "Приказ" not in mail.outbox[0].body


def test_closed_programmes_and_people_without_e_mail_get_nothing(
    tenant_a, staff, roadmap, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with schema_context(tenant_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        staff["deputy"].email = ""
        staff["deputy"].save()
        assert reminders.roadmap_reminders_send(today=TODAY) == 2
    assert {m.to[0] for m in mail.outbox} == {"curator@alpha.ru", "coordinator@alpha.ru"}
    with schema_context(tenant_a.schema_name):
        RoadmapReminder.objects.all().delete()
        services.programme_update(actor=SETUP, programme=roadmap["soon"].programme, status="closed")
    mail.outbox.clear()
    with schema_context(tenant_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        assert reminders.roadmap_reminders_send(today=TODAY) == 0
    assert mail.outbox == []


def test_the_task_runs_in_the_institution_schema_only(
    tenant_a, staff, django_capture_on_commit_callbacks
):
    with pytest.raises(MissingTenantSchema):
        tasks.roadmap_reminders_send()
    with schema_context(tenant_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        programme = services.programme_create(
            actor=SETUP, academic_year=2019, title="Давняя", coordinator_id=staff["coordinator"].pk
        )
    mail.outbox.clear()
    with schema_context(tenant_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        assert tasks.roadmap_reminders_send() == 1  # today: every default activity is overdue
        assert tasks.roadmap_reminders_send() == 0
        assert (
            RoadmapReminder.objects.count()
            == RoadmapActivity.objects.filter(programme=programme).count()
        )
    assert [m.to for m in mail.outbox] == [["coordinator@alpha.ru"]]


def test_a_letter_claimed_by_a_run_that_died_goes_out_once_after_the_claim_lapses(
    tenant_a, staff, roadmap
):
    """The reminders of a letter are claimed and committed before it goes out, and stamped
    sent after: a run that died in between leaves claims the others respect until they lapse;
    then the letter goes out, once. A failed send drops the claims for the next run."""
    with schema_context(tenant_a.schema_name):
        # a run claimed the curator's letter and died before mailing it
        for key in ("overdue", "soon"):
            RoadmapReminder.objects.create(
                activity=roadmap[key],
                user=staff["curator"],
                sent_on=TODAY,
                kind="due_soon",
                claimed_at=timezone.now(),
            )
        mail.outbox.clear()
        assert reminders.roadmap_reminders_send(today=TODAY) == 2  # the deputy, the coordinator
        assert "curator@alpha.ru" not in {m.to[0] for m in mail.outbox}
        assert reminders.claims_in_flight(today=TODAY)  # the task looks again later
        RoadmapReminder.objects.filter(user=staff["curator"]).update(
            claimed_at=timezone.now() - datetime.timedelta(minutes=reminders.CLAIM_MINUTES + 1)
        )
        assert reminders.roadmap_reminders_send(today=TODAY) == 1
        assert reminders.roadmap_reminders_send(today=TODAY) == 0
        assert not reminders.claims_in_flight(today=TODAY)
        letters = [m for m in mail.outbox if m.to == ["curator@alpha.ru"]]
        assert len(letters) == 1 and "Приказ о внедрении" in letters[0].body

        tomorrow = TODAY + datetime.timedelta(days=1)
        mail.outbox.clear()
        with mock.patch.object(reminders, "send_mail", side_effect=ConnectionError("smtp down")):
            assert reminders.roadmap_reminders_send(today=tomorrow) == 0
        assert not RoadmapReminder.objects.filter(sent_on=tomorrow).exists()
        assert reminders.roadmap_reminders_send(today=tomorrow) == 3
        assert RoadmapReminder.objects.filter(sent_on=tomorrow, sent_at__isnull=True).count() == 0
