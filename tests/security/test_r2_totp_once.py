"""Round 2: a one-time code opens one session, also when several requests carry it at the same moment.

Each trial logs in with the password from several browsers, then posts the same TOTP code (or the same
recovery code) from all of them at once. The check and the spending of a code are one conditional
UPDATE, so exactly one browser gets in, on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

import pyotp
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from tests.security.support import post_login
from tests.security.test_f06_f08_concurrency import run_together
from tests.web.conftest import PASSWORD, csrf_token

from competency.models import LoginAttempt, User, utcnow
from competency.services import twofactor
from competency.web.requests import db

BROWSERS = 6
TRIALS = 3


def with_second_factor(app: Flask, user: User) -> tuple[str, list[str]]:
    """Turn the second factor on for `user` through the service; returns the secret and recovery codes."""
    with app.app_context():
        row = db().get(User, user.id)
        assert row is not None
        row.totp_secret = pyotp.random_base32()
        row.totp_enabled_at = utcnow()
        db().add(row)
        codes = twofactor.regenerate_recovery_codes(db(), row)
        return row.totp_secret, codes


def at_second_step(app: Flask, email: str) -> tuple[FlaskClient, str]:
    """A browser that passed the password step, and the form token of its code page."""
    client = app.test_client()
    response = post_login(client, email, PASSWORD)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    assert response.headers["Location"].endswith("/login/code")
    return client, csrf_token(client, "/login/code")


def forget_failures(app: Flask) -> None:
    """The losers of a trial count as failed logins; the next trial must not wait for the throttle."""
    with app.app_context():
        db().execute(sa.delete(LoginAttempt))
        db().commit()


def sessions_opened(app: Flask, email: str, code: str) -> int:
    forget_failures(app)
    browsers = [at_second_step(app, email) for _ in range(BROWSERS)]

    def post(client: FlaskClient, token: str) -> int:
        return client.post("/login/code", data={"code": code, "csrf_token": token}).status_code

    # The losers see 401, or 429 once the throttle counts their failures; only a 302 opened a session.
    results = run_together(*[lambda c=c, t=t: post(c, t) for c, t in browsers])
    assert all(isinstance(r, int) and r in (302, 401, 429) for r in results), results
    return sum(1 for r in results if r == 302)


def reset_last_step(app: Flask, user: User) -> None:
    """Forget the spent step, so each trial starts as if the code were fresh."""
    with app.app_context():
        row = db().get(User, user.id)
        assert row is not None
        row.totp_last_step = None
        db().add(row)
        db().commit()


def test_one_totp_code_opens_one_session_under_concurrency(app, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("once@example.org")
    secret, _codes = with_second_factor(app, user)
    for _ in range(TRIALS):
        reset_last_step(app, user)
        assert sessions_opened(app, user.email, pyotp.TOTP(secret).now()) == 1


def test_one_recovery_code_opens_one_session_under_concurrency(app, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("recover@example.org")
    _secret, codes = with_second_factor(app, user)
    for code in codes[:TRIALS]:
        assert sessions_opened(app, user.email, code) == 1
    with app.app_context():
        row = db().get(User, user.id)
        assert twofactor.recovery_codes_left(db(), row) == len(codes) - TRIALS


def test_a_used_totp_code_is_refused_afterwards(app, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("replay@example.org")
    secret, _codes = with_second_factor(app, user)
    code = pyotp.TOTP(secret).now()
    assert sessions_opened(app, user.email, code) == 1
    forget_failures(app)
    client, token = at_second_step(app, user.email)
    assert client.post("/login/code", data={"code": code, "csrf_token": token}).status_code == 401
