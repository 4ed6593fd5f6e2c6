"""The stage tracker's checks that read the order register: stage 1 is not finished until the
director approved its three orders; stage 4 until an order approved every pair formed."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from schools.programmes.api import Findings, MissingItem, register_stage_check


@register_stage_check(1)
def _stage_one_orders(programme_id: int) -> Findings:
    from schools.documents.models import OrderKind
    from schools.documents.orders import unapproved_stage_one

    found = Findings()
    missing = unapproved_stage_one(programme_id=programme_id)
    if len(missing) < 3:
        found.started = True
    if missing:
        titles = ", ".join(f"«{OrderKind(kind).label}»" for kind in missing)
        found.missing.append(
            MissingItem(
                code="orders",
                message=_("Orders not yet approved by the director: %(titles)s.")
                % {"titles": titles},
                count=len(missing),
            )
        )
    return found


@register_stage_check(4)
def _pairs_approved(programme_id: int) -> Findings:
    from schools.documents.orders import pairs_awaiting_approval_count

    found = Findings()
    waiting = pairs_awaiting_approval_count(programme_id=programme_id)
    if waiting:
        found.started = True
        found.missing.append(
            MissingItem(
                code="pairs_not_approved",
                message=ngettext(
                    "%(count)d pair or group is not yet approved by the director's order.",
                    "%(count)d pairs and groups are not yet approved by the director's order.",
                    waiting,
                )
                % {"count": waiting},
                count=waiting,
            )
        )
    return found
