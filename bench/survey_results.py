"""Regional survey results: the time of the publishing task over 100 institutions × 300 responses.

Standalone: ``.venv/bin/python bench/survey_results.py [--institutions 100] [--responses 300]
[--keep-db]``. It creates the database ``nastavnik_bench_surveys`` on 127.0.0.1:5432 (or
SURVEYS_BENCH_DATABASE_URL, whose name must end in ``_bench_surveys``), migrates it, provisions
the institutions (clones of the template schema), and in each adopts the regional
``satisfaction-mentee`` template, opens a campaign and stores the given number of submitted
responses (bulk inserts: the bench measures publishing, not answering). Then it runs what the
nightly beat entry does — ``survey_results.publish_all`` fans out one
``survey_results.publish_institution`` per institution — with every task body run here, in
its institution's schema, one after another (as one worker would), and prints the total, the
per-institution median and the time of the regional summary read. Drops the database at the
end. Nothing asserts on time."""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from benchlib import questionnaire_answers

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "bench"))

import benchlib  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/nastavnik_bench_surveys"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--institutions", type=int, default=100)
    parser.add_argument("--responses", type=int, default=300)
    parser.add_argument("--keep-db", action="store_true")
    return parser.parse_args()


def database_url() -> str:
    url = os.environ.get("SURVEYS_BENCH_DATABASE_URL", DEFAULT_URL)
    if not urlsplit(url).path.lstrip("/").endswith("_bench_surveys"):
        raise SystemExit("refusing: the bench database name must end in _bench_surveys")
    return url


def configure(url: str, media_root: str) -> None:
    benchlib.configure_environment(url)
    os.environ["MEDIA_ROOT"] = media_root
    os.environ["TENANT_MIGRATION_EXECUTOR"] = "standard"


def fill_institution(responses: int, rng: random.Random) -> None:
    """In the current schema: an adopted questionnaire, an open campaign and ``responses``
    submitted answers (valid, varied)."""
    from django.utils import timezone

    from accounts.actor import Actor
    from regional.questionnaires import api as templates
    from schools.monitoring import services
    from schools.monitoring.models import (
        SurveyCampaign,
        SurveyInvitation,
        SurveyResponse,
    )
    from schools.participants.models import Participant

    version_id = templates.published_version_id(template_code="satisfaction-mentee")
    assert version_id is not None
    questionnaire = services.questionnaire_adopt(version_id=version_id, actor=Actor.system("bench"))
    questions = list(questionnaire.questions.all())
    today = date.today()
    campaign = SurveyCampaign.objects.create(
        questionnaire=questionnaire,
        title="Итоговая анкета",
        target_kind="explicit",
        opens_on=today - timedelta(days=3),
        closes_on=today + timedelta(days=10),
        status="open",
        opened_at=timezone.now(),
    )
    people = Participant.objects.bulk_create(
        Participant(last_name=f"Bench{i}", first_name="Learner", category="student")
        for i in range(responses)
    )
    invitations = SurveyInvitation.objects.bulk_create(
        SurveyInvitation(campaign=campaign, participant=p) for p in people
    )
    now = timezone.now()
    SurveyResponse.objects.bulk_create(
        SurveyResponse(
            campaign=campaign,
            invitation=invitation,
            participant_id=invitation.participant_id,
            answers=questionnaire_answers(questions, rng, text="Текст ответа"),
            status="submitted",
            channel="signed_in",
            submitted_at=now,
        )
        for invitation in invitations
    )


def main() -> int:
    args = parse_args()
    url = database_url()
    media = tempfile.mkdtemp(prefix="nastavnik-bench-surveys-")
    configure(url, media)
    name = urlsplit(url).path.lstrip("/")
    print(f"database {name}: creating and migrating …", flush=True)
    benchlib.recreate_database(url)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django_tenants.utils import schema_context

        call_command("migrate", "--noinput", verbosity=0)
        call_command("createcachetable", verbosity=0)

        from accounts.actor import Actor
        from config.db import tenant_connection
        from regional.survey_results import selectors as results_selectors
        from regional.survey_results import tasks
        from regional.survey_results.models import RegionalQuestionResult
        from tenants import services as tenant_services
        from tenants.models import Municipality

        rng = random.Random(1)
        municipality, _ = Municipality.objects.get_or_create(name="Bench district")
        schemas: list[str] = []
        started = time.perf_counter()
        for index in range(args.institutions):
            institution = tenant_services.institution_create(
                actor=Actor.system("bench"),
                name=f"Bench school {index}",
                short_name=f"Bench {index}",
                kind="school",
                municipality_id=municipality.pk,
                slug=f"bench-surveys-{index:03d}",
                coordinator_email="",
            )
            provisioned = tenant_services.institution_provision(institution_id=institution.pk)
            assert provisioned is not None
            with schema_context(provisioned.schema_name):
                fill_institution(args.responses, rng)
            schemas.append(provisioned.schema_name)
            if (index + 1) % 10 == 0:
                print(f"  {index + 1} institutions ready", flush=True)
        setup_s = time.perf_counter() - started
        print(f"set up {args.institutions} × {args.responses} responses in {setup_s:.0f} s")

        tenant_connection().set_schema_to_public()
        started = time.perf_counter()
        fanned_out = tasks.publish_all()  # enqueues one task per institution (memory broker)
        fan_out_s = time.perf_counter() - started
        assert fanned_out == args.institutions, fanned_out

        samples: list[float] = []
        for schema in schemas:
            with schema_context(schema):
                begin = time.perf_counter()
                stored = tasks.publish_institution()
                samples.append(time.perf_counter() - begin)
                assert stored > 0
        total_s = sum(samples)
        tenant_connection().set_schema_to_public()
        rows = RegionalQuestionResult.objects.count()
        suppressed = RegionalQuestionResult.objects.filter(suppressed=True).count()

        started = time.perf_counter()
        summary = results_selectors.regional_summary(template_code="satisfaction-mentee")
        summary_s = time.perf_counter() - started

        print()
        print(f"  institutions × responses        {args.institutions} × {args.responses}")
        print(f"  fan-out (publish_all)           {fan_out_s * 1000:8.1f} ms")
        print(f"  publish, all institutions       {total_s:8.2f} s")
        print(f"  publish, per institution median {statistics.median(samples) * 1000:8.1f} ms")
        print(f"  publish, per institution max    {max(samples) * 1000:8.1f} ms")
        print(f"  rows published (suppressed)     {rows} ({suppressed})")
        print(f"  regional summary read           {summary_s * 1000:8.1f} ms ({len(summary)} rows)")
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not args.keep_db:
            benchlib.drop_database(url)
            print(f"\ndropped {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
