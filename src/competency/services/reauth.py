"""Re-authentication: the current password asked again before a sensitive change, throttled and audited
like a login, so a stolen session cannot guess the password at full speed or unseen."""

from __future__ import annotations

from sqlmodel import Session

from competency.models import User
from competency.services import ServiceError, audit, throttle
from competency.services.passwords import verify_password


class ReauthRefused(ServiceError):
    """The password was wrong, or too many were wrong lately; `wait_seconds` > 0 for the latter."""

    def __init__(self, message: str, wait_seconds: int = 0) -> None:
        super().__init__(message)
        self.wait_seconds = wait_seconds


def _wait_text(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def confirm_password(
    session: Session, user: User, password: str, *, purpose: str, remote_addr: str | None
) -> None:
    """Return when `password` is the person's own; else record the failure and raise ReauthRefused.

    The attempt goes through the login throttle under the account's email and the caller's address (a
    page behind a login has no trusted-browser cookie, which is scoped to /login), and each failure is
    counted there too: guessing through these forms costs what guessing at /login costs. Failures and
    throttled attempts are audited and committed at once, because the request that made them fails.
    """
    verdict = throttle.check(session, user.email, remote_addr, None)
    if not verdict.allowed:
        audit.log(
            session,
            actor_id=user.id,
            action="reauth.throttled",
            object=f"user:{user.id}",
            details={"for": purpose, "wait_seconds": verdict.wait_seconds, "rule": verdict.rule},
            remote_addr=remote_addr,
        )
        session.commit()
        raise ReauthRefused(
            f"Too many wrong passwords. Wait {_wait_text(verdict.wait_seconds)} and try again.",
            verdict.wait_seconds,
        )
    if verify_password(user.password_hash, password):
        return
    throttle.record_failure(session, user.email, remote_addr, None)
    audit.log(
        session,
        actor_id=user.id,
        action="reauth.failure",
        object=f"user:{user.id}",
        details={"for": purpose},
        remote_addr=remote_addr,
    )
    session.commit()
    raise ReauthRefused("Your current password is not right.")
