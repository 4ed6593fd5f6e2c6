"""The coordinator's heaviest pages make a fixed number of SQL queries: no query per row.

Each test counts the queries of a page, adds rows (participants, proposals, activities, pairs)
and counts again: the count must not grow. Behaviour, not timing."""

from __future__ import annotations

import datetime
import functools
import itertools
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Role
from schools.matching.models import GroupMeeting, MatchProposal
from schools.monitoring.models import Questionnaire
from schools.pairs import services as pair_services
from schools.pairs.models import Pair
from schools.participants import api as participants
from schools.participants.models import MenteeProfile, MentorProfile, Participant
from schools.programmes import services as programme_services
from schools.programmes.models import Programme
from schools.web.views_groupmeeting import ATTENDEES_PER_PAGE
from tests import builders
from tests.conftest import SETUP
from tests.web.conftest import School, page_client

# Every test takes ``school``: built once for the module, each test in a savepoint of it
# (tests/web/conftest.py).
SHARE_SCHOOL = True

CRITERIA = ("form", "needs", "preference", "time", "peer")


def _queries(client: Any, path: str) -> int:
    client.get(path)  # first-use caches (content types, translations, the session)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def _grows(tenant: Any, school: School, path: str, add_rows: Callable[[int], None]) -> list[int]:
    """The page's query count with the school as built, after 3 rows and after 30 more."""
    client = page_client(tenant.host, school.users[Role.COORDINATOR], tenant.schema_name)
    counts = [_queries(client, path)]
    for rows in (3, 30):
        with schema_context(tenant.schema_name):
            add_rows(rows)
        counts.append(_queries(client, path))
    return counts


def _people(count: int, *, tag: str, consent: bool = True) -> list[int]:
    """Young teachers (mentees) or teachers (mentors) with a profile each."""
    mentee = tag == "mentee"
    return [
        builders.person(
            last_name=f"Тестов{tag}{i}",
            first_name="Иван",
            is_young_specialist=mentee,
            consent=consent,
            mentee=mentee,
            mentor_capacity=None if mentee else 2,
        ).pk
        for i in range(count)
    ]


def _mentors_and_mentees(count: int) -> None:
    _people(count, tag="mentee")
    _people(count, tag="mentee", consent=False)
    _people(count, tag="mentor", consent=False)


def test_home_counts_the_bases_once(tenant_a, school: School) -> None:
    counts = _grows(tenant_a, school, "/", _mentors_and_mentees)
    assert counts[0] == counts[1] == counts[2], counts


def test_home_shows_the_same_numbers_as_the_stage_checks(tenant_a, school: School) -> None:
    with schema_context(tenant_a.schema_name):
        _mentors_and_mentees(2)
        counts = participants.base_counts()
        assert counts == participants.BaseCounts(
            mentees=participants.mentee_count(),
            mentors=participants.mentor_count(),
            mentees_without_consent=participants.mentees_without_consent_count(),
            mentors_without_consent=participants.mentors_without_consent_count(),
        )
    assert counts.mentees_without_consent >= 2 and counts.mentors_without_consent >= 2
    client = page_client(tenant_a.host, school.users[Role.COORDINATOR], tenant_a.schema_name, "en")
    body = client.get("/").content.decode()
    assert f"{counts.mentees_without_consent} mentees lack consent" in body
    assert f"{counts.mentors_without_consent} mentors lack consent" in body


def test_the_participants_page_makes_no_query_per_participant(tenant_a, school: School) -> None:
    counts = _grows(tenant_a, school, "/participants/", _mentors_and_mentees)
    assert counts[0] == counts[1] == counts[2], counts


def test_the_matching_run_page_makes_no_query_per_proposal(tenant_a, school: School) -> None:
    run_id = school.ids["matchrun"]

    def proposals(count: int) -> None:
        mentors = _people(count, tag="mentor")
        mentees = _people(count, tag="mentee")
        breakdown = {
            "criteria": [
                {"code": code, "value": 0.5, "weight": 10, "points": 5.25} for code in CRITERIA
            ]
        }
        MatchProposal.objects.bulk_create(
            MatchProposal(
                run_id=run_id,
                mentor_id=mentor,
                mentee_id=mentee,
                form="teacher_teacher",
                score=26.25,
                breakdown=breakdown,
            )
            for mentor, mentee in zip(mentors, mentees, strict=True)
        )

    path = f"/matching/runs/{run_id}/"
    counts = _grows(tenant_a, school, path, proposals)
    assert counts[1] == counts[2], counts
    client = page_client(tenant_a.host, school.users[Role.COORDINATOR], tenant_a.schema_name, "en")
    body = client.get(path).content.decode()
    # The score by criterion is not written per row: «why» loads it from the proposal's page.
    assert "form of mentoring" not in body
    with schema_context(tenant_a.schema_name):
        proposal = MatchProposal.objects.filter(run_id=run_id, score=26.25).first()
        assert proposal is not None
    url = f"/matching/proposals/{proposal.pk}/"
    assert body.count(f'hx-get="{url}"') == 1 and body.count(f'href="{url}"') == 2
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'data-testid="criteria"' in fragment
    assert "form of mentoring" in fragment and "peer rules" in fragment and "5.3 / 10" in fragment
    assert 'name="mentor"' not in fragment  # the page's mentor options are not built for it
    page = client.get(url).content.decode()  # without HTMX: the proposal's page
    assert "<html" in page and "form of mentoring" in page


def test_the_matching_run_page_is_paged(tenant_a, school: School, monkeypatch) -> None:
    from schools.web import views

    monkeypatch.setattr(views, "PROPOSALS_PER_PAGE", 2)
    run_id = school.ids["matchrun"]
    with schema_context(tenant_a.schema_name):
        mentors = _people(3, tag="mentor")
        mentees = _people(3, tag="mentee")
        for i, (mentor, mentee) in enumerate(zip(mentors, mentees, strict=True)):
            MatchProposal.objects.create(
                run_id=run_id, mentor_id=mentor, mentee_id=mentee, form="teacher_teacher", score=i
            )
    client = page_client(tenant_a.host, school.users[Role.COORDINATOR], tenant_a.schema_name, "en")
    first = client.get(f"/matching/runs/{run_id}/").content.decode()
    second = client.get(f"/matching/runs/{run_id}/?page=2").content.decode()
    assert "Тестовmentor2" in first and "Тестовmentor0" not in first
    assert "Тестовmentor0" in second and "Тестовmentor2" not in second
    assert 'href="?page=2"' in first and 'href="?page=1"' in second


def test_a_counted_page_is_the_paginator_s_page_in_one_query(tenant_a, school: School) -> None:
    """``config.pages.counted_page`` gives what ``Paginator.get_page`` gives (the rows, the
    number, the pages), for values and for model instances, for every kind of page number
    (past the end, below 1, not a number), in one query where the page has rows."""
    from django.core.paginator import Paginator

    from config.pages import counted_page

    with schema_context(tenant_a.schema_name):
        _people(7, tag="mentee")
        people = Participant.objects.order_by("last_name", "first_name", "pk")
        total = people.count()
        assert total > 7
        numbers: list[Any] = [None, "", "1", "2", "3", 2, "0", "-1", "abc", "2.0", "99", 10**6]
        for rows in (people.values("pk", "last_name"), people, people.filter(pk=0)):
            for number, per_page in itertools.product(numbers, (3, total, total + 1)):
                page = counted_page(rows, number, per_page)
                expected = Paginator(rows, per_page).get_page(number)
                assert list(page.object_list) == list(expected.object_list), (number, per_page)
                assert (page.number, page.paginator.count, page.paginator.num_pages) == (
                    expected.number,
                    expected.paginator.count,
                    expected.paginator.num_pages,
                )
                assert (page.has_next(), page.has_previous()) == (
                    expected.has_next(),
                    expected.has_previous(),
                )
                if isinstance(rows.first(), dict):
                    assert all(set(row) == {"pk", "last_name"} for row in page.object_list)
                else:
                    assert not any(hasattr(row, "page_total") for row in page.object_list)
        with CaptureQueriesContext(connection) as queries:
            page = counted_page(people.values("pk"), "2", 3)
            assert len(page.object_list) == 3 and page.paginator.num_pages == -(-total // 3)
            assert page.has_next() and page.start_index() == 4
        assert len(queries) == 1


def test_the_roadmap_makes_no_query_per_activity(tenant_a, school: School) -> None:
    def activities(count: int) -> None:
        programme = Programme.objects.get(pk=school.ids["programme"])
        for i in range(count):
            programme_services.roadmap_activity_create(
                actor=SETUP,
                programme=programme,
                stage=1 + i % 6,
                title=f"Мероприятие {i}",
                deadline=timezone.localdate(),
                responsible_roles=["coordinator"],
            )

    counts = _grows(tenant_a, school, "/programme/", activities)
    assert counts[0] == counts[1] == counts[2], counts


def _pairs_maker(school: School) -> Callable[[int], None]:
    def pairs(count: int) -> None:
        from schools.pairs import api as pairs_api

        for mentor, mentee in zip(
            _people(count, tag="mentor"), _people(count, tag="mentee"), strict=True
        ):
            pairs_api.pair_create(
                programme_id=school.ids["programme"],
                mentor_participant_id=mentor,
                mentee_participant_ids=[mentee],
                form="teacher_teacher",
                actor=SETUP,
            )

    return pairs


def test_the_pairs_page_makes_no_query_per_pair(tenant_a, school: School) -> None:
    counts = _grows(tenant_a, school, "/pairs/", _pairs_maker(school))
    assert counts[0] == counts[1] == counts[2], counts


def test_the_pairs_page_is_paged(tenant_a, school: School, monkeypatch) -> None:
    """Every pair can be reached: the list is paged in the database (it stopped at 200)."""
    from schools.web import views

    monkeypatch.setattr(views, "PAIRS_PER_PAGE", 2)
    from schools.pairs.models import Pair

    with schema_context(tenant_a.schema_name):
        _pairs_maker(school)(3)
        count = Pair.objects.count()
    client = page_client(tenant_a.host, school.users[Role.COORDINATOR], tenant_a.schema_name, "en")
    pages = [
        client.get(f"/pairs/?page={n}").content.decode() for n in range(1, (count + 1) // 2 + 1)
    ]
    for i in range(3):  # each pair on exactly one page
        assert sum(f"Тестовmentor{i}" in page for page in pages) == 1, i
    assert 'href="?page=2"' in pages[0] and 'href="?page=1"' in pages[1]


def _statements(client: Any, path: str) -> list[str]:
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def test_the_pairs_page_reads_the_mentees_with_its_rows(tenant_a, school: School) -> None:
    """A row's mentees come with the row (``PairMenteesJSON``): no memberships query, whose
    prefetch built a queryset per pair; the names and labels are the pairs' own."""
    with schema_context(tenant_a.schema_name):
        _pairs_maker(school)(3)
    client = page_client(tenant_a.host, school.users[Role.COORDINATOR], tenant_a.schema_name, "en")
    statements = _statements(client, "/pairs/")
    assert not any(sql.startswith('SELECT "pairs_pairmentee"') for sql in statements)
    assert not any("_prefetch_related_val" in sql for sql in statements)
    body = client.get("/pairs/").content.decode()
    with schema_context(tenant_a.schema_name):
        from schools.pairs.models import Pair

        for pair in Pair.objects.prefetch_related("memberships__mentee").select_related("mentor"):
            mentees = ", ".join(m.mentee.full_name for m in pair.memberships.order_by("id"))
            assert f'<a href="/pairs/{pair.pk}/">{pair.mentor.full_name}</a>' in body
            assert f"<td>{mentees}</td>" in body
            assert f"<td>{pair.get_form_display()}</td>" in body


@pytest.mark.parametrize("kind", ["mentees", "mentors"])
def test_the_bases_read_the_catalogue_entries_with_their_rows(
    tenant_a, school: School, kind: str
) -> None:
    """The bases' rows carry their needs or competences (``with_tag_names``): no prefetch
    (a queryset per profile), no DISTINCT (which worked the entries out for every profile
    before the page was cut), and the mentor base is paged in the database too."""
    with schema_context(tenant_a.schema_name):
        _mentors_and_mentees(3)
    client = page_client(tenant_a.host, school.users[Role.COORDINATOR], tenant_a.schema_name, "en")
    path = f"/bases/?kind={kind}"
    statements = _statements(client, path)
    assert not any("_prefetch_related_val" in sql for sql in statements)
    assert not any("SELECT DISTINCT" in sql for sql in statements)
    table = "participants_menteeprofile" if kind == "mentees" else "participants_mentorprofile"
    assert any(sql.startswith(f'SELECT "{table}"') and " LIMIT " in sql for sql in statements)
    counts = _grows(tenant_a, school, path, _mentors_and_mentees)
    assert counts[0] == counts[1] == counts[2], counts


def test_the_lists_rows_reverse_no_route_each(tenant_a, school: School, monkeypatch) -> None:
    """The bases' and the participants' rows get their links and labels made once for the
    page (``url_with_id``, the choices' tables), not per row by ``{% url %}`` and
    ``get_*_display``: the template's reversing does not grow with the rows."""
    import django.urls

    calls: list[str] = []
    real = django.urls.reverse

    def counting(*args: Any, **kwargs: Any) -> str:
        calls.append(str(args[0]))
        return real(*args, **kwargs)

    monkeypatch.setattr(django.urls, "reverse", counting)  # what ``{% url %}`` calls
    client = page_client(tenant_a.host, school.users[Role.COORDINATOR], tenant_a.schema_name, "en")
    counts = []
    paths = ("/bases/?kind=mentees", "/bases/?kind=mentors", "/participants/")
    for rows in (0, 3, 30):
        with schema_context(tenant_a.schema_name):
            _mentors_and_mentees(rows)
        for path in paths:
            client.get(path)
            calls.clear()
            assert client.get(path).status_code == 200
            counts.append((path, len(calls)))
    assert counts[0:3] == counts[3:6] == counts[6:9], counts


def test_home_and_the_roadmap_make_no_query_per_pair(tenant_a, school: School) -> None:
    """The stage tracker counts the pairs awaiting the director's order (stage 4) in the
    database (it made a query per pair: 255 queries on a 1,500-pupil school), and the count
    is the number of pairs an order would list."""
    for path in ("/", "/programme/"):
        counts = _grows(tenant_a, school, path, _pairs_maker(school))
        assert counts[0] == counts[1] == counts[2], (path, counts)
    with schema_context(tenant_a.schema_name):
        from schools.documents.orders import pair_ids_awaiting_approval

        programme = Programme.objects.get(pk=school.ids["programme"])
        # one paused place, one erased mentee: the count follows the list
        from schools.pairs.models import PairMentee
        from schools.participants.models import Participant

        places = list(PairMentee.objects.filter(pair__programme=programme).order_by("pk")[:2])
        PairMentee.objects.filter(pk=places[0].pk).update(paused_at=timezone.now())
        Participant.objects.filter(pk=places[1].mentee_id).update(erased_at=timezone.now())
        waiting = len(pair_ids_awaiting_approval(programme=programme))
    assert waiting >= 64  # the pairs made above, each with its mentee, but those two
    client = page_client(tenant_a.host, school.users[Role.COORDINATOR], tenant_a.schema_name, "en")
    body = client.get("/programme/").content.decode()
    assert f"{waiting} pairs and groups are not yet approved by the director" in body


def _campaigns_maker(
    questionnaire_of: Callable[[], Questionnaire], programme_id: int | None = None
) -> Callable[[int], None]:
    """``count`` open campaigns of the questionnaire, each with 3 invitations, 2 answers
    submitted (a scale answered 8) and a draft."""
    from schools.monitoring.models import SurveyCampaign, SurveyInvitation, SurveyResponse

    def campaigns(count: int) -> None:
        questionnaire = questionnaire_of()
        today = timezone.localdate()
        people = _people(3, tag="mentee")
        for i in range(count):
            campaign = SurveyCampaign.objects.create(
                questionnaire=questionnaire,
                title=f"Анкета {count}-{i}",
                target_kind="explicit",
                opens_on=today,
                closes_on=today + datetime.timedelta(days=7),
                status="open",
                opened_at=timezone.now(),
                programme_id=programme_id,
            )
            invitations = SurveyInvitation.objects.bulk_create(
                SurveyInvitation(campaign=campaign, participant_id=pk) for pk in people
            )
            SurveyResponse.objects.bulk_create(
                SurveyResponse(
                    campaign=campaign,
                    invitation=invitation,
                    participant_id=invitation.participant_id,
                    answers={"useful": 8} if n < 2 else {},
                    status="submitted" if n < 2 else "draft",
                    submitted_at=timezone.now() if n < 2 else None,
                )
                for n, invitation in enumerate(invitations)
            )

    return campaigns


def _any_questionnaire() -> Questionnaire:
    questionnaire = Questionnaire.objects.order_by("pk").first()
    assert questionnaire is not None
    return questionnaire


def test_the_campaigns_page_counts_invitations_per_campaign(tenant_a, school: School) -> None:
    """The response rates come from one query whatever the number of campaigns, and each
    campaign counts its own invitations and answers (no join of one with the other)."""
    with schema_context(tenant_a.schema_name):
        if not Questionnaire.objects.exists():
            Questionnaire.objects.create(title="Анкета", purpose="satisfaction", origin="local")
    counts = _grows(tenant_a, school, "/campaigns/", _campaigns_maker(_any_questionnaire))
    assert counts[0] == counts[1] == counts[2], counts
    with schema_context(tenant_a.schema_name):
        from schools.monitoring import selectors

        campaign = selectors.campaign_list_with_counts().get(title="Анкета 30-0")
        counted = (campaign.invited_count, campaign.submitted_count)  # type: ignore[attr-defined]
    assert counted == (3, 2)


def test_the_monitoring_report_reads_every_campaign_at_once(tenant_a, school: School) -> None:
    """The report of the year reads the results of all its satisfaction campaigns in a fixed
    number of queries (it made three per campaign), and still reports each campaign. The
    school's writes are not committed here, so every count is of the report counted anew,
    never of the one kept under the data version (tests/web/test_monitoring_cache.py)."""
    satisfaction = functools.partial(
        builders.satisfaction_questionnaire, title="Удовлетворённость (тест)"
    )
    from django.urls import reverse

    path = reverse("school:monitoring-report", urlconf="config.urls_tenant")
    counts = _grows(tenant_a, school, path, _campaigns_maker(satisfaction, school.ids["programme"]))
    assert counts[0] == counts[1] == counts[2], counts
    client = page_client(tenant_a.host, school.users[Role.COORDINATOR], tenant_a.schema_name, "en")
    body = client.get(path).content.decode()
    assert body.count("Анкета 30-") == 30
    assert "Анкета 3-2: 2 of 3 answered, mean 8.0 / 10" in body


def test_the_order_approving_the_pairs_makes_no_query_per_pair(tenant_a, school: School) -> None:
    """The DOCX order lists every pair with its members and their classes: fetched with the
    pairs (it made a query per pair and per mentee: 585 queries on a 1,500-pupil school)."""
    counts = _grows(tenant_a, school, "/documents/approval-order/", _pairs_maker(school))
    assert counts[0] == counts[1] == counts[2], counts


def test_the_pair_page_reads_its_choices_in_fixed_queries(tenant_a, school: School) -> None:
    """The re-assignment form, on its own page, lists the other pairs and the mentors by
    name: a fixed number of queries however many there are; the pair page only links to
    it, and makes a fixed number of queries too."""
    pair = school.ids["pair"]
    for path in (f"/pairs/{pair}/", f"/pairs/{pair}/reassign/"):
        counts = _grows(tenant_a, school, path, _pairs_maker(school))
        assert counts[0] == counts[1] == counts[2], (path, counts)
    client = page_client(tenant_a.host, school.users[Role.COORDINATOR], tenant_a.schema_name, "en")
    body = client.get(f"/pairs/{pair}/").content.decode()
    assert f"/pairs/{pair}/reassign/" in body and ">Тестовmentor" not in body
    body = client.get(f"/pairs/{pair}/reassign/").content.decode()
    assert body.count(">Тестовmentor") >= 60 * 2  # each new mentor: its pair and itself
    # the mentees to choose: the pair's active members, read with the pair, in their order
    from schools.pairs.models import PairMentee

    with schema_context(tenant_a.schema_name):
        members = [
            (m.mentee_id, m.mentee.full_name)
            for m in PairMentee.objects.filter(pair_id=pair, is_active=True).order_by("id")
        ]
    assert members
    mentee_select = body.split('name="reassign-mentee"')[1].split("</select>")[0]
    assert re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', mentee_select) == [
        (str(pk), name) for pk, name in members
    ]


def test_the_group_meeting_pages_make_no_query_per_person(tenant_a, school: School) -> None:
    """The attendance form lists everyone in the bases by name and class: read in one query
    of four columns, however many people there are; the meeting's page lists a page of its
    attendees with whether each has chosen, counted in the same query."""
    meeting = school.ids["groupmeeting"]
    held = f"/matching/group-meetings/{meeting}/held/"
    counts = _grows(tenant_a, school, held, _mentors_and_mentees)
    assert counts[0] == counts[1] == counts[2], counts
    client = page_client(tenant_a.host, school.users[Role.COORDINATOR], tenant_a.schema_name, "en")
    body = client.get(held).content.decode()
    assert body.count(">Тестовmentee") == 33 * 2 and body.count(">Тестовmentor") == 33

    def attending(rows: int) -> None:
        _mentors_and_mentees(rows)
        group_meeting = GroupMeeting.objects.get(pk=meeting)
        people = Participant.objects.filter(last_name__startswith="Тестов")
        group_meeting.attendees.add(*people)

    path = f"/matching/group-meetings/{meeting}/"
    counts = _grows(tenant_a, school, path, attending)
    assert counts[0] == counts[1] == counts[2], counts
    body = client.get(path).content.decode()
    shown = body.count('<li class="list-group-item d-flex')
    assert ">Тестов" in body and 0 < shown <= ATTENDEES_PER_PAGE  # a page of them, by name


def test_the_group_meetings_list_counts_the_attendees_in_the_database(
    tenant_a, school: School
) -> None:
    """The list shows how many came to each meeting: counted by the list's query, not by a
    model instance of every attendee (a meeting of a large school has a thousand)."""
    meeting = school.ids["groupmeeting"]

    def attending(rows: int) -> None:
        _mentors_and_mentees(rows)
        people = Participant.objects.filter(last_name__startswith="Тестов")
        GroupMeeting.objects.get(pk=meeting).attendees.add(*people)

    path = "/matching/group-meetings/"
    counts = _grows(tenant_a, school, path, attending)
    assert counts[0] == counts[1] == counts[2], counts
    with schema_context(tenant_a.schema_name):
        came = GroupMeeting.objects.get(pk=meeting).attendees.count()
    client = page_client(tenant_a.host, school.users[Role.COORDINATOR], tenant_a.schema_name, "en")
    assert f"{came} participants" in client.get(path).content.decode()


_numbers = itertools.count()


def _pupils_of(group_id: int) -> Callable[[int], None]:
    """Pupils of the class ``group_id`` (half with a consent) and a parent for each."""

    def pupils(count: int) -> None:
        for _ in range(count):
            i = next(_numbers)
            builders.person(
                last_name=f"Ученикова{i}",
                first_name="Анна",
                category="pupil",
                study_group_id=group_id,
                consent=bool(i % 2),
                guardian="Родителева Ольга",
            )
            builders.person(
                last_name=f"Родителева{i}",
                first_name="Ольга",
                category="parent",
                birth_date_known=False,
                consent=False,
            )

    return pupils


def test_the_class_pages_make_no_query_per_pupil(tenant_a, school: School) -> None:
    """The classes list, a class, the papers it returned, the curators of the classes and a
    child's guardians: a fixed number of queries however many pupils and parents there are
    (the consent state and the class's numbers come with the roster)."""
    group_id = school.ids["studygroup"]
    with schema_context(tenant_a.schema_name):
        child = builders.person(
            names="Детская Вера",
            born=datetime.date(2014, 1, 1),
            category="pupil",
            study_group_id=group_id,
            consent=False,
        )
    guardians = f"/participants/{child.pk}/guardians/?find=Родителева"
    paths = (
        "/bases/classes/",
        f"/bases/classes/{group_id}/",
        f"/bases/classes/{group_id}/consents/",  # the papers: a form row per pupil lacking one
        "/bases/classes/curators/",
    )
    for path in paths:
        counts = _grows(tenant_a, school, path, _pupils_of(group_id))
        assert counts[0] == counts[1] == counts[2], (path, counts)
    counts = _grows(tenant_a, school, guardians, _pupils_of(group_id))
    assert counts[0] == counts[1] == counts[2], counts
    client = page_client(tenant_a.host, school.users[Role.COORDINATOR], tenant_a.schema_name, "en")
    found = client.get(guardians).content.decode()
    assert found.count(">Родителева") == 30  # the first 30 found of 132


def test_the_orders_page_counts_the_pairs_awaiting_an_order(tenant_a, school: School) -> None:
    """The register of orders counts the pairs awaiting the director's order in the database
    (it built every pair with its members to take the length: nine tenths of the page on a
    1,500-pupil school), and each order approving pairs shows the number it names, counted
    with the orders (not a query per order)."""
    from schools.documents.models import Order

    add_pairs = _pairs_maker(school)

    def pairs_and_orders(count: int) -> None:
        add_pairs(count)
        programme_id = school.ids["programme"]
        for _ in range(count):
            order = Order.objects.create(programme_id=programme_id, kind="pairs_approval")
            order.pairs.set(Pair.objects.filter(programme_id=programme_id)[:2])

    counts = _grows(tenant_a, school, "/programme/orders/", pairs_and_orders)
    assert counts[0] == counts[1] == counts[2], counts
    with schema_context(tenant_a.schema_name):
        from schools.documents import orders

        programme = Programme.objects.get(pk=school.ids["programme"])
        waiting = len(orders.pair_ids_awaiting_approval(programme=programme))
    assert waiting >= 33
    client = page_client(tenant_a.host, school.users[Role.COORDINATOR], tenant_a.schema_name, "en")
    body = client.get("/programme/orders/").content.decode()
    assert f"{waiting} pairs and groups await the director's approval." in body
    assert body.count("· 2 pairs</p>") == 33
    response = client.post("/programme/orders/prepare/", {"kind": "pairs_approval"})
    assert response.status_code == 302
    body = client.get("/programme/orders/").content.decode()
    assert f"· {waiting} pairs</p>" in body


def test_the_catalogue_counts_who_asks_and_who_offers_each_entry(tenant_a, school: School) -> None:
    """Each entry's mentees and mentors are counted in a subquery of their own (counted
    DISTINCT over a join of both, an entry asked by 100 and offered by 50 made 5,000 rows),
    in a fixed number of queries; the entry's page names the others by name only."""
    from schools.participants.models import Topic

    with schema_context(tenant_a.schema_name):
        topic = Topic.objects.create(code="test-counted", name="Тема для подсчёта")

    def askers(count: int) -> None:
        mentees = _people(count, tag="mentee")
        mentors = _people(count + 1, tag="mentor")
        for profile in MenteeProfile.objects.filter(participant_id__in=mentees):
            profile.needs.add(topic)
        for offer in MentorProfile.objects.filter(participant_id__in=mentors):
            offer.competences.add(topic)

    for path in ("/bases/catalogue/", f"/bases/catalogue/{topic.pk}/"):
        counts = _grows(tenant_a, school, path, askers)
        assert counts[0] == counts[1] == counts[2], (path, counts)
    client = page_client(tenant_a.host, school.users[Role.COORDINATOR], tenant_a.schema_name, "en")
    for path in ("/bases/catalogue/", f"/bases/catalogue/{topic.pk}/"):
        body = client.get(path).content.decode()
        assert "asked by 66 mentees · offered by 70 mentors" in body, path


def test_the_set_up_writes_its_checkboxes_without_a_template_each(tenant_a, school: School) -> None:
    """The set-up's forms and curators are written by ``checkbox_boxes`` (a template per
    checkbox was half the page): the coordinator's are enabled, the director reads them
    disabled, and the chosen ones are checked for both."""
    with schema_context(tenant_a.schema_name):
        programme = Programme.objects.get(pk=school.ids["programme"])
        chosen = list(programme.forms or ())
    assert chosen
    for role, disabled in ((Role.COORDINATOR, False), (Role.DIRECTOR, True)):
        client = page_client(tenant_a.host, school.users[role], tenant_a.schema_name, "en")
        body = client.get("/programme/setup/").content.decode()
        boxes = [line for line in body.splitlines() if 'type="checkbox" name="forms"' in line]
        assert boxes, role
        assert all(line.endswith("disabled>") == disabled for line in boxes), role
        for form in chosen:
            assert any(f'value="{form}"' in line and " checked" in line for line in boxes), form


def test_the_pair_page_makes_no_query_per_goal(tenant_a, school: School) -> None:
    """The mentor's pair page with its plan's goals: no query per goal (their edit forms are
    loaded when opened, their links made once for the page)."""
    from schools.pairs.models import DevelopmentPlan

    path = f"/pairs/{school.ids['pair']}/"
    client = page_client(tenant_a.host, school.users[Role.MENTOR], tenant_a.schema_name)
    counts = [_queries(client, path)]
    for goals in (3, 30):
        with schema_context(tenant_a.schema_name):
            plan = DevelopmentPlan.objects.filter(pair_id=school.ids["pair"]).first()
            assert plan is not None
            for i in range(goals):
                pair_services.plan_goal_create(actor=SETUP, plan=plan, title=f"Цель {i}")
        counts.append(_queries(client, path))
    assert counts[0] == counts[1] == counts[2], counts


def test_the_classes_list_counts_its_people_in_the_database(tenant_a, school: School) -> None:
    """The classes' numbers are counted by PostgreSQL (a row per class and kind of person,
    not one per pupil, no sort of the people) and are those a class's page counts from its
    roster; the rows' links are made once for the page."""
    from schools.participants import search
    from schools.participants.models import StudyGroup

    group_id = school.ids["studygroup"]
    with schema_context(tenant_a.schema_name):
        _pupils_of(group_id)(5)
        group = StudyGroup.objects.get(pk=group_id)
        roster = search.class_roster(Participant.objects.all(), group=group)
        expected = search.roster_summary(group, roster)
    client = page_client(tenant_a.host, school.users[Role.COORDINATOR], tenant_a.schema_name, "en")
    statements = _statements(client, "/bases/classes/")
    summary = [sql for sql in statements if "consent_state" in sql]
    assert len(summary) == 1, summary
    assert "GROUP BY" in summary[0] and "COUNT(" in summary[0]
    assert 'ORDER BY "participants_participant"' not in summary[0]
    body = client.get("/bases/classes/").content.decode()
    row = body[body.index(f'<tr data-class="{group.name}">') :]
    row = row[: row.index("</tr>")]
    assert f'<a href="/bases/classes/{group_id}/">' in row
    cells = [
        expected.people,
        expected.consent_valid,
        expected.consent_lacking,
        expected.mentees,
        expected.mentors,
    ]
    assert expected.people >= 5 and expected.consent_valid and expected.consent_lacking
    for number in cells:
        assert f'<td class="text-end">{number}' in row or f'text-danger">{number}<' in row
    assert f"({expected.consent_share}%)" in row


@pytest.mark.parametrize("kind", ["mentees", "mentors"])
def test_a_base_s_row_alone_is_the_row_of_its_page(tenant_a, school: School, kind: str) -> None:
    """The bases' rows are written in Python for the whole page (not a template per row); the
    row HTMX puts back after a cancelled edit is written the same way, the same markup."""
    with schema_context(tenant_a.schema_name):
        _mentors_and_mentees(2)
        model: Any = MenteeProfile if kind == "mentees" else MentorProfile
        profile = model.objects.select_related("participant").order_by("pk").first()
        assert profile is not None
    client = page_client(tenant_a.host, school.users[Role.COORDINATOR], tenant_a.schema_name, "ru")
    page = client.get(f"/bases/?kind={kind}&q={profile.participant.last_name}").content.decode()
    alone = client.get(f"/bases/{kind}/{profile.pk}/", HTTP_HX_REQUEST="true")
    assert alone.status_code == 200
    row = alone.content.decode()
    assert row.startswith(f'<tr id="{kind[:-1]}-{profile.pk}">')
    assert row in page
    assert f'href="/bases/{kind}/{profile.pk}/edit/"' in row
    assert "Изменить" in row and 'data-consent="' in row


def test_what_every_signed_in_page_pays_is_three_statements(tenant_a, school: School) -> None:
    """Before its own work a signed-in page reads the host's institution, the session and the
    user: one statement each, written once (``tenants.middleware``, ``accounts.sessions``,
    ``accounts.backends``), not ORM queries built on every request. The menu reads nothing."""
    client = page_client(tenant_a.host, school.users[Role.COORDINATOR], tenant_a.schema_name)
    path = "/settings/time-zone/"  # a page that reads nothing of its own
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) == 3, statements
    institution, session, user = statements
    assert '"tenants_institution"' in institution
    assert 'FROM "django_session" WHERE "session_key" = ' in session
    assert 'FROM "accounts_user" WHERE "id" = ' in user
    body = response.content.decode()
    # the menu of the role, the page's own entry marked
    assert '<a class="nav-link" href="/bases/">Базы</a>' in body
    assert 'href="/imports/"' in body  # the coordinator's own entries
    assert body.count('aria-current="page"') == 0  # the settings are not in the menu
    home = client.get("/").content.decode()
    assert '<a class="nav-link active" href="/" aria-current="page">' in home
    assert home.count('aria-current="page"') == 1


def test_the_menu_is_the_role_s_own(tenant_a, school: School) -> None:
    """The menu is made once per role and language: a mentor never sees the coordinator's
    entries, whichever was asked first in the process."""
    coordinator = page_client(tenant_a.host, school.users[Role.COORDINATOR], tenant_a.schema_name)
    mentor = page_client(tenant_a.host, school.users[Role.MENTOR], tenant_a.schema_name)
    english = page_client(
        tenant_a.host, school.users[Role.COORDINATOR], tenant_a.schema_name, language="en"
    )
    assert 'href="/imports/"' in coordinator.get("/").content.decode()
    assert 'href="/imports/"' not in mentor.get("/").content.decode()
    assert ">Bases</a>" in english.get("/bases/").content.decode()
    assert ">Базы</a>" in coordinator.get("/bases/").content.decode()


def test_the_documents_page_counts_the_people_without_consent_in_its_list_query(
    tenant_a, school: School
) -> None:
    """The first people without a valid consent and their number come from one statement
    (a window count): the count equals the count of the same rows, and no query per row."""
    from schools.participants import selectors as participant_selectors
    from schools.participants.selectors import ConsentState

    def without_consent(count: int) -> None:
        _people(count, tag="mentor", consent=False)

    counts = _grows(tenant_a, school, "/documents/", without_consent)
    assert counts[0] == counts[1] == counts[2], counts
    with schema_context(tenant_a.schema_name):
        expected = (
            participant_selectors.participant_list()
            .filter(erased_at__isnull=True)
            .exclude(consent_state__in=ConsentState.VALID_STATES)  # type: ignore[misc]
            .count()
        )
    assert expected >= 33
    client = page_client(tenant_a.host, school.users[Role.COORDINATOR], tenant_a.schema_name, "en")
    body = client.get("/documents/").content.decode()
    assert f"Without a valid consent: {expected} people" in body
    listed = body.split('data-testid="missing-consents"')[1].split("</ul>")[0]
    assert listed.count("<li>") == 30


def test_the_stage_tracker_reads_each_app_once(tenant_a, school: School) -> None:
    """The stage tracker reads the programme (its roadmap's counts, the stages' marks, whether
    it has curators) in one query and each other app's check in one: the classes without a
    curator, the bases, the stage-1 orders, the pairs awaiting an order. The roadmap, which has
    the counts already, makes the same queries; home and the roadmap keep to their counts."""
    from schools.programmes.stages import stage_reports

    with schema_context(tenant_a.schema_name):
        programme = Programme.objects.get(pk=school.ids["programme"])
        counted: tuple[dict[int, Any] | None, ...] = (None, {})
        for activities in counted:
            with CaptureQueriesContext(connection) as queries:
                stage_reports(programme=programme, activities=activities)
            assert len(queries) == 5, [q["sql"] for q in queries.captured_queries]
    # 13, 13, 13, 11, 13 and 11 before the tracker read the programme in one query
    for role, path, expected in (
        (Role.COORDINATOR, "/", 11),
        (Role.CURATOR, "/", 11),
        (Role.DIRECTOR, "/", 11),
        (Role.COORDINATOR, "/programme/", 10),
        (Role.CURATOR, "/programme/", 12),
        (Role.DIRECTOR, "/programme/", 10),
    ):
        client = page_client(tenant_a.host, school.users[role], tenant_a.schema_name)
        assert _queries(client, path) == expected, (role, path)
