"""Login throttling with growing delays, keyed so that an attacker slows only their own attempts.

Each failed login is recorded with its account, address and trusted-browser id. Before a password is
checked, every key the attempt falls under is looked at; past a key's free failures the next attempt
must wait 1 s, 2 s, 4 s ... (capped), counted from that key's last failure. The keys:

- a browser that has logged in to this account before (a signed "device" cookie) answers only for
  its own failures: nobody elsewhere can slow it down, let alone lock the person out;
- any other attempt answers for the failures of its (account, address) pair, of the account from
  untrusted browsers anywhere (a distributed guess), and of its address over all accounts (credential
  stuffing), each with a higher allowance and a shorter cap.

So a person who knows their password is never locked out from their own browser, whatever an attacker
does from elsewhere or from behind the same address; an attacker only ever waits longer. A browser that
has not logged in before is held back by the account key for a bounded time only (ACCOUNT_HOLD, counted
from the first time it was held back, which the browser keeps in a signed cookie): past it, only its own
address's keys apply, so failures elsewhere cannot keep the owner's new browser out for good. Using a
reset link from the mail makes that browser trusted at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from competency.models import LoginAttempt, utcnow

#: Failures older than this no longer count.
WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Rule:
    name: str
    #: Failures allowed before any delay.
    free: int
    #: The longest delay, in seconds.
    cap: float


#: The longest the account key holds back one untrusted browser (then its address's keys still apply).
ACCOUNT_HOLD = timedelta(minutes=15)

DEVICE = Rule("device", free=5, cap=300)
PAIR = Rule("account and address", free=3, cap=900)
ACCOUNT = Rule("account", free=10, cap=300)
ADDRESS = Rule("address", free=30, cap=300)


def delay(rule: Rule, failures: int) -> float:
    """Seconds to wait after the last failure: 0 within the allowance, then doubling up to the cap."""
    if failures < rule.free:
        return 0.0
    return float(min(rule.cap, 2 ** (failures - rule.free)))


@dataclass(frozen=True)
class Verdict:
    """Whether an attempt may go ahead now, else how long to wait and which key held it back."""

    wait_seconds: int = 0
    rule: str = ""

    @property
    def allowed(self) -> bool:
        return self.wait_seconds <= 0


def _failures(
    session: Session, since: datetime, *where: sa.ColumnElement[bool]
) -> tuple[int, datetime | None]:
    count, last = session.execute(
        sa.select(sa.func.count(), sa.func.max(col(LoginAttempt.at))).where(
            col(LoginAttempt.at) >= since, *where
        )
    ).one()
    return int(count), last


def check(
    session: Session,
    email: str,
    remote_addr: str | None,
    device: str | None,
    now: datetime | None = None,
    *,
    waiting_since: datetime | None = None,
) -> Verdict:
    """May a login for `email` from `remote_addr` (with a trusted `device` of this account, or None) try now?

    `waiting_since`: when this browser was first held back for the account; after ACCOUNT_HOLD the
    account-wide key no longer applies to it.
    """
    now = now or utcnow()
    since = now - WINDOW
    keys: list[tuple[Rule, list[sa.ColumnElement[bool]]]]
    if device:
        keys = [(DEVICE, [col(LoginAttempt.device) == device])]
    else:
        untrusted = col(LoginAttempt.device).is_(None)
        addr = col(LoginAttempt.remote_addr) == (remote_addr or "")
        keys = [
            (PAIR, [col(LoginAttempt.email) == email, addr, untrusted]),
            (ACCOUNT, [col(LoginAttempt.email) == email, untrusted]),
            (ADDRESS, [addr, untrusted]),
        ]
        if waiting_since is not None and now - waiting_since >= ACCOUNT_HOLD:
            keys = [key for key in keys if key[0] is not ACCOUNT]
    worst = Verdict()
    for rule, where in keys:
        failures, last = _failures(session, since, *where)
        if last is None:
            continue
        left = (last + timedelta(seconds=delay(rule, failures)) - now).total_seconds()
        if left > worst.wait_seconds:
            worst = Verdict(math.ceil(left), rule.name)
    return worst


def record_failure(session: Session, email: str, remote_addr: str | None, device: str | None) -> None:
    """Count a failed attempt (the caller commits)."""
    session.add(LoginAttempt(email=email[:254], remote_addr=(remote_addr or "")[:64] or "", device=device))


def forget(session: Session, email: str, remote_addr: str | None, device: str | None) -> None:
    """After a success: this browser's (or this address's) own failures on the account no longer count.
    Failures from elsewhere stay, so a success here does not reset an attacker's count."""
    where = [col(LoginAttempt.email) == email]
    if device:
        where.append(col(LoginAttempt.device) == device)
    else:
        where += [col(LoginAttempt.remote_addr) == (remote_addr or ""), col(LoginAttempt.device).is_(None)]
    session.execute(sa.delete(LoginAttempt).where(*where))


def purge(session: Session, now: datetime | None = None) -> int:
    """Drop failures that no longer count (the hourly clean-up); returns how many (the caller commits)."""
    result = session.execute(sa.delete(LoginAttempt).where(col(LoginAttempt.at) < (now or utcnow()) - WINDOW))
    return int(getattr(result, "rowcount", 0) or 0)
