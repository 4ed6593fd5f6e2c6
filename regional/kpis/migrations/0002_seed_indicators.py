"""The indicator catalogue's starting set: the four federal KPIs of the target model of
mentoring (the employer KPI read both ways) and the operational indicators. Names and
definitions are Russian data the region may edit in the admin."""

from django.db import migrations

CONSENT = "Учитываются участники с действующим согласием на обработку персональных данных."
HEADCOUNT = "заявленная организацией численность на учебный год (программа наставничества)"

FORMS_RU = {
    "student_student": "студент – студент",
    "pupil_pupil": "ученик – ученик",
    "teacher_teacher": "педагог – педагог",
    "teacher_student": "педагог (мастер) – студент",
    "student_pupil": "студент – ученик",
    "employer_pupil": "работодатель – ученик",
    "employer_student": "работодатель – студент",
}

INDICATORS = [
    {
        "code": "learner_mentees_share",
        "name": "Доля обучающихся в возрасте от 10 лет, вовлечённых в программы наставничества "
        "в роли наставляемого",
        "definition": "Числитель: обучающиеся (ученики, студенты) от 10 лет в базе "
        "наставляемых; студент без даты рождения учитывается, ученик — нет. Знаменатель: "
        f"обучающиеся от 10 лет, {HEADCOUNT}. {CONSENT}",
        "group": "federal",
        "kind": "share",
        "numerator_key": "learner_mentees_10_plus",
        "denominator_key": "headcount_learners",
        "target_value": 70,
        "target_year": 2024,
        "order": 10,
    },
    {
        "code": "learner_mentors_share",
        "name": "Доля обучающихся, вовлечённых в программы наставничества в роли наставника",
        "definition": "Числитель: обучающиеся (ученики, студенты) в базе наставников. "
        f"Знаменатель: обучающиеся от 10 лет, {HEADCOUNT}. {CONSENT}",
        "group": "federal",
        "kind": "share",
        "numerator_key": "learner_mentors",
        "denominator_key": "headcount_learners",
        "target_value": 10,
        "target_year": 2024,
        "order": 20,
    },
    {
        "code": "young_teacher_mentees_share",
        "name": "Доля молодых педагогов, вовлечённых в программы наставничества в роли "
        "наставляемого",
        "definition": "Числитель: молодые специалисты (педагоги первых лет работы) в базе "
        f"наставляемых. Знаменатель: молодые педагоги, {HEADCOUNT}. {CONSENT}",
        "group": "federal",
        "kind": "share",
        "numerator_key": "young_specialist_mentees",
        "denominator_key": "headcount_young_teachers",
        "target_value": 70,
        "target_year": 2024,
        "order": 30,
    },
    {
        "code": "employer_mentors_share",
        "name": "Доля наставников из числа представителей предприятий-работодателей",
        "definition": "Числитель: наставники категории «специалист предприятия». "
        f"Знаменатель: все наставники организации. {CONSENT}",
        "group": "federal",
        "kind": "share",
        "numerator_key": "employer_specialist_mentors",
        "denominator_key": "mentors",
        "target_value": 30,
        "target_year": 2024,
        "order": 40,
    },
    {
        "code": "employer_partners_supplying_share",
        "name": "Доля предприятий-партнёров, предоставивших наставников",
        "definition": "Второе прочтение показателя о работодателях. Знаменатель: "
        "работодатели, с которыми организация сотрудничает (направляла запрос на наставника "
        "из каталога работодателей). Числитель: из них работодатели, чей наставник сейчас "
        "работает в организации (действующее размещение). По региону суммируются пары "
        "«организация – работодатель».",
        "group": "federal",
        "kind": "share",
        "numerator_key": "employers_supplying",
        "denominator_key": "employers_partnered",
        "target_value": 30,
        "target_year": 2024,
        "order": 50,
    },
    {
        "code": "pairs_active",
        "name": "Действующие наставнические пары и группы",
        "definition": "Пары и группы текущей программы в статусе «действует».",
        "kind": "count",
        "numerator_key": "pairs_active",
        "order": 100,
    },
    *[
        {
            "code": f"pairs_form_{code}",
            "name": f"Пары и группы формы «{name}»",
            "definition": f"Действующие пары и группы текущей программы формы «{name}».",
            "kind": "count",
            "numerator_key": f"pairs_form_{code}",
            "order": 110 + n,
        }
        for n, (code, name) in enumerate(FORMS_RU.items())
    ],
    {
        "code": "meetings_per_pair",
        "name": "Проведено встреч на одну пару (группу)",
        "definition": "Числитель: проведённые встречи пар и групп текущей программы. "
        "Знаменатель: пары и группы текущей программы (любого статуса).",
        "kind": "average",
        "numerator_key": "meetings_held",
        "denominator_key": "pairs_total",
        "order": 130,
    },
    {
        "code": "stage_progress",
        "name": "Доля завершённых этапов программы",
        "definition": "Числитель: этапы программы, отмеченные координатором как завершённые. "
        "Знаменатель: все этапы (шесть на программу). Данные появятся, когда трекер этапов "
        "начнёт передавать состояния этапов.",
        "kind": "share",
        "numerator_key": "stages_done",
        "denominator_key": "stages_total",
        "order": 140,
    },
    {
        "code": "satisfaction_index",
        "name": "Индекс удовлетворённости участников (1–10)",
        "definition": "Средняя оценка удовлетворённости наставников и наставляемых по итоговым "
        "анкетам (шкала 1–10): сумма оценок / число ответов. Данные появятся вместе с "
        "результатами анкетирования.",
        "kind": "average",
        "numerator_key": "satisfaction_score_sum",
        "denominator_key": "satisfaction_responses",
        "order": 150,
    },
    {
        "code": "mentees_without_pair_share",
        "name": "Доля наставляемых без пары (группы)",
        "definition": "Числитель: наставляемые из базы, не состоящие в действующей паре или "
        "группе текущей программы. Знаменатель: все наставляемые базы. " + CONSENT,
        "kind": "share",
        "numerator_key": "mentees_without_pair",
        "denominator_key": "mentees",
        "higher_is_better": False,
        "order": 160,
    },
]


def seed(apps, schema_editor):
    if getattr(schema_editor.connection, "schema_name", "public") != "public":
        return
    Indicator = apps.get_model("kpis", "Indicator")
    RegionSettings = apps.get_model("kpis", "RegionSettings")
    for row in INDICATORS:
        Indicator.objects.update_or_create(code=row["code"], defaults=row)
    RegionSettings.objects.get_or_create(pk=1, defaults={"min_group_size": 10})


def unseed(apps, schema_editor):
    apps.get_model("kpis", "Indicator").objects.filter(
        code__in=[row["code"] for row in INDICATORS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("kpis", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
