"""The matching engine: compatibility scores and the assignment of mentees to mentors.

Pure Python with NumPy and SciPy, no Django: the services feed it plain dataclasses and store
what it returns, the bench and the property tests call it directly.

* ``score_pair()`` explains one mentor–mentee pair criterion by criterion, or says why the pair
  is excluded. ``candidate_arcs()`` computes the same scores for every pair of a programme at
  once (vectorised, in chunks of mentees) and keeps only the feasible ones: the candidate graph.
  A test asserts that both give the same numbers.
* ``match_optimal()`` maximises the total score within every mentor's remaining capacity with
  the coordinator's fixed pairs kept. Each mentor is split into one column per free place
  ("slot"), every mentee also gets a private "stays unmatched" column, and SciPy's sparse
  Jonker–Volgenant solver (``min_weight_full_bipartite_matching``) finds the exact optimum on
  that sparse graph: only feasible pairs are arcs.
* ``match_greedy()`` is the baseline: best remaining pair first.

Participant ids are shared by mentees and mentors (one person may be both, in different
forms); a pair is always (mentor id, mentee id)."""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

# --- forms and their roles ---------------------------------------------------------------------

# form → (mentor categories, mentee categories). Categories are those of
# schools.participants.models.Category; forms those of schools.programmes.models.MentoringForm.
FORM_ROLES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "student_student": (frozenset({"student", "alumnus"}), frozenset({"student"})),
    "pupil_pupil": (frozenset({"pupil"}), frozenset({"pupil"})),
    "teacher_teacher": (
        frozenset({"teacher", "master"}),
        frozenset({"teacher", "master", "young_specialist"}),
    ),
    "teacher_student": (frozenset({"teacher", "master"}), frozenset({"student", "pupil"})),
    "student_pupil": (frozenset({"student", "alumnus"}), frozenset({"pupil"})),
    "employer_pupil": (frozenset({"employer_specialist"}), frozenset({"pupil"})),
    "employer_student": (frozenset({"employer_specialist"}), frozenset({"student"})),
}
# Learners of about the same age: the age gap and the study group matter.
PEER_FORMS = frozenset({"pupil_pupil", "student_student"})
# Learner mentors: the mentor must not be younger than the mentee.
LEARNER_FORMS = PEER_FORMS | {"student_pupil"}

CRITERIA = ("form", "needs", "preference", "time", "peer")

# Why a pair cannot be proposed (hard exclusions). Pair-level and person-level.
EXCLUSION_REASONS = (
    "same_person",
    "form_mismatch",
    "needs_not_covered",
    "mentor_younger",
    "avoid",
    "excluded",
    "mentor_no_consent",
    "mentor_full",
    "mentee_no_consent",
    "already_paired",
)
# Why a mentee is left without a mentor: the mentee's own state, else the first criterion of
# ``FUNNEL`` that no mentor of the base passes (see ``explain_unmatched``).
UNMATCHED_REASONS = (
    "no_consent",
    "already_paired",
    "no_form",
    "needs_not_covered",
    "mentor_younger",
    "avoided",
    "mentors_no_consent",
    "mentors_full",
    "capacity_exhausted",
)
# The criteria a mentor must pass for a mentee, in the order the explanation applies them:
# a form of the programme fits both roles; the mentor covers the requests; a learner mentor is
# not younger; neither asked not to be paired and the coordinator did not reject the pair; the
# mentor has a valid consent; a free place before the run; a place left after this run.
FUNNEL = ("form", "needs", "age", "wishes", "consent", "capacity", "this_run")
BLOCKED_BY = {
    "form": "no_form",
    "needs": "needs_not_covered",
    "age": "mentor_younger",
    "wishes": "avoided",
    "consent": "mentors_no_consent",
    "capacity": "mentors_full",
    "this_run": "capacity_exhausted",
}

PREFER, AVOID = "prefer", "avoid"


# --- input ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MenteeIn:
    id: int
    category: str
    needs: frozenset[str] = frozenset()
    preferred_form: str = ""
    study_group: int | None = None
    age: int | None = None
    has_consent: bool = True
    already_paired: bool = False


@dataclass(frozen=True, slots=True)
class MentorIn:
    id: int
    category: str
    competences: frozenset[str] = frozenset()
    hours_per_month: int | None = None
    capacity: int = 1
    current_load: int = 0
    study_group: int | None = None
    age: int | None = None
    has_consent: bool = True


@dataclass(frozen=True, slots=True)
class PreferenceIn:
    """After the group meeting ``from_id`` would prefer (or avoid) ``to_id``; rank 1 is the
    first choice, None an unranked wish."""

    from_id: int
    to_id: int
    kind: str = PREFER
    rank: int | None = None


@dataclass(frozen=True)
class Weights:
    """Points per criterion (a criterion's value 0–1 times its weight) and the tunable rules.

    Defaults: mutual preferences after the group meeting weigh most, then the fit of the
    competences to the requests; form, time resource and the peer rules refine."""

    form: float = 10.0
    needs: float = 30.0
    preference: float = 40.0
    time: float = 10.0
    peer: float = 10.0
    # A mentee who stated requests needs a mentor covering at least this many of them (0: off).
    min_needs_covered: int = 1
    # Hours a month per mentee that count as a full time resource.
    hours_per_mentee: float = 4.0

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Weights:
        """Weights from stored JSON; unknown keys are ignored, missing ones take defaults."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in names})

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def problems(self) -> dict[str, str]:
        """Field → problem, empty when the weights are usable."""
        out: dict[str, str] = {}
        for name in CRITERIA:
            value = getattr(self, name)
            if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                out[name] = "must be a non-negative number"
        if not isinstance(self.min_needs_covered, int) or self.min_needs_covered < 0:
            out["min_needs_covered"] = "must be a non-negative whole number"
        if not isinstance(self.hours_per_mentee, int | float) or not self.hours_per_mentee > 0:
            out["hours_per_mentee"] = "must be a positive number"
        return out

    @property
    def maximum(self) -> float:
        return float(sum(getattr(self, name) for name in CRITERIA))


@dataclass(frozen=True)
class Problem:
    mentees: Sequence[MenteeIn]
    mentors: Sequence[MentorIn]
    forms: Sequence[str]  # the programme's forms, in its order of preference
    preferences: Sequence[PreferenceIn] = ()
    exclusions: frozenset[tuple[int, int]] = frozenset()  # (mentor id, mentee id)
    fixed: Sequence[tuple[int, int]] = ()  # (mentor id, mentee id) kept as they are
    weights: Weights = field(default_factory=Weights)


class MatchingInputError(ValueError):
    """The problem cannot be solved as given; ``problems`` lists (code, detail) pairs."""

    def __init__(self, problems: list[tuple[str, dict[str, Any]]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{code}: {detail}" for code, detail in problems))


# --- output --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Criterion:
    code: str
    value: float  # 0–1
    weight: float
    points: float
    detail: dict[str, Any]


@dataclass(frozen=True)
class ScoreBreakdown:
    mentor_id: int
    mentee_id: int
    form: str | None
    total: float
    criteria: tuple[Criterion, ...]
    excluded: tuple[str, ...]  # reasons from EXCLUSION_REASONS; empty when feasible

    @property
    def feasible(self) -> bool:
        return not self.excluded

    def as_dict(self) -> dict[str, Any]:
        return {
            "form": self.form,
            "total": round(self.total, 4),
            "criteria": [
                {
                    "code": c.code,
                    "value": round(c.value, 4),
                    "weight": c.weight,
                    "points": round(c.points, 4),
                    "detail": c.detail,
                }
                for c in self.criteria
            ],
            "excluded": list(self.excluded),
        }


@dataclass(frozen=True, slots=True)
class Assignment:
    mentor_id: int
    mentee_id: int
    score: float
    form: str
    fixed: bool = False


@dataclass(frozen=True, slots=True)
class Unmatched:
    mentee_id: int
    reason: str  # from UNMATCHED_REASONS
    # The explanation (``explain_unmatched``): mentors left after each criterion, the blocking
    # one, the requests and who covers them, the mentors that failed only the blocking one.
    detail: dict[str, Any]


@dataclass(frozen=True)
class MatchResult:
    algorithm: str
    assignments: tuple[Assignment, ...]
    unmatched: tuple[Unmatched, ...]
    total_score: float
    candidate_count: int  # feasible pairs (arcs of the candidate graph)
    pair_count: int  # all mentee × mentor pairs considered
    timings: dict[str, float]
    # Mentees with at least one feasible mentor (a fixed one, or one with a place after the
    # current load and the fixed pairs that passes every rule): those the run can place.
    feasible_mentee_ids: frozenset[int] = frozenset()

    @property
    def placed_feasible(self) -> int:
        """Mentees with a feasible mentor that the run placed."""
        return sum(1 for a in self.assignments if a.mentee_id in self.feasible_mentee_ids)

    @property
    def density(self) -> float:
        return self.candidate_count / self.pair_count if self.pair_count else 0.0


# --- scoring one pair (the explanation) -----------------------------------------------------------


class PreferenceIndex:
    """Preferences by (from id, to id). Several statements about the same person (e.g. from
    two group meetings) collapse to one: an "avoid" wins, else the strongest wish."""

    def __init__(self, preferences: Iterable[PreferenceIn]) -> None:
        self._by_pair: dict[tuple[int, int], PreferenceIn] = {}
        for p in preferences:
            key = (p.from_id, p.to_id)
            old = self._by_pair.get(key)
            if (
                old is None
                or (p.kind == AVOID and old.kind != AVOID)
                or (
                    p.kind == old.kind == PREFER
                    and preference_strength(p.rank) > preference_strength(old.rank)
                )
            ):
                self._by_pair[key] = p

    def get(self, from_id: int, to_id: int) -> PreferenceIn | None:
        return self._by_pair.get((from_id, to_id))

    def __iter__(self) -> Iterator[PreferenceIn]:
        return iter(self._by_pair.values())


def preference_strength(rank: int | None) -> float:
    """1 for a first choice or an unranked wish, 1/2 for the second, 1/3 for the third…"""
    return 1.0 if rank is None or rank <= 1 else 1.0 / rank


def choose_form(mentor_category: str, mentee: MenteeIn, forms: Sequence[str]) -> str | None:
    """The programme form this pair would work in: the mentee's preferred one if it fits both
    roles, else the first fitting form in the programme's order; None when none fits."""
    fitting = [
        f
        for f in forms
        if f in FORM_ROLES
        and mentor_category in FORM_ROLES[f][0]
        and mentee.category in FORM_ROLES[f][1]
    ]
    if not fitting:
        return None
    if mentee.preferred_form in fitting:
        return mentee.preferred_form
    return fitting[0]


def _peer(
    form: str | None, mentor: MentorIn, mentee: MenteeIn
) -> tuple[float, dict[str, Any], bool]:
    """(value, detail, mentor younger?) of the age and study-group rules."""
    if form not in LEARNER_FORMS:
        return 1.0, {"applies": False}, False
    if mentor.age is None or mentee.age is None:
        return 0.5, {"applies": True, "age_gap": None}, False
    gap = mentor.age - mentee.age
    same_group = mentor.study_group is not None and mentor.study_group == mentee.study_group
    detail = {"applies": True, "age_gap": gap, "same_group": same_group}
    if gap < 0:
        return 0.0, detail, True
    if form not in PEER_FORMS:
        return 1.0, detail, False
    if 1 <= gap <= 4:
        return 1.0, detail, False
    if gap == 0:
        return (0.8 if same_group else 0.6), detail, False
    return 0.5, detail, False


def _time_value(mentor: MentorIn, weights: Weights) -> tuple[float, dict[str, Any]]:
    if mentor.hours_per_month is None:
        return 0.5, {"hours_per_month": None}
    per_mentee = mentor.hours_per_month / max(mentor.capacity, 1)
    return min(1.0, per_mentee / weights.hours_per_mentee), {
        "hours_per_month": mentor.hours_per_month,
        "hours_per_mentee": round(per_mentee, 2),
    }


def score_pair(
    mentor: MentorIn,
    mentee: MenteeIn,
    *,
    forms: Sequence[str],
    weights: Weights | None = None,
    preferences: PreferenceIndex | None = None,
    exclusions: frozenset[tuple[int, int]] = frozenset(),
    ignore_load: bool = False,
) -> ScoreBreakdown:
    """The compatibility of one pair, criterion by criterion, with every hard exclusion that
    applies. ``ignore_load`` skips the "capacity full" rule (for a pair already counted in the
    mentor's load, e.g. a fixed one)."""
    weights = weights or Weights()
    preferences = preferences or PreferenceIndex(())
    excluded: list[str] = []
    if mentor.id == mentee.id:
        excluded.append("same_person")

    form = choose_form(mentor.category, mentee, forms)
    if form is None:
        excluded.append("form_mismatch")
        form_value = 0.0
    else:
        form_value = 1.0 if not mentee.preferred_form or form == mentee.preferred_form else 0.5
    form_detail = {
        "form": form,
        "preferred_form": mentee.preferred_form or None,
        "mentor_category": mentor.category,
        "mentee_category": mentee.category,
    }

    covered = sorted(mentee.needs & mentor.competences)
    if mentee.needs:
        needs_value = len(covered) / len(mentee.needs)
        if len(covered) < min(weights.min_needs_covered, len(mentee.needs)):
            excluded.append("needs_not_covered")
    else:
        needs_value = 0.5
    needs_detail = {"covered": covered, "missing": sorted(mentee.needs - mentor.competences)}

    from_mentee = preferences.get(mentee.id, mentor.id)
    from_mentor = preferences.get(mentor.id, mentee.id)
    if (from_mentee and from_mentee.kind == AVOID) or (from_mentor and from_mentor.kind == AVOID):
        excluded.append("avoid")
    s_mentee = (
        preference_strength(from_mentee.rank) if from_mentee and from_mentee.kind == PREFER else 0
    )
    s_mentor = (
        preference_strength(from_mentor.rank) if from_mentor and from_mentor.kind == PREFER else 0
    )
    pref_value = (s_mentee + s_mentor) / 2
    pref_detail = {
        "mentee": _pref_detail(from_mentee),
        "mentor": _pref_detail(from_mentor),
        "mutual": bool(s_mentee and s_mentor),
    }

    time_value, time_detail = _time_value(mentor, weights)
    peer_value, peer_detail, younger = _peer(form, mentor, mentee)
    if younger:
        excluded.append("mentor_younger")

    if (mentor.id, mentee.id) in exclusions:
        excluded.append("excluded")
    if not mentor.has_consent:
        excluded.append("mentor_no_consent")
    if not ignore_load and mentor.current_load >= mentor.capacity:
        excluded.append("mentor_full")
    if not mentee.has_consent:
        excluded.append("mentee_no_consent")
    if mentee.already_paired:
        excluded.append("already_paired")

    values: dict[str, tuple[float, dict[str, Any]]] = {
        "form": (form_value, form_detail),
        "needs": (needs_value, needs_detail),
        "preference": (pref_value, pref_detail),
        "time": (time_value, time_detail),
        "peer": (peer_value, peer_detail),
    }
    criteria = tuple(
        Criterion(
            code=code,
            value=values[code][0],
            weight=float(getattr(weights, code)),
            points=float(getattr(weights, code)) * values[code][0],
            detail=values[code][1],
        )
        for code in CRITERIA
    )
    total = 0.0
    for c in criteria:
        total += c.points
    return ScoreBreakdown(
        mentor_id=mentor.id,
        mentee_id=mentee.id,
        form=form,
        total=total,
        criteria=criteria,
        excluded=tuple(excluded),
    )


def _pref_detail(pref: PreferenceIn | None) -> dict[str, Any] | None:
    return None if pref is None else {"kind": pref.kind, "rank": pref.rank}


# --- all pairs at once: the candidate graph -----------------------------------------------------


@dataclass(frozen=True)
class Candidates:
    """Feasible pairs as parallel arrays of indexes into ``problem.mentees`` / ``mentors``."""

    mentee: npt.NDArray[np.int32]
    mentor: npt.NDArray[np.int32]
    score: npt.NDArray[np.float64]
    form: npt.NDArray[np.int16]  # index into ``forms``
    forms: tuple[str, ...]


CHUNK = 512


def candidate_arcs(problem: Problem) -> Candidates:
    """Every feasible (mentor, mentee) pair with its total score, computed for all pairs of the
    programme at once. Uses the same rules and numbers as ``score_pair``."""
    w = problem.weights
    mentees, mentors = list(problem.mentees), list(problem.mentors)
    n, m = len(mentees), len(mentors)
    forms = tuple(dict.fromkeys(f for f in problem.forms if f in FORM_ROLES))
    f_count = len(forms)
    form_of = {f: k for k, f in enumerate(forms)}

    categories = sorted({x.category for x in mentees} | {x.category for x in mentors})
    cat_of = {c: k for k, c in enumerate(categories)}
    # chosen[mentor category, mentee category, preference code] → form index or -1; the
    # preference code is the form index, f_count for "none", f_count+1 for "another form".
    chosen = np.full((len(categories), len(categories), f_count + 2), -1, dtype=np.int16)
    form_val = np.zeros(chosen.shape, dtype=np.float64)
    for a, mentor_cat in enumerate(categories):
        for b, mentee_cat in enumerate(categories):
            fitting = [
                k
                for k, f in enumerate(forms)
                if mentor_cat in FORM_ROLES[f][0] and mentee_cat in FORM_ROLES[f][1]
            ]
            if not fitting:
                continue
            for p in range(f_count + 2):
                if p in fitting:
                    chosen[a, b, p], form_val[a, b, p] = p, 1.0
                else:
                    chosen[a, b, p] = fitting[0]
                    form_val[a, b, p] = 1.0 if p == f_count else 0.5

    # Needs and competences as bit sets, 64 tags to a word: overlap = popcount(a & b).
    tags = sorted(set().union(*(x.needs for x in mentees), *(x.competences for x in mentors)))
    tag_of = {t: k for k, t in enumerate(tags)}
    words = max(1, (len(tags) + 63) // 64)

    def bits(items: Sequence[frozenset[str]]) -> npt.NDArray[np.uint64]:
        out = np.zeros((len(items), words), dtype=np.uint64)
        for row, item in enumerate(items):
            for t in item:
                k = tag_of[t]
                out[row, k // 64] |= np.uint64(1) << np.uint64(k % 64)
        return out

    needs = bits([x.needs for x in mentees])
    comps = bits([y.competences for y in mentors])
    need_count = np.array([len(x.needs) for x in mentees], dtype=np.float64)

    def pref_code(x: MenteeIn) -> int:
        if not x.preferred_form:
            return f_count
        return form_of.get(x.preferred_form, f_count + 1)

    e_cat = np.array([cat_of[x.category] for x in mentees], dtype=np.int16)
    e_pref = np.array([pref_code(x) for x in mentees], dtype=np.int16)
    e_id = np.array([x.id for x in mentees], dtype=np.int64)
    e_age = np.array([-1 if x.age is None else x.age for x in mentees], dtype=np.int32)
    e_group = np.array([-1 if x.study_group is None else x.study_group for x in mentees])
    e_ok = np.array([x.has_consent and not x.already_paired for x in mentees], dtype=bool)
    r_cat = np.array([cat_of[y.category] for y in mentors], dtype=np.int16)
    r_id = np.array([y.id for y in mentors], dtype=np.int64)
    r_age = np.array([-1 if y.age is None else y.age for y in mentors], dtype=np.int32)
    r_group = np.array([-1 if y.study_group is None else y.study_group for y in mentors])
    r_consent = np.array([y.has_consent for y in mentors], dtype=bool)
    r_free = np.array([y.current_load < y.capacity for y in mentors], dtype=bool)
    r_time = np.array([_time_value(y, w)[0] for y in mentors], dtype=np.float64)
    min_cov = np.minimum(float(w.min_needs_covered), need_count)

    peer_forms = np.array([f in PEER_FORMS for f in forms] + [False], dtype=bool)
    learner_forms = np.array([f in LEARNER_FORMS for f in forms] + [False], dtype=bool)

    # 1. Coarse rules, dense per chunk of mentees: form, requests covered, persons usable.
    e_index: dict[int, int] = {x.id: i for i, x in enumerate(mentees)}
    r_index: dict[int, int] = {y.id: j for j, y in enumerate(mentors)}
    r_ok = r_consent & r_free
    # ``chosen`` flattened: index = mentor part + mentee part.
    chosen_flat = chosen.reshape(-1)
    r_code = r_cat.astype(np.int64) * (chosen.shape[1] * chosen.shape[2])
    e_code = e_cat.astype(np.int64) * chosen.shape[2] + e_pref
    parts_i: list[npt.NDArray[np.int64]] = []
    parts_j: list[npt.NDArray[np.int64]] = []
    parts_o: list[npt.NDArray[np.uint8]] = []
    for start in range(0, n, CHUNK):
        stop = min(start + CHUNK, n)
        rows = slice(start, stop)
        form_ok = chosen_flat[r_code[None, :] + e_code[rows, None]] >= 0
        overlap = np.bitwise_count(needs[rows, 0, None] & comps[None, :, 0])
        for word in range(1, words):
            overlap += np.bitwise_count(needs[rows, word, None] & comps[None, :, word])
        covered = overlap >= min_cov[rows, None]
        feasible = form_ok & covered & r_ok[None, :] & e_ok[rows, None]
        ii, jj = np.nonzero(feasible)
        parts_i.append(ii + start)
        parts_j.append(jj)
        parts_o.append(overlap[ii, jj])
    ci = np.concatenate(parts_i) if parts_i else np.zeros(0, dtype=np.int64)
    cj = np.concatenate(parts_j) if parts_j else np.zeros(0, dtype=np.int64)
    overlap_arc = (np.concatenate(parts_o) if parts_o else np.zeros(0)).astype(np.float64)

    # 2. The rest, on the arcs only: scores, and the pair rules (age, avoid, exclusions).
    pc = e_pref[ci]
    form_k = chosen[r_cat[cj], e_cat[ci], pc]
    fv = form_val[r_cat[cj], e_cat[ci], pc]
    nc = need_count[ci]
    nv = np.where(nc > 0, overlap_arc / np.where(nc > 0, nc, 1.0), 0.5)

    is_learner = learner_forms[form_k]
    is_peer = peer_forms[form_k]
    ages_known = (r_age[cj] >= 0) & (e_age[ci] >= 0)
    gap = r_age[cj] - e_age[ci]
    same_group = (r_group[cj] == e_group[ci]) & (r_group[cj] != -1)
    peer_v = np.select(
        [
            ~is_learner,
            ~ages_known,
            gap < 0,
            ~is_peer,
            (gap >= 1) & (gap <= 4),
            (gap == 0) & same_group,
            gap == 0,
        ],
        [1.0, 0.5, 0.0, 1.0, 1.0, 0.8, 0.6],
        default=0.5,
    )

    key = ci * m + cj
    pref_keys: list[int] = []
    pref_s: list[float] = []
    avoid_keys: list[int] = []
    for pref in PreferenceIndex(problem.preferences):
        for i, j in (
            (e_index.get(pref.from_id), r_index.get(pref.to_id)),
            (e_index.get(pref.to_id), r_index.get(pref.from_id)),
        ):
            if i is None or j is None:
                continue
            if pref.kind == AVOID:
                avoid_keys.append(i * m + j)
            else:
                pref_keys.append(i * m + j)
                pref_s.append(preference_strength(pref.rank) / 2)
    pv = np.zeros(len(key), dtype=np.float64)
    if pref_keys:
        # A pair gets the mentee's and the mentor's halves: sum them per key, then look up.
        uk, inv = np.unique(np.array(pref_keys, dtype=np.int64), return_inverse=True)
        sums = np.bincount(inv, weights=np.array(pref_s), minlength=len(uk))
        pos = np.clip(np.searchsorted(uk, key), 0, len(uk) - 1)
        hit = uk[pos] == key
        pv[hit] = sums[pos[hit]]
    excl_keys = [
        e_index[e] * m + r_index[r] for r, e in problem.exclusions if e in e_index and r in r_index
    ]
    drops = {
        "same_person": r_id[cj] == e_id[ci],
        "mentor_younger": is_learner & ages_known & (gap < 0),
        "avoid": np.isin(key, np.array(avoid_keys, dtype=np.int64)),
        "excluded": np.isin(key, np.array(excl_keys, dtype=np.int64)),
    }
    keep = np.ones(len(key), dtype=bool)
    for mask in drops.values():
        keep &= ~mask

    total = w.form * fv
    total += w.needs * nv
    total += w.preference * pv
    total += w.time * r_time[cj]
    total += w.peer * peer_v

    return Candidates(
        mentee=ci[keep].astype(np.int32),
        mentor=cj[keep].astype(np.int32),
        score=total[keep],
        form=form_k[keep].astype(np.int16),
        forms=forms,
    )


# --- fixed pairs ---------------------------------------------------------------------------------


def _check_fixed(problem: Problem) -> tuple[list[Assignment], dict[int, int]]:
    """The fixed pairs as assignments and every mentor's places left after them; raises
    ``MatchingInputError`` when a fixed pair is impossible."""
    mentees = {x.id: x for x in problem.mentees}
    mentors = {y.id: y for y in problem.mentors}
    prefs = PreferenceIndex(problem.preferences)
    problems: list[tuple[str, dict[str, Any]]] = []
    seen: set[int] = set()
    left = {y.id: y.capacity - y.current_load for y in problem.mentors}
    kept: list[Assignment] = []
    for mentor_id, mentee_id in problem.fixed:
        mentor, mentee = mentors.get(mentor_id), mentees.get(mentee_id)
        where = {"mentor_id": mentor_id, "mentee_id": mentee_id}
        if mentor is None or mentee is None:
            problems.append(("unknown_participant", where))
            continue
        if mentee_id in seen:
            problems.append(("mentee_fixed_twice", where))
            continue
        seen.add(mentee_id)
        breakdown = score_pair(
            mentor,
            mentee,
            forms=problem.forms,
            weights=problem.weights,
            preferences=prefs,
            exclusions=problem.exclusions,
            ignore_load=True,
        )
        if breakdown.excluded:
            problems.append(("fixed_pair_excluded", {**where, "reasons": list(breakdown.excluded)}))
            continue
        left[mentor_id] -= 1
        if left[mentor_id] < 0:
            problems.append(("mentor_over_capacity", where))
            continue
        assert breakdown.form is not None
        kept.append(Assignment(mentor_id, mentee_id, breakdown.total, breakdown.form, fixed=True))
    if problems:
        raise MatchingInputError(problems)
    return kept, left


# --- solvers -------------------------------------------------------------------------------------


def match_optimal(problem: Problem) -> MatchResult:
    """The assignment with the greatest total score: every mentee at most once, every mentor
    within the places left after its current load and the fixed pairs (exact, SciPy)."""
    return _match(problem, "optimal")


def match_greedy(problem: Problem) -> MatchResult:
    """The baseline: take the best remaining feasible pair until none is left."""
    return _match(problem, "greedy")


def _match(problem: Problem, algorithm: str) -> MatchResult:
    bad_weights = problem.weights.problems()
    if bad_weights:
        raise MatchingInputError([("weights", {"fields": bad_weights})])
    clock = time.perf_counter()
    fixed, left = _check_fixed(problem)
    cand = candidate_arcs(problem)
    timings = {"scoring": time.perf_counter() - clock}

    fixed_mentees = {a.mentee_id for a in fixed}
    e_ids = np.array([x.id for x in problem.mentees], dtype=np.int64)
    r_left = np.array([max(left[y.id], 0) for y in problem.mentors], dtype=np.int64)
    keep = (r_left[cand.mentor] > 0) & ~np.isin(
        e_ids[cand.mentee], np.fromiter(fixed_mentees, dtype=np.int64, count=len(fixed_mentees))
    )
    ci, cj, cs, cf = cand.mentee[keep], cand.mentor[keep], cand.score[keep], cand.form[keep]

    clock = time.perf_counter()
    if algorithm == "optimal":
        chosen = _solve_optimal(ci, cj, cs, r_left, len(problem.mentees))
    else:
        chosen = _solve_greedy(ci, cj, cs, r_left)
    timings["solving"] = time.perf_counter() - clock

    assignments = list(fixed)
    for k in chosen:
        assignments.append(
            Assignment(
                mentor_id=problem.mentors[int(cj[k])].id,
                mentee_id=problem.mentees[int(ci[k])].id,
                score=float(cs[k]),
                form=cand.forms[int(cf[k])],
            )
        )
    clock = time.perf_counter()
    unmatched = explain_unmatched(problem, assignments, left=left)
    timings["explaining"] = time.perf_counter() - clock
    feasible = {a.mentee_id for a in fixed} | {problem.mentees[int(i)].id for i in np.unique(ci)}
    assignments.sort(key=lambda a: (a.mentor_id, a.mentee_id))
    return MatchResult(
        algorithm=algorithm,
        assignments=tuple(assignments),
        unmatched=tuple(unmatched),
        total_score=float(sum(a.score for a in assignments)),
        candidate_count=len(cand.score),
        pair_count=len(problem.mentees) * len(problem.mentors),
        timings=timings,
        feasible_mentee_ids=frozenset(feasible),
    )


def _solve_greedy(
    ci: npt.NDArray[np.int32],
    cj: npt.NDArray[np.int32],
    cs: npt.NDArray[np.float64],
    left: npt.NDArray[np.int64],
) -> list[int]:
    # Best score first; ties by mentee, then mentor index, so that the result is reproducible.
    order = np.lexsort((cj, ci, -cs))
    left = left.copy()
    taken: set[int] = set()
    chosen: list[int] = []
    places = int(left[np.unique(cj)].sum()) if len(cj) else 0
    mentees = len(np.unique(ci))
    for k, i, j in zip(order.tolist(), ci[order].tolist(), cj[order].tolist(), strict=True):
        if i in taken or left[j] <= 0:
            continue
        taken.add(i)
        left[j] -= 1
        chosen.append(k)
        places -= 1
        if places == 0 or len(taken) == mentees:
            break
    return chosen


def _solve_optimal(
    ci: npt.NDArray[np.int32],
    cj: npt.NDArray[np.int32],
    cs: npt.NDArray[np.float64],
    left: npt.NDArray[np.int64],
    mentee_count: int,
) -> list[int]:
    """Maximum-weight b-matching as a min-weight full bipartite matching.

    Rows are the free places ("slots") of the mentors: a mentor with two places left is two
    identical rows, each with an arc to every candidate mentee of that mentor. Every slot also
    gets a private "stays empty" column. Costs are ``big - score`` for a mentee and ``big`` for
    "empty", all positive; every slot is matched exactly once and every mentee at most once,
    so the minimum cost is the maximum total score. Returns indexes into the arcs."""
    if len(cs) == 0:
        return []
    order = np.lexsort((ci, cj))  # by mentor, then mentee
    ci, cj, cs = ci[order], cj[order], cs[order]
    mentors, first_arc, degree = np.unique(cj, return_index=True, return_counts=True)
    places = left[mentors]
    slot_mentor = np.repeat(np.arange(len(mentors)), places)  # index into ``mentors``
    slot_count = len(slot_mentor)
    if slot_count == 0:
        return []
    big = float(cs.max()) + 1.0

    row_len = degree[slot_mentor] + 1
    indptr = np.concatenate(([0], np.cumsum(row_len)))
    nnz = int(indptr[-1])
    # Position of every entry within its row; the last entry of a row is its "empty" column.
    within = np.arange(nnz) - np.repeat(indptr[:-1], row_len)
    is_dummy = within == np.repeat(row_len - 1, row_len)
    arc_at = np.repeat(first_arc[slot_mentor], row_len) + within  # valid where not dummy
    arc_at[is_dummy] = 0
    indices = np.where(
        is_dummy, mentee_count + np.repeat(np.arange(slot_count), row_len), ci[arc_at]
    )
    data = np.where(is_dummy, big, big - cs[arc_at])
    graph = csr_matrix(
        (data, indices.astype(np.int64), indptr), shape=(slot_count, mentee_count + slot_count)
    )
    slot, mentee = min_weight_full_bipartite_matching(graph)

    real = mentee < mentee_count
    slot, mentee = slot[real], mentee[real]
    # The arc of (slot's mentor, mentee): mentees are sorted within each mentor's block.
    m_idx = slot_mentor[slot]
    found = [
        int(first_arc[mi] + np.searchsorted(ci[first_arc[mi] : first_arc[mi] + degree[mi]], e))
        for mi, e in zip(m_idx.tolist(), mentee.tolist(), strict=True)
    ]
    return [int(order[k]) for k in found]


def match_dense_reference(problem: Problem) -> float:
    """The optimal total by SciPy's dense ``linear_sum_assignment`` over capacity slots: an
    independent check of ``match_optimal`` for small instances (tests)."""
    fixed, left = _check_fixed(problem)
    cand = candidate_arcs(problem)
    fixed_mentees = {a.mentee_id for a in fixed}
    slots = [j for j, y in enumerate(problem.mentors) for _ in range(max(left[y.id], 0))]
    n = len(problem.mentees)
    if not slots or n == 0:
        return float(sum(a.score for a in fixed))
    profit = np.zeros((n, len(slots)))
    by_mentor: dict[int, list[int]] = {}
    for s, j in enumerate(slots):
        by_mentor.setdefault(j, []).append(s)
    for i, j, sc in zip(
        cand.mentee.tolist(), cand.mentor.tolist(), cand.score.tolist(), strict=True
    ):
        if problem.mentees[i].id in fixed_mentees:
            continue
        for s in by_mentor.get(j, []):
            profit[i, s] = sc
    r, c = linear_sum_assignment(profit, maximize=True)
    return float(profit[r, c].sum() + sum(a.score for a in fixed))


def unmatched_reasons(result: MatchResult) -> Counter[str]:
    return Counter(u.reason for u in result.unmatched)


# --- why a mentee is left without a mentor -------------------------------------------------------

EXPLAINED_MENTORS = 5  # mentors named in an explanation (those closest to fitting)


def explain_unmatched(
    problem: Problem,
    assignments: Sequence[Assignment],
    *,
    left: Mapping[int, int] | None = None,
) -> list[Unmatched]:
    """For every mentee of ``problem`` without an assignment: why no mentor fits, criterion by
    criterion (``FUNNEL``). Starting from every mentor of the base, each criterion keeps the
    mentors that pass it; the first criterion that keeps none is the reason. The detail says
    how many mentors were left after each criterion (``funnel``), the blocking criterion,
    the mentee's requests with how many mentors cover each (of any form, and of a fitting one),
    the mentors that failed only the blocking criterion (``mentors``: id, capacity, load before
    the run, places taken in this run) and what became of the mentors the mentee preferred
    after the group meeting (``wishes``). ``left``: places per mentor after its load and the
    fixed pairs (computed when not given)."""
    if left is None:
        _fixed, left = _check_fixed(problem)
    used = Counter(a.mentor_id for a in assignments if not a.fixed)
    matched = {a.mentee_id for a in assignments}
    base = _MentorArrays(problem, left, used)
    out: list[Unmatched] = []
    for mentee in problem.mentees:
        if mentee.id in matched:
            continue
        if not mentee.has_consent:
            out.append(Unmatched(mentee.id, "no_consent", {}))
            continue
        if mentee.already_paired:
            out.append(Unmatched(mentee.id, "already_paired", {}))
            continue
        out.append(base.explain(mentee))
    return out


class _MentorArrays:
    """The mentor base as arrays, so that one mentee's explanation is a few vector operations
    (thousands of mentees left without a mentor are explained in a fraction of a second)."""

    def __init__(self, problem: Problem, left: Mapping[int, int], used: Mapping[int, int]) -> None:
        mentors = list(problem.mentors)
        self.problem = problem
        self.mentors = mentors
        self.forms = list(problem.forms)
        self.prefs = PreferenceIndex(problem.preferences)
        self.ids = np.array([y.id for y in mentors], dtype=np.int64)
        self.index = {y.id: j for j, y in enumerate(mentors)}
        self.categories = sorted({y.category for y in mentors})
        cat_of = {c: k for k, c in enumerate(self.categories)}
        self.cat = np.array([cat_of[y.category] for y in mentors], dtype=np.int64)
        tags = sorted(
            set().union(*(y.competences for y in mentors), *(x.needs for x in problem.mentees))
        )
        self.tag_of = {t: k for k, t in enumerate(tags)}
        self.words = max(1, (len(tags) + 63) // 64)
        self.bits = np.zeros((len(mentors), self.words), dtype=np.uint64)
        for j, y in enumerate(mentors):
            for t in y.competences:
                k = self.tag_of[t]
                self.bits[j, k // 64] |= np.uint64(1) << np.uint64(k % 64)
        self.age = np.array([-1 if y.age is None else y.age for y in mentors], dtype=np.int64)
        self.consent = np.array([y.has_consent for y in mentors], dtype=bool)
        self.left = np.array([left.get(y.id, 0) for y in mentors], dtype=np.int64)
        self.used = np.array([used.get(y.id, 0) for y in mentors], dtype=np.int64)
        # Per mentee: the mentors a wish or the coordinator's rejection keeps apart.
        self.apart: dict[int, set[int]] = {}
        for p in self.prefs:
            if p.kind == AVOID:
                self.apart.setdefault(p.from_id, set()).add(p.to_id)
                self.apart.setdefault(p.to_id, set()).add(p.from_id)
        for mentor_id, mentee_id in problem.exclusions:
            self.apart.setdefault(mentee_id, set()).add(mentor_id)

    def _need_bits(self, mentee: MenteeIn) -> npt.NDArray[np.uint64]:
        out = np.zeros(self.words, dtype=np.uint64)
        for t in mentee.needs:
            k = self.tag_of[t]
            out[k // 64] |= np.uint64(1) << np.uint64(k % 64)
        return out

    def explain(self, mentee: MenteeIn) -> Unmatched:
        m = len(self.mentors)
        form_by_cat = [choose_form(c, mentee, self.forms) for c in self.categories]
        form_ok = (
            np.array([f is not None for f in form_by_cat], dtype=bool)[self.cat]
            if m
            else (np.zeros(0, dtype=bool))
        )
        learner = (
            np.array([f in LEARNER_FORMS for f in form_by_cat], dtype=bool)[self.cat]
            if m
            else np.zeros(0, dtype=bool)
        )
        overlap = np.bitwise_count(self.bits & self._need_bits(mentee)[None, :]).sum(axis=1)
        need = min(self.problem.weights.min_needs_covered, len(mentee.needs))
        younger = (
            learner
            & (self.age >= 0)
            & (mentee.age is not None)
            & (self.age < (mentee.age if mentee.age is not None else 0))
        )
        apart = self.apart.get(mentee.id, set())
        masks = {
            "form": form_ok,
            "needs": overlap >= need,
            "age": ~younger,
            "wishes": ~np.isin(self.ids, np.fromiter(apart, dtype=np.int64, count=len(apart))),
            "consent": self.consent,
            "capacity": self.left > 0,
            "this_run": self.left - self.used > 0,
        }
        alive = self.ids != mentee.id
        dropped_at = np.full(m, -1, dtype=np.int64)
        funnel: list[dict[str, Any]] = []
        blocking, before = "this_run", alive
        for k, criterion in enumerate(FUNNEL):
            keep = alive & masks[criterion]
            dropped_at[alive & ~keep] = k
            funnel.append({"criterion": criterion, "mentors": int(keep.sum())})
            if not keep.any():
                blocking, before = criterion, alive
                break
            alive = keep
        else:  # every criterion keeps someone: cannot happen for an optimal or greedy result
            before = alive
        not_self = self.ids != mentee.id
        per_need = {}
        for code in sorted(mentee.needs):
            k = self.tag_of[code]
            has = (self.bits[:, k // 64] >> np.uint64(k % 64)) & np.uint64(1) == 1
            per_need[code] = {
                "any": int((has & not_self).sum()),
                "fitting_form": int((has & not_self & form_ok).sum()),
            }
        order = np.lexsort((self.ids, -self.left, -overlap))
        closest = [int(j) for j in order if before[j]][:EXPLAINED_MENTORS]
        wishes = [
            {
                "mentor": p.to_id,
                "rank": p.rank,
                "dropped_at": (
                    FUNNEL[int(dropped_at[self.index[p.to_id]])]
                    if p.to_id in self.index and dropped_at[self.index[p.to_id]] >= 0
                    else None
                ),
            }
            for p in sorted(
                (p for p in self.prefs if p.from_id == mentee.id and p.kind == PREFER),
                key=lambda p: (p.rank or MAX_RANK_FALLBACK, p.to_id),
            )
        ]
        detail: dict[str, Any] = {
            "funnel": funnel,
            "blocking": blocking,
            "needs": sorted(mentee.needs),
            "per_need": per_need,
            "mentors": [
                {
                    "id": int(self.ids[j]),
                    "capacity": self.mentors[j].capacity,
                    "load": self.mentors[j].current_load,
                    "taken_in_run": int(self.used[j]),
                    "covers": sorted(mentee.needs & self.mentors[j].competences),
                }
                for j in closest
            ],
            "wishes": wishes,
        }
        return Unmatched(mentee.id, BLOCKED_BY[blocking], detail)


MAX_RANK_FALLBACK = 99
