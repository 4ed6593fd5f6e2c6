"""Objects of institution B for single sign-on (the admin lists the linked provider accounts)."""

from __future__ import annotations

from accounts.models import ExternalIdentity, User
from tests.isolation.objects_of_b import MARKER, bump_sequence, factory


@factory("accounts.externalidentity")
def _external_identity(user: User) -> str:
    bump_sequence("accounts_externalidentity")
    identity = ExternalIdentity.objects.create(
        user=user, issuer="https://idp.region.example", subject=MARKER
    )
    return str(identity.pk)
