"""``nastavnik demo``: the whole platform with demo data on one machine.

Without DATABASE_URL an embedded PostgreSQL is started under ``var/pgdata`` and the command
re-executes itself with DATABASE_URL pointing at its socket (settings read the database from
the environment once, at start-up). Without REDIS_URL, Celery uses the SQLAlchemy transport
on the same database and the cache is a database table.

Then it migrates, creates the demo region (idempotent, ``seeding.demo``), starts gunicorn and a
Celery worker with beat, waits until the web server, the worker and beat all answer, prints the
addresses and logins (each with the page where it signs in), and waits for Ctrl-C or SIGTERM.

Each demo is its own: the worker is named after the port (``demo-8000@host``), gunicorn's
control socket is under ``var/run/``, and the database's address is written to
``var/demo.env`` while it runs (``nastavnik`` commands run beside it read it when
``DATABASE_URL`` is unset: ``config.cli``)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import OperationalError, connection

from config.cli import DEMO_ENV
from config.embedded_pg import (
    EmbeddedPostgresError,
    embedded_ensure_database,
    embedded_start,
    embedded_stop,
)
from config.links import absolute_url

REPO_ROOT = Path(settings.REPO_ROOT)
PGDATA = REPO_ROOT / "var" / "pgdata"
DATABASE_NAME = "nastavnik"
# Set by the first process for the re-executed one: "you own this embedded server, stop it".
OWNED_PGDATA_ENV = "NASTAVNIK_DEMO_OWNED_PGDATA"
STARTUP_TIMEOUT = 90.0
STOP_TIMEOUT = 15.0
RUN_DIR = REPO_ROOT / "var" / "run"


MAIN_PID = os.getpid()


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    if os.getpid() != MAIN_PID:  # a forked helper (migrate's process pool): just stop
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    raise KeyboardInterrupt


def port_is_free(*, port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def child_environment(*, port: int) -> dict[str, str]:
    """The environment of the web server and the worker: same database, links with the port."""
    env = {k: v for k, v in os.environ.items() if k != OWNED_PGDATA_ENV}
    roots = [str(REPO_ROOT / "platform"), str(REPO_ROOT)]
    if env.get("PYTHONPATH"):
        roots.append(env["PYTHONPATH"])
    env.update(
        {
            "PYTHONPATH": os.pathsep.join(roots),
            "DJANGO_SETTINGS_MODULE": os.environ.get(
                "DJANGO_SETTINGS_MODULE", "config.settings.dev"
            ),
            "SITE_PORT": str(port),
            "PYTHONUNBUFFERED": "1",
        }
    )
    # What a newcomer sees: no debug pages (the Russian 404 page instead), and the bare
    # address gunicorn prints (127.0.0.1) answers with a redirect to the regional centre.
    env.setdefault("DEBUG", "0")
    env.setdefault("ALLOWED_HOSTS", f"{settings.BASE_DOMAIN},.{settings.BASE_DOMAIN},127.0.0.1")
    # beat's heartbeat every few seconds: the demo says «running» once beat has sent one
    env.setdefault("BEAT_HEARTBEAT_SECONDS", "2")
    return env


def demo_env_file() -> Path:
    """Where a running demo writes its database's address for the ``nastavnik`` CLI (the
    demos of one checkout share its embedded database)."""
    return REPO_ROOT / DEMO_ENV


def web_command(*, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--threads",
        "4",
        "--graceful-timeout",
        "10",
        "--access-logfile",
        "-",
        "--chdir",
        str(REPO_ROOT),
        # Its own control socket: two demos (or a demo and another gunicorn) never share one.
        "--control-socket",
        str(RUN_DIR / f"gunicorn-{port}.ctl"),
    ]


def worker_command(*, port: int) -> list[str]:
    # --beat runs the scheduler inside the worker: one process less for the demo.
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--beat",
        "--loglevel",
        "INFO",
        "--concurrency",
        "2",
        "--hostname",
        f"demo-{port}@%h",
        # beat's schedule file of this demo (it remembers when each entry last ran)
        "--schedule",
        str(RUN_DIR / f"celerybeat-{port}"),
    ]


class Command(BaseCommand):
    help = (
        "Run the platform with demo data: an embedded PostgreSQL unless DATABASE_URL is set, "
        "migrations, a demo region, gunicorn and a Celery worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="web server port (8000)")
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="set up the database and the demo data, print the logins and exit",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        port: int = options["port"]
        serve = not options["no_serve"]
        if not 1 <= port <= 65535:
            raise CommandError(f"--port must be between 1 and 65535, not {port}.")
        if serve and not port_is_free(port=port):
            raise CommandError(
                f"Port {port} on 127.0.0.1 is already in use. Stop what uses it or choose "
                f"another port: nastavnik demo --port 8001 (or make demo PORT=8001)."
            )
        signal.signal(signal.SIGTERM, _raise_interrupt)
        if "DATABASE_URL" not in os.environ:
            self._start_embedded_and_reexec(options)  # does not return
        owned_pgdata = os.environ.pop(OWNED_PGDATA_ENV, "")
        try:
            self._setup(verbosity=options["verbosity"])
            from seeding.demo import demo_region_ensure

            self.stdout.write("Creating the demo region…")
            started = time.monotonic()
            region = demo_region_ensure()
            self.stdout.write(f"The demo region is ready ({time.monotonic() - started:.0f} s).")
            for skipped in region.skipped:
                self.stderr.write(f"Left as people changed it: {skipped}")
            if serve:
                self._serve(port=port, region=region)
            else:
                self._print_summary(port=port, region=region, serving=False)
        except KeyboardInterrupt:
            self.stdout.write("Interrupted.")
        finally:
            if owned_pgdata:
                connection.close()
                self.stdout.write("Stopping the embedded PostgreSQL…")
                try:
                    embedded_stop(pgdata=Path(owned_pgdata))
                except EmbeddedPostgresError as exc:
                    self.stderr.write(str(exc))
        self.stdout.write("The demo has stopped.")

    # --- database -------------------------------------------------------------------------

    def _start_embedded_and_reexec(self, options: dict[str, Any]) -> None:
        self.stdout.write(f"No DATABASE_URL: starting the embedded PostgreSQL in {PGDATA}…")
        try:
            server = embedded_start(pgdata=PGDATA)
            embedded_ensure_database(server=server, database=DATABASE_NAME)
        except EmbeddedPostgresError as exc:
            raise CommandError(str(exc)) from exc
        env = dict(os.environ)
        env["DATABASE_URL"] = server.database_url(database=DATABASE_NAME)
        env[OWNED_PGDATA_ENV] = str(server.pgdata)
        argv = [
            sys.executable,
            "-c",
            "from config.cli import main; main()",
            "demo",
            "--port",
            str(options["port"]),
            "--verbosity",
            str(options["verbosity"]),
        ]
        if options["no_serve"]:
            argv.append("--no-serve")
        self.stdout.write(f"DATABASE_URL={env['DATABASE_URL']}")
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            os.execve(sys.executable, argv, env)  # noqa: S606 - our own interpreter and argv
        except OSError as exc:
            embedded_stop(pgdata=server.pgdata)
            raise CommandError(f"Cannot re-execute the demo: {exc}") from exc

    def _setup(self, *, verbosity: int) -> None:
        try:
            connection.ensure_connection()
        except OperationalError as exc:
            raise CommandError(f"Cannot connect to the database {_describe_db()}: {exc}") from exc
        self.stdout.write(f"Migrating the database {_describe_db()}…")
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))
        if settings.CACHES["default"]["BACKEND"].endswith(".DatabaseCache"):
            self.stdout.write(
                "No REDIS_URL: the cache is a database table, Celery uses the database."
            )
            from config.cache import create_cache_table

            create_cache_table()
        # The web server runs with DEBUG off: it serves the collected static files.
        call_command("collectstatic", interactive=False, verbosity=0)

    # --- processes ------------------------------------------------------------------------

    def _serve(self, *, port: int, region: Any) -> None:
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        env = child_environment(port=port)
        children: dict[str, subprocess.Popen[bytes]] = {}
        env_file = demo_env_file()
        RUN_DIR.mkdir(parents=True, exist_ok=True)
        try:
            since = time.time()
            # Own sessions: Ctrl-C reaches this process only, which stops the children in order.
            children["web"] = _spawn(web_command(port=port), env=env)
            children["worker"] = _spawn(worker_command(port=port), env=env)
            self._wait_until_ready(port=port, children=children, stop=stop, since=since)
            if stop.is_set():
                return
            env_file.write_text(f"DATABASE_URL={os.environ['DATABASE_URL']}\n")
            self._print_summary(port=port, region=region, serving=True)
            while not stop.wait(0.5):
                _raise_if_exited(children)
        finally:
            self.stdout.write("Stopping the web server and the worker…")
            if env_file.exists() and env_file.read_text().strip().endswith(
                os.environ.get("DATABASE_URL", "")
            ):
                env_file.unlink(missing_ok=True)
            _stop_children(list(children.values()))
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGTERM, _raise_interrupt)

    def _wait_until_ready(
        self,
        *,
        port: int,
        children: dict[str, subprocess.Popen[bytes]],
        stop: threading.Event,
        since: float,
    ) -> None:
        """Until the web server serves a page, a worker runs a ping task sent now, and beat has
        sent a heartbeat since the start (a previous run's does not count)."""
        from config import health

        deadline = time.monotonic() + STARTUP_TIMEOUT
        ready = {"web server": False, "worker": False, "beat": False}
        while not stop.is_set():
            _raise_if_exited(children)
            if not ready["web server"]:
                ready["web server"] = web_answers(port=port)
            if not ready["worker"]:
                ready["worker"] = health.ping_through_queue(timeout=1.0)
            if ready["worker"] and not ready["beat"]:
                last = health.last_heartbeat()
                ready["beat"] = last is not None and last >= since
            if all(ready.values()):
                return
            if time.monotonic() > deadline:
                missing = ", ".join(name for name, ok in ready.items() if not ok)
                raise CommandError(f"Not answering after {STARTUP_TIMEOUT:.0f} s: {missing}.")
            stop.wait(0.3)

    def _print_summary(self, *, port: int, region: Any, serving: bool) -> None:
        def url(host: str, path: str = "/") -> str:
            return absolute_url(host, path, port=port)

        addresses = [
            ("Regional centre", url("")),
            ("API documentation", url("", "/api/docs/")),
            ("Health", url("", "/healthz")),
            ("Django admin (admin only)", url("", "/admin/")),
            *((i.short_name, url(i.host)) for i in region.institutions),
        ]
        width = max(len(name) for name, _address in addresses)
        lines = [
            "",
            "Nastavnik demo is running (web server, worker and beat answer)."
            if serving
            else "The demo data is ready.",
            "",
            *(f"  {name:<{width}}  {address}" for name, address in addresses),
            "",
            "Logins: each account signs in at the page shown with it.",
        ]
        sign_in = [url(login.host, login.login_path) for login in region.logins]
        column = max(len(address) for address in sign_in)
        for login, address in zip(region.logins, sign_in, strict=True):
            lines.append(
                f"  {address:<{column}}  {login.username:<12} {login.password:<20} "
                f"{login.role:<15} {login.full_name}"
            )
        if region.school is not None:
            lines += [
                "",
                f"Generated school at {region.institutions[0].slug}: {region.school.summary()}; "
                f"{region.school_pairs} pairs and groups formed by matching",
            ]
        if region.kpi_periods:
            closed = [p for p, final in region.kpi_periods.items() if final]
            still_open = [p for p, final in region.kpi_periods.items() if not final]
            lines += [
                "",
                "KPI history, aggregated month by month over the data as it stood: "
                f"{', '.join(closed) or 'none'} closed; {', '.join(still_open) or 'none'} open "
                "(a draft: «Aggregate now» on /kpis/ replaces it).",
            ]
        lines.append("")
        if serving:
            lines.append(
                "`nastavnik ...` commands run beside the demo use its database "
                f"({demo_env_file().relative_to(REPO_ROOT)}). Press Ctrl-C to stop."
            )
        else:
            lines.append("Run `nastavnik demo` (or `make demo`) to start the servers.")
        self.stdout.write("\n".join(lines))
        sys.stdout.flush()


def web_answers(*, port: int) -> bool:
    """The web server serves the regional sign-in page (Django and the database work)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/accounts/login/", headers={"Host": settings.BASE_DOMAIN}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return bool(response.status == 200)
    except (OSError, ValueError):
        return False


def _raise_if_exited(children: dict[str, subprocess.Popen[bytes]]) -> None:
    for name, process in children.items():
        if process.poll() is not None:
            raise CommandError(
                f"The {name} process exited with code {process.returncode}; stopping the demo."
            )


def _describe_db() -> str:
    db = settings.DATABASES["default"]
    host = db.get("HOST") or db.get("OPTIONS", {}).get("host") or "local socket"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"{db['NAME']!r} at {host}{port}"


def _spawn(argv: Sequence[str], *, env: dict[str, str]) -> subprocess.Popen[bytes]:
    # Fixed argv built here (our interpreter, gunicorn or celery), no shell.
    return subprocess.Popen(list(argv), cwd=REPO_ROOT, env=env, start_new_session=True)  # noqa: S603


def _stop_children(children: Sequence[subprocess.Popen[bytes]]) -> None:
    for process in children:
        if process.poll() is None:
            process.terminate()  # gunicorn: graceful stop; celery: warm shutdown
    deadline = time.monotonic() + STOP_TIMEOUT
    for process in children:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
