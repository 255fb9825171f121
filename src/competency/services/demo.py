"""A believable demo organisation: teams, people, cycles and a year of assessments, always the same.

Everything is drawn from `random.Random` seeded per person and cycle, and every date counts back from
the day the demo was first loaded (the demo admin's creation date), so loading it again finds every
row it would create and changes nothing.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from competency import scoring
from competency.models import Answer, AreaNote, Assessment, Cycle, Membership, Team, User
from competency.questionnaire import Questionnaire
from competency.services import ServiceError
from competency.services.assessments import write_scores
from competency.services.passwords import hash_password, password_problem, verify_password
from competency.services.snapshots import ensure_snapshot

SEED = 2026
DOMAIN = "example.com"
ENGINEER = "ml-engineer"
MANAGER = "ml-team-manager"
FRAMEWORKS = (ENGINEER, MANAGER)


@dataclass(frozen=True)
class TeamPlan:
    name: str
    #: Areas of the engineer framework the team is good at, and one it neglects.
    strong: tuple[str, ...]
    weak: str
    #: An area where exactly one person (`expert`) is an expert, and one where nobody is.
    single: str
    expert: str
    none: str


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    level: str
    role: str = "member"
    #: (team, team role) pairs.
    teams: tuple[tuple[str, str], ...] = ()
    #: Indexes of the cycles (0 oldest, 2 current) with a submitted self-assessment.
    cycles: tuple[int, ...] = (0, 1, 2)
    #: A self-assessment in progress in the current cycle.
    draft: bool = False

    @property
    def framework(self) -> str | None:
        if self.role != "member":
            return None
        return MANAGER if any(role == "manager" for _, role in self.teams) else ENGINEER


def _p(name: str, level: str, *teams: tuple[str, str], **kwargs: object) -> Person:
    """A person whose email is their name in plain ASCII: "Zoë Müller" is zoe.muller@example.com."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    local = ".".join(part for part in re.split(r"[^a-z]+", ascii_name.lower().replace("-", "")) if part)
    return Person(name=name, email=f"{local}@{DOMAIN}", level=level, teams=teams, **kwargs)  # type: ignore[arg-type]


VISION, FORECASTING, PLATFORM = "Vision", "Forecasting", "ML Platform"

TEAMS = (
    TeamPlan(VISION, ("deep-learning", "training-evaluation"), "data-databases", "mlops-deployment",
             f"daniel.okafor@{DOMAIN}", "cloud-ml"),
    TeamPlan(FORECASTING, ("math-stats", "ml-algorithms"), "cloud-ml", "deep-learning",
             f"nadia.petrova@{DOMAIN}", "mlops-deployment"),
    TeamPlan(PLATFORM, ("mlops-deployment", "cloud-ml", "programming"), "visualisation-communication",
             "math-stats", f"amara.nwosu@{DOMAIN}", "deep-learning"),
)  # fmt: skip

PEOPLE = (
    _p("Grace Whitfield", "senior", role="admin", cycles=()),
    _p("Sofia Martins", "mid", role="hr", cycles=()),
    _p("Ingrid Halvorsen", "mid", (VISION, "manager"), (PLATFORM, "member"), cycles=(1, 2)),
    _p("Rahul Mehta", "senior", (FORECASTING, "manager"), cycles=(1, 2)),
    _p("Mei Chen", "junior", (PLATFORM, "manager"), cycles=(2,)),
    _p("Zoë Müller", "senior", (VISION, "member")),
    _p("Daniel Okafor", "senior", (VISION, "member")),
    _p("Kwame Mensah", "mid", (VISION, "member")),
    _p("Lucía Fernández", "mid", (VISION, "member"), cycles=(0, 1), draft=True),
    _p("Tomasz Wiśniewski", "junior", (VISION, "member"), cycles=(1, 2)),
    _p("Aiko Tanaka", "junior", (VISION, "member"), cycles=()),
    _p("Chloé Dubois", "senior", (FORECASTING, "member")),
    _p("Nadia Petrova", "senior", (FORECASTING, "member")),
    _p("Sven Lindqvist", "mid", (FORECASTING, "member")),
    _p("Fatima Al-Sayed", "mid", (FORECASTING, "member"), cycles=(0, 1), draft=True),
    _p("Mateo Rossi", "junior", (FORECASTING, "member"), cycles=(1, 2)),
    _p("Jonas Becker", "senior", (PLATFORM, "member")),
    _p("Amara Nwosu", "mid", (PLATFORM, "member")),
    _p("Siddharth Iyer", "mid", (PLATFORM, "member")),
    _p("Hannah Kowalski", "junior", (PLATFORM, "member"), cycles=(1, 2)),
    _p("Oliver Grant", "mid", (PLATFORM, "member"), cycles=(0, 1)),
)
#: The engineer with no assessment at all, so that a demo can start from an empty profile.
FRESH = f"aiko.tanaka@{DOMAIN}"

#: (manager, subject, cycle index): ratings of the engineer framework; the last one is a draft.
MANAGER_RATINGS = (
    ("ingrid.halvorsen", "zoe.muller", 2),
    ("ingrid.halvorsen", "kwame.mensah", 2),
    ("ingrid.halvorsen", "daniel.okafor", 1),
    ("rahul.mehta", "sven.lindqvist", 1),
    ("rahul.mehta", "sven.lindqvist", 2),
    ("rahul.mehta", "chloe.dubois", 2),
    ("rahul.mehta", "nadia.petrova", 2),
    ("mei.chen", "jonas.becker", 2),
    ("mei.chen", "amara.nwosu", 2),
)
MANAGER_DRAFT = ("mei.chen", "hannah.kowalski")

#: Days before the anchor date each cycle opened: about a year ago, half a year ago, three weeks ago.
CYCLE_OPENS = (330, 150, 24)
BASE = {"junior": 1.0, "mid": 1.8, "senior": 2.5}

SELF_NOTES = (
    "Did this on the team roadmap this half; happy to walk anyone through it.",
    "Mostly from the last project. I would still like a review from someone more senior.",
    "Paired on this with a colleague; I want more practice doing it on my own.",
    "Done it in production twice now, including one incident where it mattered.",
)
MANAGER_NOTES = {
    1: "You are further along here than you give yourself credit for: you led it on the last release.",
    -1: "I would like to see this in day-to-day work before calling it independent; let's pick a project.",
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
    _assessments(session, frameworks, users, cycles, result)
    _totals(session, users, result)
    return result


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


# -- answers -------------------------------------------------------------------------------------


def _plan(person: Person) -> TeamPlan | None:
    names = {team for team, _ in person.teams}
    return next((plan for plan in TEAMS if plan.name in names), None)


def item_values(q: Questionnaire, person: Person, cycle: int) -> dict[str, int | None]:
    """What `person` would rate each item (as scored, before reverse items flip) in cycle `cycle`."""
    traits = random.Random(f"{SEED}:{person.email}:{q.id}")
    growth = traits.uniform(0.1, 0.3)
    offsets = {area.id: traits.gauss(0, 0.45) for area in q.areas}
    rng = random.Random(f"{SEED}:{person.email}:{q.id}:{cycle}")
    plan = _plan(person) if q.id == ENGINEER else None
    values: dict[str, int | None] = {}
    for area in q.areas:
        mu = BASE[person.level] + offsets[area.id] + growth * cycle
        if plan is not None:
            mu += 0.7 if area.id in plan.strong else -0.5 if area.id == plan.weak else 0
            if area.id == plan.single and person.email == plan.expert:
                mu += 1.0
        for item in area.items:
            if item.optional and rng.random() < 0.25:
                values[item.id] = None
                continue
            value = min(q.hi, max(q.lo, round(rng.gauss(mu, 0.6))))
            if plan is not None and area.id == plan.none:
                value = min(value, 2)
            elif plan is not None and area.id == plan.single:
                value = max(value, 3) if person.email == plan.expert else min(value, 2)
            values[item.id] = value
    return values


def manager_values(q: Questionnaire, manager: str, person: Person, cycle: int) -> dict[str, int | None]:
    """A manager's rating: close to the person's own, with one or two clear blind spots."""
    own = item_values(q, person, cycle)
    rng = random.Random(f"{SEED}:{manager}:{person.email}:{cycle}")
    blind = {area.id for area in rng.sample(list(q.areas), rng.choice((1, 2)))}
    scores = scoring.score(q, _as_answers(q, own), person.level).areas
    values: dict[str, int | None] = {}
    for area in q.areas:
        # Rate clearly higher where the person is modest and there is room above, else lower.
        score = scores[area.id].score or 0
        direction = 1 if score <= (q.lo + q.hi) / 2 + 0.5 and rng.random() < 0.6 else -1
        for item in area.items:
            value = own[item.id]
            if value is None:
                values[item.id] = None
                continue
            # Blind-spot areas move one or two points one way; elsewhere a point either way now and then.
            shift = direction * rng.choice((1, 2, 2)) if area.id in blind else rng.choice((-1, 0, 0, 0, 0, 1))
            values[item.id] = min(q.hi, max(q.lo, value + shift))
    return values


def _as_answers(q: Questionnaire, values: Mapping[str, int | None]) -> dict[str, int | None]:
    items = q.items_by_id()
    return {
        item_id: value if value is None or not items[item_id][1].reverse else q.lo + q.hi - value
        for item_id, value in values.items()
    }


# -- assessments ---------------------------------------------------------------------------------


def _assessments(
    session: Session,
    frameworks: Mapping[str, Questionnaire],
    users: dict[str, User],
    cycles: dict[tuple[str | None, int], Cycle],
    result: DemoResult,
) -> None:
    ids = [u.id for u in users.values()]
    done = {
        (a.subject_id, a.assessor_id, a.kind, a.cycle_id)
        for a in session.exec(select(Assessment).where(col(Assessment.subject_id).in_(ids))).all()
    }
    by_local = {person.email.split("@")[0]: person for person in PEOPLE}
    snapshots = {key: ensure_snapshot(session, q) for key, q in frameworks.items()}

    def write(person: Person, assessor: str, kind: str, index: int, values: dict[str, int | None], *,
              draft: bool = False) -> None:  # fmt: skip
        key = person.framework or ENGINEER
        q, snapshot = frameworks[key], snapshots[key]
        plan = _plan(person)
        team = plan.name if key == ENGINEER and plan else None
        cycle = cycles[(team, index)]
        subject, rater = users[person.email], users[f"{assessor}@{DOMAIN}"]
        if (subject.id, rater.id, kind, cycle.id) in done:
            return
        rng = random.Random(f"{SEED}:{person.email}:{assessor}:{kind}:{index}")
        started = cycle.opens_at + timedelta(days=rng.randint(1, 14), hours=rng.randint(0, 8))
        finished = started + timedelta(days=rng.randint(0, 4), minutes=rng.randint(5, 300))
        if kind == "manager":
            finished += timedelta(days=3)
        answers = _as_answers(q, values)
        if draft:
            keep = {item.id for area in q.areas[:4] for item in area.items}
            answers = {k: v for k, v in answers.items() if k in keep}
        assert subject.id is not None and rater.id is not None and snapshot.id is not None
        assessment = Assessment(
            subject_id=subject.id,
            assessor_id=rater.id,
            kind=kind,
            questionnaire_version_id=snapshot.id,
            target_level=person.level,
            cycle_id=cycle.id,
            created_at=started,
            updated_at=finished,
            current_area=q.areas[4].id if draft else None,
        )
        session.add(assessment)
        session.flush()
        assert assessment.id is not None
        session.add_all(Answer(assessment_id=assessment.id, item_id=k, value=v) for k, v in answers.items())
        profile = scoring.score(q, answers, person.level)
        notes = _notes(q, profile, kind, rng, draft)
        session.add_all(AreaNote(assessment_id=assessment.id, area_id=a, text=t) for a, t in notes.items())
        if not draft:
            write_scores(session, assessment, profile)
            assessment.status, assessment.submitted_at = "submitted", finished
            assessment.readiness = profile.readiness
            if kind == "manager" and index < len(CYCLE_OPENS) - 1:
                # Earlier cycles' ratings were talked through and released; the latest wait for release.
                assessment.released_at = finished + timedelta(days=2)
        result.created["assessments"] += 1

    for person in PEOPLE:
        if person.framework is None:
            continue
        q = frameworks[person.framework]
        local = person.email.split("@")[0]
        for index in person.cycles:
            write(person, local, "self", index, item_values(q, person, index))
        if person.draft:
            write(person, local, "self", len(CYCLE_OPENS) - 1, item_values(q, person, 2), draft=True)
    engineers = frameworks[ENGINEER]
    for manager, subject, index in MANAGER_RATINGS:
        person = by_local[subject]
        write(person, manager, "manager", index, manager_values(engineers, manager, person, index))
    manager, subject = MANAGER_DRAFT
    person = by_local[subject]
    write(person, manager, "manager", 2, manager_values(engineers, manager, person, 2), draft=True)
    session.flush()


def _notes(
    q: Questionnaire,
    profile: scoring.Profile,
    kind: str,
    rng: random.Random,
    draft: bool,
) -> dict[str, str]:
    scored = [a for a in q.areas if profile.areas[a.id].score is not None]
    if not scored:
        return {}
    if kind == "manager":
        notes = {}
        for area in rng.sample(scored, min(2, len(scored))):
            score = profile.areas[area.id].score or 0
            notes[area.id] = MANAGER_NOTES[1 if score >= 2 else -1]
        return notes
    best = max(scored, key=lambda a: profile.areas[a.id].score or 0)
    return {best.id: rng.choice(SELF_NOTES)} if rng.random() < 0.7 or draft else {}


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
