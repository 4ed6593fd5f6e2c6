"""Matching: the optimal matcher vs the greedy baseline on one generated programme.

Standalone (no database): generates a large college with a partner school — 5,000 mentees and
1,500 mentors (capacity 1–3) across six forms of mentoring, with needs and competences drawn
from thematic clusters, ages and study groups, missing consents, preferences and "avoid" marks
after a group meeting, and a few pairs fixed by the coordinator — then runs
``match_optimal`` and ``match_greedy`` on the same instance and prints the figures.

    .venv/bin/python bench/matching.py [--mentees 5000] [--mentors 1500] [--seed 1] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from schools.matching.engine import (
    FORM_ROLES,
    MatchResult,
    MenteeIn,
    MentorIn,
    PreferenceIn,
    PreferenceIndex,
    Problem,
    match_greedy,
    match_optimal,
    score_pair,
)

CLUSTERS = {
    "academic": ["math", "physics", "chemistry", "russian", "english", "informatics"],
    "career": ["career_guidance", "profession_skills", "internship", "entrepreneurship", "jobs"],
    "social": ["adaptation", "communication", "conflict", "motivation", "time_management"],
    "projects": ["research", "it_projects", "olympiads", "robotics", "engineering"],
    "creative": ["arts", "sport", "volunteering", "media"],
    "pedagogy": ["lesson_planning", "classroom", "assessment", "methodology", "documents"],
}
FORMS = (
    "student_student",
    "teacher_student",
    "employer_student",
    "student_pupil",
    "pupil_pupil",
    "teacher_teacher",
)
# category → (share, age range, clusters with weights)
MENTEE_MIX = {
    "student": (0.64, (16, 20), {"career": 35, "academic": 25, "projects": 20, "social": 20}),
    "pupil": (0.26, (11, 16), {"academic": 45, "social": 25, "projects": 15, "creative": 15}),
    "young_specialist": (0.10, (22, 28), {"pedagogy": 80, "social": 20}),
}
MENTOR_MIX = {
    "student": (0.37, (18, 21), {"academic": 30, "projects": 30, "social": 25, "creative": 15}),
    "alumnus": (0.07, (22, 26), {"career": 40, "academic": 30, "projects": 30}),
    "teacher": (0.23, (28, 62), {"academic": 35, "pedagogy": 35, "projects": 15, "social": 15}),
    "employer_specialist": (0.26, (25, 55), {"career": 60, "projects": 40}),
    "pupil": (0.07, (15, 17), {"academic": 60, "creative": 40}),
}


def _pick_cluster(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _tags(
    rng: random.Random, clusters: dict[str, int], count: int, spread: float
) -> frozenset[str]:
    primary = _pick_cluster(rng, clusters)
    out: set[str] = set()
    while len(out) < count:
        cluster = primary if rng.random() > spread else _pick_cluster(rng, clusters)
        out.add(rng.choice(CLUSTERS[cluster]))
    return frozenset(out)


def _split(total: int, mix: dict[str, tuple[float, tuple[int, int], dict[str, int]]]) -> list[str]:
    out: list[str] = []
    for category, (share, _, _) in mix.items():
        out += [category] * round(total * share)
    return (out + [next(iter(mix))] * total)[:total]


def generate(mentees: int = 5000, mentors: int = 1500, seed: int = 1) -> Problem:
    rng = random.Random(seed)
    mentee_list: list[MenteeIn] = []
    next_id = 1
    for category in _split(mentees, MENTEE_MIX):
        _, (lo, hi), clusters = MENTEE_MIX[category]
        age = rng.randint(lo, hi)
        fitting = [f for f in FORMS if category in FORM_ROLES[f][1]]
        mentee_list.append(
            MenteeIn(
                id=next_id,
                category=category,
                needs=_tags(rng, clusters, rng.randint(1, 3), 0.2),
                preferred_form=rng.choice(fitting) if fitting and rng.random() < 0.4 else "",
                study_group=(age * 100 + rng.randint(1, 6))
                if category != "young_specialist"
                else None,
                age=age if rng.random() > 0.05 else None,
                has_consent=rng.random() > 0.05,
            )
        )
        next_id += 1
    mentor_list: list[MentorIn] = []
    for category in _split(mentors, MENTOR_MIX):
        _, (lo, hi), clusters = MENTOR_MIX[category]
        age = rng.randint(lo, hi)
        mentor_list.append(
            MentorIn(
                id=next_id,
                category=category,
                competences=_tags(rng, clusters, rng.randint(2, 6), 0.35),
                hours_per_month=rng.randint(2, 16) if rng.random() > 0.1 else None,
                capacity=rng.randint(1, 3),
                study_group=(age * 100 + rng.randint(1, 6))
                if category in ("pupil", "student")
                else None,
                age=age,
                has_consent=rng.random() > 0.03,
            )
        )
        next_id += 1

    # After the group meeting: a third of the people name whom they would prefer, a few whom
    # they would avoid; mentors often answer the mentees who chose them.
    compatible: dict[str, list[MentorIn]] = {
        c: [
            y
            for y in mentor_list
            if any(y.category in FORM_ROLES[f][0] and c in FORM_ROLES[f][1] for f in FORMS)
        ]
        for c in MENTEE_MIX
    }
    prefs: list[PreferenceIn] = []
    for x in rng.sample(mentee_list, k=mentees // 3):
        # People meet a few dozen others at a group meeting, not everyone.
        pool = compatible[x.category][rng.randrange(20) :: 20] or compatible[x.category]
        if not pool:
            continue
        for rank, y in enumerate(rng.sample(pool, k=min(len(pool), rng.randint(1, 3))), start=1):
            prefs.append(PreferenceIn(x.id, y.id, "prefer", rank))
            if rng.random() < 0.5:
                prefs.append(PreferenceIn(y.id, x.id, "prefer", rng.randint(1, 3)))
        if rng.random() < 0.15:
            prefs.append(PreferenceIn(x.id, rng.choice(pool).id, "avoid"))

    # The coordinator fixed a few pairs in advance.
    problem = Problem(mentee_list, mentor_list, FORMS, prefs)
    index = PreferenceIndex(prefs)
    fixed: list[tuple[int, int]] = []
    used: Counter[int] = Counter()
    for x in rng.sample(mentee_list, k=min(400, mentees)):
        y = rng.choice(mentor_list)
        if used[y.id] < y.capacity and score_pair(y, x, forms=FORMS, preferences=index).feasible:
            fixed.append((y.id, x.id))
            used[y.id] += 1
        if len(fixed) >= 50:
            break
    return Problem(problem.mentees, problem.mentors, FORMS, prefs, fixed=fixed)


def _run(
    problem: Problem, solver: Callable[[Problem], MatchResult], repeat: int
) -> tuple[MatchResult, float]:
    times: list[float] = []
    result: MatchResult | None = None
    for _ in range(repeat):
        clock = time.perf_counter()
        result = solver(problem)
        times.append(time.perf_counter() - clock)
    assert result is not None
    return result, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentees", type=int, default=5000)
    parser.add_argument("--mentors", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    clock = time.perf_counter()
    problem = generate(args.mentees, args.mentors, args.seed)
    generated = time.perf_counter() - clock
    places = sum(y.capacity - y.current_load for y in problem.mentors)
    print(f"== Matching: {args.mentees} mentees × {args.mentors} mentors (seed {args.seed})")
    print(f"forms: {', '.join(FORMS)}")
    print(
        f"places: {places}; preferences: {len(problem.preferences)}; "
        f"fixed pairs: {len(problem.fixed)}; generated in {generated:.2f} s"
    )

    optimal, t_opt = _run(problem, match_optimal, args.repeat)
    greedy, t_greedy = _run(problem, match_greedy, args.repeat)
    print(
        f"candidate pairs: {optimal.candidate_count} of {optimal.pair_count} "
        f"(density {optimal.density:.1%})"
    )
    print(
        f"{'':10} {'time, s':>9} {'scoring':>8} {'solving':>8} {'matched':>8} "
        f"{'total':>11} {'mean':>6}"
    )
    for name, result, seconds in (("optimal", optimal, t_opt), ("greedy", greedy, t_greedy)):
        matched = len(result.assignments)
        print(
            f"{name:10} {seconds:9.2f} {result.timings['scoring']:8.2f} "
            f"{result.timings['solving']:8.2f} {matched:8d} {result.total_score:11.1f} "
            f"{result.total_score / max(matched, 1):6.1f}"
        )
    gain = (optimal.total_score - greedy.total_score) / greedy.total_score * 100
    print(f"gain of optimal over greedy: {gain:+.2f} % of the total score")
    reasons = Counter(u.reason for u in optimal.unmatched)
    print("unmatched (optimal): " + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())))
    print(f"(median of {args.repeat} runs each; times include scoring all pairs)")


if __name__ == "__main__":
    main()
