"""Who is in the demo organisation: teams, people, their levels and which cycles they took part in."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

SEED = 2026
DOMAIN = "example.com"
ENGINEER = "ml-engineer"
MANAGER = "ml-team-manager"
FRAMEWORKS = (ENGINEER, MANAGER)

#: Levels of the current frameworks, and what each was called in earlier versions: version 1 had no staff
#: level and called the manager levels junior, mid and senior; version 2 named manager levels by time in
#: role, version 3 by scope.
ENGINEER_LEVELS = ("junior", "mid", "senior", "staff")
MANAGER_LEVELS = ("team-manager", "multi-team-manager", "leads-managers")
EARLIER_LEVELS = {
    1: {"staff": "senior", "team-manager": "junior", "multi-team-manager": "mid", "leads-managers": "senior"},
    2: {"team-manager": "new-to-ml", "multi-team-manager": "established"},
}


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
    #: The level they aim at: an engineer level, or a manager level for people who manage a team.
    level: str
    role: str = "member"
    #: (team, team role) pairs.
    teams: tuple[tuple[str, str], ...] = ()
    #: Indexes of the cycles (0 oldest, 2 current) with a submitted self-assessment.
    cycles: tuple[int, ...] = (0, 1, 2)
    #: A self-assessment in progress in the current cycle.
    draft: bool = False
    #: Their specialism in the engineer framework (from version 3, which has specialisms).
    specialism: str | None = None

    @property
    def framework(self) -> str | None:
        if self.role != "member":
            return None
        return MANAGER if any(role == "manager" for _, role in self.teams) else ENGINEER

    @property
    def local(self) -> str:
        return self.email.split("@")[0]


def _p(name: str, level: str, *teams: tuple[str, str], **kwargs: object) -> Person:
    """A person whose email is their name in plain ASCII: "Zoë Müller" is zoe.muller@example.com."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    local = ".".join(part for part in re.split(r"[^a-z]+", ascii_name.lower().replace("-", "")) if part)
    return Person(name=name, email=f"{local}@{DOMAIN}", level=level, teams=teams, **kwargs)  # type: ignore[arg-type]


VISION, FORECASTING, PLATFORM = "Vision", "Forecasting", "ML Platform"

TEAMS = (
    TeamPlan(VISION, ("deep-learning", "training-evaluation", "llm-applications"), "data-databases",
             "mlops-deployment", f"daniel.okafor@{DOMAIN}", "cloud-ml"),
    TeamPlan(FORECASTING, ("math-stats", "ml-algorithms", "problem-framing"), "cloud-ml", "deep-learning",
             f"nadia.petrova@{DOMAIN}", "ml-operations"),
    TeamPlan(PLATFORM, ("mlops-deployment", "cloud-ml", "programming", "ml-operations", "system-design"),
             "visualisation-communication", "math-stats", f"amara.nwosu@{DOMAIN}", "deep-learning"),
)  # fmt: skip

PEOPLE = (
    _p("Grace Whitfield", "senior", role="admin", cycles=()),
    _p("Sofia Martins", "mid", role="hr", cycles=()),
    _p("Ingrid Halvorsen", "multi-team-manager", (VISION, "manager"), (PLATFORM, "member"), cycles=(1, 2)),
    _p("Rahul Mehta", "team-manager", (FORECASTING, "manager"), cycles=(1, 2)),
    _p("Mei Chen", "team-manager", (PLATFORM, "manager"), cycles=(2,)),
    _p("Priya Raman", "leads-managers", (VISION, "manager"), (FORECASTING, "manager"), (PLATFORM, "manager")),
    _p("Zoë Müller", "senior", (VISION, "member"), specialism="llm-apps"),
    _p("Daniel Okafor", "staff", (VISION, "member")),
    _p("Kwame Mensah", "mid", (VISION, "member"), specialism="llm-apps"),
    _p("Lucía Fernández", "mid", (VISION, "member"), cycles=(0, 1), draft=True),
    _p("Tomasz Wiśniewski", "junior", (VISION, "member"), cycles=(1, 2)),
    _p("Aiko Tanaka", "junior", (VISION, "member"), cycles=()),
    _p("Chloé Dubois", "senior", (FORECASTING, "member"), specialism="research"),
    _p("Nadia Petrova", "staff", (FORECASTING, "member"), specialism="research"),
    _p("Sven Lindqvist", "mid", (FORECASTING, "member")),
    _p("Fatima Al-Sayed", "mid", (FORECASTING, "member"), cycles=(0, 1), draft=True),
    _p("Mateo Rossi", "junior", (FORECASTING, "member"), cycles=(1, 2)),
    _p("Jonas Becker", "senior", (PLATFORM, "member"), specialism="platform"),
    _p("Amara Nwosu", "mid", (PLATFORM, "member"), specialism="platform"),
    _p("Siddharth Iyer", "senior", (PLATFORM, "member")),
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
#: The version of the frameworks each cycle was taken on (oldest first); the last is the shipped one.
CYCLE_VERSIONS = (1, 2, 3)
#: Where a person of each level starts, on average, on the 0-4 scale.
BASE = {
    "junior": 1.0, "mid": 1.8, "senior": 2.5, "staff": 3.0,
    "team-manager": 1.3, "multi-team-manager": 2.1, "leads-managers": 2.7,
}  # fmt: skip

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


def team_plan(person: Person) -> TeamPlan | None:
    names = {team for team, _ in person.teams}
    return next((plan for plan in TEAMS if plan.name in names), None)


def by_local() -> dict[str, Person]:
    return {person.local: person for person in PEOPLE}
