"""Test builders live in one place (#11 item 7): ``tests/builders.py`` makes people and their
consents through the participants' api and services; a test module does not grow a
hand-written copy.

Every module under ``tests/`` but the builders is parsed (no import, no database) and fails
when it
- defines a function or a method, at any depth, whose name is a person-builder's:
  ``person``, ``participant`` or ``pupil``, with or without leading underscores and a
  ``make_``, ``new_``, ``build_`` or ``create_`` prefix (``_person``, ``make_participant``…);
- defines one whose name is a consent-builder's: ``consent`` or ``grant`` (``grant_consent``
  too), with leading underscores and those prefixes or ``sign_``, ``record_``, ``give_``
  (``_grant``, ``_consent``, ``sign_consent``…);
- creates participants or consents through the model's manager: ``Participant.objects`` or
  ``Consent.objects`` ``.create``, ``bulk_create``, ``get_or_create`` or ``update_or_create``
  (the api applies the rules and the audit; the manager skips both);
- records a consent as ``SETUP`` itself: a call of ``consent_record`` with ``actor=SETUP``
  (``builders.consent`` does that; a call as another actor tests who may).

``ALLOWED`` names what must stay, each with its reason. Frozen: an entry leaves the list, none
joins it; an entry that no longer occurs fails too."""

from __future__ import annotations

import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
BUILDERS = TESTS / "builders.py"

BUILDER_NAME = re.compile(r"_*(?:(?:make|new|build|create)_)?(?:person|participant|pupil)")
CONSENT_BUILDER_NAME = re.compile(
    r"_*(?:(?:make|new|build|create|sign|record|give)_)?(?:consent|grant)(?:_consent)?"
)
MANAGER_WRITES = frozenset({"create", "bulk_create", "get_or_create", "update_or_create"})
MODELS = frozenset({"Participant", "Consent"})
RECORDED_AS_SETUP = "consent_record(actor=SETUP)"

# (module path under tests/, the function's name, "<Model>.objects" or RECORDED_AS_SETUP) →
# why it stays.
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
    (
        "isolation/objects_of_b.py",
        "_consent",
    ): "the route walk's objects of B: a factory per model, ids bumped past A's, MARKER text",
    (
        "isolation/objects_of_b.py",
        "Consent.objects",
    ): "the route walk's objects of B: a factory per model, ids bumped past A's, MARKER text",
    (
        "schools/participants/test_consent_state.py",
        "_consent",
    ): "register rows the service refuses (an adult's guardian, a child alone), for every state",
    (
        "schools/participants/test_consent_state.py",
        "Consent.objects",
    ): "register rows the service refuses (an adult's guardian, a child alone), for every state",
    (
        "schools/participants/test_api_functions.py",
        RECORDED_AS_SETUP,
    ): "the api's consent_record itself (it returns the record's id) is the subject",
}


def _manager_of(node: ast.expr) -> str | None:
    """``"<Model>.objects"`` for ``<Model>.objects`` or ``<module>.<Model>.objects`` of a model
    in ``MODELS``."""
    if not (isinstance(node, ast.Attribute) and node.attr == "objects"):
        return None
    model = node.value
    name = (
        model.id
        if isinstance(model, ast.Name)
        else model.attr
        if isinstance(model, ast.Attribute)
        else None
    )
    return f"{name}.objects" if name in MODELS else None


def _records_a_consent_as_setup(node: ast.Call) -> bool:
    """``consent_record(..., actor=SETUP)``, called by its name or through a module."""
    func = node.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    return name == "consent_record" and any(
        k.arg == "actor" and isinstance(k.value, ast.Name) and k.value.id == "SETUP"
        for k in node.keywords
    )


def findings_of(source: str) -> set[str]:
    """The builder-like function names, the ``"<Model>.objects"`` writes and
    ``RECORDED_AS_SETUP`` found in ``source``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if BUILDER_NAME.fullmatch(node.name) or CONSENT_BUILDER_NAME.fullmatch(node.name):
                found.add(node.name)
        elif isinstance(node, ast.Call):
            if _records_a_consent_as_setup(node):
                found.add(RECORDED_AS_SETUP)
            elif isinstance(node.func, ast.Attribute) and node.func.attr in MANAGER_WRITES:
                manager = _manager_of(node.func.value)
                if manager is not None:
                    found.add(manager)
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
def grant(): ...
def _consent(): ...
def sign_consent(): ...
def grant_consent(): ...
def consent_body(): ...
def test_consent(): ...
models.Consent.objects.create(kind="grant")
participants.consent_record(actor=SETUP, kind="grant")
services.consent_record(actor=world.actor("mentor"), kind="grant")
Consent.objects.filter(pk=1).exists()
"""
    assert findings_of(source) == {
        "person",
        "_make_participant",
        "_pupil",
        "new_person",
        "Participant.objects",
        "grant",
        "_consent",
        "sign_consent",
        "grant_consent",
        "Consent.objects",
        RECORDED_AS_SETUP,
    }


def test_people_are_built_by_tests_builders_only() -> None:
    found = _findings()
    new = sorted(found - ALLOWED.keys())
    assert not new, (
        "build people with tests.builders.person and consents with tests.builders.consent "
        "(extend them if an option is missing) instead of a helper of your own, the model's "
        f"manager or consent_record as SETUP: {new}"
    )


def test_the_allowed_list_only_shrinks() -> None:
    gone = sorted(ALLOWED.keys() - _findings())
    assert not gone, f"no longer there: remove from ALLOWED {gone}"
