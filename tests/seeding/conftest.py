import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "demo: starts `nastavnik demo` as the README says (its own database, server, worker "
        "and beat); part of the normal run",
    )
