"""The regional centre's own pages: the audit log and the publication setting (k), for the
regional administrator only."""

from __future__ import annotations

from accounts.models import Role

ADMIN = frozenset({Role.REGIONAL_ADMIN})

PUBLIC_ALLOWED = {
    "audit": ADMIN,
    "settings": ADMIN,
    "municipal-officers": ADMIN,
}
PUBLIC_ID_OF = {"municipal-access-revoke": "municipalaccess"}
