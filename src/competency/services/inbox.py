"""Home as an inbox: what each person has to do next, and for managers and HR what their teams need.

Every list here comes from a fixed number of set-based statements, whatever the size of the teams.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from competency.models import (
    Answer,
    Assessment,
    Cycle,
    HomeVisit,
    Membership,
    QuestionnaireVersion,
    Team,
    User,
    utcnow,
)
from competency.questionnaire import Questionnaire
from competency.services import access, blind_spots, cycles, plans
from competency.services.assessments import drafts_of
from competency.services.blind_spots import BlindSpot
from competency.services.newest import newest_submitted
from competency.services.snapshots import snapshot_questionnaire

#: Coming back to home within this time is the same visit, so "since your last visit" survives a reload.
VISIT_GAP = timedelta(hours=1)
#: Without an earlier visit, "recent" reaches this far back.
RECENT = timedelta(days=30)


@dataclass(frozen=True)
class DraftItem:
    """One draft the person is writing: their self-assessment or a manager rating of someone."""

    assessment: Assessment
    title: str
    subject_name: str
    areas_done: int
    areas_total: int
    cycle: Cycle | None = None
    overdue: bool = False
    #: The target level as the framework names it (its label, not its id).
    level_name: str = ""


@dataclass(frozen=True)
class Released:
    """A manager rating of the person, released to them."""

    assessment_id: int
    questionnaire_key: str
    manager_name: str
    released_at: datetime


@dataclass(frozen=True)
class Unrated:
    """A member whose latest self-assessment has no manager rating submitted after it."""

    user_id: int
    name: str
    questionnaire_key: str
    self_submitted_at: datetime
    draft_id: int | None = None


@dataclass
class TeamInbox:
    team: Team
    not_submitted: list[tuple[Cycle, cycles.MemberStatus]] = field(default_factory=list)
    unrated: list[Unrated] = field(default_factory=list)
    blind_spots: list[BlindSpot] = field(default_factory=list)
    done_steps: list[plans.DoneStep] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.not_submitted or self.unrated or self.blind_spots or self.done_steps)


@dataclass(frozen=True)
class OpenCycle:
    cycle: Cycle
    team_name: str | None
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Inbox:
    drafts: list[DraftItem]
    to_start: list[tuple[Cycle, cycles.MemberStatus]]
    released: list[Released]
    teams: list[TeamInbox]
    open_cycles: list[OpenCycle]
    since: datetime | None


def visit(session: Session, user_id: int, now: datetime | None = None) -> datetime | None:
    """Record a visit to home and return when the previous visit began (None: the first visit)."""
    now = now or utcnow()
    row = session.get(HomeVisit, user_id)
    if row is None:
        session.add(HomeVisit(user_id=user_id, seen_at=now, previous_seen_at=None))
        session.commit()
        return None
    if now - row.seen_at > VISIT_GAP:
        row.previous_seen_at = row.seen_at
        row.seen_at = now
        session.add(row)
        session.commit()
    return row.previous_seen_at


def build(
    session: Session,
    user: User,
    frameworks: Callable[[str], Questionnaire | None],
    *,
    since: datetime | None,
    now: datetime | None = None,
) -> Inbox:
    now = now or utcnow()
    user_id = user.id or 0
    pending = cycles.pending_for(session, user, now)
    by_draft = {s.assessment_id: (c, s) for c, s in pending if s.assessment_id is not None}
    drafts = drafts_of(session, user_id)
    return Inbox(
        drafts=_drafts(session, drafts, by_draft),
        to_start=[(c, s) for c, s in pending if s.status == "not started"],
        released=_released(session, user_id, since or now - RECENT),
        teams=_teams(session, user_id, drafts, frameworks, since, now),
        open_cycles=_open_cycles(session, now) if user.is_hr else [],
        since=since,
    )


def _drafts(
    session: Session,
    drafts: Sequence[tuple[Assessment, QuestionnaireVersion, User]],
    by_draft: Mapping[int | None, tuple[Cycle, cycles.MemberStatus]],
) -> list[DraftItem]:
    """The person's drafts (`drafts_of`) with how far each has come."""
    if not drafts:
        return []
    answered: dict[int, set[str]] = defaultdict(set)
    ids = [a.id for a, _, _ in drafts]
    for assessment_id, item_id in session.exec(
        select(Answer.assessment_id, Answer.item_id).where(col(Answer.assessment_id).in_(ids))
    ).all():
        answered[assessment_id].add(item_id)
    out = []
    for assessment, version, subject in drafts:
        questionnaire = snapshot_questionnaire(version)
        done = answered[assessment.id or 0]
        level, specialism = assessment.target_level, assessment.specialism
        # Counted over what the draft asks: the areas and statements in play at its level and specialism.
        asked = questionnaire.areas_in_play(level, specialism)
        areas_done = sum(
            1
            for area in asked
            if all(i.id in done for i in questionnaire.items_in_play(area, level, specialism))
        )
        cycle, status = by_draft.get(assessment.id, (None, None))
        out.append(
            DraftItem(
                assessment=assessment,
                title=version.title,
                subject_name=subject.name,
                areas_done=areas_done,
                areas_total=len(asked),
                level_name=questionnaire.level(level).name if level in questionnaire.level_ids else level,
                cycle=cycle,
                overdue=bool(status and status.overdue),
            )
        )
    return out


def _released(session: Session, user_id: int, since: datetime) -> list[Released]:
    rows = session.exec(
        select(Assessment.id, QuestionnaireVersion.key, User.name, Assessment.released_at)
        .join(QuestionnaireVersion, col(QuestionnaireVersion.id) == col(Assessment.questionnaire_version_id))
        .join(User, col(User.id) == col(Assessment.assessor_id))
        .where(
            col(Assessment.subject_id) == user_id,
            col(Assessment.kind) == "manager",
            col(Assessment.released_at) > since,
        )
        .order_by(col(Assessment.released_at).desc())
    ).all()
    return [Released(aid or 0, key, name, at) for aid, key, name, at in rows if at is not None]


def _open_cycles(session: Session, now: datetime) -> list[OpenCycle]:
    rows = session.exec(
        select(Cycle, Team.name)
        .outerjoin(Team, col(Team.id) == col(Cycle.team_id))
        .where(col(Cycle.closed_at).is_(None), col(Cycle.opens_at) <= now)
        .order_by(col(Cycle.due_at), col(Cycle.id))
    ).all()
    counts = cycles.counts_by_cycle(session, [c for c, _ in rows], now)
    return [OpenCycle(c, name, counts.get(c.id or 0, {})) for c, name in rows]


def _teams(
    session: Session,
    user_id: int,
    drafts: Sequence[tuple[Assessment, QuestionnaireVersion, User]],
    frameworks: Callable[[str], Questionnaire | None],
    since: datetime | None,
    now: datetime,
) -> list[TeamInbox]:
    managed = access.managed_teams(user_id)
    teams = list(session.exec(select(Team).where(col(Team.id).in_(managed)).order_by(col(Team.name))).all())
    if not teams:
        return []
    # The plain members of the managed teams (a manager is not asked to rate themselves or their peers).
    member_rows = session.exec(
        select(Membership.team_id, User.id, User.name)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(
            col(Membership.team_id).in_(managed),
            col(Membership.role) == "member",
            col(User.active).is_(True),
            col(User.id) != user_id,
        )
    ).all()
    teams_of: dict[int, list[int]] = defaultdict(list)
    names: dict[int, str] = {}
    for team_id, member_id, name in member_rows:
        teams_of[member_id or 0].append(team_id)
        names[member_id or 0] = name
    inboxes = {t.id: TeamInbox(t) for t in teams}
    if not names:
        return list(inboxes.values())
    members = (
        sa.select(col(Membership.user_id))
        .where(col(Membership.team_id).in_(managed), col(Membership.role) == "member")
        .scalar_subquery()
    )

    for progress in cycles.open_progress_of(session, members, [t.id or 0 for t in teams], now):
        for status in progress.statuses:
            if status.status == "submitted":
                continue
            for team_id in teams_of.get(status.user_id, []):
                if progress.cycle.team_id in (None, team_id):
                    inboxes[team_id].not_submitted.append((progress.cycle, status))

    latest = _latest_ratings(session, members)
    my_drafts = {(a.subject_id, v.key): a.id for a, v, _ in drafts if a.kind == "manager"}
    manager_ids = []
    for (subject_id, key), by_kind in sorted(latest.items(), key=lambda kv: names.get(kv[0][0], "")):
        own = by_kind.get("self")
        rating = by_kind.get("manager")
        if own is None:
            continue
        if rating is None or rating[1] < own[1]:
            entry = Unrated(
                subject_id, names.get(subject_id, "?"), key, own[1], my_drafts.get((subject_id, key))
            )
            for team_id in teams_of.get(subject_id, []):
                inboxes[team_id].unrated.append(entry)
        if rating is not None:
            manager_ids.append(rating[0])

    for spot in blind_spots.open_blind_spots(session, latest, manager_ids, names, frameworks):
        for team_id in teams_of.get(spot.user_id, []):
            inboxes[team_id].blind_spots.append(spot)

    for step in plans.done_since(session, members, since or now - RECENT):
        for team_id in teams_of.get(step.user_id, []):
            inboxes[team_id].done_steps.append(step)
    return list(inboxes.values())


def _latest_ratings(
    session: Session, members: sa.ScalarSelect[int]
) -> dict[tuple[int, str], dict[str, tuple[int, datetime]]]:
    """Per (member, framework key) and kind: the latest submitted assessment's id and time. One statement."""
    ranked = newest_submitted(col(Assessment.subject_id).in_(members))
    rows = session.execute(
        sa.select(
            ranked.c.subject_id, ranked.c.key, ranked.c.kind, ranked.c.assessment_id, ranked.c.submitted_at
        ).where(ranked.c.rn == 1)
    ).all()
    out: dict[tuple[int, str], dict[str, tuple[int, datetime]]] = defaultdict(dict)
    for subject_id, key, kind, assessment_id, submitted_at in rows:
        out[(subject_id, key)][kind] = (assessment_id, submitted_at)
    return out
