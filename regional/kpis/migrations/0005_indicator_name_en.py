"""English names of the seeded indicators (shown when English is chosen; the Russian name
stays the indicator's own). An indicator the region renamed or added keeps a blank English
name until someone writes one in the admin."""

from django.db import migrations, models

FORMS_EN = {
    "student_student": "student – student",
    "pupil_pupil": "pupil – pupil",
    "teacher_teacher": "teacher – teacher",
    "teacher_student": "teacher/master – student",
    "student_pupil": "student – pupil",
    "employer_pupil": "employer – pupil",
    "employer_student": "employer – student",
}

NAMES_EN = {
    "learner_mentees_share": "Share of learners aged 10 and over involved in mentoring "
    "programmes as mentees",
    "learner_mentors_share": "Share of learners involved in mentoring programmes as mentors",
    "young_teacher_mentees_share": "Share of young teachers involved in mentoring programmes "
    "as mentees",
    "employer_mentors_share": "Share of mentors from employer enterprises",
    "employer_partners_supplying_share": "Share of partner enterprises that provided mentors",
    "pairs_active": "Active mentoring pairs and groups",
    **{
        f"pairs_form_{code}": f"Pairs and groups: {name}"
        for code, name in FORMS_EN.items()
    },
    "meetings_per_pair": "Meetings held per pair (group)",
    "stage_progress": "Share of the programme's stages completed",
    "satisfaction_index": "Participants' satisfaction index (1–10)",
    "mentees_without_pair_share": "Share of mentees without a pair (group)",
}


def name_in_english(apps, schema_editor):
    if getattr(schema_editor.connection, "schema_name", "public") != "public":
        return
    Indicator = apps.get_model("kpis", "Indicator")
    for code, name in NAMES_EN.items():
        Indicator.objects.filter(code=code, name_en="").update(name_en=name)


class Migration(migrations.Migration):
    dependencies = [("kpis", "0004_periods")]

    operations = [
        migrations.AddField(
            model_name="indicator",
            name="name_en",
            field=models.CharField(blank=True, max_length=300, verbose_name="name in English"),
        ),
        migrations.RunPython(name_in_english, migrations.RunPython.noop),
    ]
