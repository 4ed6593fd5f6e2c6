"""The demo region of ``nastavnik demo``: municipalities of Stavropol krai, three institutions
with their staff and programmes (and in each a mentor and a mentee with a pair), regional staff
and an employer.

Everything here is idempotent: running it again finds what exists, creates what is missing and
resets the demo passwords, so the logins it prints always work."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.api import user_create
from accounts.models import Invitation, Role, User
from regional.employers.models import Employer
from schools.programmes.models import MentoringForm, Programme
from schools.programmes.services import programme_create
from tenants.models import Institution, InstitutionKind, InstitutionStatus, Municipality
from tenants.services import institution_create, institution_provision

logger = logging.getLogger(__name__)

DEMO_PASSWORD = "nastavnik-demo-2026"
DEMO_ACADEMIC_YEAR = 2026


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


@dataclass
class DemoRegion:
    institutions: list[Institution] = field(default_factory=list)
    employer: Employer | None = None
    logins: list[DemoLogin] = field(default_factory=list)


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
        kind=InstitutionKind.SCHOOL,
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
        kind=InstitutionKind.SCHOOL,
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
        kind=InstitutionKind.COLLEGE,
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


def _demo_user_ensure(*, person: DemoPerson, password: str) -> User:
    """Create the person in the active schema, or reset the password of the existing account."""
    user = User.objects.filter(username=person.username).first()
    if user is None:
        return user_create(
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
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    return user


def _accept_pending_invitation(*, user: User) -> None:
    """The coordinator's invitation from provisioning is fulfilled by the demo account."""
    Invitation.objects.filter(email__iexact=user.email, accepted_at__isnull=True).update(
        accepted_at=timezone.now(), user=user
    )


def demo_municipalities_ensure() -> dict[str, Municipality]:
    return {name: Municipality.objects.get_or_create(name=name)[0] for name in MUNICIPALITIES}


def demo_employer_ensure(*, password: str) -> Employer:
    with transaction.atomic():
        employer, _created = Employer.objects.get_or_create(
            inn=EMPLOYER_INN,
            defaults={
                "name": EMPLOYER_NAME,
                "sector": "Сельское хозяйство и пищевая промышленность",
                "contact_email": "hr@agrotech-stav.example.org",
                "contact_phone": "+7 8652 00-00-00",
            },
        )
        employer.full_clean()
        user = _demo_user_ensure(person=EMPLOYER_PERSON, password=password)
        employer.members.add(user)
    return employer


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


def demo_employer_offers_ensure(
    *,
    employer: Employer | None,
    municipalities: dict[str, Municipality],
    institutions: list[Institution],
) -> None:
    if employer is None:
        return
    from regional.employers.models import EmployerMentor, MentorRequest
    from regional.employers.services import employer_mentor_create, mentor_request_create

    for offer in DEMO_OFFERS:
        if EmployerMentor.objects.filter(contact_email=offer["contact_email"]).exists():
            continue
        fields = {k: v for k, v in offer.items() if k != "reach"}
        employer_mentor_create(
            employer=employer,
            municipalities=[municipalities[name].pk for name in offer["reach"]],
            **fields,
        )
    if not institutions or MentorRequest.objects.filter(institution=institutions[0]).exists():
        return
    institution = institutions[0]
    mentor = EmployerMentor.objects.get(contact_email=DEMO_OFFERS[0]["contact_email"])
    with schema_context(institution.schema_name):
        coordinator = User.objects.filter(role=Role.COORDINATOR).order_by("pk").first()
    if coordinator is None:
        return
    mentor_request_create(
        institution=institution,
        employer_mentor_id=mentor.pk,
        form=MentoringForm.EMPLOYER_PUPIL,
        mentees_count=2,
        level="grade-9",
        need_code="projects",
        requested_by_id=coordinator.pk,
        requested_by_role=Role.COORDINATOR,
    )


def demo_institution_ensure(
    *, spec: DemoInstitution, municipality: Municipality, password: str
) -> Institution:
    """Register and provision the institution (in this process), then fill its schema."""
    coordinator = spec.people[0]
    existing = Institution.objects.filter(slug=spec.slug).first()
    if existing is not None:
        institution = existing
    else:
        institution = institution_create(
            name=spec.name,
            short_name=spec.short_name,
            kind=spec.kind,
            municipality_id=municipality.pk,
            slug=spec.slug,
            inn=spec.inn,
            coordinator_email=coordinator.email,
            coordinator_name=coordinator.full_name,
        )
    if institution.status in (InstitutionStatus.PROVISIONING, InstitutionStatus.FAILED):
        provisioned = institution_provision(institution_id=institution.pk)
        if provisioned is None:  # deleted meanwhile: nothing sensible to fill
            raise RuntimeError(f"The demo institution {spec.slug} disappeared while provisioning.")
        institution = provisioned
    with schema_context(institution.schema_name), transaction.atomic():
        for person in spec.people:
            user = _demo_user_ensure(person=person, password=password)
            if person is coordinator:
                _accept_pending_invitation(user=user)
        if not Programme.objects.filter(academic_year=DEMO_ACADEMIC_YEAR).exists():
            programme_create(
                academic_year=DEMO_ACADEMIC_YEAR,
                title=(
                    f"Программа наставничества {spec.short_name} на "
                    f"{DEMO_ACADEMIC_YEAR}/{DEMO_ACADEMIC_YEAR + 1} учебный год"
                ),
                forms=spec.forms,
                goals=PROGRAMME_GOALS,
                planned_results=PROGRAMME_RESULTS,
            )
    return institution


# The KPI history of the demo region: two monthly snapshots per institution (numbers only, as
# an aggregation records them), so that the indicators page has a time series and suppressed
# cells to show before anyone starts an aggregation. Written once; a re-run leaves them as they
# are (snapshots are immutable).
DEMO_KPI_PERIODS = ("2026-09", "2026-10")
DEMO_KPI_KEYS = (
    "headcount_learners",
    "headcount_teachers",
    "headcount_young_teachers",
    "learner_mentees_10_plus",
    "learner_mentors",
    "young_specialist_mentees",
    "mentors",
    "employer_specialist_mentors",
    "mentees",
    "pairs_active",
    "pairs_total",
    "meetings_held",
    "mentees_paired",
    "mentees_without_pair",
)
# slug → one row of numbers (in the order of DEMO_KPI_KEYS) per period
DEMO_KPI_HISTORY: dict[str, tuple[tuple[int, ...], ...]] = {
    "school-1": (
        (620, 48, 7, 180, 35, 5, 60, 4, 190, 70, 72, 120, 150, 40),
        (620, 48, 7, 260, 52, 6, 78, 6, 275, 95, 98, 260, 245, 30),
    ),
    "lyceum-4": (
        (480, 40, 5, 120, 30, 3, 44, 12, 126, 48, 50, 90, 100, 26),
        (480, 40, 5, 150, 41, 4, 55, 15, 160, 60, 61, 170, 140, 20),
    ),
    "college-agro": (
        (900, 70, 12, 300, 60, 8, 95, 14, 310, 110, 112, 200, 260, 50),
        (900, 70, 12, 420, 75, 9, 120, 22, 430, 150, 152, 390, 390, 40),
    ),
}


# The stage tracker's numbers in the latest demo period (1 October: stages 1 and 2 are due by
# the default roadmap), so that the dashboard lists institutions lagging on a stage:
# slug → (stages done, stages due, overdue roadmap activities per stage 1..6).
DEMO_KPI_STAGES: dict[str, tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]] = {
    "school-1": ((1, 1, 0, 0, 0, 0), (1, 1, 0, 0, 0, 0), (0, 0, 0, 0, 0, 0)),
    "lyceum-4": ((1, 0, 0, 0, 0, 0), (1, 1, 0, 0, 0, 0), (0, 2, 0, 0, 0, 0)),
    "college-agro": ((0, 0, 0, 0, 0, 0), (1, 1, 0, 0, 0, 0), (3, 1, 0, 0, 0, 0)),
}


def _demo_stage_values(slug: str) -> dict[str, int]:
    done, due, overdue = DEMO_KPI_STAGES.get(slug, ((), (), ()))
    values: dict[str, int] = {}
    for n, (d, u, o) in enumerate(zip(done, due, overdue, strict=True), start=1):
        values.update(
            {f"stage_{n}_done": d, f"stage_{n}_due": u, f"stage_{n}_overdue_activities": o}
        )
    if values:
        values.update(stages_total=6, stages_done=sum(done))
    return values


def demo_kpi_history_ensure(*, institutions: list[Institution]) -> None:
    from regional.kpis import metrics
    from regional.kpis.services import snapshot_record

    for institution in institutions:
        history = DEMO_KPI_HISTORY.get(institution.slug)
        if history is None:
            continue
        for period, row in zip(DEMO_KPI_PERIODS, history, strict=True):
            snapshot_record(
                run_id=None,
                period=period,
                institution_id=institution.pk,
                academic_year=metrics.academic_year_of(metrics.period_date(period)),
                values={
                    **dict(zip(DEMO_KPI_KEYS, row, strict=True)),
                    **(
                        _demo_stage_values(institution.slug)
                        if period == DEMO_KPI_PERIODS[-1]
                        else {}
                    ),
                },
            )


def demo_surveys_ensure(*, institutions: list[Institution]) -> None:
    """Each institution adopts the regional satisfaction questionnaires once, so that the
    questionnaire pages have something to start a campaign with."""
    from regional.questionnaires import api as templates
    from schools.monitoring.models import Questionnaire
    from schools.monitoring.services import questionnaire_adopt

    for institution in institutions:
        with schema_context(institution.schema_name), transaction.atomic():
            for code in ("satisfaction-mentee", "satisfaction-mentor"):
                version = templates.published_version_get(template_code=code)
                if version is None or Questionnaire.objects.filter(template_code=code).exists():
                    continue
                questionnaire_adopt(version_id=version.pk)


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


def demo_records_ensure(*, institutions: list[Institution], password: str) -> list[DemoLogin]:
    """Mentors, mentees and a parent in each institution, once (found again by name and birth
    date on a re-run); the parent's login is returned for the list of demo accounts."""
    from schools.participants import api as participants

    def person(last: str, first: str, middle: str, born: str, category: str, **extra: Any) -> int:
        birth = datetime.date.fromisoformat(born) if born else None
        found = participants.participant_find_duplicate(
            last_name=last, first_name=first, middle_name=middle, birth_date=birth
        )
        if found is not None:
            return found
        return participants.participant_create(
            last_name=last,
            first_name=first,
            middle_name=middle,
            birth_date=birth,
            category=category,
            **extra,
        ).pk

    def grant(participant_id: int, *, born: str, guardian: str = "", relation: str = "") -> None:
        if participants.consent_list().filter(participant_id=participant_id).exists():
            return
        age = participants.Participant.objects.get(pk=participant_id).age or 18
        participants.consent_record(
            participant_id=participant_id,
            kind="grant",
            signed_by="guardian" if age < 18 else "self",
            guardian_name=guardian if age < 18 else "",
            guardian_relation=(relation or "mother") if age < 18 else "",
            minor_signed=14 <= age < 18,
            signed_on=timezone.localdate(),
            method="paper_scan",
        )

    logins = []
    for institution in institutions:
        with schema_context(institution.schema_name), transaction.atomic():
            user = _demo_user_ensure(person=DEMO_PARENT, password=password)
            parent_id = person(
                DEMO_PARENT.last_name,
                DEMO_PARENT.first_name,
                DEMO_PARENT.middle_name,
                "",
                "parent",
                user_id=user.pk,
            )
            for last, first, middle, born, category, codes, capacity, hours, ok in DEMO_MENTORS:
                pk = person(last, first, middle, born, category)
                if ok:
                    grant(pk, born=born, guardian="Лебедева Ирина Павловна")
                participants.mentor_profile_upsert(
                    participant_id=pk,
                    competence_codes=codes,
                    capacity=capacity,
                    hours_per_month=hours,
                )
            for last, first, middle, born, category, codes, form, raised in DEMO_MENTEES:
                pk = person(last, first, middle, born, category)
                grant(pk, born=born, guardian=DEMO_PARENT.full_name)
                participants.mentee_profile_upsert(
                    participant_id=pk, need_codes=codes, preferred_form=form, raised_by=raised
                )
                children = participants.child_participant_ids(parent_user_id=user.pk)
                if last == "Белов" and pk not in children:
                    participants.guardianship_create(
                        parent_id=parent_id, child_id=pk, relation="mother"
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


def _demo_pair_form(programme: Programme) -> str:
    forms = list(programme.forms or [])
    return next((f for f in DEMO_PAIR_FORMS if f in forms), forms[0] if forms else "")


def _demo_at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def demo_pairs_ensure(*, institutions: list[Institution], password: str) -> list[DemoLogin]:
    """The mentor and mentee of each institution with their pair, plan, meetings and survey,
    once (found again by name and birth date, the pair by its people); their logins are
    returned for the list of demo accounts. A re-run only plans another meeting when the
    planned one has passed, and opens another survey when the last one has closed."""
    from schools.monitoring.models import CampaignStatus, Questionnaire, SurveyInvitation
    from schools.monitoring.services import Target, campaign_create, campaign_open
    from schools.pairs import api as pairs_api
    from schools.pairs import services as pair_services
    from schools.pairs.models import DevelopmentPlan, MeetingKind, MeetingStatus, Pair
    from schools.participants import api as participants

    def person(spec: DemoPerson, *, born: str, category: str, user: User, **extra: Any) -> int:
        birth = datetime.date.fromisoformat(born)
        found = participants.participant_find_duplicate(
            last_name=spec.last_name,
            first_name=spec.first_name,
            middle_name=spec.middle_name,
            birth_date=birth,
        )
        if found is None:
            found = participants.participant_create(
                last_name=spec.last_name,
                first_name=spec.first_name,
                middle_name=spec.middle_name,
                birth_date=birth,
                category=category,
                email=spec.email,
                user_id=user.pk,
                **extra,
            ).pk
        if not participants.consent_list().filter(participant_id=found).exists():
            participants.consent_record(
                participant_id=found,
                kind="grant",
                signed_by="self",
                signed_on=timezone.localdate() - datetime.timedelta(days=35),
                method="paper_scan",
            )
        return found

    logins = []
    today = timezone.localdate()
    for institution in institutions:
        with schema_context(institution.schema_name), transaction.atomic():
            programme = Programme.objects.filter(academic_year=DEMO_ACADEMIC_YEAR).first()
            if programme is None:
                continue
            form = _demo_pair_form(programme)
            mentor_user = _demo_user_ensure(person=DEMO_MENTOR, password=password)
            mentee_user = _demo_user_ensure(person=DEMO_MENTEE, password=password)
            logins += [
                DemoLogin(institution.host, p.username, password, p.role, p.full_name)
                for p in (DEMO_MENTOR, DEMO_MENTEE)
            ]
            mentor_id = person(
                DEMO_MENTOR, born=DEMO_MENTOR_BORN, category="teacher", user=mentor_user
            )
            teacher_mentee = form == MentoringForm.TEACHER_TEACHER
            mentee_id = person(
                DEMO_MENTEE,
                born=DEMO_MENTEE_BORN,
                category="teacher" if teacher_mentee else "student",
                user=mentee_user,
                is_young_specialist=teacher_mentee,
            )
            participants.mentor_profile_upsert(
                participant_id=mentor_id,
                competence_codes=("methodology", "classroom_management"),
                capacity=2,
                hours_per_month=6,
            )
            participants.mentee_profile_upsert(
                participant_id=mentee_id,
                need_codes=("methodology",) if teacher_mentee else ("professional_skills",),
                preferred_form=form,
                raised_by="self",
            )

            pair_id = next(
                (
                    p["id"]
                    for p in pairs_api.active_pairs(programme_id=programme.pk)
                    if p["mentor_id"] == mentor_id and mentee_id in p["mentee_ids"]
                ),
                None,
            )
            if pair_id is None:
                pair = pair_services.pair_create(
                    programme_id=programme.pk,
                    mentor_participant_id=mentor_id,
                    mentee_participant_ids=[mentee_id],
                    form=form,
                    started_on=today - datetime.timedelta(days=DEMO_PAIR_STARTED_DAYS_AGO),
                )
            else:
                pair = Pair.objects.get(pk=pair_id)

            plan = DevelopmentPlan.objects.get(pair=pair, mentee_id=mentee_id)
            if not plan.goals.exists():
                pair_services.plan_update(plan=plan, summary=DEMO_PLAN_SUMMARY)
                goals = DEMO_PLAN_GOALS.get(form, DEMO_PLAN_GOALS[MentoringForm.TEACHER_TEACHER])
                for title, tasks, status, progress, due in goals:
                    pair_services.plan_goal_create(
                        plan=plan,
                        title=title,
                        tasks=tasks,
                        status=status,
                        progress=progress,
                        deadline=today + datetime.timedelta(days=due),
                    )

            if not pair.meetings.exists():
                held = pair_services.meeting_create(
                    pair=pair,
                    kind=MeetingKind.ORGANISATIONAL,
                    starts_at=_demo_at(today - datetime.timedelta(days=14), 15),
                    place="Методический кабинет",
                )
                pair_services.meeting_record_attendance(
                    meeting=held,
                    participant_ids=[mentor_id, mentee_id],
                    outcomes="Познакомились, обсудили запрос и договорились о графике встреч.",
                )
                pair_services.meeting_create(
                    pair=pair,
                    kind=MeetingKind.TRIAL,
                    starts_at=_demo_at(today + datetime.timedelta(days=7), 15),
                    place="Методический кабинет",
                )
            elif not pair.meetings.filter(
                status=MeetingStatus.PLANNED, starts_at__gt=timezone.now()
            ).exists():
                try:  # someone may have planned a final meeting meanwhile: then leave it
                    with transaction.atomic():
                        pair_services.meeting_create(
                            pair=pair,
                            kind=MeetingKind.REGULAR,
                            starts_at=_demo_at(today + datetime.timedelta(days=7), 15),
                            place="Методический кабинет",
                        )
                except ValidationError as error:
                    logger.info("The demo pair in %s gets no new meeting: %s", institution, error)

            questionnaire = Questionnaire.objects.filter(
                template_code="satisfaction-mentee"
            ).first()
            open_invitation = SurveyInvitation.objects.filter(
                participant_id=mentee_id,
                campaign__status=CampaignStatus.OPEN,
                campaign__closes_on__gte=today,
            ).exists()
            if questionnaire is not None and not open_invitation:
                campaign = campaign_create(
                    questionnaire=questionnaire,
                    title="",
                    target=Target(kind="explicit", participant_ids=(mentee_id,)),
                    opens_on=today,
                    closes_on=today + datetime.timedelta(days=DEMO_SURVEY_DAYS),
                    programme_id=programme.pk,
                )
                campaign_open(campaign=campaign)
    return logins


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


def demo_practices_ensure(*, institutions: list[Institution]) -> None:
    from regional.practices.services import practice_cases_collect
    from schools.pairs import api as pairs_api
    from schools.pairs.models import PracticeCase
    from schools.pairs.services import (
        practice_case_anonymise,
        practice_case_create,
        practice_case_prepare,
        practice_case_publish,
    )

    for institution, (title, form, text) in zip(institutions, DEMO_PRACTICES, strict=False):
        with schema_context(institution.schema_name), transaction.atomic():
            programme = Programme.objects.filter(academic_year=DEMO_ACADEMIC_YEAR).first()
            if programme is None:
                continue
            if not PracticeCase.objects.filter(title=title).exists():
                case = practice_case_create(
                    programme_id=programme.pk, title=title, text=text, form=form
                )
                practice_case_prepare(case=case)
                practice_case_anonymise(case_id=case.pk)  # in this process: the demo's build
                practice_case_publish(case=case)
            stories = pairs_api.success_stories_published()
        practice_cases_collect(institution_id=institution.pk, stories=stories)


def demo_region_ensure(*, password: str = DEMO_PASSWORD) -> DemoRegion:
    """Create (or complete) the whole demo region. Runs in the public schema."""
    region = DemoRegion()
    with schema_context(get_public_schema_name()):
        municipalities = demo_municipalities_ensure()
        with transaction.atomic():
            for person in REGIONAL_PEOPLE:
                _demo_user_ensure(person=person, password=password)
                region.logins.append(
                    DemoLogin("", person.username, password, person.role, person.full_name)
                )
        region.employer = demo_employer_ensure(password=password)
        region.logins.append(
            DemoLogin(
                "",
                EMPLOYER_PERSON.username,
                password,
                EMPLOYER_PERSON.role,
                f"{EMPLOYER_PERSON.full_name} ({region.employer.name})",
            )
        )
        for spec in INSTITUTIONS:
            institution = demo_institution_ensure(
                spec=spec, municipality=municipalities[spec.municipality], password=password
            )
            region.institutions.append(institution)
            region.logins.extend(
                DemoLogin(institution.host, p.username, password, p.role, p.full_name)
                for p in spec.people
            )
        demo_employer_offers_ensure(
            employer=region.employer,
            municipalities=municipalities,
            institutions=region.institutions,
        )
        demo_kpi_history_ensure(institutions=region.institutions)
        region.logins.extend(
            demo_records_ensure(institutions=region.institutions, password=password)
        )
        demo_surveys_ensure(institutions=region.institutions)
        region.logins.extend(demo_pairs_ensure(institutions=region.institutions, password=password))
        demo_practices_ensure(institutions=region.institutions)
    # The logins of each address together: the region's first, then each institution's.
    hosts = ["", *(i.host for i in region.institutions)]
    region.logins.sort(key=lambda login: hosts.index(login.host))
    return region
