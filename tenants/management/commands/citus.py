"""``nastavnik citus status|distribute|move``: institutions' schemas on a Citus cluster.

- ``status``: where each institution lives (a worker node, or the coordinator when its schema is
  not distributed) and how much of its data is still on the coordinator's disk.
- ``distribute [slug ...]`` (all when none is named): make the schemas of existing institutions
  distributed schemas, each in its own transaction, with the local copy truncated. A schema that
  is behind the template's migrations is refused: migrate first.
- ``move <slug> <host:port>``: move one institution's schema to another worker node
  (``citus_schema_move``); reads and writes continue during the copy.

New institutions are distributed by provisioning itself when ``NASTAVNIK_CITUS`` is on."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from tenants import citus
from tenants.migrations_report import recorded_migrations
from tenants.models import Institution
from tenants.schemas import template_schema_name


class Command(BaseCommand):
    help = "Institutions on a Citus cluster: where each lives, distribute, move."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("status", help="The node of every institution's schema.")
        distribute = sub.add_parser("distribute", help="Distribute institutions' schemas.")
        distribute.add_argument("slugs", nargs="*", help="institutions (all when none given)")
        move = sub.add_parser("move", help="Move an institution's schema to another node.")
        move.add_argument("slug")
        move.add_argument("node", help="host:port of a worker node")

    def handle(self, *args: Any, **options: Any) -> None:
        if not citus.installed():
            raise CommandError("This database has no Citus extension (docs/scaling.md).")
        getattr(self, f"do_{options['action']}")(options)

    def _institutions(self, slugs: list[str]) -> list[Institution]:
        found = list(Institution.objects.with_schema().order_by("pk"))
        if not slugs:
            return found
        by_slug = {institution.slug: institution for institution in found}
        unknown = [slug for slug in slugs if slug not in by_slug]
        if unknown:
            raise CommandError(f"No provisioned institution with address {', '.join(unknown)}.")
        return [by_slug[slug] for slug in slugs]

    def do_status(self, options: dict[str, Any]) -> None:
        institutions = self._institutions([])
        where = citus.placements([i.schema_name for i in institutions])
        for institution in institutions:
            place = where[institution.schema_name]
            node = place.node if place.distributed else "coordinator (not distributed)"
            local = citus.local_bytes_left(institution.schema_name)
            self.stdout.write(
                f"{institution.slug}\t{node}\t{place.size_bytes} bytes on the node"
                f"\t{local} bytes on the coordinator"
            )
        nodes: dict[str, int] = {}
        for place in where.values():
            if place.distributed:
                nodes[place.node] = nodes.get(place.node, 0) + 1
        summary = ", ".join(f"{node}: {count}" for node, count in sorted(nodes.items()))
        local_count = sum(1 for place in where.values() if not place.distributed)
        self.stdout.write(
            f"{len(where)} institutions: {summary or 'none distributed'}; "
            f"{local_count} on the coordinator"
        )

    def do_distribute(self, options: dict[str, Any]) -> None:
        institutions = self._institutions(options["slugs"])
        where = citus.placements([i.schema_name for i in institutions])
        template = recorded_migrations(template_schema_name())
        failed = []
        for institution in institutions:
            schema = institution.schema_name
            if where[schema].distributed:
                self.stdout.write(f"{institution.slug}: already on {where[schema].node}")
                continue
            behind = template - recorded_migrations(schema)
            if behind:
                failed.append(institution.slug)
                self.stderr.write(
                    f"{institution.slug}: {len(behind)} migrations behind the template; "
                    "run `nastavnik migrate` first"
                )
                continue
            with transaction.atomic():
                citus.distribute_schema(schema)
            self.stdout.write(
                f"{institution.slug}: distributed to {citus.placements([schema])[schema].node}"
            )
        if failed:
            raise CommandError(f"Not distributed: {', '.join(failed)}")

    def do_move(self, options: dict[str, Any]) -> None:
        (institution,) = self._institutions([options["slug"]])
        schema = institution.schema_name
        if not citus.placements([schema])[schema].distributed:
            raise CommandError(f"{institution.slug} is not distributed: run `citus distribute`.")
        try:
            citus.move_schema(schema, options["node"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{institution.slug}: now on {citus.placements([schema])[schema].node}")
