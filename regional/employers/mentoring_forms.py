"""The forms of mentoring, as the employer catalogue uses them.

The codes belong to the programmes app (``MentoringForm``); only the enum is read here, so
the public schema stores the same codes an institution's programme uses."""

from __future__ import annotations

from schools.programmes.models import MentoringForm

MENTORING_FORM_CHOICES = MentoringForm.choices
MENTORING_FORM_CODES = frozenset(MentoringForm.values)
