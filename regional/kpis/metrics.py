"""The metric keys institutions report, and how one institution computes them.

A metric is a non-negative integer that an institution reports for a period. It is computed
inside the institution's own schema through the school apps' ``api.py`` functions (numbers
only, ADR 0004) and stored in the public schema in an ``InstitutionSnapshot``. Indicators pick
their numerator and denominator from these keys, so the region can define a new indicator over
the keys below (in the admin) without a code change; a new key is a code change here.

Keys whose source does not exist yet are simply absent from a snapshot (the indicator then shows
"no data"): the stage keys without a programme for the period's academic year, the
satisfaction index until the monitoring app (``schools.monitoring.api.satisfaction_totals``)
is installed.

Stage keys (from ``schools.programmes.api.programme_kpi_numbers``, the figures of
``stage_states``, as of the period's day): for each stage ``n``, ``stage_<n>_done`` (1 or 0),
``stage_<n>_due`` (1 when the stage's last roadmap deadline has passed: the institution is
expected to have completed it) and ``stage_<n>_overdue_activities`` (open roadmap activities
past their deadline)."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from regional.privacy.api import Family
from schools.monitoring import api as monitoring
from schools.pairs import api as pairs
from schools.participants import api as participants
from schools.programmes import api as programmes

# The codes of the forms of mentoring (shared/GLOSSARY.md, ``MentoringForm``).
FORM_CODES = (
    "student_student",
    "pupil_pupil",
    "teacher_teacher",
    "teacher_student",
    "student_pupil",
    "employer_pupil",
    "employer_student",
)
STAGES = (1, 2, 3, 4, 5, 6)
# The stage codes as ``schools.programmes.api.stage_states`` gives them.
STAGE_CODES: dict[int, str] = {
    1: "preparation",
    2: "mentee_base",
    3: "mentor_base",
    4: "matching",
    5: "work",
    6: "completion",
}
STAGE_NAMES: dict[int, Promise] = {
    1: _("Preparing the conditions"),
    2: _("Forming the mentee base"),
    3: _("Forming the mentor base"),
    4: _("Selecting mentors and forming pairs and groups"),
    5: _("Organising the work of pairs and groups"),
    6: _("Completing the programme"),
}

METRIC_KEYS: dict[str, Promise] = {
    "programme": _("Programme for the academic year exists (1 or 0)"),
    "headcount_learners": _("Learners aged 10 and over (declared headcount)"),
    "headcount_teachers": _("Teachers (declared headcount)"),
    "headcount_young_teachers": _("Young teachers (declared headcount)"),
    "learner_mentees_10_plus": _("Learners aged 10 and over who are mentees"),
    "learner_mentors": _("Learners who are mentors"),
    "young_specialist_mentees": _("Young teachers who are mentees"),
    "employer_specialist_mentors": _("Mentors who are employers' specialists"),
    "mentors": _("Mentors"),
    "mentees": _("Mentees"),
    "pairs_active": _("Active pairs and groups"),
    "pairs_total": _("Pairs and groups (any status)"),
    **{f"pairs_form_{code}": _("Active pairs and groups of the form") for code in FORM_CODES},
    "meetings_held": _("Meetings held"),
    "mentees_paired": _("Mentees in an active pair or group"),
    "mentees_without_pair": _("Mentees without a pair or group"),
    "employers_partnered": _("Partner employers (any request from the institution)"),
    "employers_supplying": _("Partner employers with an active placement of a mentor"),
    "employer_mentors_placed": _("Employers' specialists placed at the institution now"),
    "stages_total": _("Stages tracked"),
    "stages_done": _("Stages completed"),
    **{f"stage_{n}_done": _("Stage completed (1 or 0)") for n in STAGES},
    **{f"stage_{n}_due": _("Stage due by its roadmap deadlines (1 or 0)") for n in STAGES},
    **{
        f"stage_{n}_overdue_activities": _("Roadmap activities of the stage past their deadline")
        for n in STAGES
    },
    "satisfaction_score_sum": _("Sum of satisfaction scores (1–10)"),
    "satisfaction_responses": _("Satisfaction answers"),
}
# Keys that count no people (flags, stages, employer organisations): published as they are.
# Every other key counts people and goes through anonymisation.
PERSON_FREE_KEYS = frozenset(
    {
        "programme",
        "stages_total",
        "stages_done",
        *(f"stage_{n}_done" for n in STAGES),
        *(f"stage_{n}_due" for n in STAGES),
        *(f"stage_{n}_overdue_activities" for n in STAGES),
        "employers_partnered",
        "employers_supplying",
    }
)

# Keys linked by an identity in every institution (and so in every total): a total and its
# parts. Publication audits each family as one table (``regional.privacy.Family``), so a
# hidden part cannot be worked out from its total and the other parts.
FAMILIES = (
    Family(total="mentees", parts=("mentees_paired", "mentees_without_pair")),
    Family(total="pairs_active", parts=tuple(f"pairs_form_{code}" for code in FORM_CODES)),
)

PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


def period_date(period: str) -> datetime.date:
    """The day a period stands for: ``2026-11`` → 1 November 2026; ``2026-11-15`` → that day.
    Raises ValueError for anything else."""
    match = PERIOD_RE.match(period)
    if match is None:
        raise ValueError(f"Not a period: {period!r}")
    year, month, day = match.groups()
    return datetime.date(int(year), int(month), int(day or 1))


def academic_year_of(day: datetime.date) -> int:
    """The academic year running on ``day`` (it starts on 1 September), as programmes use it."""
    return day.year if day.month >= 9 else day.year - 1


def institution_metrics(*, on: datetime.date) -> dict[str, int]:
    """The metrics of the institution whose schema is active, as of ``on``. Numbers only.

    A handful of queries whatever the institution's size (``tests/schools/pairs/
    test_counts_api.py``: the query count): the programme of the period's academic year with
    its headcount, stage marks and roadmap numbers; the pairs per form, the meetings held and
    the mentees of active pairs; every people count (the consent state derived once per
    person); the satisfaction answers."""
    values: dict[str, int] = {}
    programme = programmes.programme_kpi_numbers(academic_year=academic_year_of(on), today=on)
    values["programme"] = int(programme is not None)
    values["headcount_learners"] = programme["learners"] if programme else 0
    values["headcount_teachers"] = programme["teachers"] if programme else 0
    values["headcount_young_teachers"] = programme["young_teachers"] if programme else 0

    # Pairs and meetings of the programme of the period's academic year (a snapshot is the
    # state when taken).
    by_form = dict.fromkeys(FORM_CODES, 0)
    paired: set[int] = set()
    if programme is not None:
        numbers = pairs.programme_pair_numbers(programme_id=programme["id"])
        values["pairs_active"] = numbers["pairs_active"]
        values["pairs_total"] = numbers["pairs_total"]
        values["meetings_held"] = numbers["meetings_held"]
        for code, count in numbers["by_form"].items():
            if code in by_form:
                by_form[code] = count
        paired = numbers["active_mentee_ids"]
    else:
        values.update(pairs_active=0, pairs_total=0, meetings_held=0)
    values.update({f"pairs_form_{code}": count for code, count in by_form.items()})
    # The people counts (valid consent only) and, exactly, the counted mentees (the
    # denominator ``mentees``) who are, or are not, in an active pair or group of the programme.
    values.update(participants.kpi_numerators(today=on, paired_ids=paired))

    if programme is not None:
        values.update(_stage_values(programme["stages"], on=on))
    values.update(_satisfaction())
    return clean_metrics(values)


def _stage_values(rows: list[programmes.StageNumbersRow], *, on: datetime.date) -> dict[str, int]:
    values: dict[str, int] = {}
    for row in rows:
        n = row["order"]
        values[f"stage_{n}_done"] = int(row["done"])
        values[f"stage_{n}_due"] = int(row["due_by"] is not None and row["due_by"] < on)
        values[f"stage_{n}_overdue_activities"] = row["overdue_activities"]
    values["stages_total"] = len(STAGES)
    values["stages_done"] = sum(values[f"stage_{n}_done"] for n in STAGES)
    return values


def _satisfaction() -> dict[str, int]:
    """Satisfaction totals from the monitoring app's api (``satisfaction_score_sum``,
    ``satisfaction_responses``)."""
    result = monitoring.satisfaction_totals()
    return {
        key: int(result[key])
        for key in ("satisfaction_score_sum", "satisfaction_responses")
        if key in result
    }


def clean_metrics(values: dict[str, Any]) -> dict[str, int]:
    """Only known keys, only non-negative integers: whatever else a source returns is dropped."""
    cleaned: dict[str, int] = {}
    for key, value in sorted(values.items()):
        if key in METRIC_KEYS and isinstance(value, int) and int(value) >= 0:
            cleaned[key] = int(value)
    return cleaned
