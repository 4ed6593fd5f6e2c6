"""Container health check of the web process (docker-compose ``healthcheck``).

Asks ``/healthz`` on the base domain and exits 0 when Django answers and reports the database
and the broker reachable. Celery workers are not required here: /healthz answers 503 while no
worker runs, and workers start only once web is healthy (after the migrations)."""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request

URL = "http://127.0.0.1:8000/healthz"


def main() -> int:
    request = urllib.request.Request(
        URL,
        headers={
            "Host": os.environ.get("BASE_DOMAIN", "localhost"),
            "X-Forwarded-Proto": "https",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - fixed URL
            body = response.read()
    except urllib.error.HTTPError as exc:
        if exc.code != 503:
            return 1
        body = exc.read()
    except OSError:
        return 1
    try:
        report = json.loads(body)
    except ValueError:
        return 1
    return 0 if report["database"]["ok"] and report["broker"]["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
