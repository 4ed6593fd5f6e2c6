"""A campaign launched to 1,000 people, and a class answering at once, against a real server.

Data: the demo region and, in its first school, a generated school (``--learners`` pupils,
a tenth as many teachers: about 90 % of the people with consent). Server: gunicorn as
``nastavnik demo`` runs it (2 workers x 4 threads, ``bench_settings``). Baseline: the bare
view (``/bench/bare/``, through the same middleware) measured in the same run, the same way.

* **Launch**: the coordinator (signed in through the login form) opens a draft campaign whose
  target is a list of ``LAUNCH_RECIPIENTS`` people with consent: ``POST
  /campaigns/<pk>/open/`` as the page's button does, ``LAUNCHES`` times (a new campaign each
  time), one at a time. The answer is the redirect back to the campaign, which is then
  ``launching``: the invitations are the worker's job (``campaign_launch_run``, timed here in
  this process after each request: nobody consumes the bench's queue), the letters too.
  Baseline: single requests of the bare view.
* **Answering**: ``ANSWERING_USERS`` mentees at once (a class in one lesson), each answering
  ``--answers-per-user`` invitations one after another through personal links as a pupil
  does: ``GET /surveys/link/<token>/`` (the form, a CSRF cookie) then ``POST`` of complete
  answers (the thank-you page). Submissions per second over the whole run (GET and POST
  included) and the POST's p50/p95; every answer is checked to be submitted in the database.
  Baseline: the bare view under the same number of concurrent users.

Everything made is removed at the end (``pages._unseed``)."""

from __future__ import annotations

import datetime
import os
import random
import re
import statistics
import subprocess
import threading
import time
from typing import Any
from urllib.parse import urlencode

import pages
from benchlib import heading, line, questionnaire_answers, ratio

LAUNCH_RECIPIENTS = 1000
LAUNCHES = 5
ANSWERING_USERS = 30
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def _seed(learners: int) -> tuple[Any, str, list[int]]:
    """(the school, the demo password, the ids of people with valid consent)."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from config.cache import create_cache_table
    from schools.participants import api as participants_api
    from seeding.school import school_generate
    from tenants import schemas

    demo = pages._demo()
    schemas.sync_template_schema()
    create_cache_table()
    region = demo.demo_region_ensure()
    school = region.institutions[0]
    school_generate(
        schema_name=school.schema_name, learners=learners, staff=max(2, learners // 10), seed=3
    )
    with schema_context(school.schema_name):
        consenting = participants_api.consenting_participant_ids(category="pupil")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return school, demo.DEMO_PASSWORD, consenting


def _campaign(schema_name: str, people: list[int], *, title: str, open_it: bool) -> int:
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from accounts.actor import actor_for
    from accounts.models import User
    from schools.monitoring import services
    from schools.monitoring.models import Questionnaire

    today = timezone.localdate()
    with schema_context(schema_name):
        coordinator = User.objects.get(username="coordinator")
        questionnaire = Questionnaire.objects.get(template_code="satisfaction-mentee")
        campaign = services.campaign_create(
            questionnaire=questionnaire,
            title=title,
            target=services.Target(kind="explicit", participant_ids=tuple(people)),
            opens_on=today,
            closes_on=today + datetime.timedelta(days=14),
            actor=actor_for(coordinator, schema=schema_name),
        )
        if open_it:
            services.campaign_open(
                campaign=campaign, actor=actor_for(coordinator, schema=schema_name)
            )
        return int(campaign.pk)


def _links(schema_name: str, campaign_id: int) -> list[tuple[int, str]]:
    """(invitation id, token) of every invitation of the campaign."""
    from django_tenants.utils import schema_context

    from schools.monitoring import services
    from schools.monitoring.models import SurveyInvitation

    with schema_context(schema_name):
        ids = SurveyInvitation.objects.filter(campaign_id=campaign_id).order_by("pk")
        return [
            (pk, services.invitation_link_issue(invitation_id=pk))
            for pk in ids.values_list("pk", flat=True)
        ]


def _form(schema_name: str, rng: random.Random) -> dict[str, Any]:
    """Complete answers of the satisfaction questionnaire, as the form posts them."""
    from django_tenants.utils import schema_context

    from schools.monitoring.models import Questionnaire

    with schema_context(schema_name):
        questions = list(
            Questionnaire.objects.get(template_code="satisfaction-mentee").questions.all()
        )
    answers = questionnaire_answers(questions, rng, text="Всё понравилось, встречи были полезными.")
    form: dict[str, Any] = {}
    for code, value in answers.items():
        if isinstance(value, bool):
            form[code] = "yes" if value else "no"
        else:
            form[code] = value
    return form


def _percentile(values: list[float], p: int) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[p - 1]
        if len(values) > 1
        else values[0]
    )


def _bare(port: int, host: str, *, users: int, per_user: int) -> pages.PageFigures:
    return pages._load(
        port,
        "bare view",
        pages.BARE_PATH,
        [{"Host": host}] * users,
        expect=b"ok",
        per_user=per_user,
    )


def _launch(
    port: int, school: Any, password: str, people: list[int], launches: int
) -> dict[str, Any]:
    from django.conf import settings

    host = school.host
    cookie = pages._sign_in(port, host, "coordinator", password)
    csrf = dict(part.split("=", 1) for part in cookie.split("; "))[settings.CSRF_COOKIE_NAME]
    bare = _bare(port, host, users=1, per_user=50)
    latencies: list[float] = []
    prepared: list[float] = []
    for n in range(launches):
        campaign_id = _campaign(
            school.schema_name, people, title=f"Анкета для всех {n + 1}", open_it=False
        )
        path = f"/campaigns/{campaign_id}/open/"
        started = time.perf_counter()
        status, _cookies, body = pages._request(
            port,
            "POST",
            path,
            {
                "Host": host,
                "Cookie": cookie,
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://{host}/campaigns/{campaign_id}/",
            },
            urlencode({"csrfmiddlewaretoken": csrf}),
        )
        latencies.append(time.perf_counter() - started)
        if status != 302:
            raise RuntimeError(f"opening the campaign answered {status}: {body[:300]!r}")
        _check_launching(school.schema_name, campaign_id, len(people))
        prepared.append(_prepare(school.schema_name, campaign_id))
        _check_open(school.schema_name, campaign_id, len(people))
    median = statistics.median(latencies) * 1000
    worker_ms = statistics.median(prepared) * 1000
    line(
        f"launch to {len(people)} people: median {median:.0f} ms, max "
        f"{max(latencies) * 1000:.0f} ms ({launches} launches); bare view, single requests: "
        f"median {bare.median_ms:.1f} ms ({ratio(median, bare.median_ms):.0f}x); the worker's "
        f"part (invitations in batches, then open): median {worker_ms:.0f} ms"
    )
    return {
        "recipients": len(people),
        "launches": launches,
        "median_ms": median,
        "max_ms": max(latencies) * 1000,
        "samples_ms": [round(x * 1000, 1) for x in latencies],
        "bare_median_ms": bare.median_ms,
        "worker_median_ms": worker_ms,
    }


def _check_launching(schema_name: str, campaign_id: int, expected: int) -> None:
    """The request only recorded the launch: the worker prepares the invitations."""
    from django_tenants.utils import schema_context

    from schools.monitoring.models import SurveyCampaign

    with schema_context(schema_name):
        campaign = SurveyCampaign.objects.get(pk=campaign_id)
        invited = campaign.invitations.count()
    if campaign.status != "launching" or campaign.launch_total != expected or invited:
        raise RuntimeError(f"campaign {campaign_id}: {campaign.status}, {invited} invitations")


def _prepare(schema_name: str, campaign_id: int) -> float:
    """The worker's part, in this process (nobody consumes the bench's queue): seconds."""
    from django_tenants.utils import schema_context

    from schools.monitoring import services

    with schema_context(schema_name):
        started = time.perf_counter()
        services.campaign_launch_run(campaign_id=campaign_id)
        return time.perf_counter() - started


def _check_open(schema_name: str, campaign_id: int, expected: int) -> None:
    from django_tenants.utils import schema_context

    from schools.monitoring.models import SurveyCampaign

    with schema_context(schema_name):
        campaign = SurveyCampaign.objects.get(pk=campaign_id)
        invited = campaign.invitations.count()
    if campaign.status != "open" or invited != expected:
        raise RuntimeError(f"campaign {campaign_id}: {campaign.status}, {invited} invitations")


class _Pupil(threading.Thread):
    """One pupil answering its links one after another: GET the form, POST the answers."""

    def __init__(self, port: int, host: str, links: list[str], form: dict[str, Any], start: Any):
        super().__init__(daemon=True)
        self.port, self.host, self.links, self.form, self.start_line = (
            port,
            host,
            links,
            form,
            start,
        )
        self.posts: list[float] = []
        self.failure = ""
        self.begun = self.ended = 0.0

    def run(self) -> None:
        self.start_line.wait()
        self.begun = time.perf_counter()
        for token in self.links:
            path = f"/surveys/link/{token}/"
            status, cookies, body = pages._request(self.port, "GET", path, {"Host": self.host})
            found = CSRF_INPUT.search(body)
            if status != 200 or found is None:
                self.failure = f"GET {status}"
                break
            jar = "; ".join(f"{k}={v}" for k, v in cookies.items())
            data = urlencode(
                {"csrfmiddlewaretoken": found.group(1).decode(), "action": "submit", **self.form},
                doseq=True,
            )
            sent = time.perf_counter()
            status, _c, body = pages._request(
                self.port,
                "POST",
                path,
                {
                    "Host": self.host,
                    "Cookie": jar,
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Referer": f"http://{self.host}{path}",
                },
                data,
            )
            self.posts.append(time.perf_counter() - sent)
            if status != 200:
                self.failure = f"POST {status} {body[:300]!r}"
                break
        self.ended = time.perf_counter()


def _answering(
    port: int, school: Any, people: list[int], *, users: int, per_user: int
) -> dict[str, Any]:
    chosen = people[: users * per_user]
    campaign_id = _campaign(school.schema_name, chosen, title="Анкета класса", open_it=True)
    links = [token for _pk, token in _links(school.schema_name, campaign_id)]
    rng = random.Random(5)
    start = threading.Barrier(users)
    pupils = [
        _Pupil(
            port,
            school.host,
            links[i * per_user : (i + 1) * per_user],
            _form(school.schema_name, rng),
            start,
        )
        for i in range(users)
    ]
    bare = _bare(port, school.host, users=users, per_user=per_user * 2)
    for pupil in pupils:
        pupil.start()
    for pupil in pupils:
        pupil.join()
    failures = [p.failure for p in pupils if p.failure]
    if failures:
        raise RuntimeError(f"{len(failures)} pupils failed: {failures[0]}")
    seconds = max(p.ended for p in pupils) - min(p.begun for p in pupils)
    posts = sorted(x for p in pupils for x in p.posts)
    submitted = _submitted(school.schema_name, campaign_id)
    if submitted != len(posts):
        raise RuntimeError(f"{len(posts)} answers posted, {submitted} submitted")
    rate = submitted / seconds
    p50, p95 = statistics.median(posts) * 1000, _percentile(posts, 95) * 1000
    line(
        f"{users} pupils answering at once: {submitted} submissions in {seconds:.1f} s = "
        f"{rate:.0f} submissions/s (each a GET of the form and a POST); POST p50 {p50:.0f} ms, "
        f"p95 {p95:.0f} ms; bare view, {users} users: {bare.requests_per_s:.0f} req/s, "
        f"p50 {bare.median_ms:.1f} ms"
    )
    return {
        "users": users,
        "submissions": submitted,
        "seconds": seconds,
        "submissions_per_s": rate,
        "post_p50_ms": p50,
        "post_p95_ms": p95,
        "bare": bare.as_dict(),
    }


def _submitted(schema_name: str, campaign_id: int) -> int:
    from django_tenants.utils import schema_context

    from schools.monitoring.models import SurveyResponse

    with schema_context(schema_name):
        return SurveyResponse.objects.filter(campaign_id=campaign_id, status="submitted").count()


def run(
    *,
    workers: int,
    threads: int,
    learners: int = 1500,
    launches: int = LAUNCHES,
    users: int = ANSWERING_USERS,
    per_user: int = 10,
) -> dict[str, Any]:
    from django.db import connections

    heading(
        f"Surveys: a campaign launched to {LAUNCH_RECIPIENTS} people, {users} pupils answering "
        f"at once; gunicorn {workers} workers x {threads} threads"
    )
    port = pages._free_port()
    server: subprocess.Popen[bytes] | None = None
    results: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="minutes")
    }
    mark = pages._public_mark()
    try:
        school, password, people = _seed(learners)
        if len(people) < max(LAUNCH_RECIPIENTS, users * per_user):
            raise RuntimeError(f"only {len(people)} pupils with consent: raise --learners")
        line(f"school {school.host}: {len(people)} pupils with consent")
        connections.close_all()
        results["loadavg_before"] = os.getloadavg()
        line("load average before: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
        server = pages._start_server(port, workers, threads)
        pages._wait_ready(server, port, school.host)
        results["launch"] = _launch(port, school, password, people[:LAUNCH_RECIPIENTS], launches)
        results["answering"] = _answering(port, school, people, users=users, per_user=per_user)
        results["loadavg_after"] = os.getloadavg()
        line("load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        connections.close_all()
        results["rows_left"] = pages._unseed(None, mark)
    return results
