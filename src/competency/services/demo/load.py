"""Writes the demo organisation into the database: whatever part of it is missing, nothing else.

Every date counts back from the day the demo was first loaded (the demo admin's creation date), so
loading it again finds every row it would create and changes nothing. The oldest cycle was taken on
version 1 of the frameworks (kept in `version1/`), the next on version 2 (`version2/`), the current one on
the shipped version, so a person's history spans versions as it would in a real organisation.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlmodel import Session, col, select

from competency import scoring
from competency.models import Answer, AreaNote, Assessment, Cycle, Membership, Team, User
from competency.questionnaire import Questionnaire, load_file
from competency.services import ServiceError
from competency.services.assessments import write_scores
from competency.services.demo.answers import (
    as_answers,
    in_play,
    item_values,
    level_in,
    manager_values,
    specialism_in,
)
from competency.services.demo.cast import (
    CYCLE_OPENS,
    CYCLE_VERSIONS,
    DOMAIN,
    ENGINEER,
    FRESH,
    MANAGER,
    MANAGER_DRAFT,
    MANAGER_NOTES,
    MANAGER_RATINGS,
    PEOPLE,
    SEED,
    SELF_NOTES,
    TEAMS,
    Person,
    by_local,
    team_plan,
)
from competency.services.passwords import hash_password, password_problem, verify_password
from competency.services.snapshots import ensure_snapshot
from competency.services.snapshots import status as snapshot_status

#: Earlier versions of the shipped frameworks, exactly as they shipped: the demo's earlier cycles use them.
EARLIER_FOLDERS = {
    1: Path(__file__).resolve().parent / "version1",
    2: Path(__file__).resolve().parent / "version2",
}


@dataclass
class DemoResult:
    logins: list[tuple[str, str, str, str]] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    fresh: str = FRESH

    def describe(self) -> str:
        t = self.totals
        head = (
            f"Demo organisation: {t['people']} people in {t['teams']} teams, {t['cycles']} cycles, "
            f"{t['self']} submitted self-assessments, {t['manager']} manager ratings, {t['drafts']} drafts."
        )
        changes = ", ".join(f"{n} {what}" for what, n in self.created.items() if n)
        return head + (
            "\nCreated or updated now: " + changes if changes else "\nAlready loaded: nothing changed."
        )


def earlier_frameworks(version: int) -> dict[str, Questionnaire]:
    return {key: load_file(EARLIER_FOLDERS[version] / f"{key}.yaml") for key in (ENGINEER, MANAGER)}


def other_people(session: Session) -> int:
    """Accounts in the database that are not demo accounts."""
    emails = {person.email for person in PEOPLE}
    return sum(1 for email in session.exec(select(User.email)).all() if email not in emails)


def load_demo(
    session: Session, frameworks: Mapping[str, Questionnaire], password: str = "demo-password"
) -> DemoResult:
    """Create whatever part of the demo is missing (flushes; the caller commits)."""
    if problem := password_problem(password):
        raise ServiceError(f"--password refused: {problem}")
    result = DemoResult(created=dict.fromkeys(("people", "teams", "memberships", "cycles", "assessments"), 0))
    users = _people(session, password, result)
    anchor = users[PEOPLE[0].email].created_at.date()
    teams = _teams(session, users, result)
    cycles = _cycles(session, teams, users[PEOPLE[0].email], anchor, result)
    _assessments(session, _by_cycle(session, frameworks), users, cycles, result)
    _totals(session, users, result)
    return result


def _by_cycle(session: Session, current: Mapping[str, Questionnaire]) -> list[dict[str, Questionnaire]]:
    """The framework each cycle is taken on (CYCLE_VERSIONS), the shipped one for the last.

    An earlier version the database can no longer take (it holds a newer one but not that one: the demo
    forced into a database in use) is replaced by the next one it can take, else the shipped version.
    """
    earlier: dict[int, dict[str, Questionnaire]] = {}
    for version in sorted(set(CYCLE_VERSIONS[:-1])):
        earlier[version] = {
            key: q
            for key, q in earlier_frameworks(version).items()
            if key in current
            and current[key].version > version
            and snapshot_status(session, q).state != "conflict"
        }
    out = []
    for index, version in enumerate(CYCLE_VERSIONS):
        last = index == len(CYCLE_VERSIONS) - 1
        out.append(
            {
                key: q if last else earlier.get(version, {}).get(key) or _later(earlier, version, key) or q
                for key, q in current.items()
            }
        )
    return out


def _later(earlier: dict[int, dict[str, Questionnaire]], version: int, key: str) -> Questionnaire | None:
    for later in sorted(v for v in earlier if v > version):
        if key in earlier[later]:
            return earlier[later][key]
    return None


def _people(session: Session, password: str, result: DemoResult) -> dict[str, User]:
    existing = {
        u.email: u for u in session.exec(select(User).where(col(User.email).in_([p.email for p in PEOPLE])))
    }
    shared_hash: str | None = None
    checked: dict[str, bool] = {}
    users: dict[str, User] = {}
    for person in PEOPLE:
        user = existing.get(person.email)
        if user is None:
            user = User(email=person.email, name=person.name, role=person.role, default_level=person.level)
            result.created["people"] += 1
        elif (user.name, user.role, user.default_level) != (person.name, person.role, person.level):
            user.name, user.role, user.default_level = person.name, person.role, person.level
            result.created["people"] += 1
        if user.password_hash not in checked:
            checked[user.password_hash] = verify_password(user.password_hash, password)
        if not checked[user.password_hash]:
            # One hash for every demo account: hashing 20 times would cost a second for nothing.
            shared_hash = shared_hash or hash_password(password)
            checked[shared_hash] = True
            if user.id is not None:
                user.session_version += 1
                result.created["people"] += 1
            user.password_hash = shared_hash
        session.add(user)
        users[person.email] = user
    session.flush()
    return users


def _teams(session: Session, users: dict[str, User], result: DemoResult) -> dict[str, Team]:
    names = [plan.name for plan in TEAMS]
    teams = {t.name: t for t in session.exec(select(Team).where(col(Team.name).in_(names))).all()}
    for name in names:
        if name not in teams:
            teams[name] = Team(name=name)
            session.add(teams[name])
            result.created["teams"] += 1
    session.flush()
    ids = [t.id for t in teams.values()]
    memberships = {
        (m.team_id, m.user_id): m
        for m in session.exec(select(Membership).where(col(Membership.team_id).in_(ids))).all()
    }
    for person in PEOPLE:
        user = users[person.email]
        for team_name, role in person.teams:
            team = teams[team_name]
            assert team.id is not None and user.id is not None
            membership = memberships.get((team.id, user.id))
            if membership is None:
                session.add(Membership(team_id=team.id, user_id=user.id, role=role))
                result.created["memberships"] += 1
            elif membership.role != role:
                membership.role = role
                session.add(membership)
                result.created["memberships"] += 1
    session.flush()
    return teams


def _at(day: date, hours: float = 9) -> datetime:
    return datetime.combine(day, time(tzinfo=UTC)) + timedelta(hours=hours)


def _cycles(
    session: Session, teams: dict[str, Team], admin: User, anchor: date, result: DemoResult
) -> dict[tuple[str | None, int], Cycle]:
    """Per team (engineer framework) and organisation-wide (manager framework), three cycles each."""
    wanted: dict[tuple[str | None, int], Cycle] = {}
    for index, days in enumerate(CYCLE_OPENS):
        opens = _at(anchor - timedelta(days=days))
        current = index == len(CYCLE_OPENS) - 1
        due = opens + timedelta(days=35 if current else 28)
        closed = None if current else due + timedelta(days=2)
        label = opens.strftime("%B %Y")
        for team_name in [*teams, None]:
            team = teams[team_name] if team_name else None
            wanted[(team_name, index)] = Cycle(
                name=f"{label} review" if team else f"{label} manager review",
                questionnaire_key=ENGINEER if team else MANAGER,
                team_id=team.id if team else None,
                # Engineers take the engineer framework; the organisation-wide review is for managers.
                audience="members" if team else "managers",
                opens_at=opens,
                due_at=due,
                closed_at=closed,
                created_by_id=admin.id,
                created_at=opens - timedelta(days=7),
            )
    stored = {
        (c.name, c.team_id, c.questionnaire_key): c
        for c in session.exec(select(Cycle).where(col(Cycle.name).in_([c.name for c in wanted.values()])))
    }
    cycles = {}
    for key, cycle in wanted.items():
        found = stored.get((cycle.name, cycle.team_id, cycle.questionnaire_key))
        if found is None:
            session.add(cycle)
            result.created["cycles"] += 1
            found = cycle
        cycles[key] = found
    session.flush()
    return cycles


def _assessments(
    session: Session,
    by_cycle: list[dict[str, Questionnaire]],
    users: dict[str, User],
    cycles: dict[tuple[str | None, int], Cycle],
    result: DemoResult,
) -> None:
    ids = [u.id for u in users.values()]
    done = {
        (a.subject_id, a.assessor_id, a.kind, a.cycle_id)
        for a in session.exec(select(Assessment).where(col(Assessment.subject_id).in_(ids))).all()
    }
    # Oldest version first: a snapshot older than the newest stored one would be refused.
    versions = sorted({(q.id, q.version): q for cycle in by_cycle for q in cycle.values()}.items())
    snapshots = {key: ensure_snapshot(session, q) for key, q in sorted(versions, key=lambda kv: kv[0][1])}
    current = len(CYCLE_OPENS) - 1

    def write(person: Person, assessor: str, kind: str, index: int, *, draft: bool = False) -> None:
        key = person.framework or ENGINEER
        q = by_cycle[index][key]
        plan = team_plan(person)
        team = plan.name if key == ENGINEER and plan else None
        cycle = cycles[(team, index)]
        subject, rater = users[person.email], users[f"{assessor}@{DOMAIN}"]
        if (subject.id, rater.id, kind, cycle.id) in done:
            return
        values = (
            item_values(q, person, index) if kind == "self" else manager_values(q, assessor, person, index)
        )
        level = level_in(q, person.level)
        specialism = specialism_in(q, person)
        rng = random.Random(f"{SEED}:{person.email}:{assessor}:{kind}:{index}")
        started = cycle.opens_at + timedelta(days=rng.randint(1, 14), hours=rng.randint(0, 8))
        finished = started + timedelta(days=rng.randint(0, 4), minutes=rng.randint(5, 300))
        if kind == "manager":
            finished += timedelta(days=3)
        answers = as_answers(q, values)
        areas = [area for area, _ in in_play(q, level, specialism)]
        if draft:
            keep = {item.id for area, items in in_play(q, level, specialism)[:4] for item in items}
            answers = {k: v for k, v in answers.items() if k in keep}
        snapshot = snapshots[(q.id, q.version)]
        assert subject.id is not None and rater.id is not None and snapshot.id is not None
        assessment = Assessment(
            subject_id=subject.id,
            assessor_id=rater.id,
            kind=kind,
            questionnaire_version_id=snapshot.id,
            target_level=level,
            specialism=specialism,
            cycle_id=cycle.id,
            created_at=started,
            updated_at=finished,
            current_area=areas[4].id if draft else None,
        )
        session.add(assessment)
        session.flush()
        assert assessment.id is not None
        session.add_all(Answer(assessment_id=assessment.id, item_id=k, value=v) for k, v in answers.items())
        profile = scoring.score(q, answers, level, specialism)
        notes = _notes(profile, kind, rng, draft)
        session.add_all(AreaNote(assessment_id=assessment.id, area_id=a, text=t) for a, t in notes.items())
        if not draft:
            write_scores(session, assessment, profile)
            assessment.status, assessment.submitted_at = "submitted", finished
            if kind == "manager" and index < len(CYCLE_OPENS) - 1:
                # Earlier cycles' ratings were talked through and released; the latest wait for release.
                assessment.released_at = finished + timedelta(days=2)
        result.created["assessments"] += 1

    for person in PEOPLE:
        if person.framework is None:
            continue
        for index in person.cycles:
            write(person, person.local, "self", index)
        if person.draft:
            write(person, person.local, "self", current, draft=True)
    people = by_local()
    for manager, subject, index in MANAGER_RATINGS:
        write(people[subject], manager, "manager", index)
    manager, subject = MANAGER_DRAFT
    write(people[subject], manager, "manager", current, draft=True)
    session.flush()


def _notes(profile: scoring.Profile, kind: str, rng: random.Random, draft: bool) -> dict[str, str]:
    scored = [area_id for area_id, result in profile.areas.items() if result.score is not None]
    if not scored:
        return {}
    if kind == "manager":
        notes = {}
        for area_id in rng.sample(scored, min(2, len(scored))):
            score = profile.areas[area_id].score or 0
            notes[area_id] = MANAGER_NOTES[1 if score >= 2 else -1]
        return notes
    best = max(scored, key=lambda a: profile.areas[a].score or 0)
    return {best: rng.choice(SELF_NOTES)} if rng.random() < 0.7 or draft else {}


def _totals(session: Session, users: dict[str, User], result: DemoResult) -> None:
    ids = [u.id for u in users.values()]
    rows = session.exec(select(Assessment).where(col(Assessment.subject_id).in_(ids))).all()
    team_rows = session.exec(
        select(Team.name, Membership.user_id, Membership.role).join(
            Membership, col(Membership.team_id) == Team.id
        )
    ).all()
    by_user: dict[int, list[str]] = {}
    for team, user_id, role in sorted(team_rows):
        by_user.setdefault(user_id, []).append(f"{team} (manager)" if role == "manager" else team)
    result.totals = {
        "people": len(users),
        "teams": len(TEAMS),
        "cycles": len(CYCLE_OPENS) * (len(TEAMS) + 1),
        "self": sum(1 for a in rows if a.kind == "self" and a.status == "submitted"),
        "manager": sum(1 for a in rows if a.kind == "manager" and a.status == "submitted"),
        "drafts": sum(1 for a in rows if a.status == "draft"),
    }
    for person in PEOPLE:
        user = users[person.email]
        teams = by_user.get(user.id or 0, [])
        role = (
            person.role
            if person.role != "member"
            else "manager"
            if person.framework == MANAGER
            else "engineer"
        )
        result.logins.append((person.email, person.name, role, ", ".join(teams) or "-"))
