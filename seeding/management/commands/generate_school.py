"""``nastavnik generate-school SLUG --learners 600 --staff 60 --seed 1``: fill an existing
institution with a realistic generated school (see ``seeding.school``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from seeding.school import school_generate
from tenants import api as tenants_api


class Command(BaseCommand):
    help = (
        "Fill an existing institution with a generated school: classes 5–11 with curators, "
        "pupils and their parents, teachers (young ones too), consents (about 10 % missing), "
        "the mentee and mentor bases with requests and competences as schools write them, the "
        "programme's forms, and a group meeting with preferences. Deterministic by seed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the institution's address: <slug>.<BASE_DOMAIN>")
        parser.add_argument("--learners", type=int, default=600, help="pupils (default 600)")
        parser.add_argument("--staff", type=int, default=60, help="teachers (default 60)")
        parser.add_argument("--seed", type=int, default=1, help="the same seed, the same school")
        parser.add_argument(
            "--no-preferences",
            action="store_true",
            help="no group meeting and no preferences",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        institution = tenants_api.institution_ref(slug=options["slug"])
        if institution is None:
            raise CommandError(f"No institution with address {options['slug']!r}.")
        schema_name = institution.schema_name
        try:
            school = school_generate(
                schema_name=schema_name,
                learners=options["learners"],
                staff=options["staff"],
                seed=options["seed"],
                preferences=not options["no_preferences"],
            )
        except (ValueError, ValidationError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{options['slug']}: {school.summary()}")
