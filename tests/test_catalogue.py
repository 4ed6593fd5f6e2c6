"""The Russian catalogue: the compiled ``.mo`` that a fresh clone serves says what the ``.po``
says (a merge or an edit of the ``.po`` without ``make messages`` would show stale Russian)."""

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LC_MESSAGES = ROOT / "platform" / "config" / "locale" / "ru" / "LC_MESSAGES"


def _catalog(mo: Path) -> dict[object, str]:
    with mo.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)  # type: ignore[attr-defined]


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs GNU gettext's msgfmt")
def test_the_committed_mo_is_compiled_from_the_po(tmp_path: Path) -> None:
    fresh = tmp_path / "django.mo"
    subprocess.run(
        ["msgfmt", "--check-format", "-o", str(fresh), str(LC_MESSAGES / "django.po")],
        check=True,
    )
    committed, compiled = _catalog(LC_MESSAGES / "django.mo"), _catalog(fresh)
    stale = sorted(str(k) for k in compiled.keys() ^ committed.keys())
    stale += sorted(
        str(k) for k in compiled.keys() & committed.keys() if compiled[k] != committed[k]
    )
    assert not stale, f"run `make messages`: the .mo differs from the .po for {stale[:10]}"


def test_no_fuzzy_entries_in_the_po() -> None:
    text = (LC_MESSAGES / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in text.split("\n\n", 1)[1], "a fuzzy translation is not shown"
