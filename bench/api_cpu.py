"""CPU per request of the API lists and of the bare view, summed over the server's processes
(the gunicorn worker and the PostgreSQL backends of the bench database): a figure the other
processes of a busy machine hardly move, unlike requests per second.

```sh
.venv/bin/python bench/api_cpu.py            # seed (as api_profile), then measure
.venv/bin/python bench/api_cpu.py --reuse    # the data of the previous call
BENCH_REDIS_URL=redis://127.0.0.1:6379/13 .venv/bin/python bench/api_cpu.py --reuse
                                             # the server's cache in Redis (production's)
```

A list is measured twice: read again and again (answered from the cache after the first
read: ``config.api.listcache``) and "cold", each request at an address of its own (built
anew every time, as after a write). One gunicorn worker answers ``--requests`` requests of
each path one after another; the CPU time its process and the bench database's PostgreSQL
backends used (``/proc``) is divided by the requests; the best of ``--rounds``. The client's
own time is not counted (the same per request for every path), nor Redis's (with
BENCH_REDIS_URL)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib

TICK = os.sysconf("SC_CLK_TCK")


def _cpu_of(pid: int) -> float | None:
    """utime + stime of ``pid`` in seconds (None if it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


def _cpu_map(pids: list[int]) -> dict[int, float]:
    return {pid: cpu for pid in pids if (cpu := _cpu_of(pid)) is not None}


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def _backends(database: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if cmd.startswith("postgres: ") and f" {database} " in cmd:
                pids.append(int(entry.name))
    return pids


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--learners", type=int, default=600)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    url = benchlib.in_process_django(reuse=args.reuse, log_name="api-cpu-migrate")
    import api_throughput
    from django.db import connections

    host, key = api_throughput.seeded(reuse=args.reuse, learners=args.learners)
    connections.close_all()
    database = benchlib.database_name(url)
    if os.environ.get("BENCH_REDIS_URL"):
        os.environ["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    port = api_throughput._free_port()
    server = api_throughput._start_server(port, 1)
    try:
        api_throughput._wait_ready(server, port, host)
        bare = {"Host": host}
        api = {"Host": host, "Authorization": f"Token {key}", "Accept": "application/json"}
        paths = [("bare", api_throughput.BARE_PATH, bare)] + [
            (name, path, api) for name, path in api_throughput.LISTS
        ]
        # A list built anew on every request: an address of its own each time (an unknown
        # parameter, ignored by the filters, but part of the kept answer's key).
        paths += [(f"{name} cold", f"{path}?n=", api) for name, path in api_throughput.LISTS]
        for _name, path, headers in paths:  # warm-up
            for _ in range(50):
                api_throughput._get(port, path, headers)
        best: dict[str, float] = {}
        for cold in range(args.rounds):
            for name, path, headers in paths:
                worker = _children(server.pid)[0]
                before = _cpu_map([worker, *_backends(database)])
                for number in range(args.requests):
                    address = f"{path}{cold}-{number}" if path.endswith("?n=") else path
                    status, _body = api_throughput._get(port, address, headers)
                    assert status == 200, (path, status)
                after = _cpu_map([*_children(server.pid), *_backends(database)])
                used = sum(after[p] - before.get(p, 0.0) for p in after)
                per = 1000 * used / args.requests
                best[name] = min(best.get(name, per), per)
        benchlib.line("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
        for name, _path, _headers in paths:
            benchlib.line(
                f"{name:14} {best[name]:6.2f} ms CPU/request (worker + PostgreSQL), "
                f"{best[name] / best['bare']:5.1f}x bare"
            )
    finally:
        server.terminate()
        server.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
