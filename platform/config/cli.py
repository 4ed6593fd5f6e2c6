"""The ``nastavnik`` console script: Django's manage.py with the project's source roots."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def setup_path() -> None:
    # platform/ is a source root (not a package), so that ``import platform`` stays stdlib.
    for root in (REPO_ROOT / "platform", REPO_ROOT):
        if str(root) not in sys.path:
            sys.path.append(str(root))


def main(argv: list[str] | None = None) -> None:
    setup_path()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(command_argv(argv if argv is not None else sys.argv))


def command_argv(argv: list[str]) -> list[str]:
    """Django's command names have underscores; the docs write ``generate-school`` and
    ``matching-report``: both spellings run the command."""
    if len(argv) > 1 and not argv[1].startswith("-"):
        return [argv[0], argv[1].replace("-", "_"), *argv[2:]]
    return list(argv)


if __name__ == "__main__":
    main()
