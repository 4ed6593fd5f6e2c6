"""Load generators for the API benchmark: ``wrk`` when it is installed, else a small Python
client (several processes, one HTTP/1.1 connection each, reconnecting when the server closes).

Both only ever talk to 127.0.0.1 and stop after a bounded amount of work: wrk after a fixed
duration, the Python client after a fixed number of requests."""

from __future__ import annotations

import http.client
import multiprocessing
import re
import shutil
import statistics
import subprocess
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

LOOPBACK = "127.0.0.1"


@dataclass
class LoadResult:
    tool: str
    requests: int
    seconds: float
    requests_per_s: float
    errors: int
    latency_avg_ms: float
    latency_p50_ms: float | None = None
    latency_p99_ms: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(
    *, port: int, path: str, headers: dict[str, str], connections: int, threads: int, seconds: int
) -> LoadResult:
    wrk = shutil.which("wrk")
    assert wrk is not None
    argv = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    argv.append(f"http://{LOOPBACK}:{port}{path}")
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    requests = re.search(r"(\d+) requests in ([\d.]+)(\w+)", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    latency = re.search(r"Latency\s+([\d.]+)(us|ms|s)\b", out)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    if not (requests and rps and latency):
        raise RuntimeError(f"cannot read wrk output:\n{out}")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket_errors:
        # A read error is how wrk counts a server closing the connection after a response
        # (gunicorn's sync workers do): only connect errors and timeouts are failures.
        errors += int(socket_errors.group(1)) + int(socket_errors.group(4))
    return LoadResult(
        tool=f"wrk -t{threads} -c{connections} -d{seconds}s",
        requests=int(requests.group(1)),
        seconds=_ms(requests.group(2), requests.group(3)) / 1000,
        requests_per_s=float(rps.group(1)),
        errors=errors,
        latency_avg_ms=_ms(latency.group(1), latency.group(2)),
        latency_p50_ms=_ms(p50.group(1), p50.group(2)) if p50 else None,
        latency_p99_ms=_ms(p99.group(1), p99.group(2)) if p99 else None,
    )


def _client(
    port: int, path: str, headers: dict[str, str], count: int
) -> tuple[float, float, int, list[float]]:
    """One client process: ``count`` sequential GETs. Returns (start, end, errors, latencies)."""
    conn: http.client.HTTPConnection | None = None
    latencies: list[float] = []
    errors = 0
    started = time.monotonic()
    for _ in range(count):
        sent = time.monotonic()
        try:
            if conn is None:
                conn = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors += 1
            if response.will_close:
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException):
            errors += 1
            if conn is not None:
                conn.close()
            conn = None
        latencies.append(time.monotonic() - sent)
    if conn is not None:
        conn.close()
    return started, time.monotonic(), errors, latencies


def run_python(
    *, port: int, path: str, headers: dict[str, str], connections: int, requests: int
) -> LoadResult:
    per_client = max(1, requests // connections)
    # spawn, not fork: a forked child would share (and on exit, close) the parent's database
    # connection.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=connections, mp_context=context) as pool:
        futures = [
            pool.submit(_client, port, path, headers, per_client) for _ in range(connections)
        ]
        results = [f.result() for f in futures]
    started = min(r[0] for r in results)
    finished = max(r[1] for r in results)
    latencies = sorted(lat for r in results for lat in r[3])
    total = len(latencies)
    seconds = finished - started
    return LoadResult(
        tool=f"python ({connections} client processes, {total} requests)",
        requests=total,
        seconds=seconds,
        requests_per_s=total / seconds if seconds else 0.0,
        errors=sum(r[2] for r in results),
        latency_avg_ms=statistics.fmean(latencies) * 1000,
        latency_p50_ms=latencies[total // 2] * 1000,
        latency_p99_ms=latencies[min(total - 1, int(total * 0.99))] * 1000,
    )
