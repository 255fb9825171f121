"""People, teams and memberships: creating them, finding them, checking logins."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from competency.models import GLOBAL_ROLES, TEAM_ROLES, LoginAttempt, Membership, Team, User, utcnow
from competency.services import ServiceError
from competency.services.passwords import hash_password, needs_rehash, password_problem, verify_password

#: Failed logins allowed per account, and per address, inside THROTTLE_WINDOW.
THROTTLE_PER_ACCOUNT = 5
THROTTLE_PER_ADDRESS = 30
THROTTLE_WINDOW = timedelta(minutes=15)


class Throttled(ServiceError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def valid_email(email: str) -> bool:
    local, _, domain = email.partition("@")
    return bool(local) and "." in domain and " " not in email and len(email) <= 254


def user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def create_or_update_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: str = "member",
    password: str | None = None,
    default_level: str | None = None,
) -> tuple[User, bool]:
    """Create the user, or bring an existing one (same email) up to date. Returns (user, created)."""
    email = normalise_email(email)
    if not valid_email(email):
        raise ServiceError(f"{email!r} is not an email address")
    if not name.strip():
        raise ServiceError("name must not be empty")
    if role not in GLOBAL_ROLES:
        raise ServiceError(f"role must be one of {', '.join(GLOBAL_ROLES)}, not {role!r}")
    if password is not None and (problem := password_problem(password)):
        raise ServiceError(f"password refused: {problem}")
    user = user_by_email(session, email)
    created = user is None
    if user is None:
        user = User(email=email, name=name.strip(), role=role)
        session.add(user)
    else:
        user.name = name.strip()
        user.role = role
    if default_level is not None:
        user.default_level = default_level or None
    if password is not None and not (user.password_hash and verify_password(user.password_hash, password)):
        user.password_hash = hash_password(password)
        # A new password ends the person's other sessions; the same password again changes nothing.
        user.session_version += 0 if created else 1
    session.flush()
    return user, created


def set_password(session: Session, user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise ServiceError("The current password is not right.")
    if problem := password_problem(new):
        raise ServiceError(problem)
    user.password_hash = hash_password(new)
    # Every other session of this account ends.
    user.session_version += 1
    session.add(user)
    session.commit()


def authenticate(session: Session, email: str, password: str, remote_addr: str | None) -> User | None:
    """The active user with these credentials, or None; throttles repeated failures."""
    email = normalise_email(email)
    since = utcnow() - THROTTLE_WINDOW
    per_account = session.exec(
        select(sa.func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.email == email, LoginAttempt.at >= since)
    ).one()
    per_address = 0
    if remote_addr:
        per_address = session.exec(
            select(sa.func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.remote_addr == remote_addr, LoginAttempt.at >= since)
        ).one()
    if per_account >= THROTTLE_PER_ACCOUNT or per_address >= THROTTLE_PER_ADDRESS:
        raise Throttled("Too many failed attempts. Wait 15 minutes and try again.")
    user = user_by_email(session, email)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        session.add(LoginAttempt(email=email[:254], remote_addr=(remote_addr or "")[:64] or None))
        session.commit()
        return None
    session.exec(sa.delete(LoginAttempt).where(col(LoginAttempt.email) == email))  # type: ignore[call-overload]
    if needs_rehash(user.password_hash):
        # Hashes made with older (weaker) parameters are upgraded the next time the password is seen.
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    session.add(user)
    session.commit()
    return user


# -- teams --------------------------------------------------------------------------------------


def team_by_name(session: Session, name: str) -> Team | None:
    return session.exec(select(Team).where(Team.name == name.strip())).first()


def create_team(session: Session, name: str) -> tuple[Team, bool]:
    name = name.strip()
    if not name:
        raise ServiceError("team name must not be empty")
    if len(name) > 200:
        raise ServiceError("team name is longer than 200 characters")
    team = team_by_name(session, name)
    if team is not None:
        return team, False
    team = Team(name=name)
    session.add(team)
    session.flush()
    return team, True


def add_member(session: Session, team: Team, user: User, role: str = "member") -> tuple[Membership, bool]:
    """Put `user` in `team` with `role`, or change their role there. Returns (membership, changed)."""
    if role not in TEAM_ROLES:
        raise ServiceError(f"team role must be one of {', '.join(TEAM_ROLES)}, not {role!r}")
    membership = session.exec(
        select(Membership).where(Membership.team_id == team.id, Membership.user_id == user.id)
    ).first()
    if membership is None:
        assert team.id is not None and user.id is not None
        membership = Membership(team_id=team.id, user_id=user.id, role=role)
        session.add(membership)
        session.flush()
        return membership, True
    changed = membership.role != role
    membership.role = role
    session.add(membership)
    session.flush()
    return membership, changed


def remove_member(session: Session, team: Team, user: User) -> bool:
    membership = session.exec(
        select(Membership).where(Membership.team_id == team.id, Membership.user_id == user.id)
    ).first()
    if membership is None:
        return False
    session.delete(membership)
    session.flush()
    return True


def memberships_of(session: Session, user_id: int) -> list[tuple[Team, str]]:
    rows = session.exec(
        select(Team, Membership.role)
        .join(Membership, col(Membership.team_id) == Team.id)
        .where(Membership.user_id == user_id)
        .order_by(Team.name)
    ).all()
    return [(team, role) for team, role in rows]
