"""The starter set of questionnaire templates, each as published version 1 (idempotent:
templates that already exist, by code, are left alone)."""

from django.db import migrations


def seed(apps, schema_editor):
    from regional.questionnaires.starter import starter_seed

    starter_seed(
        template_model=apps.get_model("questionnaire_templates", "QuestionnaireTemplate"),
        version_model=apps.get_model("questionnaire_templates", "TemplateVersion"),
        question_model=apps.get_model("questionnaire_templates", "Question"),
    )


class Migration(migrations.Migration):
    dependencies = [("questionnaire_templates", "0002_published_versions_are_immutable")]

    # Reversing leaves the templates: published versions are never deleted, and the tables
    # go away with 0001 anyway.
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
