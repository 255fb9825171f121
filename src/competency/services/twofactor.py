"""An optional second factor: TOTP (RFC 6238) codes from an authenticator app, with recovery codes.

Set-up is two steps: `begin` stores a new secret (not yet in use) and the person scans the QR code;
`confirm` turns it on once a code from the app matches, and hands out recovery codes, shown once and
stored as SHA-256 (they are random, so a slow hash adds nothing). A code is accepted once only.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

import pyotp
import sqlalchemy as sa
from sqlmodel import Session, col, select

from competency.config import Settings
from competency.models import RecoveryCode, User, utcnow
from competency.services import ServiceError, audit, notifications, sessions

ISSUER = "competency"
RECOVERY_CODES = 10
#: Codes of the step before and after are accepted too (clocks drift, people type slowly).
VALID_WINDOW = 1


def required_for(user: User, roles: Iterable[str]) -> bool:
    """True when the person's role must use a second factor (COMPETENCY_REQUIRE_2FA_FOR)."""
    return user.role in set(roles)


def begin(session: Session, user: User) -> str:
    """A fresh secret for set-up (not in use until confirmed); returns the otpauth:// URI for the QR code."""
    if user.has_second_factor:
        raise ServiceError("A second factor is already set up. Turn it off first to set up another.")
    user.totp_secret = pyotp.random_base32()
    session.add(user)
    session.commit()
    return provisioning_uri(user)


def provisioning_uri(user: User) -> str:
    assert user.totp_secret
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code of `uri` as an inline SVG (drawn here: no image service sees the secret)."""
    import io

    import segno

    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=5, border=2, xmldecl=False, svgns=True)
    return out.getvalue().decode()


def _code(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum()).lower()


def _matching_step(user: User, code: str) -> int | None:
    """The time step (within the window) whose code `code` is, or None."""
    if not user.totp_secret or not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(user.totp_secret)
    step_now = int(utcnow().timestamp()) // totp.interval
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        step = step_now + offset
        if secrets.compare_digest(totp.at(step * totp.interval), code):
            return step
    return None


def _accept_totp(session: Session, user: User, code: str) -> bool:
    """True for a current code not used before; its step is consumed in the same statement that checks it.

    Reading `totp_last_step` and writing it in two steps let two requests carrying one code both pass
    (one code opened several sessions): the conditional UPDATE below is the check, and the database lets
    exactly one of them change the row. Committed at once, so the step is spent even if the caller fails.
    """
    step = _matching_step(user, code)
    if step is None or user.id is None:
        return False
    last = col(User.totp_last_step)
    spent = session.execute(
        sa.update(User)
        .where(col(User.id) == user.id, sa.or_(last.is_(None), last < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    session.refresh(user)
    return int(getattr(spent, "rowcount", 0) or 0) == 1


def confirm(session: Session, user: User, code: str) -> list[str]:
    """Turn the second factor on when `code` matches the new secret; returns the recovery codes."""
    if user.has_second_factor:
        raise ServiceError("A second factor is already set up.")
    if not user.totp_secret:
        raise ServiceError("Start the set-up again: no secret is waiting for confirmation.")
    if not _accept_totp(session, user, _code(code)):
        raise ServiceError("That code does not match. Check the time on your phone and type the newest code.")
    user.totp_enabled_at = utcnow()
    session.add(user)
    codes = _new_recovery_codes(session, user)
    session.commit()
    return codes


def _digest(code: str) -> str:
    return hashlib.sha256(_code(code).encode()).hexdigest()


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    assert user.id is not None
    session.execute(sa.delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    for code in codes:
        session.add(RecoveryCode(user_id=user.id, code_hash=_digest(code)))
    return codes


def regenerate_recovery_codes(session: Session, user: User) -> list[str]:
    if not user.has_second_factor:
        raise ServiceError("Set up a second factor first.")
    codes = _new_recovery_codes(session, user)
    session.commit()
    return codes


def recovery_codes_left(session: Session, user: User) -> int:
    return len(
        session.exec(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, col(RecoveryCode.used_at).is_(None)
            )
        ).all()
    )


def verify(session: Session, user: User, code: str) -> str | None:
    """Check a code at login: "totp" or "recovery" for the kind accepted, None when refused (committed).

    Both kinds are spent by a conditional UPDATE whose row count says whether this request won: two
    requests with one code cannot both open a session.
    """
    cleaned = _code(code)
    if _accept_totp(session, user, cleaned):
        return "totp"
    if not cleaned or user.id is None:
        return None
    spent = session.execute(
        sa.update(RecoveryCode)
        .where(
            col(RecoveryCode.user_id) == user.id,
            col(RecoveryCode.code_hash) == _digest(cleaned),
            col(RecoveryCode.used_at).is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return "recovery" if int(getattr(spent, "rowcount", 0) or 0) == 1 else None


def _clear(session: Session, user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.add(user)
    session.execute(sa.delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))


def disable(session: Session, user: User) -> None:
    """Turn the second factor off (the caller has checked the password); recovery codes go with it."""
    _clear(session, user)
    session.commit()


def reset(
    session: Session,
    settings: Settings,
    person: User,
    *,
    actor_id: int | None,
    remote_addr: str | None = None,
    via: str = "web",
) -> None:
    """An admin clears a person's second factor (a lost phone, or one a thief put there).

    Every session of the person ends, since one may have been opened with the factor being removed; the
    change is audited and the person is told by mail, so a reset they did not ask for does not go unseen.
    """
    if not person.totp_secret and not person.totp_enabled_at:
        raise ServiceError(f"{person.name} has no second factor to reset.")
    person.session_version += 1
    _clear(session, person)
    sessions.end_all(session, person.id or 0, "two_factor")
    audit.log(
        session,
        actor_id=actor_id,
        action="two_factor.reset",
        object=f"user:{person.id}",
        details={"email": person.email, "via": via},
        remote_addr=remote_addr,
    )
    mail = notifications.render(
        "two_factor_reset",
        settings,
        to=person.email,
        subject="The second factor of your competency account was reset",
        name=person.name,
        email=person.email,
        url=notifications.link(settings, "/account/two-factor"),
    )
    notifications.send(session, mail)  # in the same transaction as the reset: told, whatever happens next
    session.commit()
