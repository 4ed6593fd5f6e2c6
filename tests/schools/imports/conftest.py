from __future__ import annotations

from typing import Any

import pytest

from accounts.models import Role


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files go to a temporary folder (still one sub-folder per schema)."""
    settings.MEDIA_ROOT = str(tmp_path)
    settings.MULTITENANT_RELATIVE_MEDIA_ROOT = str(tmp_path / "%s")


@pytest.fixture
def coordinator(tenant_a, user_in):
    return user_in(tenant_a.schema_name, Role.COORDINATOR, "imp-coordinator")


@pytest.fixture
def coord_client(tenant_a, coordinator, client_for):
    return client_for(tenant_a, coordinator)


@pytest.fixture(autouse=True)
def _english_by_default(settings: Any) -> None:
    """These tests read message texts in the English msgids; users get Russian by default."""
    settings.LANGUAGE_CODE = "en"
