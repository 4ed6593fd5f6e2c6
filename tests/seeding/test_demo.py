"""``nastavnik demo``: the demo region is complete and idempotent, survives what its users
change, and builds on the apps' api.py only; helpers of the command."""

from __future__ import annotations

import datetime
import socket
from pathlib import Path
from typing import Any

import environ
import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.actor import actor_for
from accounts.models import Invitation, Role, User
from config.embedded_pg import EmbeddedPostgres
from config.validators import is_valid_inn
from regional.employers.models import Employer
from regional.kpis.models import Period
from schools.programmes.models import Programme
from seeding import demo
from seeding.management.commands.demo import child_environment, port_is_free
from tenants.models import Institution, InstitutionStatus, MunicipalAccess, Municipality
from tests.conftest import SETUP
from tests.web.conftest import page_client


def test_demo_inns_are_valid_and_distinct() -> None:
    inns = [spec.inn for spec in demo.INSTITUTIONS] + [demo.EMPLOYER_INN]
    assert all(is_valid_inn(inn) for inn in inns)
    assert len(set(inns)) == len(inns)


@pytest.mark.django_db
def test_demo_region_is_complete_and_idempotent() -> None:
    first = demo.demo_region_ensure(password="demo-pass", school=False)
    second = demo.demo_region_ensure(password="demo-pass", school=False)

    slugs = [spec.slug for spec in demo.INSTITUTIONS]
    assert [i.slug for i in second.institutions] == slugs
    assert [i.id for i in first.institutions] == [i.id for i in second.institutions]
    institutions = Institution.objects.filter(slug__in=slugs)
    assert institutions.count() == 3
    assert set(institutions.values_list("status", flat=True)) == {InstitutionStatus.ACTIVE}
    assert Municipality.objects.filter(name__in=demo.MUNICIPALITIES).count() == 4

    admin = User.objects.get(username="admin")
    assert admin.role == Role.REGIONAL_ADMIN and check_password("demo-pass", admin.password)
    assert User.objects.get(username="staff").role == Role.REGIONAL_STAFF
    municipal = User.objects.get(username="municipal")
    assert municipal.role == Role.MUNICIPAL
    access = MunicipalAccess.objects.get(user=municipal)
    assert access.municipality.name == demo.MUNICIPAL_OF
    employer = Employer.objects.get(inn=demo.EMPLOYER_INN)
    assert [u.role for u in employer.members.all()] == [Role.EMPLOYER]

    for spec in demo.INSTITUTIONS:
        with schema_context(spec.slug.replace("-", "_")):
            roles = dict(User.objects.values_list("username", "role"))
            assert roles == {
                "coordinator": Role.COORDINATOR,
                "curator": Role.CURATOR,
                "director": Role.DIRECTOR,
                "parent": Role.PARENT,  # the records pages' parent (demo_records_ensure)
                "mentor": Role.MENTOR,  # the pair's people (demo_pairs_ensure)
                "mentee": Role.MENTEE,
            }
            coordinator = User.objects.get(username="coordinator")
            assert check_password("demo-pass", coordinator.password)
            # The invitation made by provisioning is fulfilled by the demo account.
            assert not Invitation.objects.filter(accepted_at__isnull=True).exists()
            programme = Programme.objects.get()
            assert programme.academic_year == demo.DEMO_ACADEMIC_YEAR
            assert set(programme.forms) == set(spec.forms)

    logins = {(login.host, login.username) for login in second.logins}
    # the administrator, regional staff, the municipal user and the employer; coordinator,
    # curator, director, parent, mentor and mentee per institution
    assert len(logins) == len(second.logins) == 4 + 3 * 6
    hosts = [login.host for login in second.logins]
    assert hosts == sorted(hosts, key=["", *(i.host for i in second.institutions)].index)


@pytest.mark.django_db
def test_demo_mentor_and_mentee_have_a_pair_a_plan_meetings_and_a_survey() -> None:
    from schools.monitoring.models import CampaignStatus, SurveyCampaign, SurveyInvitation
    from schools.monitoring.selectors import invitations_of_user
    from schools.pairs import selectors as pair_selectors
    from schools.pairs.models import DevelopmentPlan, Meeting, MeetingStatus, Pair, PairStatus
    from schools.participants import api as participants
    from schools.participants import selectors as participant_selectors

    demo.demo_region_ensure(password="demo-pass", school=False)
    second = demo.demo_region_ensure(password="new-pass", school=False)  # resets the passwords

    assert {(login.username, login.role) for login in second.logins} >= {
        ("mentor", Role.MENTOR),
        ("mentee", Role.MENTEE),
    }
    now = timezone.now()
    for spec in demo.INSTITUTIONS:
        with schema_context(spec.slug.replace("-", "_")):
            mentor = User.objects.get(username="mentor")
            mentee = User.objects.get(username="mentee")
            assert check_password("new-pass", mentor.password)
            assert check_password("new-pass", mentee.password)
            for user in (mentor, mentee):
                person = participant_selectors.participant_list().get(user=user)
                assert participants.has_valid_consent(participant_id=person.pk)

            pair = Pair.objects.get()  # one pair, not two after the re-run
            assert pair.status == PairStatus.ACTIVE
            assert pair.form in Programme.objects.get().forms
            assert pair.mentor.user == mentor
            assert [m.user for m in pair.mentees.all()] == [mentee]
            for user in (mentor, mentee):
                visible = pair_selectors.pairs_visible_to(
                    actor_for(user), pair_selectors.pair_list()
                )
                assert list(visible) == [pair]

            plan = DevelopmentPlan.objects.get()
            assert plan.mentee.user == mentee and plan.summary
            statuses = list(plan.goals.order_by("position").values_list("status", flat=True))
            assert len(statuses) == 3 and statuses.count("done") == 1

            meetings = list(Meeting.objects.order_by("starts_at"))
            assert [(m.status, m.starts_at < now) for m in meetings] == [
                (MeetingStatus.HELD, True),
                (MeetingStatus.PLANNED, False),
            ]
            assert set(meetings[0].attendees.all()) == {pair.mentor, *pair.mentees.all()}

            campaign = SurveyCampaign.objects.get()
            assert campaign.status == CampaignStatus.OPEN
            assert campaign.questionnaire.template_code == "satisfaction-mentee"
            invitation = SurveyInvitation.objects.get()
            assert invitation.participant is not None  # a participant's, not a staff member's
            assert invitation.participant.user == mentee and invitation.pair == pair
            assert list(invitations_of_user(actor_for(mentee))) == [invitation]
            assert not invitations_of_user(actor_for(mentor)).exists()
            goal_titles = list(plan.goals.values_list("title", flat=True))

        # The pages the logins are for show them (the first institution is enough).
        if spec is demo.INSTITUTIONS[0]:
            host = f"{spec.slug}.{settings.BASE_DOMAIN}"
            schema = spec.slug.replace("-", "_")
            as_mentee = page_client(host, mentee, schema, language="en")
            home = as_mentee.get("/").content.decode()
            assert all(title in home for title in goal_titles)
            surveys = as_mentee.get("/my-surveys/").content.decode()
            assert f"/my-surveys/{invitation.pk}/" in surveys and "to answer" in surveys
            as_mentor = page_client(host, mentor, schema, language="en")
            assert f"/pairs/{pair.pk}/" in as_mentor.get("/").content.decode()
            detail = as_mentor.get(f"/pairs/{pair.pk}/")
            assert detail.status_code == 200 and goal_titles[0] in detail.content.decode()

    # Once the planned meeting has passed (a demo database kept for weeks), a re-run plans
    # another one; nothing else is added.
    school = demo.INSTITUTIONS[0].slug.replace("-", "_")
    with schema_context(school):
        Meeting.objects.filter(status=MeetingStatus.PLANNED).update(
            starts_at=now - datetime.timedelta(days=1)
        )
    demo.demo_region_ensure(password="new-pass", school=False)
    with schema_context(school):
        assert Meeting.objects.count() == 3
        assert Meeting.objects.filter(status=MeetingStatus.PLANNED, starts_at__gt=now).exists()
        assert Pair.objects.count() == SurveyCampaign.objects.count() == 1


def test_embedded_url_gives_the_socket_to_django_and_to_the_broker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from config.settings import base

    pgdata = Path("/srv/demo dir/pgdata")
    server = EmbeddedPostgres(pgdata=pgdata, socket_dir=pgdata)
    db = environ.Env.db_url_config(server.database_url(database="nastavnik"))
    assert db["NAME"] == "nastavnik"
    assert db["OPTIONS"] == {"host": "/srv/demo dir/pgdata"}
    monkeypatch.setitem(base.DATABASES, "default", db)
    assert base._sqla_broker_url() == (
        "sqla+postgresql+psycopg://postgres@/nastavnik?host=/srv/demo%20dir/pgdata"
    )


def test_busy_port_is_detected() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        assert not port_is_free(port=sock.getsockname()[1])


def test_children_get_the_port_and_the_source_roots(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NASTAVNIK_DEMO_OWNED_PGDATA", "/somewhere")
    env = child_environment(port=8123)
    assert env["SITE_PORT"] == "8123"
    assert env["PYTHONPATH"].split(":")[0].endswith("platform")
    assert "NASTAVNIK_DEMO_OWNED_PGDATA" not in env


@pytest.mark.django_db
def test_a_rerun_survives_what_people_changed() -> None:
    """People edit the demo's records: the mentee's name and birth date, the pair ended, the
    parent's name. A re-run keeps working, finds them by their logins and leaves their
    changes; what it cannot do again is reported, not raised."""
    from schools.pairs import services as pair_services
    from schools.pairs.models import Pair, PairStatus
    from schools.participants.models import Participant

    demo.demo_region_ensure(password="demo-pass", school=False)
    school = demo.INSTITUTIONS[0].slug.replace("-", "_")
    with schema_context(school):
        mentee = Participant.objects.get(user__username="mentee")
        Participant.objects.filter(pk=mentee.pk).update(
            last_name="Волкова", birth_date=datetime.date(2004, 1, 2)
        )
        Participant.objects.filter(user__username="parent").update(first_name="Нина")
        ended = pair_services.pair_end_early(pair=Pair.objects.get(), reason="Переезд", actor=SETUP)

    region = demo.demo_region_ensure(password="again", school=False)

    with schema_context(school):
        assert Participant.objects.filter(user__username="mentee").count() == 1
        assert Participant.objects.get(user__username="mentee").last_name == "Волкова"
        assert Participant.objects.get(user__username="parent").first_name == "Нина"
        assert check_password("again", User.objects.get(username="mentee").password)
        # the ended pair stays ended; the demo's logins get an active pair again
        assert Pair.objects.get(pk=ended.pk).status == PairStatus.ENDED_EARLY
        assert Pair.objects.filter(status=PairStatus.ACTIVE).count() == 1
    assert {(login.host, login.username) for login in region.logins} >= {
        (f"{demo.INSTITUTIONS[0].slug}.{settings.BASE_DOMAIN}", "mentee")
    }


@pytest.mark.django_db
def test_the_first_institution_is_a_generated_school_once() -> None:
    """The generated schools, and the region's KPI history they live through (the real
    aggregation, month by month): true, kept on a re-run, shown on the dashboard."""
    from schools.participants.models import StudyGroup

    first = demo.demo_region_ensure(password="demo-pass")
    assert first.school is not None and first.school.learners == demo.DEMO_SCHOOL_LEARNERS
    assert first.school_pairs > 5  # matching ran and most proposals became pairs
    periods = demo.demo_history_periods(timezone.localdate())
    assert first.kpi_periods == {p: p != periods[-1] for p in periods}  # the current one open
    closed = _closed_snapshots()
    second = demo.demo_region_ensure(password="demo-pass")
    assert second.school is None  # classes exist: not generated again
    assert second.kpi_periods == first.kpi_periods
    assert _closed_snapshots() == closed  # closed periods are kept as they were
    _assert_the_history_is_true_and_shown(periods)
    school = demo.INSTITUTIONS[0].slug.replace("-", "_")
    with schema_context(school):
        assert StudyGroup.objects.count() == first.school.study_groups
        assert User.objects.filter(role=Role.CURATOR).count() > 1  # class teachers
        programme = Programme.objects.get()
        assert set(demo.INSTITUTIONS[0].forms) <= set(programme.forms)
        from schools.matching.models import MatchRun

        run = MatchRun.objects.get()
        # some proposals still wait for the coordinator on the matching page
        assert run.proposals.filter(pair_id__isnull=True).exists()


def _closed_snapshots() -> dict[tuple[str, int], tuple[Any, ...]]:
    from regional.kpis.models import InstitutionSnapshot, PeriodStatus

    return {
        (s.period, s.institution_id): (s.pk, s.run_id, s.recorded_at, s.values)
        for s in InstitutionSnapshot.objects.filter(
            period__in=Period.objects.filter(status=PeriodStatus.CLOSED).values("code")
        )
    }


def _assert_the_history_is_true_and_shown(periods: list[str]) -> None:
    """Each period's snapshot is the truth of its month: the current one equals the metrics
    computed now, the closed ones count the pairs formed and the meetings held before their
    first day; every published cell keeps ADR 0005's promises (shares at most 100 %, ranges
    holding the truth, counts true for their period or hidden); the dashboard shows a history
    of every period and the region's numbers."""
    from regional.employers import api as employers_api
    from regional.kpis import metrics, selectors
    from regional.kpis.models import InstitutionSnapshot
    from schools.pairs.models import Meeting, MeetingStatus, Pair
    from tests.regional.kpis.test_publication import check_published
    from tests.web.test_kpis import chart_data

    # September has one month: the history is the current draft alone.
    assert len(periods) >= 2 or timezone.localdate().month == 9
    snapshots = InstitutionSnapshot.objects.select_related("institution")
    for spec in demo.INSTITUTIONS:
        institution = Institution.objects.get(slug=spec.slug)
        rows = {s.period: s.values for s in snapshots.filter(institution=institution)}
        assert sorted(rows) == periods
        with schema_context(institution.schema_name):
            now = metrics.institution_metrics(on=metrics.period_date(periods[-1]))
            for period in periods[:-1]:
                start = timezone.make_aware(
                    datetime.datetime.combine(metrics.period_date(period), datetime.time())
                )
                pairs = Pair.objects.filter(started_on__lt=start.date()).count()
                held = Meeting.objects.filter(status=MeetingStatus.HELD, starts_at__lt=start)
                assert rows[period]["pairs_total"] == pairs, (spec.slug, period)
                assert rows[period]["meetings_held"] == held.count(), (spec.slug, period)
        now.update(employers_api.partner_counts(institution_id=institution.pk))
        assert rows[periods[-1]] == now, spec.slug
    # The generated school moved month by month: headcount, consents, pairs, meetings.
    school = {
        s.period: s.values for s in snapshots.filter(institution__slug=demo.INSTITUTIONS[0].slug)
    }
    if len(periods) >= 3:
        first, last = school[periods[0]], school[periods[-1]]
        assert first["headcount_learners"] < last["headcount_learners"]
        assert first["mentees"] < last["mentees"] and first["pairs_active"] < last["pairs_active"]
        assert last["meetings_held"] > 0

    everything: dict[int, list[tuple[str, dict[str, int]]]] = {}
    for snapshot in InstitutionSnapshot.objects.order_by("period", "institution_id"):
        everything.setdefault(snapshot.institution_id, []).append(
            (snapshot.period, snapshot.values)
        )
    region = {
        "snapshots": everything,
        "municipality_of": dict(
            Institution.objects.filter(pk__in=everything).values_list("pk", "municipality_id")
        ),
        "k": selectors.min_group_size(),
    }
    check_published(
        region,
        selectors.published_history(),
        [selectors.indicator_spec(i) for i in selectors.indicator_list()],
    )

    staff = User.objects.get(username="staff")
    page = page_client(settings.BASE_DOMAIN, staff, "public", language="en").get("/kpis/")
    assert page.status_code == 200
    body = page.content.decode()
    series = chart_data(body, "series")
    assert series["labels"] == periods
    values = series["datasets"][0]["data"]
    assert sum(value is not None for value in values) == len(periods)  # the region's share
    region_chart = chart_data(body, "region")
    assert sum(value is not None for value in region_chart["datasets"][0]["data"]) >= 2


def test_every_login_signs_in_at_the_sign_in_page_of_its_address() -> None:
    login = demo.DemoLogin("school-1.localhost", "mentor", "x", Role.MENTOR, "")
    assert login.login_path == "/accounts/login/"


def test_seeding_builds_through_the_apps_api_only() -> None:
    """The demo and the generator import the apps' ``api.py`` modules only (and ``tenants``,
    below them, imports nothing from the apps above it: tests/test_layout.py)."""
    import ast

    root = Path(__file__).resolve().parents[2] / "seeding"
    for path in [root / "demo.py", root / "school.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                top = node.module.split(".")[0]
                if top in {"accounts", "tenants", "schools", "regional"}:
                    through_api = node.module.endswith(".api") or all(
                        alias.name == "api" for alias in node.names
                    )
                    assert through_api, f"{path.name} imports {node.module}"
