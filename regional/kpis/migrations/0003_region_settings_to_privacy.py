"""The region's setting now belongs to ``regional.privacy`` (same table, same row)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0002_seed_indicators"),
        ("privacy", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="RegionSettings")],
            database_operations=[],
        ),
    ]
