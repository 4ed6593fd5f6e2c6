"""Mutation check of the services' access rules: does removing one check make a test fail?

``.venv/bin/python tests/access_mutants.py [--list] [--only TEXT ...] [--db NAME] [--scopes]``

Each write service calls its app's access module before it changes anything
(``access.check_…(actor, …)``, ``access.require(…)``, ``access.access_…_by_id(actor, …)``).
This script finds every such call in the ``services.py`` modules, and for each one in turn
replaces it with ``pass``, runs the service-access tests (``SUITE``) and puts the file back.
A mutant the tests do not notice ("survived") is a rule nobody would miss: add the test that
catches it. With ``--scopes`` the mutants are the access modules' row-level scopes instead
(each one-line ``return queryset.filter(…)``/``.none()`` becomes ``return queryset``: the actor
would see every row) and the suite is ``SCOPE_SUITE``. Not part of the suite (each mutant is
a pytest run of about a minute); the closing notes record its last result."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("accounts", "tenants", "regional", "schools")
SUITE = [
    "tests/accounts/test_access.py",
    "tests/schools/test_service_access.py",
    "tests/regional/employers/test_service_access.py",
    "tests/regional/questionnaires/test_access.py",
    "tests/tenants/test_access.py",
    "tests/regional/kpis/test_aggregation.py",
]
CHECK = re.compile(r"^(\s*)(?:[a-z_]*access\.(?:check_\w+|require|access_\w+_by_id))\(.*\)\s*$")

# --scopes: the row-level rules themselves. In the access modules every one-line return that
# cuts a queryset (``return queryset.filter(…)``, ``.none()``, ``return queryset if … else
# queryset.filter(…)``) is replaced by ``return queryset`` — the actor would see every row.
SCOPE = re.compile(
    r"^(\s*)return queryset"
    r"(?:\.(?:filter|none|exclude)\(| if .* else queryset\.(?:filter|none|exclude)\().*$"
)
SCOPE_SUITE = [
    "tests/schools/test_access_scopes.py",
    "tests/schools/test_access_layer.py",
    "tests/schools/test_access_objects.py",
    "tests/schools/test_service_access.py",
    "tests/tenants/test_access.py",
    "tests/regional/employers/test_access.py",
    "tests/regional/employers/test_service_access.py",
    "tests/regional/employers/test_api.py",
]


def mutants(*, scopes: bool = False) -> list[tuple[Path, int, str]]:
    """(file, line number, line) of every one-line access call statement in a service, or
    with ``scopes`` of every one-line scoping return in an access module."""
    found = []
    pattern, modules = (SCOPE, "**/access.py") if scopes else (CHECK, "**/services.py")
    for package in PACKAGES:
        for path in sorted((ROOT / package).glob(modules)):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if pattern.match(line):
                    found.append((path, number, line.strip()))
    return found


def mutated(line: str, *, scopes: bool) -> str:
    indent = line[: len(line) - len(line.lstrip())]
    return (
        f"{indent}return queryset  # scope mutant\n"
        if scopes
        else f"{indent}pass  # access mutant\n"
    )


def run(db: str, suite: list[str]) -> bool:
    """The suite passes (True: the mutant survived)."""
    env = {**os.environ, "TEST_DATABASE_NAME": db}
    result = subprocess.run(
        [str(ROOT / ".venv/bin/pytest"), "-q", "-x", "-p", "no:randomly", *suite],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="only mutants whose 'file:number: line' has this (repeatable: any of them)",
    )
    parser.add_argument("--db", default="test_access_mutants", help="the test database's name")
    parser.add_argument(
        "--scopes", action="store_true", help="mutate the access modules' row-level scopes"
    )
    parser.add_argument(
        "--suite", action="append", help="run these test paths instead (repeatable)"
    )
    args = parser.parse_args()
    suite = args.suite or (SCOPE_SUITE if args.scopes else SUITE)
    chosen = [
        m
        for m in mutants(scopes=args.scopes)
        if not args.only or any(o in f"{m[0]}:{m[1]}: {m[2]}" for o in args.only)
    ]
    for path, number, line in chosen:
        print(f"{path.relative_to(ROOT)}:{number}: {line}")
    if args.list:
        return 0
    survived = []
    for path, number, line in chosen:
        original = path.read_text(encoding="utf-8")
        lines = original.splitlines(keepends=True)
        lines[number - 1] = mutated(lines[number - 1], scopes=args.scopes)
        started = time.perf_counter()
        try:
            path.write_text("".join(lines), encoding="utf-8")
            alive = run(args.db, suite)
        finally:
            path.write_text(original, encoding="utf-8")
        verdict = "SURVIVED" if alive else "killed"
        print(
            f"{verdict:8} {path.relative_to(ROOT)}:{number} ({time.perf_counter() - started:.0f} s)"
        )
        if alive:
            survived.append(f"{path.relative_to(ROOT)}:{number}: {line}")
    print(f"\n{len(chosen) - len(survived)} of {len(chosen)} mutants killed")
    for entry in survived:
        print(f"  survived: {entry}")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
