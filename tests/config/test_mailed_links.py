"""The check every test's letters pass (``tests/mailed_links.py``, run after each test by
``tests/conftest.py``) refuses the links that once went out wrong."""

from __future__ import annotations

from django.core.mail import EmailMessage

from tests.mailed_links import link_problem, links_of, mailed_link_problems

TENANT = "alpha.nastavnik.test"


def test_a_link_to_a_page_of_the_platform_passes() -> None:
    assert link_problem(f"http://{TENANT}/accounts/login/") is None
    assert link_problem(f"http://{TENANT}:8803/surveys/link/abc/") is None
    assert link_problem("https://nastavnik.test/kpis/") is None
    assert link_problem(f"http://{TENANT}/api/v1/calendar/aBc-_12345678901234567890.ics") is None


def test_a_port_twice_a_foreign_host_and_a_path_nobody_serves_fail() -> None:
    problem = link_problem(f"http://{TENANT}:8803:8803/surveys/link/abc/")
    assert problem and "port" in problem
    problem = link_problem("http://127.0.0.1:8000/accounts/login/")
    assert problem and "not a host of the platform" in problem
    problem = link_problem(f"http://{TENANT}/kpis/")  # a regional page on an institution's host
    assert problem and "no page or route" in problem


def test_every_link_of_a_letter_is_read_with_its_punctuation_cut() -> None:
    letter = EmailMessage(
        "Напоминание",
        f"Откройте http://{TENANT}/pairs/1/. Или «http://{TENANT}/nope/»",
        to=["x@example.org"],
    )
    assert links_of(letter) == [f"http://{TENANT}/pairs/1/", f"http://{TENANT}/nope/"]
    [problem] = mailed_link_problems([letter])
    assert problem.startswith("«Напоминание»: ") and "/nope/" in problem
