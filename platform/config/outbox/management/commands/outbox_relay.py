"""``nastavnik outbox-relay``: publish what the task outbox still owes the broker (ADR 0008).

Beat already runs the relay every OUTBOX_RELAY_INTERVAL seconds; this command is for an
operator (``--once`` after restoring Redis) or a deployment that wants a relay of its own."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections


class Command(BaseCommand):
    help = "Publish tasks the broker never got or lost (the task outbox relay)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one pass, then exit")
        parser.add_argument("--interval", type=float, default=None, help="seconds between passes")

    def handle(self, *args: Any, **options: Any) -> None:
        from config.outbox.relay import pending, relay_once

        interval = options["interval"] or float(settings.OUTBOX_RELAY_INTERVAL)
        while True:
            close_old_connections()
            counts = relay_once()
            self.stdout.write(
                f"published {counts['published']}, abandoned {counts['abandoned']}, "
                f"broker errors {counts['failed']}, still pending {pending()}"
            )
            if options["once"]:
                return
            time.sleep(interval)
