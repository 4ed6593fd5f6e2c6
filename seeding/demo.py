"""The demo region of ``nastavnik demo``: municipalities of Stavropol krai, three institutions
with their staff and programmes (and in each a mentor and a mentee with a pair), regional staff
and an employer.

The first institution (``school-1``) is also filled with a small generated school
(``seeding.school``: classes with their curators, pupils and parents, teachers, consents, the
bases and a group meeting with preferences), so that its pages show a living programme;
``lyceum-4`` with a smaller one. The regional KPIs' history is real: the months of the
academic year so far are lived through one after another (``DemoTimeline``: headcounts,
consents, matching, meetings) and each is aggregated by the real aggregation and closed; the
current month is an open draft.

Everything is written through the apps' ``api.py`` (this package sits above every app), and
everything is idempotent: running it again finds what exists, creates what is missing and
resets the demo passwords, so the logins it prints always work. What people changed is left
as it is: a demo person is found again by their login (or name and birth date), and a step
that their changes make impossible (a pair ended, a consent withdrawn) is skipped with a
warning instead of stopping the demo."""

from __future__ import annotations

import datetime
import logging
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from accounts import api as accounts_api
from accounts.api import Actor, Role
from regional.employers import api as employers_api
from regional.kpis import api as kpi_api
from regional.practices import api as practices_api
from regional.questionnaires import api as templates_api
from schools.matching import api as matching_api
from schools.monitoring import api as monitoring_api
from schools.pairs import api as pairs_api
from schools.participants import api as participants_api
from schools.programmes import api as programmes_api
from schools.programmes.api import MentoringForm
from seeding.school import GeneratedSchool, school_generate
from tenants import api as tenants_api
from tenants.api import InstitutionRef

SEED_ACTOR = Actor.system("demo")
logger = logging.getLogger(__name__)

DEMO_PASSWORD = "nastavnik-demo-2026"
DEMO_ACADEMIC_YEAR = 2026
# The generated school of the first institution: small enough to build in seconds, big enough
# for every page to have lists, classes and a matching to run.
DEMO_SCHOOL_LEARNERS = 150
DEMO_SCHOOL_STAFF = 20
DEMO_SCHOOL_SEED = 1
DEMO_SCHOOL_APPROVED_SHARE = 0.7  # of the matching run's proposals, approved into pairs


@dataclass(frozen=True)
class DemoPerson:
    username: str
    role: str
    last_name: str
    first_name: str
    middle_name: str
    email: str
    is_staff: bool = False
    is_superuser: bool = False

    @property
    def full_name(self) -> str:
        return f"{self.last_name} {self.first_name} {self.middle_name}"


@dataclass(frozen=True)
class DemoInstitution:
    slug: str
    name: str
    short_name: str
    kind: str
    municipality: str
    inn: str
    forms: tuple[str, ...]
    # The first person is the coordinator: the institution's provisioning invites them.
    people: tuple[DemoPerson, ...]


@dataclass(frozen=True)
class DemoLogin:
    host: str  # empty for the regional layer (BASE_DOMAIN)
    username: str
    password: str
    role: str
    full_name: str

    @property
    def login_path(self) -> str:
        """Where this account signs in: every account at the sign-in page of its address
        (Django's admin takes only staff accounts, so it is never printed as the door)."""
        return "/accounts/login/"


@dataclass
class DemoRegion:
    institutions: list[InstitutionRef] = field(default_factory=list)
    employer_id: int | None = None
    logins: list[DemoLogin] = field(default_factory=list)
    school: GeneratedSchool | None = None
    school_pairs: int = 0  # formed by the generated school's matching run
    # The KPI periods recorded (the real aggregation, month by month): period → closed
    kpi_periods: dict[str, bool] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # steps people's changes made impossible


@contextmanager
def _step(region: DemoRegion | None, what: str) -> Iterator[None]:
    """One step of the demo in its own savepoint: when people's changes to the demo data make
    it impossible (``ValidationError``), it is skipped and reported instead of stopping the
    demo; the rest goes on."""
    try:
        with transaction.atomic():
            yield
    except ValidationError as error:
        _skipped(region, what, error)


def _skipped(region: DemoRegion | None, what: str, error: ValidationError) -> None:
    message = f"{what}: {'; '.join(error.messages)}"
    logger.warning("Demo step skipped: %s", message)
    if region is not None:
        region.skipped.append(message)


MUNICIPALITIES: tuple[str, ...] = (
    "город Ставрополь",
    "город Пятигорск",
    "город Кисловодск",
    "Шпаковский муниципальный округ",
)

REGIONAL_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson(
        username="admin",
        role=Role.REGIONAL_ADMIN,
        last_name="Белоусова",
        first_name="Марина",
        middle_name="Александровна",
        email="admin@rcn-stavropol.example.org",
        is_staff=True,
        is_superuser=True,
    ),
    DemoPerson(
        username="staff",
        role=Role.REGIONAL_STAFF,
        last_name="Гончаров",
        first_name="Алексей",
        middle_name="Викторович",
        email="goncharov@rcn-stavropol.example.org",
    ),
)

# The municipal education department's user sees its municipality only.
MUNICIPAL_PERSON = DemoPerson(
    username="municipal",
    role=Role.MUNICIPAL,
    last_name="Лещенко",
    first_name="Ольга",
    middle_name="Сергеевна",
    email="leshchenko@stavropol-obr.example.org",
)
MUNICIPAL_OF = "город Ставрополь"

EMPLOYER_NAME = "ООО «СтавропольАгроТех»"
EMPLOYER_INN = "2635004040"
EMPLOYER_PERSON = DemoPerson(
    username="employer",
    role=Role.EMPLOYER,
    last_name="Кравченко",
    first_name="Сергей",
    middle_name="Петрович",
    email="kravchenko@agrotech-stav.example.org",
)

INSTITUTIONS: tuple[DemoInstitution, ...] = (
    DemoInstitution(
        slug="school-1",
        name=(
            "Муниципальное бюджетное общеобразовательное учреждение "
            "«Средняя общеобразовательная школа № 1» города Ставрополя"
        ),
        short_name="МБОУ СОШ № 1 г. Ставрополя",
        kind="school",
        municipality="город Ставрополь",
        inn="2634001015",
        forms=(
            MentoringForm.PUPIL_PUPIL,
            MentoringForm.TEACHER_TEACHER,
            MentoringForm.STUDENT_PUPIL,
        ),
        people=(
            DemoPerson(
                username="coordinator",
                role=Role.COORDINATOR,
                last_name="Коваленко",
                first_name="Ирина",
                middle_name="Сергеевна",
                email="kovalenko@school-1.example.org",
                is_staff=True,
                is_superuser=True,
            ),
            DemoPerson(
                username="curator",
                role=Role.CURATOR,
                last_name="Дмитриева",
                first_name="Ольга",
                middle_name="Викторовна",
                email="dmitrieva@school-1.example.org",
            ),
            DemoPerson(
                username="director",
                role=Role.DIRECTOR,
                last_name="Андреев",
                first_name="Павел",
                middle_name="Николаевич",
                email="andreev@school-1.example.org",
            ),
        ),
    ),
    DemoInstitution(
        slug="lyceum-4",
        name=(
            "Муниципальное бюджетное общеобразовательное учреждение "
            "«Лицей № 4» города-курорта Пятигорска"
        ),
        short_name="МБОУ Лицей № 4 г. Пятигорска",
        kind="school",
        municipality="город Пятигорск",
        inn="2632002020",
        forms=(
            MentoringForm.PUPIL_PUPIL,
            MentoringForm.TEACHER_TEACHER,
            MentoringForm.EMPLOYER_PUPIL,
        ),
        people=(
            DemoPerson(
                username="coordinator",
                role=Role.COORDINATOR,
                last_name="Саркисян",
                first_name="Анна",
                middle_name="Робертовна",
                email="sarkisyan@lyceum-4.example.org",
                is_staff=True,
                is_superuser=True,
            ),
            DemoPerson(
                username="curator",
                role=Role.CURATOR,
                last_name="Лукьянова",
                first_name="Татьяна",
                middle_name="Игоревна",
                email="lukyanova@lyceum-4.example.org",
            ),
            DemoPerson(
                username="director",
                role=Role.DIRECTOR,
                last_name="Жуков",
                first_name="Михаил",
                middle_name="Анатольевич",
                email="zhukov@lyceum-4.example.org",
            ),
        ),
    ),
    DemoInstitution(
        slug="college-agro",
        name=(
            "Государственное бюджетное профессиональное образовательное учреждение "
            "«Шпаковский аграрный колледж»"
        ),
        short_name="ГБПОУ ШАК",
        kind="college",
        municipality="Шпаковский муниципальный округ",
        inn="2623003035",
        forms=(
            MentoringForm.STUDENT_STUDENT,
            MentoringForm.TEACHER_STUDENT,
            MentoringForm.EMPLOYER_STUDENT,
        ),
        people=(
            DemoPerson(
                username="coordinator",
                role=Role.COORDINATOR,
                last_name="Ткаченко",
                first_name="Елена",
                middle_name="Владимировна",
                email="tkachenko@college-agro.example.org",
                is_staff=True,
                is_superuser=True,
            ),
            DemoPerson(
                username="curator",
                role=Role.CURATOR,
                last_name="Назаров",
                first_name="Дмитрий",
                middle_name="Олегович",
                email="nazarov@college-agro.example.org",
            ),
            DemoPerson(
                username="director",
                role=Role.DIRECTOR,
                last_name="Полякова",
                first_name="Светлана",
                middle_name="Ивановна",
                email="polyakova@college-agro.example.org",
            ),
        ),
    ),
)

PROGRAMME_GOALS = (
    "Раскрытие личностного, творческого и профессионального потенциала обучающихся и педагогов, "
    "их поддержка в самоопределении и профессиональной ориентации через наставничество."
)
PROGRAMME_RESULTS = (
    "Не менее 70 % обучающихся от 10 лет вовлечены в программу в роли наставляемых, "
    "не менее 10 % — в роли наставников; 70 % молодых педагогов имеют наставника."
)


# The demo employer's mentor offers (specialists of a company, not learners: they may be named
# in the public schema). The first institution has asked for the first one.
DEMO_OFFERS: tuple[dict[str, Any], ...] = (
    {
        "last_name": "Кузнецов",
        "first_name": "Сергей",
        "middle_name": "Иванович",
        "position": "Главный агроном",
        "bio": "Двадцать лет в растениеводстве; ведёт школьные опытные участки.",
        "competences": ["Агрономия", "Биология", "Проектная деятельность"],
        "forms": [MentoringForm.EMPLOYER_PUPIL, MentoringForm.EMPLOYER_STUDENT],
        "reach": ("город Ставрополь", "Шпаковский муниципальный округ"),
        "remote": False,
        "capacity": 6,
        "contact_email": "kuznetsov@agrotech-stav.example.org",
    },
    {
        "last_name": "Белова",
        "first_name": "Ольга",
        "middle_name": "Николаевна",
        "position": "Инженер-технолог пищевого производства",
        "bio": "Контроль качества и разработка рецептур.",
        "competences": ["Пищевые технологии", "Химия"],
        "forms": [MentoringForm.EMPLOYER_STUDENT],
        "reach": (),
        "remote": True,
        "capacity": 4,
        "contact_email": "belova@agrotech-stav.example.org",
    },
    {
        "last_name": "Тарасов",
        "first_name": "Дмитрий",
        "middle_name": "Алексеевич",
        "position": "Инженер по автоматизации",
        "bio": "Автоматизация теплиц и элеваторов.",
        "competences": ["Робототехника", "Программирование"],
        "forms": [MentoringForm.EMPLOYER_PUPIL],
        "reach": ("город Пятигорск", "город Кисловодск"),
        "remote": False,
        "capacity": 3,
        "contact_email": "tarasov@agrotech-stav.example.org",
    },
)


# The KPI history of the demo region is real: its months are built one after another, each by
# setting the institutions' data to what it was that month (headcounts declared and corrected,
# consents returned, matching and its pairs, meetings held) and running the real aggregation
# (``regional.kpis.api.aggregate_period``) over it; a past month is then closed (its numbers
# final) and the current month is left open (a draft that "Aggregate now" replaces).
#
# The generated schools (the first is ``school-1``'s, whose counts tests check): slug, pupils,
# teachers, seed, and the day of the academic year (days after 1 September) when matching ran
# and the coordinator approved most of its proposals.
@dataclass(frozen=True)
class DemoSchool:
    slug: str
    learners: int
    staff: int
    seed: int
    matched_after_days: int


DEMO_SCHOOLS: tuple[DemoSchool, ...] = (
    DemoSchool("school-1", DEMO_SCHOOL_LEARNERS, DEMO_SCHOOL_STAFF, DEMO_SCHOOL_SEED, 41),
    DemoSchool("lyceum-4", 100, 14, 4, 66),
)
# In the last week of August a school declares last spring's headcount (this share of its
# pupils, before the new ones are counted); it corrects it this many days into September.
DEMO_EARLY_HEADCOUNT_SHARE = 0.9
DEMO_HEADCOUNT_DECLARED_AFTER_DAYS = -7
DEMO_HEADCOUNT_CORRECTED_AFTER_DAYS = 16
# Institutions without a generated school declare their headcount as it grows: (days after
# 1 September, students, teachers, young teachers).
DEMO_HEADCOUNTS: dict[str, tuple[tuple[int, int, int, int], ...]] = {
    "college-agro": ((DEMO_HEADCOUNT_DECLARED_AFTER_DAYS, 380, 36, 5), (20, 412, 38, 6)),
}
# The pairs formed by matching meet about once a month (this share of them each month, on
# this day of the month), in the methodology's order of meetings.
DEMO_MEETING_SHARE = 0.8
DEMO_MEETING_DAY = 20
DEMO_MEETING_KINDS = (
    pairs_api.MeetingKind.ORGANISATIONAL,
    pairs_api.MeetingKind.TRIAL,
    pairs_api.MeetingKind.PLANNING,
    pairs_api.MeetingKind.REGULAR,
)
# At most this many months of history (September to June).
DEMO_HISTORY_MONTHS = 10


def _year_start(today: datetime.date) -> datetime.date:
    """1 September of the academic year running ``today``."""
    return datetime.date(today.year if today.month >= 9 else today.year - 1, 9, 1)


def _first_day(period: str) -> datetime.date:
    """The day a monthly period (``YYYY-MM``) stands for: its first."""
    return datetime.date.fromisoformat(f"{period}-01")


def demo_history_periods(today: datetime.date) -> list[str]:
    """The months of the academic year running ``today``, from September to this month
    (``YYYY-MM``): the past ones become closed periods, the last is the current draft."""
    periods: list[str] = []
    month = _year_start(today)
    while month <= today and len(periods) < DEMO_HISTORY_MONTHS:
        periods.append(month.strftime("%Y-%m"))
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return periods


@dataclass(order=True)
class _Event:
    day: datetime.date
    order: int  # on one day: headcounts, then consents, then matching, then meetings
    what: str = field(compare=False)
    schema_name: str = field(compare=False)
    action: Callable[[], None] = field(compare=False)


@dataclass
class DemoTimeline:
    """What happens in the demo's institutions on which day of the academic year. ``advance``
    applies, in the order of their days, the events dated before a day (each in its
    institution's schema and its own transaction); an event that people's changes make
    impossible is skipped with a note, like a demo step."""

    today: datetime.date
    region: DemoRegion | None = None
    events: list[_Event] = field(default_factory=list)

    def add(
        self,
        day: datetime.date,
        order: int,
        what: str,
        schema_name: str,
        action: Callable[[], None],
    ) -> None:
        self.events.append(_Event(min(day, self.today), order, what, schema_name, action))

    def advance(self, until: datetime.date) -> None:
        due = sorted(e for e in self.events if e.day < until)
        self.events = [e for e in self.events if e.day >= until]
        for event in due:
            with schema_context(event.schema_name), _step(self.region, event.what):
                event.action()

    def finish(self) -> None:
        """Everything up to today."""
        self.advance(self.today + datetime.timedelta(days=1))


def _headcount_events(
    timeline: DemoTimeline, *, institution: InstitutionRef, rows: list[tuple[int, int, int, int]]
) -> None:
    """The institution declares its headcount (pupils or students, teachers, young teachers)
    on these days of the academic year."""
    year_start = _year_start(timeline.today)
    with schema_context(institution.schema_name):
        programme_id = programmes_api.programme_id_for_year(
            academic_year=year_start.year
        ) or programmes_api.programme_id_for_year(academic_year=DEMO_ACADEMIC_YEAR)
    if programme_id is None:
        return
    for days, learners, teachers, young in rows:

        def declare(learners: int = learners, teachers: int = teachers, young: int = young) -> None:
            programmes_api.programme_update(
                programme_id=programme_id,
                actor=SEED_ACTOR,
                headcount_learners=learners,
                headcount_teachers=teachers,
                headcount_young_teachers=young,
            )

        timeline.add(
            year_start + datetime.timedelta(days=days),
            0,
            f"{institution.slug}: the headcount",
            institution.schema_name,
            declare,
        )


def demo_headcounts_ensure(*, institutions: list[InstitutionRef], timeline: DemoTimeline) -> None:
    """The institutions of ``DEMO_HEADCOUNTS`` declare their headcounts as they grow, once:
    a programme whose headcount was set (by people too) is left as it is."""
    for institution in institutions:
        rows = DEMO_HEADCOUNTS.get(institution.slug)
        if rows is None:
            continue
        with schema_context(institution.schema_name):
            headcount = programmes_api.programme_headcount(academic_year=DEMO_ACADEMIC_YEAR)
        if headcount is None or any(headcount.values()):
            continue
        _headcount_events(timeline, institution=institution, rows=list(rows))


def _school_events(
    timeline: DemoTimeline,
    *,
    spec: DemoSchool,
    institution: InstitutionRef,
    school: GeneratedSchool,
    periods: list[str],
) -> None:
    """A school just generated lives through its autumn: the headcount declared from last
    spring and corrected, the consents returned day by day, matching (most proposals
    approved), then the pairs' meetings month after month."""
    year_start = _year_start(timeline.today)
    with schema_context(institution.schema_name):
        full = programmes_api.programme_headcount(academic_year=year_start.year) or {}
    if full:
        early = (
            round(full["learners"] * DEMO_EARLY_HEADCOUNT_SHARE),
            full["teachers"] - 1,
            full["young_teachers"],
        )
        _headcount_events(
            timeline,
            institution=institution,
            rows=[
                (DEMO_HEADCOUNT_DECLARED_AFTER_DAYS, *early),
                (
                    DEMO_HEADCOUNT_CORRECTED_AFTER_DAYS,
                    full["learners"],
                    full["teachers"],
                    full["young_teachers"],
                ),
            ],
        )
    # The consents signed after 1 September, returned in batches: those signed before each
    # month's first day are recorded before that month is aggregated.
    days = [_first_day(p) for p in periods[1:]] + [datetime.date.max]
    pending = sorted(school.pending_consents, key=lambda row: row.signed_on)
    for boundary in days:
        batch = [row for row in pending if row.signed_on < boundary]
        pending = pending[len(batch) :]
        if batch:
            timeline.add(
                batch[-1].signed_on,
                1,
                f"{institution.slug}: the consents returned",
                institution.schema_name,
                partial(_consents_record, batch),
            )
    matched_on = year_start + datetime.timedelta(days=spec.matched_after_days)
    timeline.add(
        matched_on,
        2,
        f"{institution.slug}: matching",
        institution.schema_name,
        lambda: _school_matching(
            school=school, region=timeline.region, started_on=min(matched_on, timeline.today)
        ),
    )
    # A meeting a month for most pairs, from a week after matching, on days already past.
    month = matched_on.replace(day=1)
    rng = random.Random(spec.seed)  # noqa: S311 - made-up meetings, not secrets
    while (day := month.replace(day=DEMO_MEETING_DAY)) < timeline.today:
        month = (month + datetime.timedelta(days=32)).replace(day=1)
        if day < matched_on + datetime.timedelta(days=7):
            continue
        timeline.add(
            day,
            3,
            f"{institution.slug}: the meetings of {day:%Y-%m}",
            institution.schema_name,
            partial(_pairs_meet, programme_id=school.programme_id, day=day, seed=rng.random()),
        )


def _consents_record(rows: list[participants_api.PaperConsent]) -> None:
    participants_api.consents_record_many(rows=rows, actor=SEED_ACTOR)


def _school_matching(
    *, school: GeneratedSchool, region: DemoRegion | None, started_on: datetime.date
) -> None:
    """Matching ran and the coordinator approved most of its proposals (the rest wait on the
    matching page)."""
    pairs = matching_api.run_and_approve(
        programme_id=school.programme_id,
        share=DEMO_SCHOOL_APPROVED_SHARE,
        started_on=started_on,
        actor=SEED_ACTOR,
    )
    if region is not None and region.school is school:
        region.school_pairs = len(pairs)


def _pairs_meet(*, programme_id: int, day: datetime.date, seed: float) -> None:
    """Most active pairs of the programme formed before ``day`` meet that day (the next
    meeting of the methodology's order) and everyone comes."""
    rng = random.Random(seed)  # noqa: S311 - made-up meetings, not secrets
    for pair in pairs_api.active_pairs(programme_id=programme_id):
        if rng.random() > DEMO_MEETING_SHARE:
            continue
        held = pairs_api.meeting_count(pair_id=pair["id"])
        meeting_id = pairs_api.meeting_create(
            pair_id=pair["id"],
            kind=DEMO_MEETING_KINDS[min(held, len(DEMO_MEETING_KINDS) - 1)],
            starts_at=_demo_at(day, 15),
            place="Кабинет наставника",
            actor=SEED_ACTOR,
        )
        pairs_api.meeting_record_attendance(
            meeting_id=meeting_id,
            participant_ids=[pair["mentor_id"], *pair["mentee_ids"]],
            actor=SEED_ACTOR,
        )


def demo_kpi_history_ensure(
    *, periods: list[str], timeline: DemoTimeline, region: DemoRegion | None = None
) -> None:
    """The past months of ``periods`` (all but the last), oldest first: the institutions' data
    is brought to what it was on the month's first day (``timeline``), the month aggregated by
    the real aggregation and closed. A month closed before is kept as it is; one recorded as
    the current month by an earlier run (open) is closed as recorded then; a month an earlier
    run did not record (the demo database kept across months) stays a gap: its data as it
    stood then is gone, and today's numbers are not its truth."""
    recorded = kpi_api.periods_recorded()
    building = not recorded  # the first run: the timeline is the whole history
    for period in periods[:-1]:
        timeline.advance(_first_day(period))
        if recorded.get(period) or (period not in recorded and not building):
            continue
        try:
            if period in recorded:
                kpi_api.period_close(period=period)
            else:
                kpi_api.aggregate_period(period=period, close=True)
        except ValidationError as error:
            _skipped(region, f"the KPI history of {period}", error)


def demo_kpi_current_ensure(*, period: str, region: DemoRegion | None = None) -> None:
    """The current month aggregated over the data as it is now: an open draft (a re-run
    replaces it; a month regional staff closed is left as it is)."""
    try:
        kpi_api.aggregate_period(period=period)
    except ValidationError as error:
        _skipped(region, f"the KPI draft of {period}", error)


# The people of the records pages (the bases, a parent's consents): a few mentors and mentees
# with profiles and consents, and a parent with a login whose child's consent they signed.
DEMO_PARENT = DemoPerson(
    username="parent",
    role=Role.PARENT,
    last_name="Белова",
    first_name="Наталья",
    middle_name="Андреевна",
    email="parent@example.org",
)
# (last, first, middle, birth date, category, competence codes, capacity, hours, consent)
DEMO_MENTORS = (
    ("Соколова", "Анна", "Викторовна", "1979-04-12", "teacher", ("methodology",), 3, 8, True),
    (
        "Морозов",
        "Павел",
        "Игоревич",
        "1985-10-03",
        "teacher",
        ("digital_skills", "projects"),
        2,
        6,
        True,
    ),
    ("Лебедева", "Дарья", "Олеговна", "2008-02-20", "pupil", ("olympiads",), 1, 4, False),
)
# (last, first, middle, birth date, category, need codes, preferred form, raised by)
DEMO_MENTEES = (
    (
        "Белов",
        "Артём",
        "Сергеевич",
        "2014-05-17",
        "pupil",
        ("academic_results",),
        "pupil_pupil",
        "parent",
    ),
    (
        "Кравцова",
        "Милана",
        "Романовна",
        "2012-09-01",
        "pupil",
        ("olympiads", "projects"),
        "pupil_pupil",
        "curator",
    ),
    (
        "Гусев",
        "Егор",
        "Петрович",
        "2001-06-30",
        "teacher",
        ("methodology",),
        "teacher_teacher",
        "self",
    ),
)


# The mentor's and mentee's pages: in each institution a mentor and a mentee with logins (both
# adults, consent signed by themselves), one active pair of them with a development plan, a
# meeting held and one planned, and an open satisfaction survey for the mentee to answer.
DEMO_MENTOR = DemoPerson(
    username="mentor",
    role=Role.MENTOR,
    last_name="Егорова",
    first_name="Светлана",
    middle_name="Михайловна",
    email="mentor@example.org",
)
DEMO_MENTEE = DemoPerson(
    username="mentee",
    role=Role.MENTEE,
    last_name="Волков",
    first_name="Никита",
    middle_name="Андреевич",
    email="mentee@example.org",
)
DEMO_MENTOR_BORN = "1978-03-14"
DEMO_MENTEE_BORN = "2005-11-08"
# The pair's form, the first of these the programme runs: a teacher mentors a young teacher
# (the schools) or a student (the college).
DEMO_PAIR_FORMS = (MentoringForm.TEACHER_TEACHER, MentoringForm.TEACHER_STUDENT)
DEMO_PAIR_STARTED_DAYS_AGO = 28
# form → (title, tasks, status, progress, deadline in days from today) per goal
DEMO_PLAN_GOALS: dict[str, tuple[tuple[str, str, str, int, int], ...]] = {
    MentoringForm.TEACHER_TEACHER: (
        (
            "Освоить ведение электронного журнала и рабочей документации",
            "Заполнить журнал за четверть; сверить рабочую программу с ФГОС.",
            "done",
            100,
            -7,
        ),
        (
            "Подготовить и провести открытый урок",
            "Составить технологическую карту урока; провести урок; разобрать его с наставником.",
            "in_progress",
            40,
            45,
        ),
        (
            "Выстроить работу с классом",
            "Посетить пять уроков наставника; составить правила класса вместе с учениками.",
            "planned",
            0,
            90,
        ),
    ),
    MentoringForm.TEACHER_STUDENT: (
        (
            "Выбрать тему курсового проекта",
            "Обсудить с наставником три темы; согласовать одну с руководителем.",
            "done",
            100,
            -7,
        ),
        (
            "Подготовиться к демонстрационному экзамену",
            "Пройти пробные задания; разобрать ошибки с наставником.",
            "in_progress",
            30,
            60,
        ),
        (
            "Пройти производственную практику на предприятии",
            "Выбрать предприятие; составить дневник практики.",
            "planned",
            0,
            120,
        ),
    ),
}
DEMO_PLAN_SUMMARY = "Индивидуальный план развития на первое полугодие."
DEMO_SURVEY_DAYS = 30

# Best practices: one published, anonymised success story in each of the first two
# institutions, collected into the region's library at once (the nightly task does the same),
# so that both best-practice pages have something to show.
DEMO_PRACTICES = (
    (
        "Открытый урок молодого педагога",
        "teacher_teacher",
        "За полгода работы в паре молодой педагог подготовил и провёл открытый урок по физике. "
        "Наставник помог выстроить структуру урока и разобрать его после проведения; "
        "на следующем методическом объединении пара поделилась опытом с коллегами.",
    ),
    (
        "Школьный театр: старшеклассники и семиклассники",
        "pupil_pupil",
        "Группа старшеклассников помогла семиклассникам поставить спектакль к Дню учителя. "
        "Наставляемые, которые стеснялись выступать, сыграли главные роли; "
        "успеваемость по литературе в группе выросла.",
    ),
)


def _user_ensure(person: DemoPerson, password: str) -> int:
    """The person's account in the active schema with the demo password (see
    ``accounts.api.user_ensure``)."""
    return accounts_api.user_ensure(
        actor=SEED_ACTOR,
        username=person.username,
        role=person.role,
        password=password,
        email=person.email,
        first_name=person.first_name,
        last_name=person.last_name,
        middle_name=person.middle_name,
        is_staff=person.is_staff,
        is_superuser=person.is_superuser,
    )


def demo_employer_ensure(*, password: str) -> int:
    with transaction.atomic():
        employer_id = employers_api.employer_ensure(
            inn=EMPLOYER_INN,
            name=EMPLOYER_NAME,
            sector="Сельское хозяйство и пищевая промышленность",
            contact_email="hr@agrotech-stav.example.org",
            contact_phone="+7 8652 00-00-00",
        )
        user_id = _user_ensure(EMPLOYER_PERSON, password)
        employers_api.employer_member_add(
            employer_id=employer_id, user_id=user_id, actor=SEED_ACTOR
        )
    return employer_id


def demo_employer_offers_ensure(
    *,
    employer_id: int,
    municipalities: dict[str, int],
    institutions: list[InstitutionRef],
) -> None:
    for offer in DEMO_OFFERS:
        if employers_api.employer_mentor_id_by_email(contact_email=offer["contact_email"]):
            continue
        fields = {k: v for k, v in offer.items() if k != "reach"}
        employers_api.employer_mentor_create(
            employer_id=employer_id,
            actor=SEED_ACTOR,
            municipality_ids=[municipalities[name] for name in offer["reach"]],
            **fields,
        )
    if not institutions or employers_api.mentor_request_count(institution_id=institutions[0].id):
        return
    institution = institutions[0]
    mentor_id = employers_api.employer_mentor_id_by_email(
        contact_email=DEMO_OFFERS[0]["contact_email"]
    )
    with schema_context(institution.schema_name):
        coordinator = accounts_api.actor_by_username(username="coordinator")
    if mentor_id is None or coordinator is None:
        return
    employers_api.mentor_request_create(
        institution_id=institution.id,
        employer_mentor_id=mentor_id,
        form=MentoringForm.EMPLOYER_PUPIL,
        mentees_count=2,
        level="grade-9",
        need_code="projects",
        actor=coordinator,
    )


def demo_institution_ensure(
    *, spec: DemoInstitution, municipality_id: int, password: str
) -> InstitutionRef:
    """Register and provision the institution (in this process), then fill its schema."""
    coordinator = spec.people[0]
    institution = tenants_api.institution_ensure(
        slug=spec.slug,
        name=spec.name,
        short_name=spec.short_name,
        kind=spec.kind,
        municipality_id=municipality_id,
        inn=spec.inn,
        coordinator_email=coordinator.email,
        coordinator_name=coordinator.full_name,
        actor=SEED_ACTOR,
    )
    with schema_context(institution.schema_name), transaction.atomic():
        for person in spec.people:
            user_id = _user_ensure(person, password)
            if person is coordinator:  # the invitation from provisioning is fulfilled
                accounts_api.invitations_fulfil(email=person.email, user_id=user_id)
        if programmes_api.programme_id_for_year(academic_year=DEMO_ACADEMIC_YEAR) is None:
            programmes_api.programme_create(
                actor=SEED_ACTOR,
                academic_year=DEMO_ACADEMIC_YEAR,
                title=f"Программа наставничества {spec.short_name}",
                forms=spec.forms,
                goals=PROGRAMME_GOALS,
                planned_results=PROGRAMME_RESULTS,
            )
    return institution


def demo_school_ensure(
    *,
    spec: DemoSchool,
    institution: InstitutionRef,
    region: DemoRegion,
    timeline: DemoTimeline,
    periods: list[str],
) -> GeneratedSchool | None:
    """The institution becomes a generated school (once: an institution that has classes
    already is left as it is) as it stood on 1 September, and ``timeline`` takes it through
    its autumn (``_school_events``)."""
    with schema_context(institution.schema_name):
        if participants_api.study_group_count():
            return None
    first_day = _first_day(periods[0]) if periods else timeline.today
    school = school_generate(
        schema_name=institution.schema_name,
        learners=spec.learners,
        staff=spec.staff,
        seed=spec.seed,
        consents_until=first_day - datetime.timedelta(days=1),
    )
    if spec is DEMO_SCHOOLS[0]:
        region.school = school
    _school_events(timeline, spec=spec, institution=institution, school=school, periods=periods)
    return school


def demo_surveys_ensure(*, institutions: list[InstitutionRef]) -> None:
    """Each institution adopts the regional satisfaction questionnaires once, so that the
    questionnaire pages have something to start a campaign with."""
    for institution in institutions:
        with schema_context(institution.schema_name), transaction.atomic():
            for code in ("satisfaction-mentee", "satisfaction-mentor"):
                version_id = templates_api.published_version_id(template_code=code)
                if version_id is None or monitoring_api.questionnaire_id_by_template(
                    template_code=code
                ):
                    continue
                monitoring_api.questionnaire_adopt(version_id=version_id, actor=SEED_ACTOR)


def _participant_ensure(
    *,
    last: str,
    first: str,
    middle: str,
    born: str,
    category: str,
    user_id: int | None = None,
    **extra: Any,
) -> int:
    """A demo person, found again by their login (whatever people changed in the record) or
    by name and birth date; created when missing."""
    if user_id is not None:
        found = participants_api.participant_id_of_user(user_id=user_id)
        if found is not None:
            return found
    birth = datetime.date.fromisoformat(born) if born else None
    found = participants_api.participant_find_duplicate(
        last_name=last, first_name=first, middle_name=middle, birth_date=birth
    )
    if found is not None:
        return found
    return participants_api.participant_create(
        last_name=last,
        first_name=first,
        middle_name=middle,
        birth_date=birth,
        category=category,
        user_id=user_id,
        **extra,
        actor=SEED_ACTOR,
    )


def _consent_ensure(
    participant_id: int, *, guardian: str = "", relation: str = "", days_ago: int = 0
) -> None:
    """A signed consent, unless the person has any consent record (a withdrawal included:
    that is the person's decision, not the demo's)."""
    if participants_api.has_consent_record(participant_id=participant_id):
        return
    age = participants_api.participant_age(participant_id=participant_id) or 18
    participants_api.consent_record(
        actor=SEED_ACTOR,
        participant_id=participant_id,
        kind="grant",
        signed_by="guardian" if age < 18 else "self",
        guardian_name=guardian if age < 18 else "",
        guardian_relation=(relation or "mother") if age < 18 else "",
        minor_signed=14 <= age < 18,
        signed_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        method="paper_scan",
    )


def demo_records_ensure(
    *, institutions: list[InstitutionRef], password: str, region: DemoRegion | None = None
) -> list[DemoLogin]:
    """Mentors, mentees and a parent in each institution, once (found again on a re-run);
    the parent's login is returned for the list of demo accounts."""
    logins = []
    for institution in institutions:
        with schema_context(institution.schema_name):
            with transaction.atomic():
                user_id = _user_ensure(DEMO_PARENT, password)
            with _step(region, f"{institution.slug}: the records"):
                parent_id = _participant_ensure(
                    last=DEMO_PARENT.last_name,
                    first=DEMO_PARENT.first_name,
                    middle=DEMO_PARENT.middle_name,
                    born="",
                    category="parent",
                    user_id=user_id,
                )
                for last, first, middle, born, category, codes, capacity, hours, ok in DEMO_MENTORS:
                    pk = _participant_ensure(
                        last=last, first=first, middle=middle, born=born, category=category
                    )
                    if ok:
                        _consent_ensure(pk, guardian="Лебедева Ирина Павловна")
                    participants_api.mentor_profile_upsert(
                        participant_id=pk,
                        competence_codes=codes,
                        capacity=capacity,
                        hours_per_month=hours,
                        actor=SEED_ACTOR,
                    )
                children = participants_api.child_participant_ids(parent_user_id=user_id)
                for last, first, middle, born, category, codes, form, raised in DEMO_MENTEES:
                    pk = _participant_ensure(
                        last=last, first=first, middle=middle, born=born, category=category
                    )
                    _consent_ensure(pk, guardian=DEMO_PARENT.full_name)
                    participants_api.mentee_profile_upsert(
                        participant_id=pk,
                        need_codes=codes,
                        preferred_form=form,
                        raised_by=raised,
                        actor=SEED_ACTOR,
                    )
                    if last == "Белов" and pk not in children:
                        participants_api.guardianship_create(
                            actor=SEED_ACTOR, parent_id=parent_id, child_id=pk, relation="mother"
                        )
        logins.append(
            DemoLogin(
                institution.host,
                DEMO_PARENT.username,
                password,
                DEMO_PARENT.role,
                DEMO_PARENT.full_name,
            )
        )
    return logins


def _demo_pair_form(forms: list[str]) -> str:
    return next((f for f in DEMO_PAIR_FORMS if f in forms), forms[0] if forms else "")


def _demo_at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _demo_pair_of(
    *, programme_id: int, form: str, mentor_id: int, mentee_id: int, region: DemoRegion | None
) -> int:
    """The active pair of the demo mentor and mentee (formed when missing) with its plan and
    meetings; a re-run plans another meeting when the planned one has passed."""
    today = timezone.localdate()
    pair_id = next(
        (
            p["id"]
            for p in pairs_api.active_pairs(programme_id=programme_id)
            if p["mentor_id"] == mentor_id and mentee_id in p["mentee_ids"]
        ),
        None,
    )
    if pair_id is None:
        pair_id = pairs_api.pair_create(
            programme_id=programme_id,
            mentor_participant_id=mentor_id,
            mentee_participant_ids=[mentee_id],
            form=form,
            started_on=today - datetime.timedelta(days=DEMO_PAIR_STARTED_DAYS_AGO),
            actor=SEED_ACTOR,
        )
    plan_id = pairs_api.plan_id_of(pair_id=pair_id, mentee_id=mentee_id)
    if plan_id is not None and not pairs_api.plan_goal_count(plan_id=plan_id):
        goals = DEMO_PLAN_GOALS.get(form, DEMO_PLAN_GOALS[MentoringForm.TEACHER_TEACHER])
        pairs_api.plan_fill(
            actor=SEED_ACTOR,
            plan_id=plan_id,
            summary=DEMO_PLAN_SUMMARY,
            goals=[
                pairs_api.GoalData(
                    title=title,
                    tasks=tasks,
                    status=status,
                    progress=progress,
                    deadline=today + datetime.timedelta(days=due),
                )
                for title, tasks, status, progress, due in goals
            ],
        )
    place = "Методический кабинет"
    if not pairs_api.meeting_count(pair_id=pair_id):
        held = pairs_api.meeting_create(
            pair_id=pair_id,
            kind=pairs_api.MeetingKind.ORGANISATIONAL,
            starts_at=_demo_at(today - datetime.timedelta(days=14), 15),
            place=place,
            actor=SEED_ACTOR,
        )
        pairs_api.meeting_record_attendance(
            meeting_id=held,
            participant_ids=[mentor_id, mentee_id],
            outcomes="Познакомились, обсудили запрос и договорились о графике встреч.",
            actor=SEED_ACTOR,
        )
        pairs_api.meeting_create(
            pair_id=pair_id,
            kind=pairs_api.MeetingKind.TRIAL,
            starts_at=_demo_at(today + datetime.timedelta(days=7), 15),
            place=place,
            actor=SEED_ACTOR,
        )
    elif not pairs_api.meeting_planned_after(pair_id=pair_id, moment=timezone.now()):
        # Someone may have planned a final meeting meanwhile: then it is left as it is.
        with _step(region, "a new meeting of the demo pair"):
            pairs_api.meeting_create(
                pair_id=pair_id,
                kind=pairs_api.MeetingKind.REGULAR,
                starts_at=_demo_at(today + datetime.timedelta(days=7), 15),
                place=place,
                actor=SEED_ACTOR,
            )
    return pair_id


def demo_pairs_ensure(
    *, institutions: list[InstitutionRef], password: str, region: DemoRegion | None = None
) -> list[DemoLogin]:
    """The mentor and mentee of each institution with their pair, plan, meetings and survey,
    once; their logins are returned for the list of demo accounts. A re-run opens another
    survey when the last one has closed."""
    logins = []
    today = timezone.localdate()
    for institution in institutions:
        with schema_context(institution.schema_name):
            programme_id = programmes_api.programme_id_for_year(academic_year=DEMO_ACADEMIC_YEAR)
            if programme_id is None:
                continue
            form = _demo_pair_form(programmes_api.programme_forms(programme_id=programme_id))
            with transaction.atomic():
                mentor_user = _user_ensure(DEMO_MENTOR, password)
                mentee_user = _user_ensure(DEMO_MENTEE, password)
            logins += [
                DemoLogin(institution.host, p.username, password, p.role, p.full_name)
                for p in (DEMO_MENTOR, DEMO_MENTEE)
            ]
            with _step(region, f"{institution.slug}: the demo pair"):
                mentor_id = _participant_ensure(
                    last=DEMO_MENTOR.last_name,
                    first=DEMO_MENTOR.first_name,
                    middle=DEMO_MENTOR.middle_name,
                    born=DEMO_MENTOR_BORN,
                    category="teacher",
                    user_id=mentor_user,
                    email=DEMO_MENTOR.email,
                )
                teacher_mentee = form == MentoringForm.TEACHER_TEACHER
                mentee_id = _participant_ensure(
                    last=DEMO_MENTEE.last_name,
                    first=DEMO_MENTEE.first_name,
                    middle=DEMO_MENTEE.middle_name,
                    born=DEMO_MENTEE_BORN,
                    category="teacher" if teacher_mentee else "student",
                    user_id=mentee_user,
                    email=DEMO_MENTEE.email,
                    is_young_specialist=teacher_mentee,
                )
                for pk in (mentor_id, mentee_id):
                    _consent_ensure(pk, days_ago=35)
                participants_api.mentor_profile_upsert(
                    participant_id=mentor_id,
                    competence_codes=("methodology", "classroom_management"),
                    capacity=2,
                    hours_per_month=6,
                    actor=SEED_ACTOR,
                )
                participants_api.mentee_profile_upsert(
                    participant_id=mentee_id,
                    need_codes=("methodology",) if teacher_mentee else ("professional_skills",),
                    preferred_form=form,
                    raised_by="self",
                    actor=SEED_ACTOR,
                )
                _demo_pair_of(
                    programme_id=programme_id,
                    form=form,
                    mentor_id=mentor_id,
                    mentee_id=mentee_id,
                    region=region,
                )
                questionnaire_id = monitoring_api.questionnaire_id_by_template(
                    template_code="satisfaction-mentee"
                )
                if questionnaire_id is not None and not monitoring_api.open_invitation_exists(
                    participant_id=mentee_id, on=today
                ):
                    monitoring_api.campaign_open_for_participants(
                        questionnaire_id=questionnaire_id,
                        participant_ids=[mentee_id],
                        opens_on=today,
                        closes_on=today + datetime.timedelta(days=DEMO_SURVEY_DAYS),
                        programme_id=programme_id,
                        actor=SEED_ACTOR,
                    )
    return logins


def demo_practices_ensure(
    *, institutions: list[InstitutionRef], region: DemoRegion | None = None
) -> None:
    for institution, (title, form, text) in zip(institutions, DEMO_PRACTICES, strict=False):
        with schema_context(institution.schema_name):
            programme_id = programmes_api.programme_id_for_year(academic_year=DEMO_ACADEMIC_YEAR)
            if programme_id is None:
                continue
            with _step(region, f"{institution.slug}: the success story"):
                if not pairs_api.practice_case_exists(title=title):
                    pairs_api.practice_case_publish_now(
                        programme_id=programme_id,
                        title=title,
                        text=text,
                        form=form,
                        actor=SEED_ACTOR,
                    )
            stories = pairs_api.success_stories_published()
        practices_api.practice_cases_collect(institution_id=institution.id, stories=stories)


def demo_region_ensure(*, password: str = DEMO_PASSWORD, school: bool = True) -> DemoRegion:
    """Create (or complete) the whole demo region. Runs in the public schema. ``school``:
    fill the first institution with a generated school (tests that need no school skip it)."""
    region = DemoRegion()
    with schema_context(get_public_schema_name()):
        municipalities = tenants_api.municipalities_ensure(names=MUNICIPALITIES)
        with transaction.atomic():
            for person in REGIONAL_PEOPLE:
                _user_ensure(person, password)
                region.logins.append(
                    DemoLogin("", person.username, password, person.role, person.full_name)
                )
            municipal_id = _user_ensure(MUNICIPAL_PERSON, password)
            tenants_api.municipal_access_ensure(
                user_id=municipal_id, municipality_id=municipalities[MUNICIPAL_OF], actor=SEED_ACTOR
            )
            region.logins.append(
                DemoLogin(
                    "",
                    MUNICIPAL_PERSON.username,
                    password,
                    MUNICIPAL_PERSON.role,
                    f"{MUNICIPAL_PERSON.full_name} ({MUNICIPAL_OF})",
                )
            )
        region.employer_id = employer_id = demo_employer_ensure(password=password)
        region.logins.append(
            DemoLogin(
                "",
                EMPLOYER_PERSON.username,
                password,
                EMPLOYER_PERSON.role,
                f"{EMPLOYER_PERSON.full_name} "
                f"({employers_api.employer_name(employer_id=employer_id)})",
            )
        )
        for spec in INSTITUTIONS:
            institution = demo_institution_ensure(
                spec=spec, municipality_id=municipalities[spec.municipality], password=password
            )
            region.institutions.append(institution)
            region.logins.extend(
                DemoLogin(institution.host, p.username, password, p.role, p.full_name)
                for p in spec.people
            )
        # The months of this academic year so far, lived through one after another.
        today = timezone.localdate()
        periods = demo_history_periods(today)
        timeline = DemoTimeline(today=today, region=region)
        by_slug = {i.slug: i for i in region.institutions}
        for generated in DEMO_SCHOOLS if school else ():
            demo_school_ensure(
                spec=generated,
                institution=by_slug[generated.slug],
                region=region,
                timeline=timeline,
                periods=periods,
            )
        demo_headcounts_ensure(institutions=region.institutions, timeline=timeline)
        demo_employer_offers_ensure(
            employer_id=employer_id,
            municipalities=municipalities,
            institutions=region.institutions,
        )
        demo_kpi_history_ensure(periods=periods, timeline=timeline, region=region)
        timeline.finish()
        region.logins.extend(
            demo_records_ensure(institutions=region.institutions, password=password, region=region)
        )
        demo_surveys_ensure(institutions=region.institutions)
        region.logins.extend(
            demo_pairs_ensure(institutions=region.institutions, password=password, region=region)
        )
        demo_practices_ensure(institutions=region.institutions, region=region)
        if periods:
            demo_kpi_current_ensure(period=periods[-1], region=region)
        region.kpi_periods = kpi_api.periods_recorded()
    # The logins of each address together: the region's first, then each institution's.
    hosts = ["", *(i.host for i in region.institutions)]
    region.logins.sort(key=lambda login: hosts.index(login.host))
    return region
