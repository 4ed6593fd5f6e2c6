"""A large school with a year of data, for the benchmarks: ``year_fill(schema_name=...)``.

On an institution of the demo region (its logins for every role exist already): the school
generator (``seeding.school_generate``: 1,500 pupils and 150 teachers by default, their
parents, consents, the bases, the programme of the year, a group meeting with preferences),
then what a programme year adds, through the apps' services:

* a matching run over the whole bases, approved into pairs and groups; the pairs are dated to
  the start of October (the one shortcut: ``started_on`` set by an UPDATE, so that the
  autumn's meetings may be recorded, since a pair made today cannot have met in October);
* per pair the methodology's meetings of the autumn: organisational, trial and planning,
  two regular ones (held, with attendance), and a regular one planned next week;
* questionnaire campaigns: the satisfaction questionnaires adopted from the region, one
  campaign per form for its mentees and one for the mentors, opened; about 70 % answered;
* documents: consent forms of a class and thank-you letters of the mentors, generated;
* three import batches (a small file each).

Deterministic by seed. Returns the ids the benchmark's detail pages need."""

from __future__ import annotations

import datetime
import io
import random
import time
from dataclasses import dataclass, field
from typing import Any

from benchlib import questionnaire_answers

BENCH_CURATOR = "curator-5a"  # a class teacher: the curator's pages see their own class


@dataclass
class SchoolYear:
    schema_name: str
    learners: int
    staff: int
    participants: int = 0
    mentees: int = 0
    mentors: int = 0
    pairs: int = 0
    meetings: int = 0
    campaigns: int = 0
    invitations: int = 0
    answers: int = 0
    documents: int = 0
    ids: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"{self.learners} pupils, {self.staff} teachers, {self.participants} people in all; "
            f"bases: {self.mentees} mentees, {self.mentors} mentors; {self.pairs} pairs and "
            f"groups, {self.meetings} meetings; {self.campaigns} campaigns, "
            f"{self.invitations} invitations, {self.answers} answers; "
            f"{self.documents} document jobs"
        )


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _xlsx(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _pairs(programme: Any, coordinator: Any, year_start: datetime.date) -> Any:
    from django.test import override_settings

    from schools.matching import services as matching_services
    from schools.pairs.models import Pair

    # The whole bases at once, in this process (no worker runs in the benchmarks).
    with override_settings(MATCHING_SYNC_MAX_MENTEES=100_000):
        run = matching_services.run_create(programme=programme, actor=coordinator)
    run.refresh_from_db()
    matching_services.run_approve(run=run, accept_proposed=True, actor=coordinator)
    started = year_start + datetime.timedelta(days=30)
    # Only the run's new pairs (the demo's own pair has its meetings already).
    Pair.objects.filter(started_on__gt=started, meetings__isnull=True).update(started_on=started)
    return run


def _meetings(coordinator: Any, year_start: datetime.date, today: datetime.date) -> int:
    from schools.pairs import services as pair_services
    from schools.pairs.models import Pair, PairStatus

    first = year_start + datetime.timedelta(days=34)
    plan = [
        ("organisational", 0, True),
        ("trial", 7, True),
        ("planning", 14, True),
        ("regular", 28, True),
        ("regular", 42, True),
    ]
    count = 0
    pairs = list(
        Pair.objects.filter(status=PairStatus.ACTIVE, meetings__isnull=True)
        .prefetch_related("memberships")
        .order_by("pk")
    )
    for n, pair in enumerate(pairs):
        members = [pair.mentor_id, *[m.mentee_id for m in pair.memberships.all()]]
        for kind, days, held in plan:
            day = first + datetime.timedelta(days=days + n % 5)
            if day >= today:
                break
            meeting = pair_services.meeting_create(
                pair=pair,
                kind=kind,
                starts_at=_at(day, 14 + n % 3),
                place="Кабинет 21" if n % 2 else "Библиотека",
                actor=coordinator,
            )
            count += 1
            if held:
                # one mentee in ten missed it
                came = [p for i, p in enumerate(members) if i == 0 or (n + i) % 10]
                pair_services.meeting_record_attendance(
                    meeting=meeting,
                    participant_ids=came,
                    outcomes="Обсудили прогресс по плану, наметили задачи до следующей встречи.",
                    actor=coordinator,
                )
        pair_services.meeting_create(
            pair=pair,
            kind="regular",
            starts_at=_at(today + datetime.timedelta(days=7 + n % 5), 15),
            place="Кабинет 21",
            actor=coordinator,
        )
        count += 1
    return count


def _campaigns(programme: Any, coordinator: Any, rng: random.Random) -> tuple[int, int, int, int]:
    """(campaigns, invitations, answers, the first campaign's id)."""
    from django.utils import timezone

    from accounts.actor import Actor
    from regional.questionnaires import api as templates
    from schools.monitoring import services
    from schools.monitoring.models import Questionnaire, SurveyInvitation
    from schools.pairs.models import Pair, PairStatus

    today = timezone.localdate()
    questionnaires = {}
    for code in ("satisfaction-mentee", "satisfaction-mentor"):
        questionnaire = Questionnaire.objects.filter(template_code=code).first()
        if questionnaire is None:
            version_id = templates.published_version_id(template_code=code)
            assert version_id is not None, f"no published regional template {code}"
            questionnaire = services.questionnaire_adopt(
                version_id=version_id, actor=Actor.system("bench")
            )
        questionnaires[code] = questionnaire
    forms = sorted(
        set(
            Pair.objects.filter(programme=programme, status=PairStatus.ACTIVE).values_list(
                "form", flat=True
            )
        )
    )
    targets = [
        ("satisfaction-mentee", services.Target(kind="form_mentees", form=form)) for form in forms
    ] + [("satisfaction-mentor", services.Target(kind="mentors"))]
    campaigns = invitations = answers = 0
    first_id = 0
    for code, target in targets:
        campaign = services.campaign_create(
            questionnaire=questionnaires[code],
            title="",
            target=target,
            opens_on=today - datetime.timedelta(days=10),
            closes_on=today + datetime.timedelta(days=20),
            programme_id=programme.pk,
            actor=coordinator,
        )
        try:
            opened = services.campaign_open(campaign=campaign, actor=coordinator)
        except Exception:  # nobody with consent in this form: the campaign stays a draft
            continue
        campaigns += 1
        first_id = first_id or campaign.pk
        invitations += opened.invited
        questions = list(questionnaires[code].questions.all())
        for invitation in SurveyInvitation.objects.filter(campaign=campaign).select_related(
            "campaign__questionnaire"
        ):
            if rng.random() < 0.7:
                services.response_submit(
                    invitation=invitation,
                    answers=questionnaire_answers(
                        questions, rng, text="Всё понравилось, встречи были полезными."
                    ),
                )
                answers += 1
    return campaigns, invitations, answers, first_id


def _documents(coordinator: Any) -> int:
    from schools.documents import services as documents
    from schools.pairs.models import Pair
    from schools.participants.models import Participant

    group = Participant.objects.filter(study_group__name="5А").values_list("pk", flat=True)
    mentors = Pair.objects.values_list("mentor_id", flat=True).distinct()[:60]
    jobs = [
        documents.document_job_create(
            kind="consent_forms",
            title="Согласия 5А",
            item_ids=list(group),
            actor=coordinator,
        ),
        documents.document_job_create(
            kind="thank_you_letters",
            title="Благодарственные письма наставникам",
            item_ids=list(mentors),
            actor=coordinator,
        ),
    ]
    for job in jobs:
        documents.document_job_run(job_id=job.pk)
    return len(jobs)


def _imports(coordinator: Any) -> int:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from schools.imports import services as import_services

    year = timezone.localdate().year
    header = ["ФИО", "Дата рождения", "Категория", "Класс/Группа"]
    batch_id = 0
    for n in range(3):
        content = _xlsx(
            [
                header,
                [
                    f"Новикова Дарья Игоревна{'' if n == 0 else ' ' + str(n)}",
                    f"01.02.{year - 12}",
                    "ученик",
                    "6А",
                ],
                ["Без Даты Рождения", "", "ученик", "6А"],
            ]
        )
        batch = import_services.import_batch_create(
            kind="participants",
            uploaded_file=SimpleUploadedFile(f"ученики-{n + 1}.xlsx", content),
            actor=coordinator,
        )
        batch_id = batch.pk
    return batch_id


def year_fill(
    *,
    schema_name: str,
    media_root: str,
    password: str,
    learners: int = 1500,
    staff: int = 150,
    seed: int = 1,
) -> SchoolYear:
    """Fill the demo institution ``schema_name`` (see the module's docstring)."""
    from django.db import transaction
    from django.test import override_settings
    from django.utils import timezone
    from django_tenants.utils import schema_context, tenant_context

    from accounts.actor import actor_for
    from accounts.models import User
    from schools.participants.models import MenteeProfile, MentorProfile, Participant
    from schools.programmes import selectors as programme_selectors
    from seeding.school import school_generate
    from tenants.models import Institution

    result = SchoolYear(schema_name=schema_name, learners=learners, staff=staff)
    rng = random.Random(seed)
    today = timezone.localdate()
    year = today.year if today.month >= 9 else today.year - 1
    year_start = datetime.date(year, 9, 1)

    def step(name: str, started: float) -> None:
        result.seconds[name] = round(time.perf_counter() - started, 1)

    started = time.perf_counter()
    school_generate(schema_name=schema_name, learners=learners, staff=staff, seed=seed)
    step("generate-school", started)
    with schema_context(schema_name), override_settings(MEDIA_ROOT=media_root):
        coordinator = actor_for(User.objects.get(username="coordinator"))
        curator = User.objects.get(username=BENCH_CURATOR)
        curator.set_password(password)
        curator.save(update_fields=["password"])
        programme = programme_selectors.programme_current()
        assert programme is not None, "the demo school has no programme this year"
        with transaction.atomic():
            started = time.perf_counter()
            run = _pairs(programme, coordinator, year_start)
            step("matching", started)
            started = time.perf_counter()
            result.meetings = _meetings(coordinator, year_start, today)
            step("meetings", started)
        started = time.perf_counter()
        with transaction.atomic():
            result.campaigns, result.invitations, result.answers, campaign_id = _campaigns(
                programme, coordinator, rng
            )
        step("campaigns", started)
        started = time.perf_counter()
        with tenant_context(Institution.objects.get(schema_name=schema_name)):
            result.documents = _documents(coordinator)
        batch_id = _imports(coordinator)
        step("documents and imports", started)

        # What autovacuum does within a minute of bulk writes on a live server: without
        # statistics the planner takes 3,000 rows for 170 and picks slow plans.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

        from schools.pairs.models import Pair

        pair = Pair.objects.filter(memberships__isnull=False).order_by("pk").first()
        mentee = MenteeProfile.objects.order_by("pk").values_list("participant_id", flat=True)
        result.participants = Participant.objects.count()
        result.mentees = MenteeProfile.objects.count()
        result.mentors = MentorProfile.objects.count()
        result.pairs = Pair.objects.count()
        result.ids = {
            "run": run.pk,
            "pair": pair.pk if pair else 0,
            "participant": mentee.first() or 0,
            "importbatch": batch_id,
            "campaign": campaign_id,
            "proposals": run.proposals.count(),
        }
    return result
