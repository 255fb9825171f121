"""Reads a team's summary for one framework from the database.

The per-area figures, the best experts and who submitted at which level are worked out by the database
(`aggregates`); members are read with their ratings only as far as they are listed: every one for the
JSON API and the PDF, one page of them for the dashboard. A fixed number of statements whatever the
team size.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlmodel import Session

from competency.models import Team
from competency.questionnaire import Questionnaire
from competency.services import NotFound
from competency.services.teams import aggregates
from competency.services.teams.lookups import member_count, member_rows, snapshots
from competency.services.teams.summary import (
    AreaRating,
    Expert,
    ManagerRating,
    MemberSummary,
    Pages,
    TeamSummary,
    not_in_play,
)

#: Members listed per page of the dashboard.
PAGE_SIZE = 50
#: Beyond any team: a larger page number lists the last page.
MAX_OFFSET = 2**31 - 1


def team_summary(
    session: Session,
    team: Team,
    key: str,
    current: Questionnaire | None,
    *,
    page: int | None = None,
    page_size: int = PAGE_SIZE,
    individuals: bool = True,
    roster: bool = False,
) -> TeamSummary:
    """The team's summary for framework `key`; `current` is the catalog's version of it (or None:
    the newest stored snapshot is used for titles and order).

    `page`: list that page of members (from 1, clamped), else every member. `individuals=False`:
    read no member at all (a plain member's view: counts and figures only). `roster`: also each
    submitted member's scores in the current areas (the radar's picker). Whatever the team size,
    five statements for a page, three for every member, four for counts and figures only; one more
    on a cold cache or for a page past the end."""
    assert team.id is not None
    parsed = snapshots(session, key)
    if current is None and not parsed:
        raise NotFound(f"no framework {key!r}")
    display = current or max(parsed.values(), key=lambda q: q.version)
    current_ids = [area.id for area in display.areas]

    stats = aggregates.area_stats(session, team.id, key, display.expert_level)
    experts: dict[str, list[Expert]] | None
    if not individuals:
        experts = {}
    elif page is None:
        experts = None  # every member is listed (the API, the PDF): experts are found among them
    else:
        experts = aggregates.top_experts(session, team.id, key, display.expert_level)

    pages = None
    members: list[MemberSummary] = []
    if individuals:
        if page is None:
            rows = member_rows(session, team.id, key)
        else:
            rows, pages = _page(session, team.id, key, page, page_size)
        members = _members(parsed, rows)
    entries = None
    if page is not None or not individuals:
        # Who submitted at which level, from the database: `members` is one page of them, or none.
        entries = aggregates.roster(session, team.id, key, current_ids if roster and individuals else [])
        total = pages.total if pages else member_count(session, team.id)
        counts: tuple[int, int] | None = (total, len(entries))
        levels: dict[str, int] | None = aggregates.levels(entries)
    else:
        counts, levels = None, None

    titles = {area.id: area.title for area in display.areas}
    for taken in sorted(parsed.values(), key=lambda q: -q.version):
        for area in taken.areas:
            titles.setdefault(area.id, area.title)
    order = current_ids + sorted(set(stats) - set(current_ids))
    return TeamSummary(
        team_id=team.id,
        team_name=team.name,
        questionnaire=display,
        members=members,
        stats={area_id: stats.get(area_id) or aggregates.no_scores(area_id) for area_id in order},
        area_titles={area_id: titles.get(area_id, area_id) for area_id in order},
        counts=counts,
        levels=levels,
        top_experts=experts,
        roster=entries if roster and individuals else None,
        pages=pages,
        reached=aggregates.reached(session, team.id, key) if individuals else {},
    )


def _page(session: Session, team_id: int, key: str, asked: int, size: int) -> tuple[list[Any], Pages]:
    """The rows of the members of page `asked` (clamped to the pages there are) and the page."""
    # A page number from the address bar may be any size: the offset stays within what SQL takes.
    rows = member_rows(session, team_id, key, min((max(asked, 1) - 1) * size, MAX_OFFSET), size)
    if rows:
        return rows, Pages.of(int(rows[0].total), asked, size)
    if asked <= 1:
        return rows, Pages.of(0, 1, size)
    # Past the last page: list the last one.
    pages = Pages.of(member_count(session, team_id), asked, size)
    return member_rows(session, team_id, key, pages.start, size), pages


def _members(parsed: dict[int, Questionnaire], rows: list[Any]) -> list[MemberSummary]:
    """Members from `lookups.member_rows`, in its order, with their latest self-assessment (area
    scores as stored) and manager rating."""
    people: dict[int, Any] = {}
    own: dict[int, Any] = {}
    own_areas: dict[int, dict[str, AreaRating]] = defaultdict(dict)
    managers: dict[int, Any] = {}
    manager_scores: dict[int, dict[str, float | None]] = defaultdict(dict)
    for row in rows:
        people.setdefault(row.user_id, row)
        if row.kind == "self":
            own[row.user_id] = row
            if row.area_id is not None:
                own_areas[row.user_id][row.area_id] = AreaRating(
                    row.score, row.target, row.gap, row.new_score, row.reached
                )
        elif row.kind == "manager":
            managers[row.user_id] = row
            if row.area_id is not None:
                manager_scores[row.user_id][row.area_id] = row.score

    # Worked out once per (version, level, specialism), not once per member.
    outside: dict[tuple[int, str, str | None], frozenset[str]] = {}
    members = []
    for uid, person in people.items():
        manager = None
        if uid in managers:
            m = managers[uid]
            manager = ManagerRating(
                m.assessment_id, m.assessor_id, m.assessor_name, m.submitted_at, manager_scores[uid]
            )
        row = own.get(uid)
        if row is None:
            members.append(MemberSummary(uid, person.name, person.email, person.role, manager=manager))
            continue
        taken = parsed[row.version_id]
        where = (row.version_id, row.target_level, row.specialism)
        if where not in outside:
            outside[where] = not_in_play(taken, row.target_level, row.specialism)
        members.append(
            MemberSummary(
                user_id=uid,
                name=person.name,
                email=person.email,
                role=person.role,
                assessment_id=row.assessment_id,
                level=row.target_level,
                submitted_at=row.submitted_at,
                version=taken.version,
                readiness=row.readiness,
                readiness_all=row.readiness_all,
                readiness_new=row.readiness_new,
                specialism=row.specialism,
                areas=own_areas[uid],
                profile_of=(taken, row.target_level, row.specialism),
                manager=manager,
                not_in_play=outside[where],
            )
        )
    return members
