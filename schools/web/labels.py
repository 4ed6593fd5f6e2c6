"""Words the workspace's pages share."""

from __future__ import annotations

from django.utils.translation import gettext as _

from schools.participants.selectors import ConsentState


def consent_labels() -> dict[str, str]:
    """The consent states as people read them (per request, in the active language)."""
    return {
        ConsentState.VALID: _("valid"),
        ConsentState.RECONSENT_DUE: _("valid, renew soon"),
        ConsentState.INVALID_FOR_AGE: _("must be signed again for the age"),
        ConsentState.MISSING: _("missing"),
        ConsentState.WITHDRAWN: _("withdrawn"),
        ConsentState.ERASED: _("data erased"),
    }
