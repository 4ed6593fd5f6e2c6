"""``nastavnik institution create|list|suspend|archive|activate|retry|provision``."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.actor import Actor
from tenants import services
from tenants.models import Institution, InstitutionKind, InstitutionStatus, Municipality

# The operator at the command line acts as the system (the command is run on the server).
OPERATOR = Actor.system("cli")


class Command(BaseCommand):
    help = "Manage institutions (tenants): create, list, change status, retry provisioning."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Register an institution and provision it.")
        create.add_argument("--slug", required=True, help="host name: <slug>.<BASE_DOMAIN>")
        create.add_argument("--name", required=True, help="full name")
        create.add_argument("--short-name", required=True)
        create.add_argument("--kind", required=True, choices=InstitutionKind.values)
        create.add_argument("--municipality", required=True, help="municipality id or exact name")
        create.add_argument("--inn", default="")
        create.add_argument("--coordinator-email", required=True)
        create.add_argument("--coordinator-name", default="")
        create.add_argument(
            "--now", action="store_true", help="provision in this process instead of the worker"
        )
        sub.add_parser("list", help="List institutions with their status.")
        for name in ("suspend", "archive", "activate", "retry", "provision"):
            cmd = sub.add_parser(name)
            cmd.add_argument("slug")
            if name in ("suspend", "archive", "activate"):
                cmd.add_argument("--reason", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"do_{options['action']}")(options)
        except ValidationError as exc:
            raise CommandError(json.dumps(exc.message_dict, ensure_ascii=False)) from exc

    def _institution(self, slug: str) -> Institution:
        institution = Institution.objects.filter(slug=slug).first()
        if institution is None:
            raise CommandError(f"No institution with address {slug!r}.")
        return institution

    def _provision(self, institution: Institution) -> Institution:
        provisioned = services.institution_provision(institution_id=institution.pk)
        if provisioned is None:
            raise CommandError(
                f"Institution {institution.slug!r} was deleted before it could be provisioned."
            )
        return provisioned

    def do_create(self, options: dict[str, Any]) -> None:
        ref = options["municipality"]
        municipality = (
            Municipality.objects.filter(pk=int(ref)).first()
            if ref.isdigit()
            else Municipality.objects.filter(name=ref).first()
        )
        institution = services.institution_create(
            actor=OPERATOR,
            name=options["name"],
            short_name=options["short_name"],
            kind=options["kind"],
            municipality_id=municipality.pk if municipality else -1,
            slug=options["slug"],
            inn=options["inn"],
            coordinator_email=options["coordinator_email"],
            coordinator_name=options["coordinator_name"],
        )
        if options["now"]:
            institution = self._provision(institution)
        self.stdout.write(f"{institution.slug}\t{institution.status}\t{institution.host}")

    def do_list(self, options: dict[str, Any]) -> None:
        for inst in Institution.objects.select_related("municipality").order_by("slug"):
            self.stdout.write(
                f"{inst.slug}\t{inst.status}\t{inst.kind}\t{inst.municipality}\t{inst.short_name}"
            )

    def _status(self, options: dict[str, Any], status: str) -> None:
        institution = services.institution_set_status(
            actor=OPERATOR,
            institution=self._institution(options["slug"]),
            status=status,
            reason=options["reason"],
        )
        self.stdout.write(f"{institution.slug}\t{institution.status}")

    def do_suspend(self, options: dict[str, Any]) -> None:
        self._status(options, InstitutionStatus.SUSPENDED)

    def do_archive(self, options: dict[str, Any]) -> None:
        self._status(options, InstitutionStatus.ARCHIVED)

    def do_activate(self, options: dict[str, Any]) -> None:
        self._status(options, InstitutionStatus.ACTIVE)

    def do_retry(self, options: dict[str, Any]) -> None:
        institution = services.institution_retry_provisioning(
            actor=OPERATOR, institution=self._institution(options["slug"])
        )
        self.stdout.write(f"{institution.slug}\t{institution.status}")

    def do_provision(self, options: dict[str, Any]) -> None:
        institution = self._provision(self._institution(options["slug"]))
        self.stdout.write(f"{institution.slug}\t{institution.status}")
