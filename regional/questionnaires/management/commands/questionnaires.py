"""``nastavnik questionnaires seed``: create the missing templates of the starter set."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django_tenants.utils import schema_context

from regional.questionnaires.models import Question, QuestionnaireTemplate, TemplateVersion
from regional.questionnaires.starter import STARTER_SET, starter_seed


class Command(BaseCommand):
    help = "Regional questionnaire templates: seed the starter set (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "seed", help="Create the starter templates that are missing, as published version 1."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with schema_context("public"), transaction.atomic():
            created = starter_seed(
                template_model=QuestionnaireTemplate,
                version_model=TemplateVersion,
                question_model=Question,
            )
        for code in created:
            self.stdout.write(f"created\t{code}")
        self.stdout.write(f"{len(created)} created, {len(STARTER_SET) - len(created)} present")
