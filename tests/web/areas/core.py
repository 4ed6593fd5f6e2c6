"""The pages of the first pass: homes, roadmap, participants, imports, matching, pairs;
institutions and applications on the regional layer."""

from __future__ import annotations

from accounts.models import Role

TENANT_ROLES = frozenset(
    {
        Role.COORDINATOR,
        Role.CURATOR,
        Role.DIRECTOR,
        Role.DEPUTY,
        Role.MENTOR,
        Role.MENTEE,
        Role.PARENT,
    }
)
STAFF = frozenset({Role.COORDINATOR, Role.CURATOR, Role.DIRECTOR, Role.DEPUTY})
REGIONAL = frozenset({Role.REGIONAL_ADMIN, Role.REGIONAL_STAFF})

TENANT_ALLOWED = {
    "home": TENANT_ROLES,
    "programme": STAFF,
    "participants": STAFF,
    "participant": STAFF - {Role.CURATOR},  # a curator sees the people of its groups only
    "imports": {Role.COORDINATOR},
    "import": {Role.COORDINATOR},
    "import-progress": {Role.COORDINATOR},
    "matching": STAFF,
    "matching-run": STAFF,
    "pairs": STAFF,
    "pair": STAFF | {Role.MENTOR, Role.MENTEE},
}
TENANT_ID_OF = {
    "participant": "participant",
    "consent-create": "participant",
    "import": "importbatch",
    "import-progress": "importbatch",
    "import-commit": "importbatch",
    "matching-run": "matchrun",
    "matching-approve": "matchrun",
    "matching-decide": "matchproposal",
    "pair": "pair",
    "meeting-create": "pair",
}
PUBLIC_ALLOWED = {
    # a municipal user (of no municipality here) gets the pages, empty; an institution's 404
    "home": REGIONAL | {Role.EMPLOYER, Role.MUNICIPAL},
    "institution-create": {Role.REGIONAL_ADMIN},
    "institution": REGIONAL,
    "institution-status": REGIONAL,
    "applications": REGIONAL | {Role.MUNICIPAL},
}
PUBLIC_ID_OF = {
    "institution": "institution",
    "institution-status": "institution",
    "application-approve": "onboardingapplication",
    "application-reject": "onboardingapplication",
}
# Fragments polled by HTMX: no page frame (no language attribute, no menu) to look for.
FRAGMENTS = {"import-progress", "institution-status"}
