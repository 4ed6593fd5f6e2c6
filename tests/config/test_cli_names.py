"""The console script runs a command by the name the docs write (``generate-school``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from config.cli import command_argv

ROOT = Path(__file__).resolve().parents[2]


def test_hyphenated_names_are_the_commands() -> None:
    assert command_argv(["nastavnik", "generate-school", "school-1", "--seed", "2"]) == [
        "nastavnik",
        "generate_school",
        "school-1",
        "--seed",
        "2",
    ]
    assert command_argv(["nastavnik", "--version"]) == ["nastavnik", "--version"]
    assert command_argv(["nastavnik"]) == ["nastavnik"]


def test_the_commands_are_installed() -> None:
    for name in ("generate-school", "matching-report"):
        out = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), name, "--help"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "slug" in out
