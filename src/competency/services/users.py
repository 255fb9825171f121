"""People, teams and memberships: creating them, finding them, checking logins."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from competency.models import GLOBAL_ROLES, TEAM_ROLES, Membership, PasswordToken, Team, User, utcnow
from competency.services import ServiceError, reauth, sessions
from competency.services.names import has_breaking, name_problem
from competency.services.passwords import check_password_policy, hash_password, needs_rehash, verify_password


def normalise_email(email: str) -> str:
    return email.strip().lower()


def valid_email(email: str) -> bool:
    local, _, domain = email.partition("@")
    # A control character or line separator would end the To header of every mail to this address.
    return (
        bool(local) and "." in domain and " " not in email and len(email) <= 254 and not has_breaking(email)
    )


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
    if problem := name_problem(name):
        raise ServiceError(problem)
    if role not in GLOBAL_ROLES:
        raise ServiceError(f"role must be one of {', '.join(GLOBAL_ROLES)}, not {role!r}")
    if password is not None and (problem := check_password_policy(password, email=email, name=name)):
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
        if not created:
            session.flush()
            end_password_links(session, user.id or 0)
    session.flush()
    return user, created


def set_password(
    session: Session,
    user: User,
    current: str,
    new: str,
    *,
    keep_session: str | None = None,
    remote_addr: str | None = None,
) -> None:
    """Change one's own password; every session of the account but `keep_session` (a token) ends.

    A wrong `current` raises ReauthRefused, throttled and audited like a failed login (services/reauth.py).
    """
    reauth.confirm_password(session, user, current, purpose="password", remote_addr=remote_addr)
    if problem := check_password_policy(new, email=user.email, name=user.name):
        raise ServiceError(problem)
    if verify_password(user.password_hash, new):
        raise ServiceError("The new password is the one you have now. Choose another.")
    user.password_hash = hash_password(new)
    user.session_version += 1
    session.add(user)
    sessions.end_all(session, user.id or 0, "password", keep=keep_session)
    end_password_links(session, user.id or 0)
    session.commit()


def end_password_links(session: Session, user_id: int, now: datetime | None = None) -> None:
    """Spend every open set-password link of the person: after a password change, by any way, an old
    link must not set a password over the new one (the caller commits)."""
    session.execute(
        sa.update(PasswordToken)
        .where(col(PasswordToken.user_id) == user_id, col(PasswordToken.used_at).is_(None))
        .values(used_at=now or utcnow())
    )


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Throttling is the caller's (services/throttle.py):
    it must be checked before this is called, and failures recorded after."""
    user = user_by_email(session, email)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        return None
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
    if problem := name_problem(name):
        raise ServiceError(f"team {problem}")
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
