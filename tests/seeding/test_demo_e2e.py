"""The demo as a newcomer starts it (README: ``nastavnik demo --port N``, here with
``DATABASE_URL`` naming an empty database of the test server, as the README allows, and
without Redis, as on a fresh machine): once it prints «running», every address it printed
answers, and every login it printed signs in at the address printed with it.

A real process tree (gunicorn, a Celery worker with beat), its own database: nothing is
shared with the rest of the suite. Marked ``demo``; it runs in the suite."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
import requests
from django.conf import settings
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 240.0
ADDRESS = re.compile(r"^  (?P<name>\S.*?)\s{2,}(?P<url>https?://\S+)$")
LOGIN = re.compile(
    r"^  (?P<url>https?://\S+)\s+(?P<username>\S+)\s+(?P<password>\S+)\s+(?P<role>\S+)\s+.+$"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server() -> dict[str, object]:
    db = settings.DATABASES["default"]
    return {
        "host": db.get("HOST") or "127.0.0.1",
        "port": db.get("PORT") or 5432,
        "user": db.get("USER") or "postgres",
        "password": db.get("PASSWORD") or None,
    }


def _admin(statement: sql.Composed) -> None:
    with psycopg.connect(dbname="postgres", autocommit=True, **_server()) as conn:  # type: ignore[arg-type]
        conn.execute(statement)


def _get(session: requests.Session, url: str, **kwargs: object) -> requests.Response:
    """Through 127.0.0.1 with the printed host in the Host header (``*.localhost`` need not
    resolve on a test machine); redirects followed the same way."""
    for _hop in range(5):
        parts = urlsplit(url)
        response = session.request(
            kwargs.pop("method", "GET"),  # type: ignore[arg-type]
            f"http://127.0.0.1:{parts.port}{parts.path}"
            + (f"?{parts.query}" if parts.query else ""),
            headers={"Host": parts.netloc, **kwargs.pop("headers", {})},  # type: ignore[dict-item]
            allow_redirects=False,
            timeout=30,
            **kwargs,  # type: ignore[arg-type]
        )
        if response.status_code not in (301, 302, 303):
            return response
        location = response.headers["Location"]
        url = location if "://" in location else f"{parts.scheme}://{parts.netloc}{location}"
        kwargs = {}
    raise AssertionError(f"too many redirects from {url}")


def _signs_in(login: dict[str, str]) -> None:
    """The printed login signs in at the printed address and lands on a signed-in page."""
    session = requests.Session()
    page = _get(session, login["url"])
    assert page.status_code == 200 and 'name="password"' in page.text, login["url"]
    token = session.cookies["nastavnik_csrf"]
    signed_in = _get(
        session,
        login["url"],
        method="POST",
        data={
            "username": login["username"],
            "password": login["password"],
            "csrfmiddlewaretoken": token,
        },
        headers={"Referer": login["url"]},
    )
    where = f"{login['username']} at {login['url']}"
    assert signed_in.status_code == 200, f"{where}: {signed_in.status_code}"
    assert 'name="password"' not in signed_in.text, f"{where}: not signed in"
    assert 'action="/accounts/logout/"' in signed_in.text or "logout" in signed_in.text


@pytest.mark.demo
@pytest.mark.timeout(480)  # a whole platform starts; slow when the machine is busy
def test_the_demo_answers_at_every_address_it_prints() -> None:
    database = f"{settings.DATABASES['default']['TEST']['NAME']}_demo_e2e"
    _admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
    _admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    server = _server()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("REDIS_URL", "CELERY_", "DJANGO_", "TEST_", "PYTEST"))
    }
    env["DATABASE_URL"] = (
        f"postgres://{server['user']}"
        + (f":{server['password']}" if server["password"] else "")
        + f"@{server['host']}:{server['port']}/{database}"
    )
    port = _free_port()
    started = time.monotonic()
    demo = subprocess.Popen(
        [str(Path(sys.executable).with_name("nastavnik")), "demo", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    try:
        assert demo.stdout is not None
        while not any("Press Ctrl-C to stop." in line for line in lines):
            line = demo.stdout.readline()
            assert line or demo.poll() is None, "the demo stopped:\n" + "".join(lines[-40:])
            lines.append(line)
            assert time.monotonic() - started < STARTUP_TIMEOUT, "".join(lines[-40:])
        summary = [
            line.rstrip("\n")
            for line in lines[
                lines.index(
                    next(line for line in lines if line.startswith("Nastavnik demo is running"))
                ) :
            ]
        ]
        addresses = [m.group("url") for line in summary if (m := ADDRESS.match(line))]
        logins = [m.groupdict() for line in summary if (m := LOGIN.match(line))]
        assert len(addresses) >= 7 and len(logins) == 22, "\n".join(summary)

        for url in addresses:
            response = _get(requests.Session(), url)
            assert response.status_code == 200, f"{url}: {response.status_code}"
        health = _get(requests.Session(), addresses[2]).json()
        assert health["ok"] and health["workers"]["workers"] >= 1, health

        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(_signs_in, logins))

        # the links the demo's letters carry (printed by the console mail backend)
        letters = set(re.findall(r"https?://\S+/surveys/link/\S+/", "".join(lines)))
        for url in sorted(letters):
            assert _get(requests.Session(), url).status_code == 200, url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(demo.pid, signal.SIGINT)
        try:
            demo.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()
        _admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
