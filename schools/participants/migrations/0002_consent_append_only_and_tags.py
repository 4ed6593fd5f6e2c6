"""The consent register is append-only in the database too, and the tag catalogues are seeded.

The trigger refuses UPDATE and DELETE of consent records. The only exception is the erasure of
a person's data: inside its transaction the erasure service sets ``nastavnik.consent_erasure``
and may then blank the guardian's name and the scan, and nothing else."""

from django.db import migrations

APPEND_ONLY_SQL = r"""
CREATE OR REPLACE FUNCTION participants_consent_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND current_setting('nastavnik.consent_erasure', true) = 'on'
       AND NEW.guardian_name = '' AND NEW.scan = ''
       AND (NEW.id, NEW.participant_id, NEW.kind, NEW.purpose, NEW.text_version,
            NEW.text_checksum, NEW.signed_by, NEW.guardian_relation, NEW.minor_signed,
            NEW.signed_on, NEW.method, NEW.recorded_by_id, NEW.created_at)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.participant_id, OLD.kind, OLD.purpose, OLD.text_version,
            OLD.text_checksum, OLD.signed_by, OLD.guardian_relation, OLD.minor_signed,
            OLD.signed_on, OLD.method, OLD.recorded_by_id, OLD.created_at)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'consent records are append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER participants_consent_append_only
    BEFORE UPDATE OR DELETE ON participants_consent
    FOR EACH ROW EXECUTE FUNCTION participants_consent_append_only();
"""

DROP_SQL = r"""
DROP TRIGGER IF EXISTS participants_consent_append_only ON participants_consent;
DROP FUNCTION IF EXISTS participants_consent_append_only();
"""

NEEDS = [
    ("academic_results", "Учебные результаты, успеваемость"),
    ("career_guidance", "Профориентация, выбор профессии"),
    ("adaptation", "Адаптация в коллективе, новой школе или колледже"),
    ("projects", "Проектная и исследовательская деятельность"),
    ("olympiads", "Подготовка к олимпиадам и конкурсам"),
    ("soft_skills", "Гибкие навыки: коммуникация, работа в команде, лидерство"),
    ("exam_preparation", "Подготовка к ОГЭ, ЕГЭ, демонстрационному экзамену"),
    ("motivation", "Мотивация к учёбе, самоопределение"),
    ("professional_skills", "Профессиональные навыки, практика"),
    ("methodology", "Методика преподавания, подготовка уроков"),
    ("classroom_management", "Работа с классом, дисциплина, классное руководство"),
    ("documentation", "Ведение документации"),
    ("digital_skills", "Цифровые навыки"),
    ("creativity_sport", "Творчество, спорт, дополнительное образование"),
    ("life_difficulties", "Трудная жизненная ситуация, поддержка"),
    ("entrepreneurship", "Предпринимательство, финансовая грамотность"),
]

COMPETENCES = [
    ("subject_teaching", "Предметное обучение"),
    ("career_guidance", "Профориентация"),
    ("project_management", "Проектная деятельность"),
    ("research", "Исследовательская деятельность"),
    ("olympiad_coaching", "Подготовка к олимпиадам"),
    ("psychological_support", "Психолого-педагогическая поддержка"),
    ("communication", "Коммуникация и работа в команде"),
    ("leadership", "Лидерство"),
    ("it_digital", "IT и цифровые технологии"),
    ("engineering", "Инженерия и техническое творчество"),
    ("vocational_skills", "Профессиональные навыки по специальности"),
    ("methodology", "Методика преподавания"),
    ("classroom_management", "Классное руководство"),
    ("entrepreneurship", "Предпринимательство"),
    ("creativity", "Творчество"),
    ("sport", "Спорт"),
    ("volunteering", "Волонтёрство и гражданская активность"),
]


def seed(apps, schema_editor):
    for model_name, rows in (("NeedTag", NEEDS), ("CompetenceTag", COMPETENCES)):
        model = apps.get_model("participants", model_name)
        for code, name in rows:
            model.objects.get_or_create(code=code, defaults={"name": name})


def unseed(apps, schema_editor):
    for model_name, rows in (("NeedTag", NEEDS), ("CompetenceTag", COMPETENCES)):
        apps.get_model("participants", model_name).objects.filter(
            code__in=[code for code, _ in rows]
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("participants", "0001_initial")]

    operations = [
        migrations.RunSQL(APPEND_ONLY_SQL, DROP_SQL),
        migrations.RunPython(seed, unseed),
    ]
