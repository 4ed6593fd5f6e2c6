"""The regional centre's own pages: the audit log and the publication setting (k), for the
regional administrator only."""

from __future__ import annotations

from typing import Any

from accounts.models import Role
from tests.web.areas.core import STAFF

ADMIN = frozenset({Role.REGIONAL_ADMIN})

EVERYONE = frozenset({Role.REGIONAL_ADMIN, Role.REGIONAL_STAFF, Role.EMPLOYER, Role.MUNICIPAL})

TENANT_ALLOWED = {"announcements": STAFF}

PUBLIC_ALLOWED = {
    "apply": EVERYONE,  # and anonymous visitors (tests/web/test_institutions.py)
    "apply-done": EVERYONE,
    "audit": ADMIN,
    "settings": ADMIN,
    "municipal-officers": ADMIN,
    "announcements": frozenset({Role.REGIONAL_ADMIN, Role.REGIONAL_STAFF}),
    "institution-import": ADMIN,
    "institution-import-template": ADMIN,
    "institution-import-detail": ADMIN,
    "institution-import-progress": ADMIN,
}
PUBLIC_ID_OF = {
    "municipal-access-revoke": "municipalaccess",
    "institution-import-detail": "institutionimport",
    "institution-import-progress": "institutionimport",
}
# The template is a download and the progress an HTMX fragment: no page frame.
FRAGMENTS = {"institution-import-template", "institution-import-progress"}


def public_objects(tenant: Any) -> dict[str, int]:
    """An import of the institution, so that its pages have something to show."""
    from tenants.models import InstitutionImport

    batch = InstitutionImport.objects.create(file_name="list.xlsx", institution_ids=[tenant.pk])
    return {"institutionimport": batch.pk}
