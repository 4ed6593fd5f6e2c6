"""The region's setting moves here from the KPI app: the model only (its table,
``kpis_regionsettings``, and its row stay as they are)."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("kpis", "0002_seed_indicators")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RegionSettings",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "min_group_size",
                            models.PositiveSmallIntegerField(
                                default=10,
                                help_text="Counts below it are not published (never less than 5).",
                                validators=[django.core.validators.MinValueValidator(5)],
                                verbose_name="minimum group size",
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "verbose_name": "publication settings",
                        "verbose_name_plural": "publication settings",
                        "db_table": "kpis_regionsettings",
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("min_group_size__gte", 5)),
                                name="region_min_group_size_floor",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
