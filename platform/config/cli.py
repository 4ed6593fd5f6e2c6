"""The ``nastavnik`` console script: Django's manage.py with the project's source roots."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
# A running ``nastavnik demo`` writes its database's address here (relative to REPO_ROOT).
DEMO_ENV = "var/demo.env"


def setup_path() -> None:
    # platform/ is a source root (not a package), so that ``import platform`` stays stdlib.
    for root in (REPO_ROOT / "platform", REPO_ROOT):
        if str(root) not in sys.path:
            sys.path.append(str(root))


def main(argv: list[str] | None = None) -> None:
    setup_path()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    argv = command_argv(argv if argv is not None else sys.argv)
    if use_running_demo(argv):
        # The settings were read on importing this package (``config`` imports Celery, which
        # reads them): start again with the demo's database in the environment.
        os.execv(  # noqa: S606 - our own interpreter and arguments
            sys.executable, [sys.executable, "-c", "from config.cli import main; main()", *argv[1:]]
        )
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


def use_running_demo(argv: list[str], *, root: Path = REPO_ROOT) -> str | None:
    """Beside a running demo (``var/demo.env`` exists) and without ``DATABASE_URL``, commands
    use the demo's database: its address goes into the environment before the settings read
    it. The demo itself decides on its own database. Returns the address, or None."""
    if "DATABASE_URL" in os.environ or (len(argv) > 1 and argv[1] == "demo"):
        return None
    path = root / DEMO_ENV
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        key, _sep, value = line.partition("=")
        if key.strip() == "DATABASE_URL" and value.strip():
            os.environ["DATABASE_URL"] = value.strip()
            print(f"Using the running demo's database ({DEMO_ENV}).", file=sys.stderr)
            return value.strip()
    return None


def command_argv(argv: list[str]) -> list[str]:
    """Django's command names have underscores; the docs write ``generate-school`` and
    ``matching-report``: both spellings run the command."""
    if len(argv) > 1 and not argv[1].startswith("-"):
        return [argv[0], argv[1].replace("-", "_"), *argv[2:]]
    return list(argv)


if __name__ == "__main__":
    main()
