"""Organisation CSV import: check every row first, then apply all of them or none.

The file has the header `email,name,team,team_role,global_role,level`, one row per person and team
(a person in two teams has two rows with the same name, global_role and level). The import adds and
updates people, teams and memberships; it never removes anyone, never deactivates anyone and never
sets a password (new people cannot log in until an admin gives them one).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from competency.models import GLOBAL_ROLES, TEAM_ROLES, Membership, Team, User
from competency.services import ServiceError
from competency.services.names import has_breaking
from competency.services.users import name_problem, normalise_email, valid_email

COLUMNS = ("email", "name", "team", "team_role", "global_role", "level")
MAX_BYTES = 2 * 1024 * 1024
MAX_LENGTHS = {"email": 254, "name": 200, "team": 200, "level": 80}


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong with the file: `row` is the line number (the header is 1), 0 for the whole file."""

    row: int
    column: str
    message: str

    def format(self, file: str) -> str:
        where = f"{file}:{self.row}" if self.row else file
        return f"{where}: {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


class OrgImportError(ServiceError):
    """The file cannot be imported; `problems` lists every bad row and column."""

    def __init__(self, file: str, problems: list[RowProblem]) -> None:
        self.file = file
        self.problems = problems
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [problem.format(self.file) for problem in self.problems]


@dataclass(frozen=True)
class OrgRow:
    row: int
    email: str
    name: str
    team: str | None
    team_role: str
    global_role: str
    level: str | None


@dataclass
class ImportSummary:
    """What an import changed; an import that changed nothing has every list empty."""

    people: int = 0
    users_created: list[str] = field(default_factory=list)
    users_updated: list[str] = field(default_factory=list)
    teams_created: list[str] = field(default_factory=list)
    memberships_added: list[str] = field(default_factory=list)
    memberships_changed: list[str] = field(default_factory=list)
    #: Emails in the file whose account has no password yet (they cannot log in).
    without_password: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.users_created
            or self.users_updated
            or self.teams_created
            or self.memberships_added
            or self.memberships_changed
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "people": self.people,
            "users_created": len(self.users_created),
            "users_updated": len(self.users_updated),
            "teams_created": self.teams_created,
            "memberships_added": len(self.memberships_added),
            "memberships_changed": len(self.memberships_changed),
        }

    def describe(self) -> str:
        parts = [
            f"{len(self.users_created)} people created",
            f"{len(self.users_updated)} updated",
            f"{len(self.teams_created)} teams created",
            f"{len(self.memberships_added)} memberships added",
            f"{len(self.memberships_changed)} changed",
        ]
        return f"{self.people} people in the file: " + ", ".join(parts)


# -- parsing -----------------------------------------------------------------------------------------


def parse(data: bytes, file: str = "upload.csv") -> list[OrgRow]:
    """Every row of the file, checked; raises OrgImportError listing every problem at once."""
    if len(data) > MAX_BYTES:
        raise OrgImportError(
            file, [RowProblem(0, "", f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB; split it")]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise OrgImportError(
            file,
            [RowProblem(line, "", f"not UTF-8 text (byte {exc.start}); save the file as 'CSV UTF-8'")],
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise OrgImportError(file, [RowProblem(line, "", "contains a NUL byte; is this really a CSV file?")])
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        records = _records(reader)
    except csv.Error as exc:
        raise OrgImportError(file, [RowProblem(reader.line_num, "", f"not valid CSV: {exc}")]) from None
    if not records:
        raise OrgImportError(
            file, [RowProblem(1, "header", f"the file is empty; the first line must be {','.join(COLUMNS)}")]
        )
    header_row, header = records[0]
    names = tuple(cell.strip().lower() for cell in header)
    if names != COLUMNS:
        hint = ""
        if len(header) == 1 and ";" in header[0]:
            hint = " (columns must be separated by commas, not semicolons)"
        raise OrgImportError(
            file,
            [
                RowProblem(
                    header_row,
                    "header",
                    f"expected exactly {','.join(COLUMNS)}, found {','.join(header)}{hint}",
                )
            ],
        )
    problems: list[RowProblem] = []
    rows: list[OrgRow] = []
    for number, cells in records[1:]:
        if not any(cell.strip() for cell in cells):
            continue
        row = _row(number, cells, problems)
        if row is not None:
            rows.append(row)
    _check_duplicates(rows, problems)
    if problems:
        problems.sort(key=lambda p: p.row)
        raise OrgImportError(file, problems)
    return rows


def _records(reader: Any) -> list[tuple[int, list[str]]]:
    """(line where the record starts, cells) for every record."""
    out = []
    start = 1
    for cells in reader:
        out.append((start, cells))
        start = reader.line_num + 1
    return out


def _row(number: int, cells: list[str], problems: list[RowProblem]) -> OrgRow | None:
    if len(cells) != len(COLUMNS):
        problems.append(
            RowProblem(
                number, "row", f"has {len(cells)} fields, expected {len(COLUMNS)} ({','.join(COLUMNS)})"
            )
        )
        return None
    values = dict(zip(COLUMNS, (cell.strip() for cell in cells), strict=True))
    before = len(problems)

    def bad(column: str, message: str) -> None:
        problems.append(RowProblem(number, column, message))

    for column, limit in MAX_LENGTHS.items():
        if len(values[column]) > limit:
            bad(column, f"is longer than {limit} characters")
        if has_breaking(values[column]):
            bad(column, "contains a line break or control character")
    email = normalise_email(values["email"])
    if not email:
        bad("email", "is empty")
    elif not valid_email(email):
        bad("email", f"{values['email']!r} is not an email address")
    if not values["name"]:
        bad("name", "is empty")
    elif (problem := name_problem(values["name"])) and not has_breaking(values["name"]):
        bad("name", problem.removeprefix("name "))
    if values["team"] and (problem := name_problem(values["team"])) and not has_breaking(values["team"]):
        bad("team", problem.removeprefix("name "))
    team = values["team"] or None
    team_role = values["team_role"].lower()
    if team_role and team_role not in TEAM_ROLES:
        bad("team_role", f"unknown team role {values['team_role']!r}; use one of {', '.join(TEAM_ROLES)}")
    elif team and not team_role:
        bad("team_role", f"is empty; say {' or '.join(TEAM_ROLES)} for team {team!r}")
    global_role = values["global_role"].lower()
    if not global_role:
        bad("global_role", f"is empty; use one of {', '.join(GLOBAL_ROLES)}")
    elif global_role not in GLOBAL_ROLES:
        bad("global_role", f"unknown role {values['global_role']!r}; use one of {', '.join(GLOBAL_ROLES)}")
    if len(problems) > before:
        return None
    return OrgRow(
        row=number,
        email=email,
        name=values["name"],
        team=team,
        team_role=team_role or "member",
        global_role=global_role,
        level=values["level"] or None,
    )


def _check_duplicates(rows: list[OrgRow], problems: list[RowProblem]) -> None:
    """A person may have one row per team, and all their rows must agree on who they are."""
    first: dict[str, OrgRow] = {}
    seen_team: dict[tuple[str, str | None], OrgRow] = {}
    for row in rows:
        key = (row.email, row.team.casefold() if row.team else None)
        earlier = seen_team.get(key)
        if earlier is not None:
            where = f"team {row.team!r}" if row.team else "no team"
            problems.append(
                RowProblem(
                    row.row,
                    "email",
                    f"{row.email} is listed twice with {where} (rows {earlier.row} and {row.row})",
                )
            )
            continue
        seen_team[key] = row
        person = first.setdefault(row.email, row)
        for column in ("name", "global_role", "level"):
            mine, theirs = getattr(row, column), getattr(person, column)
            if mine != theirs:
                problems.append(
                    RowProblem(
                        row.row,
                        column,
                        f"{mine or ''!r} differs from row {person.row} ({theirs or ''!r}) for {row.email}; "
                        "one person has one name, global_role and level",
                    )
                )


# -- applying ----------------------------------------------------------------------------------------


def apply(session: Session, rows: list[OrgRow]) -> ImportSummary:
    """Bring people, teams and memberships in line with the rows (flushes; the caller commits)."""
    summary = ImportSummary()
    users = {user.email: user for user in session.exec(select(User)).all()}
    teams = {team.name.casefold(): team for team in session.exec(select(Team)).all()}
    memberships = {(m.team_id, m.user_id): m for m in session.exec(select(Membership)).all()}
    had_admin = any(user.role == "admin" and user.active for user in users.values())

    people: dict[str, User] = {}
    for row in rows:
        if row.email in people:
            continue
        user = users.get(row.email)
        if user is None:
            user = User(email=row.email, name=row.name, role=row.global_role, default_level=row.level)
            session.add(user)
            users[row.email] = user
            summary.users_created.append(row.email)
        elif (user.name, user.role, user.default_level) != (row.name, row.global_role, row.level):
            user.name, user.role, user.default_level = row.name, row.global_role, row.level
            session.add(user)
            summary.users_updated.append(row.email)
        people[row.email] = user
    session.flush()

    for row in rows:
        if row.team is None:
            continue
        team = teams.get(row.team.casefold())
        if team is None:
            team = Team(name=row.team)
            session.add(team)
            session.flush()
            teams[row.team.casefold()] = team
            summary.teams_created.append(row.team)
        user = people[row.email]
        assert team.id is not None and user.id is not None
        membership = memberships.get((team.id, user.id))
        label = f"{row.email} in {team.name} as {row.team_role}"
        if membership is None:
            membership = Membership(team_id=team.id, user_id=user.id, role=row.team_role)
            session.add(membership)
            memberships[(team.id, user.id)] = membership
            summary.memberships_added.append(label)
        elif membership.role != row.team_role:
            membership.role = row.team_role
            session.add(membership)
            summary.memberships_changed.append(label)
    session.flush()

    if had_admin and not any(user.role == "admin" and user.active for user in users.values()):
        raise ServiceError(
            "the import would leave no active admin; keep global_role admin for at least one person"
        )
    summary.people = len(people)
    summary.without_password = sorted(email for email, user in people.items() if not user.password_hash)
    return summary


def import_csv(session: Session, data: bytes, file: str = "upload.csv") -> ImportSummary:
    """Parse and apply; raises OrgImportError (nothing applied) when any row is bad."""
    return apply(session, parse(data, file))


def active_admins(session: Session) -> int:
    """How many people can still administer the service (an admin page must never lock everyone out)."""
    return session.exec(
        select(sa.func.count()).select_from(User).where(User.role == "admin", col(User.active).is_(True))
    ).one()
