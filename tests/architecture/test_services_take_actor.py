"""Every write service takes the acting ``actor`` as a required keyword and checks its rule itself
(ADR 0006), so that neither door — the API or the pages — can forget it.

The test reads every ``services.py`` of the apps: each public function must take ``actor`` as
a keyword-only argument, or be listed below with the reason it takes none. The list may only
shrink: an entry whose function now takes an actor (or is gone) fails the test too, so it is
removed the day the function is converted."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("accounts", "tenants", "regional", "schools")

TASK = "a task body or a beat job: the system runs it, no person calls it"
READ = "reads or computes, writes nothing"
TOKEN = "an anonymous visitor whose credential is the token (or the invitation) it carries"
OWN_LOGIN = "acts on the signed-in person's own login (the `user` it is given), whatever the role"

EXCEPTIONS: dict[str, str] = {
    # accounts
    "accounts.site_url": READ,
    "accounts.invitation_url": READ,
    "accounts.invitation_send": TASK,
    "accounts.invitation_get_valid": TOKEN,
    "accounts.invitation_accept": TOKEN,
    "accounts.api_token_issue": "issued to the account that has just proved its password",
    "accounts.password_reset_send": TASK,
    "accounts.sso.identity_resolve": "the single sign-on callback: the provider's claims",
    "accounts.twofactor.code_check": OWN_LOGIN,
    "accounts.twofactor.recovery_codes_left": OWN_LOGIN,
    "accounts.twofactor.recovery_codes_renew": OWN_LOGIN,
    "accounts.twofactor.second_factor_disable": OWN_LOGIN,
    "accounts.twofactor.second_factor_enabled": OWN_LOGIN,
    "accounts.twofactor.second_factor_needed": OWN_LOGIN,
    "accounts.twofactor.second_factor_required": OWN_LOGIN,
    "accounts.twofactor.totp_confirm": OWN_LOGIN,
    "accounts.twofactor.totp_pending": OWN_LOGIN,
    "accounts.twofactor.totp_secret": OWN_LOGIN,
    # tenants
    "tenants.validate_institution_fields": READ,
    "tenants.institution_provision": TASK,
    "tenants.application_submit": "a school applies through the public page: no account yet",
    # regional
    "regional.employers.placement_tenant_account_create": TASK,
    "regional.kpis.default_period": READ,
    "regional.kpis.period_validate": READ,
    "regional.kpis.aggregation_run_in_process": "seeding and benchmarks: the system's own run",
    "regional.kpis.institution_aggregate": TASK,
    "regional.kpis.snapshot_record": TASK,
    "regional.kpis.aggregation_item_attempt": TASK,
    "regional.kpis.aggregation_item_error": TASK,
    "regional.kpis.aggregation_item_finish": TASK,
    "regional.kpis.items_sweep": TASK,
    "regional.practices.practice_case_publish": (
        "called only by the institution's publishing service, which checks its actor"
    ),
    "regional.practices.practice_cases_collect": TASK,
    "regional.questionnaires.answers_validate": READ,
    "regional.survey_results.institution_results_replace": TASK,
    # schools
    "schools.documents.interrupted_message": READ,
    "schools.documents.cancelled_message": READ,
    "schools.documents.document_job_cancellable": READ,
    "schools.documents.document_jobs_sweep": TASK,
    "schools.documents.document_job_run": TASK,
    "schools.imports.max_file_bytes": READ,
    "schools.imports.inline_max_bytes": READ,
    "schools.imports.file_too_large_message": READ,
    "schools.imports.import_batch_validate": TASK,
    "schools.imports.reconnect_if_broken": TASK,
    "schools.imports.import_batch_commit": TASK,
    "schools.imports.import_batch_run_commit": TASK,
    "schools.imports.import_batch_cancellable": READ,
    "schools.imports.batches_sweep": TASK,
    "schools.matching.weights_get": READ,
    "schools.matching.run_execute": TASK,
    "schools.matching.interrupted_message": READ,
    "schools.matching.match_run_cancellable": READ,
    "schools.matching.runs_sweep": TASK,
    "schools.monitoring.token_hash": READ,
    "schools.monitoring.questionnaire_is_locked": READ,
    "schools.monitoring.target_members": READ,
    "schools.monitoring.campaigns_close_due": TASK,
    "schools.monitoring.campaign_accepts_answers": READ,
    "schools.monitoring.invitation_link_issue": TASK,
    "schools.monitoring.invitation_by_token": TOKEN,
    "schools.monitoring.questions_of": READ,
    "schools.monitoring.answers_errors": READ,
    "schools.monitoring.answers_shown": READ,
    "schools.monitoring.response_save_draft": TOKEN,
    "schools.monitoring.response_submit": TOKEN,
    "schools.monitoring.invitation_of_user": READ,
    "schools.monitoring.participants_ids": READ,
    "schools.monitoring.mailings_sweep": TASK,
    "schools.monitoring.launch_inline_max": READ,
    "schools.monitoring.launch_size_estimate": READ,
    "schools.monitoring.launch_interrupted_message": READ,
    "schools.monitoring.launch_failed_message": READ,
    "schools.monitoring.campaign_launch_run": TASK,
    "schools.monitoring.launches_sweep": TASK,
    "schools.pairs.calendar_token_hash": READ,
    "schools.pairs.institution_names": READ,
    "schools.pairs.practice_case_digest": READ,
    "schools.pairs.practice_case_anonymise": TASK,
    "schools.participants.participants_erase_due": TASK,
}


def _services_modules() -> list[Path]:
    found: list[Path] = []
    for package in PACKAGES:
        found.extend(sorted((ROOT / package).glob("**/services.py")))
    return found


def _without_actor() -> set[str]:
    missing: set[str] = set()
    for path in _services_modules():
        module = ".".join(path.relative_to(ROOT).parent.parts)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            # a required keyword: ``actor`` without a default (``actor=None`` forgets it)
            required = {
                arg.arg
                for arg, default in zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True)
                if default is None
            }
            if "actor" not in required:
                missing.add(f"{module}.{node.name}")
    return missing


def test_the_services_modules_are_found() -> None:
    modules = {".".join(p.relative_to(ROOT).parent.parts) for p in _services_modules()}
    assert {"schools.pairs", "schools.programmes", "regional.employers", "accounts"} <= modules


def test_every_write_service_takes_the_actor_as_a_keyword() -> None:
    new = sorted(_without_actor() - set(EXCEPTIONS))
    assert not new, (
        "these services take no keyword-only `actor`: add one and check the rule in the app's "
        f"access module (or list the function here with its reason): {new}"
    )


def test_the_list_of_exceptions_only_shrinks() -> None:
    stale = sorted(set(EXCEPTIONS) - _without_actor())
    assert not stale, f"these take an actor now (or are gone): remove them from EXCEPTIONS: {stale}"
