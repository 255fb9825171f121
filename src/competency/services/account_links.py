"""One-time set-password links: the invitation of a new account and "forgot password".

The link carries a random token in its fragment (`/account/set-password#TOKEN`: browsers do not send a
fragment, so it never reaches an access log; the page posts it in the form body). Only its SHA-256 is
stored. It expires, works once, ends with any password change, and using it ends every other session of
the account. Asking for a reset answers the same, and does the same work (a token, its hash, the mail
rendered, a row written), whether or not the address has an account; the mail is sent by a job.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from competency.config import Settings
from competency.models import AuditEvent, PasswordToken, User, utcnow
from competency.services import ServiceError, audit, notifications, sessions
from competency.services.passwords import hash_password, password_problem
from competency.services.users import end_password_links, normalise_email, user_by_email

INVITE_LIFETIME = timedelta(days=7)
RESET_LIFETIME = timedelta(hours=2)
#: Reset requests per email address per hour; more are answered the same and send nothing.
RESETS_PER_HOUR = 3
#: Reset requests per client address per hour, whatever addresses they name (mail bombing, probing).
RESETS_PER_CLIENT_PER_HOUR = 10
#: The audit action of every reset request: the per-address limits count these rows.
RESET_REQUEST = "password.reset_request"


class InvalidLink(ServiceError):
    pass


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, _hash(token)


def link_path(token: str) -> str:
    """The path of a set-password link: the token in the fragment, which no server or log sees."""
    return f"/account/set-password#{token}"


def issue(session: Session, user: User, purpose: str, now: datetime | None = None) -> str:
    """A new token for `user` (flushed); the clear token goes only into the mail."""
    now = now or utcnow()
    token, digest = _new_token()
    _store(session, user, purpose, digest, now)
    return token


def _store(session: Session, user: User, purpose: str, digest: str, now: datetime) -> None:
    lifetime = INVITE_LIFETIME if purpose == "invite" else RESET_LIFETIME
    session.add(
        PasswordToken(
            user_id=user.id or 0,
            token_hash=digest,
            purpose=purpose,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.flush()


def without_password(session: Session, emails: list[str] | None = None) -> list[User]:
    """Active accounts that have no password yet (all of them, or those of `emails`), by email."""
    stmt = select(User).where(col(User.active).is_(True), col(User.password_hash) == "")
    if emails is not None:
        stmt = stmt.where(col(User.email).in_([normalise_email(e) for e in emails]))
    return list(session.exec(stmt.order_by(col(User.email))).all())


def invite(session: Session, settings: Settings, user: User, now: datetime | None = None) -> None:
    """Mail `user` a link to choose their password (accounts made by an import or an admin)."""
    now = now or utcnow()
    token = issue(session, user, "invite", now)
    mail = notifications.render(
        "account_invitation",
        settings,
        to=user.email,
        subject="Your competency account: choose a password",
        name=user.name,
        email=user.email,
        url=notifications.link(settings, link_path(token)),
        expires=(now + INVITE_LIFETIME).strftime("%d %B %Y"),
    )
    notifications.send(session, mail)  # with the token: a link is never issued without its mail
    session.commit()


def _recent_requests(session: Session, since: datetime, *where: sa.ColumnElement[bool]) -> int:
    return int(
        session.exec(
            select(sa.func.count())
            .select_from(AuditEvent)
            .where(col(AuditEvent.action) == RESET_REQUEST, col(AuditEvent.at) >= since, *where)
        ).one()
    )


def request_reset(
    session: Session,
    settings: Settings,
    email: str,
    now: datetime | None = None,
    *,
    remote_addr: str | None = None,
) -> bool:
    """Mail a reset link when `email` is an active account within the limits; True when one is queued.

    The page answers the same either way; and so that its time does not tell either, an unknown address
    costs what a known one does: a token and its hash, the mail rendered, the request audited. Only the
    token row and the queued mail are left out.
    """
    now = now or utcnow()
    email = normalise_email(email)[:254]
    user = user_by_email(session, email)
    since = now - timedelta(hours=1)
    within = (
        _recent_requests(session, since, col(AuditEvent.object) == f"reset:{email}") < RESETS_PER_HOUR
        and _recent_requests(session, since, col(AuditEvent.remote_addr) == (remote_addr or "")[:64])
        < RESETS_PER_CLIENT_PER_HOUR
    )
    token, digest = _new_token()
    mail = notifications.render(
        "password_reset",
        settings,
        to=email,
        subject="Reset your competency password",
        name=user.name if user else email,
        email=email,
        url=notifications.link(settings, link_path(token)),
        minutes=int(RESET_LIFETIME.total_seconds() // 60),
    )
    send = user is not None and user.active and within
    if send:
        assert user is not None
        _store(session, user, "reset", digest, now)
        notifications.send(session, mail)  # with the token: a link is never issued without its mail
    audit.log(
        session,
        actor_id=None,
        action=RESET_REQUEST,
        object=f"reset:{email}",
        details={"limited": not within},
        remote_addr=remote_addr or "",
    )
    session.commit()
    return send


def check(session: Session, token: str, now: datetime | None = None) -> tuple[PasswordToken, User]:
    """The unused, unexpired token and its active account; InvalidLink otherwise."""
    now = now or utcnow()
    found = session.exec(select(PasswordToken).where(PasswordToken.token_hash == _hash(token))).first()
    user = session.get(User, found.user_id) if found else None
    if (
        found is None
        or user is None
        or not user.active
        or found.used_at is not None
        or found.expires_at <= now
    ):
        raise InvalidLink(
            "This link has expired or was already used. Ask for a new one on the “Forgot your password?” page."
        )
    return found, user


def set_password(
    session: Session,
    token: str,
    password: str,
    *,
    now: datetime | None = None,
    remote_addr: str | None = None,
) -> User:
    """Use the link: set the password (same rules as the password-change page), spend every open link."""
    now = now or utcnow()
    found, user = check(session, token, now)
    if problem := password_problem(password, email=user.email, name=user.name):
        raise ServiceError(problem)
    # Spend this link first, conditionally, so that two tabs posting at once set the password only once.
    spent = session.execute(
        sa.update(PasswordToken)
        .where(col(PasswordToken.id) == found.id, col(PasswordToken.used_at).is_(None))
        .values(used_at=now)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise InvalidLink(
            "This link was already used. Ask for a new one on the “Forgot your password?” page."
        )
    end_password_links(session, user.id or 0, now)
    user.password_hash = hash_password(password)
    user.session_version += 1
    session.add(user)
    # A reset after a lost or stolen password must also end whatever sessions are still open.
    sessions.end_all(session, user.id or 0, "password")
    audit.log(
        session,
        actor_id=user.id,
        action="password.set_from_link",
        object=f"user:{user.id}",
        details={"purpose": found.purpose},
        remote_addr=remote_addr,
    )
    session.commit()
    return user
