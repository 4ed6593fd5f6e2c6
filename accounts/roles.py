"""The role vocabulary, in one place: which roles exist in which schema and the sets of roles
that the access rules, the API and the pages name. Nothing else spells out a set of roles.

A set names what the roles *do* here (``STAFF``: the institution's staff), not where it is used;
rules that depend on the object (the pair's own mentor, the class's curator) live in the apps'
``access.py`` modules, which start from these sets."""

from __future__ import annotations

from accounts.models import Role

# --- by schema --------------------------------------------------------------------------------
PUBLIC = frozenset({Role.REGIONAL_ADMIN, Role.REGIONAL_STAFF, Role.EMPLOYER, Role.MUNICIPAL})
TENANT = frozenset(Role) - PUBLIC
EVERYONE = frozenset(Role)

# --- the regional centre ------------------------------------------------------------------------
REGIONAL = frozenset({Role.REGIONAL_ADMIN, Role.REGIONAL_STAFF})
REGIONAL_ADMIN = frozenset({Role.REGIONAL_ADMIN})
EMPLOYER = frozenset({Role.EMPLOYER})
# A municipal education department's account: oversees its municipality's institutions.
MUNICIPAL = frozenset({Role.MUNICIPAL})
REGIONAL_OR_EMPLOYER = REGIONAL | EMPLOYER

# --- an institution ---------------------------------------------------------------------------
# Who runs the programme (forms pairs, decides, configures).
COORDINATION = frozenset({Role.COORDINATOR})
# The institution's staff: every page of the workspace's administration.
STAFF = frozenset({Role.COORDINATOR, Role.CURATOR, Role.DIRECTOR, Role.DEPUTY})
# Staff who see every person of the institution (a curator sees only its classes).
FULL_READERS = frozenset({Role.COORDINATOR, Role.DIRECTOR, Role.DEPUTY})
# The curators of classes (a curator's rights follow its classes and its roadmap activities).
CURATORS = frozenset({Role.CURATOR})
# The coordinator and the curators: people, consents, profiles of their classes.
COORDINATION_AND_CURATORS = frozenset({Role.COORDINATOR, Role.CURATOR})
# The two sides of a pair or group.
PAIR_MEMBERS = frozenset({Role.MENTOR, Role.MENTEE})
# Who plans and records meetings and edits the development plan: the pair's mentor, or the
# coordinator.
MENTOR_OR_COORDINATOR = frozenset({Role.COORDINATOR, Role.MENTOR})
# Who plans and records a pair's meetings: also the curator of the class of someone in the pair.
MEETING_WRITERS = frozenset({Role.COORDINATOR, Role.MENTOR, Role.CURATOR})
# Who answers questionnaires as a person of a pair (or the parent of one).
ANSWERERS = frozenset({Role.MENTOR, Role.MENTEE, Role.PARENT})
PARENT = frozenset({Role.PARENT})
DIRECTOR = frozenset({Role.DIRECTOR})
# Who may record a consent: staff of the person's class, and a parent for its child.
CONSENT_RECORDERS = frozenset({Role.COORDINATOR, Role.CURATOR, Role.PARENT})

INVITABLE_CHOICES = [(r.value, r.label) for r in Role if r in TENANT]

__all__ = [
    "ANSWERERS",
    "CONSENT_RECORDERS",
    "COORDINATION",
    "COORDINATION_AND_CURATORS",
    "CURATORS",
    "DIRECTOR",
    "EMPLOYER",
    "EVERYONE",
    "FULL_READERS",
    "INVITABLE_CHOICES",
    "MEETING_WRITERS",
    "MENTOR_OR_COORDINATOR",
    "MUNICIPAL",
    "PAIR_MEMBERS",
    "PARENT",
    "PUBLIC",
    "REGIONAL",
    "REGIONAL_ADMIN",
    "REGIONAL_OR_EMPLOYER",
    "STAFF",
    "TENANT",
    "Role",
]
