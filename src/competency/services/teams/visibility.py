"""What a plain member may see of their team: the aggregate minimum on every figure.

Managers and HR see individuals; plain members the aggregate, and only once enough members
submitted; below that, nothing. An area scored by fewer than the minimum is withheld on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from competency import scoring
from competency.models import Cycle, TeamFigures
from competency.services.cycles import CycleProgress, MemberStatus, TrendPoint
from competency.services.teams.summary import TeamSummary

#: Plain members see their team's aggregate only from this many submitted self-assessments, never fewer.
AGGREGATE_FLOOR = 3


def aggregate_threshold(configured: int | None) -> int:
    """The anonymity threshold for plain members: the setting, never below AGGREGATE_FLOOR."""
    return max(AGGREGATE_FLOOR, int(configured if configured is not None else 5))


#: Who sees what of a team.
INDIVIDUALS = "individuals"
AGGREGATE = "aggregate"
HIDDEN = "hidden"


def visibility(*, sees_individuals: bool, submitted_count: int, threshold: int) -> str:
    if sees_individuals:
        return INDIVIDUALS
    return AGGREGATE if submitted_count >= threshold else HIDDEN


def _withheld_stats(area_id: str) -> scoring.TeamAreaStats:
    return scoring.TeamAreaStats(area_id, None, None, None, None, 0, 0, 0)


def aggregate_only(summary: TeamSummary, threshold: int) -> TeamSummary:
    """The summary a plain member may see: no individual at all (names, scores, levels, mentors), and
    no figure of an area fewer than `threshold` members scored (an area some levels do not ask, or
    only an older version had): its mean, band, coverage and expert count would be one person's."""
    threshold = max(AGGREGATE_FLOOR, threshold)
    withheld = frozenset(a for a, st in summary.stats.items() if 0 < st.n < threshold)
    if summary.submitted_count < threshold:
        withheld = frozenset(summary.stats)
    # No order statistics for members: with their own score, a median and a range of five give away the
    # others' (the mean stays, over at least `threshold` people).
    stats = {
        a: (_withheld_stats(a) if a in withheld else replace(st, median=None, min=None, max=None))
        for a, st in summary.stats.items()
    }
    return replace(
        summary,
        members=[],
        stats=stats,
        counts=(summary.member_count, summary.submitted_count),
        withheld=withheld,
        top_experts={},
        roster=None,
        # As with the members gone: the radar's default level is the first, not the most common one.
        levels={},
        pages=None,
    )


def published_only(summary: TeamSummary, figures: TeamFigures | None) -> TeamSummary:
    """The summary a plain member may see: the team's published figures (services.team_figures), not the
    live ones; only each area's mean, in coarse steps, and how many scored it; no individual at all."""
    published = figures.areas if figures is not None else {}
    stats = {
        a: (
            scoring.TeamAreaStats(a, published[a][0], None, None, None, int(published[a][1]), 0, 0)
            if a in published
            else _withheld_stats(a)
        )
        for a in summary.stats
    }
    return replace(
        summary,
        members=[],
        stats=stats,
        # Without figures yet, how many submitted so far (a count, nobody's scores).
        counts=(
            summary.member_count,
            figures.contributors if figures is not None else summary.submitted_count,
        ),
        withheld=frozenset(a for a in summary.stats if a not in published),
        top_experts={},
        roster=None,
        levels={},
        pages=None,
        reached={},
    )


def published_trend(points: Sequence[tuple[Cycle, TeamFigures]]) -> list[TrendPoint]:
    """The trend a plain member sees: the figures each closed cycle recorded, frozen at its close."""
    return [
        TrendPoint(
            cycle=cycle,
            submitted=figures.contributors,
            readiness=figures.readiness,
            area_means={a: float(v[0]) for a, v in figures.areas.items()},
            area_counts={a: int(v[1]) for a, v in figures.areas.items()},
        )
        for cycle, figures in points
    ]


def aggregate_trend(points: Sequence[TrendPoint], threshold: int) -> list[TrendPoint]:
    """Trend points a plain member may see: a cycle's mean readiness and area means only from
    `threshold` members (a new cycle with one submission would show that person's scores)."""
    threshold = max(AGGREGATE_FLOOR, threshold)
    out = []
    for point in points:
        if point.submitted < threshold:
            out.append(replace(point, readiness=None, area_means={}, area_counts={}))
            continue
        keep = {a for a, n in point.area_counts.items() if n >= threshold}
        out.append(
            replace(
                point,
                area_means={a: m for a, m in point.area_means.items() if a in keep},
                area_counts={a: n for a, n in point.area_counts.items() if a in keep},
            )
        )
    return out


def anonymous_progress(progress: Sequence[CycleProgress]) -> list[CycleProgress]:
    """Cycle progress without who is who: plain members see how many are done, not which ones."""
    return [
        replace(
            p,
            statuses=[
                MemberStatus(0, "", "", st.status, st.overdue)
                for st in sorted(p.statuses, key=lambda st: (st.status, st.overdue))
            ],
        )
        for p in progress
    ]
