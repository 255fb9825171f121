"""Reads a team's summary for one framework from the database.

`team_summary` reads everything in a fixed handful of set-based statements (members, latest
self-assessments with their area scores, latest manager ratings, framework snapshots), whatever the
team size.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlmodel import Session

from competency import scoring
from competency.models import Team
from competency.questionnaire import Questionnaire
from competency.services import NotFound
from competency.services.teams.lookups import _latest_rows, _snapshots, members_of
from competency.services.teams.summary import (
    AreaRating,
    ManagerRating,
    MemberSummary,
    TeamSummary,
    _not_in_play,
)


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
