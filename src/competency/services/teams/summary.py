"""A team's shape for one framework as plain data: members with their latest ratings, area statistics,
experts and mentors.

`TeamSummary` has no Flask and no database in it: the dashboard, the JSON API and the PDF team report
all render the same object (read by `load.team_summary`), so their numbers agree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from competency import scoring
from competency.questionnaire import Questionnaire

#: Top gaps per member for which mentors are suggested (the profile's top gaps).
MENTOR_GAPS = scoring.TOP_N
#: Experts named per area and mentors per gap (the best-scoring ones); the rest are counted. A member
#: is never their own mentor, so one more than this is read per area.
EXPERTS_NAMED = 3


@dataclass(frozen=True)
class AreaRating:
    """One area of a submitted self-assessment, as stored at submit (target of the member's own level)."""

    score: float | None
    target: float
    gap: float | None
    #: What the member's level adds to the area (None: nothing, or not scored).
    new_score: float | None = None
    #: The last level of the member's path met in the area (None: not even the first).
    reached: str | None = None


@dataclass(frozen=True)
class ManagerRating:
    """The latest submitted manager assessment of a member."""

    assessment_id: int
    assessor_id: int
    assessor_name: str | None
    submitted_at: datetime | None
    scores: dict[str, float | None]


@dataclass(frozen=True)
class MemberSummary:
    """A team member and their latest submitted self-assessment of the framework (if any)."""

    user_id: int
    name: str
    email: str
    role: str
    assessment_id: int | None = None
    level: str | None = None
    submitted_at: datetime | None = None
    version: int | None = None
    readiness: float | None = None
    readiness_all: float | None = None
    readiness_new: float | None = None
    specialism: str | None = None
    areas: dict[str, AreaRating] = field(default_factory=dict)
    manager: ManagerRating | None = None
    #: Areas of the framework version the member took that are not in play at their level (e.g. a
    #: manager-track area for an individual contributor): shown as such, never as "not submitted".
    not_in_play: frozenset[str] = frozenset()

    #: (framework version taken, target level, specialism): the profile is rebuilt from these only when
    #: asked for, so a page of 50 members out of 1,000 scores 50 plans, not 1,000.
    profile_of: tuple[Questionnaire, str, str | None] | None = field(default=None, repr=False, compare=False)
    #: A profile already at hand (tests, callers that scored it themselves).
    given_profile: scoring.Profile | None = field(default=None, repr=False, compare=False)

    def in_play(self, area_id: str) -> bool:
        return area_id not in self.not_in_play

    @cached_property
    def profile(self) -> scoring.Profile | None:
        """Rebuilt from the stored scores against the version the member took (top gaps, plan)."""
        if self.given_profile is not None or self.profile_of is None:
            return self.given_profile
        questionnaire, level, specialism = self.profile_of
        return _profile(questionnaire, level, specialism, self.areas)

    @property
    def submitted(self) -> bool:
        return self.assessment_id is not None

    def score(self, area_id: str) -> float | None:
        rating = self.areas.get(area_id)
        return rating.score if rating else None

    def gap(self, area_id: str) -> float | None:
        rating = self.areas.get(area_id)
        return rating.gap if rating else None

    def reached(self, area_id: str) -> str | None:
        rating = self.areas.get(area_id)
        return rating.reached if rating else None

    @property
    def scores(self) -> dict[str, float | None]:
        return {area_id: rating.score for area_id, rating in self.areas.items()}

    @cached_property
    def top_gaps(self) -> list[str]:
        """The profile's top gaps; without a profile at hand, worked out without its plan."""
        if self.given_profile is not None or self.profile_of is None or "profile" in self.__dict__:
            return list(self.profile.top_gaps) if self.profile else []
        questionnaire, level, specialism = self.profile_of
        results = _results(questionnaire, level, specialism, self.areas)
        return scoring.top_gaps(questionnaire, results) if results is not None else []

    def comparison(self, area_ids: list[str]) -> list[scoring.Comparison]:
        """Self beside manager per area (never averaged); empty without both ratings."""
        if not self.submitted or self.manager is None:
            return []
        return [
            scoring.Comparison(area_id, self.score(area_id), self.manager.scores.get(area_id))
            for area_id in area_ids
        ]

    def blind_spots(self, area_ids: list[str]) -> list[str]:
        return [c.area_id for c in self.comparison(area_ids) if c.blind_spot]


@dataclass(frozen=True)
class Expert:
    """A member scoring at least the framework's expert level in an area."""

    user_id: int
    name: str
    score: float


@dataclass(frozen=True)
class MentorSuggestion:
    """For one of a member's top gaps, the teammates who are experts in that area (best first).

    `mentors` holds the best ones by name (all of them on a small team, EXPERTS_NAMED on a large
    one); `count` is how many there are in all."""

    member: MemberSummary
    area_id: str
    gap: float | None
    mentors: list[Expert]
    count: int

    @property
    def more(self) -> int:
        """Mentors beyond the first EXPERTS_NAMED."""
        return max(0, self.count - EXPERTS_NAMED)


@dataclass(frozen=True)
class RosterEntry:
    """A member with a submitted self-assessment: their target level and scores in the areas of the
    current framework (`TeamSummary.current_area_ids` order), for the radar's member picker."""

    user_id: int
    name: str
    level: str
    scores: tuple[float | None, ...]


@dataclass(frozen=True)
class Pages:
    """Which slice of the members a page of the dashboard lists (page numbers from 1)."""

    number: int
    count: int
    total: int
    size: int

    @classmethod
    def of(cls, total: int, asked: int, size: int) -> Pages:
        count = max(1, -(-total // size))
        return cls(min(max(asked, 1), count), count, total, size)

    @property
    def start(self) -> int:
        return (self.number - 1) * self.size

    @property
    def stop(self) -> int:
        return min(self.start + self.size, self.total)


@dataclass(frozen=True)
class TeamSummary:
    team_id: int
    team_name: str
    #: The framework as it is now (catalog) or its newest snapshot: area titles, order, scale, expert level.
    questionnaire: Questionnaire
    #: The active members listed, by name, those without a submitted self-assessment included: every
    #: one, or the page of them in `pages` (then `counts` counts them all).
    members: list[MemberSummary]
    #: Per area id, in the framework's order, then areas only earlier versions had.
    stats: dict[str, scoring.TeamAreaStats]
    area_titles: dict[str, str]
    #: (member count, submitted count) when `members` is not every member: one page of them, or none
    #: (an aggregate-only summary). None: counted from `members`.
    counts: tuple[int, int] | None = None
    #: Areas whose figures are withheld from plain members: fewer members than the minimum scored them.
    withheld: frozenset[str] = frozenset()
    #: Submitted self-assessments per target level (the radar's level). None: counted from `members`.
    levels: dict[str, int] | None = None
    #: Per area, its best experts (at least EXPERTS_NAMED + 1 of them when there are that many), read
    #: by the database. None: worked out from `members`.
    top_experts: dict[str, list[Expert]] | None = None
    #: Every member with a submitted self-assessment (the radar's picker), when it was asked for.
    roster: list[RosterEntry] | None = None
    #: Which page of the members `members` is, when it is one page.
    pages: Pages | None = None
    #: Per area, members by the level they reached there (None: not the first level of their path).
    reached: dict[str, dict[str | None, int]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.questionnaire.id

    @property
    def expert_level(self) -> float:
        return self.questionnaire.expert_level

    @property
    def area_ids(self) -> list[str]:
        return list(self.stats)

    @property
    def current_area_ids(self) -> list[str]:
        return [area.id for area in self.questionnaire.areas]

    @property
    def submitted(self) -> list[MemberSummary]:
        """The listed members with a submitted self-assessment (`submitted_count` counts them all)."""
        return [m for m in self.members if m.submitted]

    @property
    def member_count(self) -> int:
        return self.counts[0] if self.counts else len(self.members)

    @property
    def submitted_count(self) -> int:
        return self.counts[1] if self.counts else len(self.submitted)

    def is_current_area(self, area_id: str) -> bool:
        return any(area.id == area_id for area in self.questionnaire.areas)

    def experts(self, area_id: str) -> list[Expert]:
        """Members scoring at least the expert level in the area, highest first (then by name): every
        one of them from `members`, the best few when the database picked them (`expert_count`)."""
        if self.top_experts is not None:
            return self.top_experts.get(area_id, [])
        found = [
            Expert(m.user_id, m.name, s)
            for m in self.submitted
            if (s := m.score(area_id)) is not None and s >= self.expert_level - scoring.TOLERANCE
        ]
        return sorted(found, key=lambda e: (-e.score, e.name))

    def expert_count(self, area_id: str) -> int:
        stats = self.stats.get(area_id)
        return stats.experts if stats is not None else len(self.experts(area_id))

    def mentor_suggestions(self, members: list[MemberSummary] | None = None) -> list[MentorSuggestion]:
        """For each member's (of `members`, default all) top gaps, the teammates who are experts there."""
        out = []
        for member in members if members is not None else self.submitted:
            if not member.submitted:
                continue
            for area_id in member.top_gaps[:MENTOR_GAPS]:
                mentors = [e for e in self.experts(area_id) if e.user_id != member.user_id]
                own = member.score(area_id)
                count = self.expert_count(area_id) - int(
                    own is not None and own >= self.expert_level - scoring.TOLERANCE
                )
                out.append(MentorSuggestion(member, area_id, member.gap(area_id), mentors, count))
        return out

    def common_level(self) -> str:
        """The target level most members were assessed against (ties: the lower level)."""
        levels = self.questionnaire.level_ids
        taken = self.levels if self.levels is not None else Counter(m.level for m in self.submitted)
        counts = Counter({lv: n for lv, n in taken.items() if lv in levels})
        return max(levels, key=lambda lv: (counts[lv], -levels.index(lv)))

    def report_members(self) -> list[tuple[str, str | None, scoring.Profile | None]]:
        """(name, level, profile) per member: the shape reports.team_context.team_context takes."""
        return [(m.name, m.level, m.profile) for m in self.members]

    def as_dict(self, *, individuals: bool = True) -> dict[str, Any]:
        """The JSON API shape. Full precision; `members` is empty for an aggregate-only view."""
        out: dict[str, Any] = {
            "team": {"id": self.team_id, "name": self.team_name},
            "questionnaire": {
                "key": self.key,
                "version": self.questionnaire.version,
                "title": self.questionnaire.title,
            },
            "expert_level": self.expert_level,
            "member_count": self.member_count,
            "submitted_count": self.submitted_count,
            "areas": {area_id: stats.as_dict() for area_id, stats in self.stats.items()},
            #: JSON objects have no order: the areas in the framework's order, with their titles.
            "area_order": [{"id": a, "title": self.area_titles[a]} for a in self.area_ids],
            "withheld_areas": sorted(self.withheld),
            "members": [],
        }
        if individuals:
            out["reached"] = {
                area_id: {level or "none": n for level, n in counts.items()}
                for area_id, counts in self.reached.items()
            }
        if individuals:
            out["members"] = [self._member_dict(m) for m in self.members]
        return out

    def _member_dict(self, m: MemberSummary) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "id": m.user_id,
            "name": m.name,
            "email": m.email,
            "role": m.role,
            "submitted": m.submitted,
        }
        if not m.submitted:
            return entry
        entry.update(
            submitted_at=_iso(m.submitted_at),
            questionnaire_version=m.version,
            target_level=m.level,
            specialism=m.specialism,
            readiness=m.readiness,
            readiness_all=m.readiness_all,
            readiness_new=m.readiness_new,
            reached={area_id: r.reached for area_id, r in m.areas.items()},
            scores={area_id: r.score for area_id, r in m.areas.items()},
            targets={area_id: r.target for area_id, r in m.areas.items()},
            gaps={area_id: r.gap for area_id, r in m.areas.items()},
            top_gaps=m.top_gaps,
            expert_in=[
                a
                for a in self.area_ids
                if (s := m.score(a)) is not None and s >= self.expert_level - scoring.TOLERANCE
            ],
            manager=None,
        )
        if m.manager is not None:
            entry["manager"] = {
                "assessor": m.manager.assessor_name,
                "submitted_at": _iso(m.manager.submitted_at),
                "scores": m.manager.scores,
                "blind_spots": m.blind_spots(self.area_ids),
            }
        return entry


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def not_in_play(q: Questionnaire, level: str, specialism: str | None = None) -> frozenset[str]:
    """Areas of `q` not in play at `level` for `specialism` (none when the framework does not know the
    level)."""
    if level not in q.level_ids:
        return frozenset()
    return frozenset(area.id for area in q.areas if not q.area_in_play(area, level, specialism))


def _results(
    q: Questionnaire, level: str, specialism: str | None, areas: dict[str, AreaRating]
) -> dict[str, scoring.AreaResult] | None:
    """Per area in play, its result from the stored numbers (None: `q` does not know the level)."""
    if level not in q.level_ids:
        return None
    return scoring.stored_results(
        q, level, specialism, {a: (r.score, r.new_score, r.reached) for a, r in areas.items()}
    )


def _profile(
    q: Questionnaire, level: str, specialism: str | None, areas: dict[str, AreaRating]
) -> scoring.Profile | None:
    results = _results(q, level, specialism, areas)
    return scoring.profile_from_results(q, level, results, specialism) if results is not None else None
