"""Test builders live in one place (#11 item 7): ``tests/builders.py`` makes people through the
participants' api.py; a test module does not grow a hand-written copy.

Every module under ``tests/`` but the builders is parsed (no import, no database) and fails
when it
- defines a function or a method, at any depth, whose name is a person-builder's:
  ``person``, ``participant`` or ``pupil``, with or without leading underscores and a
  ``make_``, ``new_``, ``build_`` or ``create_`` prefix (``_person``, ``make_participant``…);
- creates participants through the model's manager: ``Participant.objects.create``,
  ``bulk_create``, ``get_or_create`` or ``update_or_create`` (the api applies the rules and
  the audit; the manager skips both).

``ALLOWED`` names what must stay, each with its reason. Frozen: an entry leaves the list, none
joins it; an entry that no longer occurs fails too."""

from __future__ import annotations

import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
BUILDERS = TESTS / "builders.py"

BUILDER_NAME = re.compile(r"_*(?:(?:make|new|build|create)_)?(?:person|participant|pupil)")
MANAGER_WRITES = frozenset({"create", "bulk_create", "get_or_create", "update_or_create"})

# (module path under tests/, the function's name or "Participant.objects") → why it stays.
ALLOWED: dict[tuple[str, str], str] = {
    (
        "isolation/objects_of_b.py",
        "_participant",
    ): "the route walk's objects of B: a factory per model, ids bumped past A's, MARKER text",
    (
        "isolation/objects_of_b.py",
        "Participant.objects",
    ): "the route walk's objects of B: a factory per model, ids bumped past A's, MARKER text",
    (
        "schools/audit/test_audit_record.py",
        "Participant.objects",
    ): "the audit of a raw model write is the subject",
    (
        "schools/audit/test_audit_record_many.py",
        "Participant.objects",
    ): "the audit of raw model writes is the subject",
    (
        "schools/participants/test_bulk.py",
        "pupil",
    ): "the input rows of participants_create_many (plain data), not a participant",
}


def _is_participant_manager(node: ast.expr) -> bool:
    """``Participant.objects`` or ``<module>.Participant.objects``."""
    if not (isinstance(node, ast.Attribute) and node.attr == "objects"):
        return False
    model = node.value
    return (isinstance(model, ast.Name) and model.id == "Participant") or (
        isinstance(model, ast.Attribute) and model.attr == "Participant"
    )


def findings_of(source: str) -> set[str]:
    """The builder-like function names and ``"Participant.objects"`` found in ``source``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if BUILDER_NAME.fullmatch(node.name):
                found.add(node.name)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in MANAGER_WRITES
            and _is_participant_manager(node.func.value)
        ):
            found.add("Participant.objects")
    return found


def _findings() -> set[tuple[str, str]]:
    found = set()
    for path in sorted(TESTS.rglob("*.py")):
        if path == BUILDERS:
            continue
        module = path.relative_to(TESTS).as_posix()
        found |= {(module, what) for what in findings_of(path.read_text(encoding="utf-8"))}
    return found


def test_the_rule_sees_what_it_is_meant_to_see() -> None:
    source = """
def person(): ...
def _make_participant(): ...
class Helpers:
    def _pupil(self): ...
def fixture():
    def new_person(): ...
    Participant.objects.create(last_name="X")
    models.Participant.objects.bulk_create([])
def persons_table(): ...
def person_id(): ...
Participant.objects.filter(pk=1).update(last_name="Y")
"""
    assert findings_of(source) == {
        "person",
        "_make_participant",
        "_pupil",
        "new_person",
        "Participant.objects",
    }


def test_people_are_built_by_tests_builders_only() -> None:
    found = _findings()
    new = sorted(found - ALLOWED.keys())
    assert not new, (
        "build people with tests.builders.person (extend it if an option is missing) instead "
        f"of a helper of your own or the model's manager: {new}"
    )


def test_the_allowed_list_only_shrinks() -> None:
    gone = sorted(ALLOWED.keys() - _findings())
    assert not gone, f"no longer there: remove from ALLOWED {gone}"
