"""A team's shape for one framework: each member's latest ratings, area statistics, coverage and mentors.

`team_summary` reads everything in a fixed handful of set-based statements (members, latest
self-assessments with their area scores, latest manager ratings, framework snapshots), whatever the
team size. `TeamSummary` is plain data with no Flask in it: the dashboard, the JSON API and the PDF
team report all render the same object, so their numbers agree.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from competency import scoring
from competency.models import AreaScore, Assessment, Membership, QuestionnaireVersion, Team, User
from competency.questionnaire import Questionnaire
from competency.services import NotFound
from competency.services.cycles import CycleProgress, MemberStatus, TrendPoint
from competency.services.snapshots import snapshot_questionnaire

#: Plain members see their team's aggregate only from this many submitted self-assessments, never fewer.
AGGREGATE_FLOOR = 3
#: Top gaps per member for which mentors are suggested (the profile's top gaps).
MENTOR_GAPS = scoring.TOP_N


@dataclass(frozen=True)
class AreaRating:
    """One area of a submitted self-assessment, as stored at submit (target of the member's own level)."""

    score: float | None
    target: float
    gap: float | None


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
    areas: dict[str, AreaRating] = field(default_factory=dict)
    manager: ManagerRating | None = None
    #: Areas of the framework version the member took that are not in play at their level (e.g. a
    #: manager-track area for an individual contributor): shown as such, never as "not submitted".
    not_in_play: frozenset[str] = frozenset()

    #: (framework version taken, target level): the profile is rebuilt from these only when asked for,
    #: so a page of 50 members out of 1,000 scores 50 plans, not 1,000.
    profile_of: tuple[Questionnaire, str] | None = field(default=None, repr=False, compare=False)
    #: A profile already at hand (tests, callers that scored it themselves).
    given_profile: scoring.Profile | None = field(default=None, repr=False, compare=False)

    def in_play(self, area_id: str) -> bool:
        return area_id not in self.not_in_play

    @cached_property
    def profile(self) -> scoring.Profile | None:
        """Rebuilt from the stored scores against the version the member took (top gaps, plan)."""
        if self.given_profile is not None or self.profile_of is None:
            return self.given_profile
        questionnaire, level = self.profile_of
        return _profile(questionnaire, level, self.areas)

    @property
    def submitted(self) -> bool:
        return self.assessment_id is not None

    def score(self, area_id: str) -> float | None:
        rating = self.areas.get(area_id)
        return rating.score if rating else None

    def gap(self, area_id: str) -> float | None:
        rating = self.areas.get(area_id)
        return rating.gap if rating else None

    @property
    def scores(self) -> dict[str, float | None]:
        return {area_id: rating.score for area_id, rating in self.areas.items()}

    @property
    def top_gaps(self) -> list[str]:
        return list(self.profile.top_gaps) if self.profile else []

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
class MentorSuggestion:
    """For one of a member's top gaps, the teammates who are experts in that area (best first)."""

    member: MemberSummary
    area_id: str
    gap: float | None
    mentors: list[MemberSummary]


@dataclass(frozen=True)
class TeamSummary:
    team_id: int
    team_name: str
    #: The framework as it is now (catalog) or its newest snapshot: area titles, order, scale, expert level.
    questionnaire: Questionnaire
    #: Every active member of the team, by name; those without a submitted self-assessment included.
    members: list[MemberSummary]
    #: Per area id, in the framework's order, then areas only earlier versions had.
    stats: dict[str, scoring.TeamAreaStats]
    area_titles: dict[str, str]
    #: Set on an aggregate-only summary (members withheld): (member count, submitted count).
    counts: tuple[int, int] | None = None
    #: Areas whose figures are withheld from plain members: fewer members than the minimum scored them.
    withheld: frozenset[str] = frozenset()

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
        return [m for m in self.members if m.submitted]

    @property
    def member_count(self) -> int:
        return self.counts[0] if self.counts else len(self.members)

    @property
    def submitted_count(self) -> int:
        return self.counts[1] if self.counts else len(self.submitted)

    def is_current_area(self, area_id: str) -> bool:
        return any(area.id == area_id for area in self.questionnaire.areas)

    def experts(self, area_id: str) -> list[MemberSummary]:
        """Members scoring at least the expert level in the area, highest first."""
        found = [m for m in self.submitted if (s := m.score(area_id)) is not None and s >= self.expert_level]
        return sorted(found, key=lambda m: (-(m.score(area_id) or 0.0), m.name))

    def mentor_suggestions(self, members: list[MemberSummary] | None = None) -> list[MentorSuggestion]:
        """For each member's (of `members`, default all) top gaps, the teammates who are experts there."""
        experts = {area_id: self.experts(area_id) for area_id in self.area_ids}
        out = []
        for member in members if members is not None else self.submitted:
            if not member.submitted:
                continue
            for area_id in member.top_gaps[:MENTOR_GAPS]:
                mentors = [e for e in experts.get(area_id, []) if e.user_id != member.user_id]
                out.append(MentorSuggestion(member, area_id, member.gap(area_id), mentors))
        return out

    def common_level(self) -> str:
        """The target level most members were assessed against (ties: the lower level)."""
        levels = self.questionnaire.level_ids
        counts = Counter(m.level for m in self.submitted if m.level in levels)
        return max(levels, key=lambda lv: (counts[lv], -levels.index(lv)))

    def report_members(self) -> list[tuple[str, str | None, scoring.Profile | None]]:
        """(name, level, profile) per member: the shape reports.context.team_context takes."""
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
            readiness=m.readiness,
            scores={area_id: r.score for area_id, r in m.areas.items()},
            targets={area_id: r.target for area_id, r in m.areas.items()},
            gaps={area_id: r.gap for area_id, r in m.areas.items()},
            top_gaps=m.top_gaps,
            expert_in=[a for a in self.area_ids if (s := m.score(a)) is not None and s >= self.expert_level],
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


def aggregate_threshold(configured: int | None) -> int:
    """The anonymity threshold for plain members: the setting, never below AGGREGATE_FLOOR."""
    return max(AGGREGATE_FLOOR, int(configured if configured is not None else 5))


# -- what a plain member may see: the aggregate minimum on every figure --------------------------------

#: Who sees what of a team: managers and HR see individuals; plain members the aggregate, and only
#: once enough members submitted; below that, nothing.
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
    stats = {a: (_withheld_stats(a) if a in withheld else st) for a, st in summary.stats.items()}
    return replace(
        summary,
        members=[],
        stats=stats,
        counts=(summary.member_count, summary.submitted_count),
        withheld=withheld,
    )


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


# -- queries -------------------------------------------------------------------------------------------


def _team_people(team_id: int) -> Any:
    """SQL: ids of the team's active members (managers included)."""
    return (
        sa.select(col(Membership.user_id))
        .join(User, col(User.id) == col(Membership.user_id))
        .where(col(Membership.team_id) == team_id, col(User.active).is_(True))
    )


def _latest(team_id: int, key: str, kind: str) -> Any:
    """SQL: each team member's submitted assessments of `kind` and framework `key`, newest rn = 1."""
    rank = (
        sa.func.row_number()
        .over(
            partition_by=col(Assessment.subject_id),
            order_by=(col(Assessment.submitted_at).desc(), col(Assessment.id).desc()),
        )
        .label("rn")
    )
    return (
        sa.select(
            col(Assessment.id).label("assessment_id"),
            col(Assessment.subject_id).label("subject_id"),
            col(Assessment.assessor_id).label("assessor_id"),
            col(Assessment.target_level).label("target_level"),
            col(Assessment.submitted_at).label("submitted_at"),
            col(Assessment.readiness).label("readiness"),
            col(Assessment.questionnaire_version_id).label("version_id"),
            rank,
        )
        .join(QuestionnaireVersion, col(QuestionnaireVersion.id) == col(Assessment.questionnaire_version_id))
        .where(
            col(Assessment.kind) == kind,
            col(Assessment.status) == "submitted",
            col(QuestionnaireVersion.key) == key,
            col(Assessment.subject_id).in_(_team_people(team_id)),
        )
        .subquery(f"latest_{kind}")
    )


def _latest_rows(session: Session, team_id: int, key: str, kind: str) -> list[Any]:
    """One row per (member, area) of each member's latest assessment of `kind`, with the assessor."""
    latest = _latest(team_id, key, kind)
    assessor = aliased(User)
    stmt = (
        sa.select(
            latest,
            col(assessor.name).label("assessor_name"),
            col(AreaScore.area_id),
            col(AreaScore.score),
            col(AreaScore.target),
            col(AreaScore.gap),
        )
        .outerjoin(AreaScore, col(AreaScore.assessment_id) == latest.c.assessment_id)
        .outerjoin(assessor, col(assessor.id) == latest.c.assessor_id)
        .where(latest.c.rn == 1)
        .order_by(latest.c.subject_id, col(AreaScore.id))
    )
    return list(session.execute(stmt).all())


def members_of(session: Session, team_id: int) -> list[tuple[User, str]]:
    rows = session.exec(
        select(User, Membership.role)
        .join(Membership, col(Membership.user_id) == col(User.id))
        .where(col(Membership.team_id) == team_id, col(User.active).is_(True))
        .order_by(col(User.name), col(User.id))
    ).all()
    return [(user, role) for user, role in rows]


def framework_keys(session: Session, team_id: int) -> list[tuple[str, int]]:
    """(framework key, members with a submitted self-assessment of it), most submitted first."""
    rows = session.execute(
        sa.select(col(QuestionnaireVersion.key), sa.func.count(sa.distinct(col(Assessment.subject_id))))
        .join(Assessment, col(Assessment.questionnaire_version_id) == col(QuestionnaireVersion.id))
        .where(
            col(Assessment.kind) == "self",
            col(Assessment.status) == "submitted",
            col(Assessment.subject_id).in_(_team_people(team_id)),
        )
        .group_by(col(QuestionnaireVersion.key))
    ).all()
    return sorted(((key, int(n)) for key, n in rows), key=lambda pair: (-pair[1], pair[0]))


def visible_teams(session: Session, actor: User) -> list[tuple[Team, int, str | None]]:
    """(team, active member count, the actor's role in it) for the teams the actor may open:
    every team for HR and admins, else the teams they belong to."""
    mine = aliased(Membership)
    count = (
        sa.select(sa.func.count())
        .select_from(Membership)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(col(Membership.team_id) == col(Team.id), col(User.active).is_(True))
        .scalar_subquery()
    )
    stmt = (
        select(Team, count, mine.role)
        .outerjoin(mine, sa.and_(col(mine.team_id) == col(Team.id), col(mine.user_id) == (actor.id or 0)))
        .order_by(col(Team.name))
    )
    if not actor.is_hr:
        stmt = stmt.where(col(mine.id).is_not(None))
    return [(team, int(n), role) for team, n, role in session.exec(stmt).all()]


#: Parsed framework versions by content hash: their definitions are read and parsed once per process.
_versions: dict[str, Questionnaire] = {}


def _snapshots(session: Session, key: str) -> dict[int, Questionnaire]:
    """Every stored version of framework `key`, by snapshot id. Reads the (large) definitions only of
    versions this process has not parsed yet: one statement, two on a cold cache."""
    rows = session.execute(
        sa.select(col(QuestionnaireVersion.id), col(QuestionnaireVersion.content_hash)).where(
            col(QuestionnaireVersion.key) == key
        )
    ).all()
    missing = [row_id for row_id, digest in rows if digest not in _versions]
    if missing:
        for row in session.exec(
            select(QuestionnaireVersion).where(col(QuestionnaireVersion.id).in_(missing))
        ):
            _versions[row.content_hash] = snapshot_questionnaire(row)
    return {row_id: _versions[digest] for row_id, digest in rows}


def team_summary(session: Session, team: Team, key: str, current: Questionnaire | None) -> TeamSummary:
    """The team's summary for framework `key`; `current` is the catalog's version of it (or None:
    the newest stored snapshot is used for titles and order). Four statements (five on a cold cache),
    whatever the team size."""
    assert team.id is not None
    people = members_of(session, team.id)
    self_rows = _latest_rows(session, team.id, key, "self")
    manager_rows = _latest_rows(session, team.id, key, "manager")
    parsed = _snapshots(session, key)
    if current is None and not parsed:
        raise NotFound(f"no framework {key!r}")
    display = current or max(parsed.values(), key=lambda q: q.version)

    own: dict[int, Any] = {}
    own_areas: dict[int, dict[str, AreaRating]] = defaultdict(dict)
    for row in self_rows:
        own[row.subject_id] = row
        if row.area_id is not None:
            own_areas[row.subject_id][row.area_id] = AreaRating(row.score, row.target, row.gap)
    managers: dict[int, Any] = {}
    manager_scores: dict[int, dict[str, float | None]] = defaultdict(dict)
    for row in manager_rows:
        managers[row.subject_id] = row
        if row.area_id is not None:
            manager_scores[row.subject_id][row.area_id] = row.score

    members = []
    for user, role in people:
        uid = user.id or 0
        manager = None
        if uid in managers:
            m = managers[uid]
            manager = ManagerRating(
                m.assessment_id, m.assessor_id, m.assessor_name, m.submitted_at, manager_scores[uid]
            )
        row = own.get(uid)
        if row is None:
            members.append(MemberSummary(uid, user.name, user.email, role, manager=manager))
            continue
        taken = parsed[row.version_id]
        areas = own_areas[uid]
        members.append(
            MemberSummary(
                user_id=uid,
                name=user.name,
                email=user.email,
                role=role,
                assessment_id=row.assessment_id,
                level=row.target_level,
                submitted_at=row.submitted_at,
                version=taken.version,
                readiness=row.readiness,
                areas=areas,
                profile_of=(taken, row.target_level),
                manager=manager,
                not_in_play=_not_in_play(taken, row.target_level),
            )
        )

    titles = {area.id: area.title for area in display.areas}
    for taken in sorted(parsed.values(), key=lambda q: -q.version):
        for area in taken.areas:
            titles.setdefault(area.id, area.title)
    order = [area.id for area in display.areas]
    order += sorted({a for m in members for a in m.areas} - set(order))
    stats = {
        area_id: scoring.team_area_stats(
            area_id,
            [(r.score, r.target) for m in members if (r := m.areas.get(area_id)) and r.score is not None],
            display.expert_level,
        )
        for area_id in order
    }
    return TeamSummary(
        team_id=team.id,
        team_name=team.name,
        questionnaire=display,
        members=members,
        stats=stats,
        area_titles={area_id: titles.get(area_id, area_id) for area_id in order},
    )


def _not_in_play(q: Questionnaire, level: str) -> frozenset[str]:
    if level not in q.level_ids:
        return frozenset()
    return frozenset(area.id for area in q.areas if not q.area_in_play(area, level))


def _profile(q: Questionnaire, level: str, areas: dict[str, AreaRating]) -> scoring.Profile | None:
    if level not in q.level_ids:
        return None
    results = {
        area.id: scoring.area_result(q, area, areas[area.id].score if area.id in areas else None, level)
        for area in q.areas_in_play(level)
    }
    return scoring.profile_from_results(q, level, results)


def frameworks_taken(session: Session, team_id: int) -> dict[int, set[str]]:
    """Per team member, the framework keys they take (a self-assessment of it, submitted or draft).
    One statement: the dashboard says "takes another framework" instead of "not submitted"."""
    rows = session.execute(
        sa.select(col(Assessment.subject_id), col(QuestionnaireVersion.key))
        .join(QuestionnaireVersion, col(QuestionnaireVersion.id) == col(Assessment.questionnaire_version_id))
        .where(col(Assessment.kind) == "self", col(Assessment.subject_id).in_(_team_people(team_id)))
        .distinct()
    ).all()
    out: dict[int, set[str]] = {}
    for subject_id, key in rows:
        out.setdefault(subject_id, set()).add(key)
    return out


def team_people(team_id: int) -> Any:
    """SQL: the ids of the team's members (managers included), for use in an IN clause."""
    return _team_people(team_id)
