"""The regional centre's own pages: the audit log and the publication setting (k), for the
regional administrator only."""

from __future__ import annotations

from accounts.models import Role

ADMIN = frozenset({Role.REGIONAL_ADMIN})

EVERYONE = frozenset({Role.REGIONAL_ADMIN, Role.REGIONAL_STAFF, Role.EMPLOYER, Role.MUNICIPAL})

PUBLIC_ALLOWED = {
    "apply": EVERYONE,  # and anonymous visitors (tests/web/test_institutions.py)
    "apply-done": EVERYONE,
    "audit": ADMIN,
    "settings": ADMIN,
    "municipal-officers": ADMIN,
}
PUBLIC_ID_OF = {"municipal-access-revoke": "municipalaccess"}
