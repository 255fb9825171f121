"""F2: throttling slows an attacker without locking out the person, answers 429 with Retry-After, and
reads the client's address behind the configured number of trusted proxies."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select
from tests.security.support import post_login
from tests.web.conftest import PASSWORD, csrf_token

from competency.models import LoginAttempt, utcnow
from competency.services import throttle
from competency.web.requests import db

ATTACKER = "203.0.113.7"
OWNER = "198.51.100.20"


def fail_many(app, email: str, address: str, n: int, device: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """n failed attempts recorded as the login form records them, spread over the last minutes."""
    with app.app_context():
        for i in range(n):
            db().add(
                LoginAttempt(
                    email=email, remote_addr=address, device=device, at=utcnow() - timedelta(seconds=60 - i)
                )
            )
        db().commit()


def test_an_attackers_failures_do_not_lock_out_the_owner_from_another_address(app, client, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("lee@example.org")
    fail_many(app, "lee@example.org", ATTACKER, 9)  # below the account-wide allowance, far past the pair's
    blocked = post_login(app.test_client(), "lee@example.org", PASSWORD, REMOTE_ADDR=ATTACKER)
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert post_login(client, "lee@example.org", PASSWORD, REMOTE_ADDR=OWNER).status_code == 302


def test_a_trusted_browser_logs_in_whatever_failures_come_from_elsewhere(app, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("kai@example.org")
    owner = app.test_client()
    assert post_login(owner, "kai@example.org", PASSWORD, REMOTE_ADDR=OWNER).status_code == 302
    owner.post("/logout", data={"csrf_token": _token(owner)})
    # A distributed guess: many addresses, far past the account-wide allowance; one shares the owner's address.
    for n in range(12):
        fail_many(app, "kai@example.org", f"192.0.2.{n}", 4)
    fail_many(app, "kai@example.org", OWNER, 20)
    stranger = post_login(app.test_client(), "kai@example.org", PASSWORD, REMOTE_ADDR="192.0.2.200")
    assert stranger.status_code == 429
    assert post_login(owner, "kai@example.org", PASSWORD, REMOTE_ADDR=OWNER).status_code == 302


def test_failures_from_one_address_do_not_lock_out_others_behind_it(app, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("ann@example.org")
    for n in range(40):
        fail_many(app, f"victim{n}@example.org", ATTACKER, 1)
    # Someone else behind the same address (an office NAT) who logged in before from their browser.
    colleague = app.test_client()
    with app.app_context():
        db().execute(sa.delete(LoginAttempt))
        db().commit()
    assert post_login(colleague, "ann@example.org", PASSWORD, REMOTE_ADDR=ATTACKER).status_code == 302
    colleague.post("/logout", data={"csrf_token": _token(colleague)})
    for n in range(40):
        fail_many(app, f"victim{n}@example.org", ATTACKER, 1)
    assert post_login(colleague, "ann@example.org", PASSWORD, REMOTE_ADDR=ATTACKER).status_code == 302


def test_delays_grow_and_are_capped() -> None:
    assert [throttle.delay(throttle.PAIR, n) for n in range(3, 8)] == [1, 2, 4, 8, 16]
    assert throttle.delay(throttle.PAIR, 0) == 0
    assert throttle.delay(throttle.PAIR, 100) == throttle.PAIR.cap


def test_a_throttled_login_is_429_and_audited(app, client, make_user) -> None:  # type: ignore[no-untyped-def]
    from competency.models import AuditEvent

    make_user("tom@example.org")
    for _ in range(throttle.PAIR.free):
        assert post_login(client, "tom@example.org", "wrong password!").status_code == 401
    response = post_login(client, "tom@example.org", PASSWORD)
    assert response.status_code == 429
    assert response.headers["Retry-After"].isdigit()
    with app.app_context():
        actions = list(db().exec(select(AuditEvent.action).order_by(AuditEvent.id)).all())
    assert actions.count("login.failure") == throttle.PAIR.free and actions[-1] == "login.throttled"


@pytest.mark.parametrize(("proxies", "expected"), [(0, "10.0.0.1"), (1, "203.0.113.9")])
def test_the_client_address_comes_from_trusted_proxies_only(app, make_user, proxies, expected) -> None:  # type: ignore[no-untyped-def]
    from competency.app import create_app

    make_user("pat@example.org")
    settings = replace(app.config["COMPETENCY_SETTINGS"], trusted_proxies=proxies)
    behind = create_app({"TESTING": True}, settings=settings)
    try:
        client = behind.test_client()
        headers = {"X-Forwarded-For": "203.0.113.9"}
        token = csrf_token(client, "/login")
        client.post(
            "/login",
            data={"email": "pat@example.org", "password": "wrong password!", "csrf_token": token},
            headers=headers,
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
        )
        with behind.app_context():
            seen = db().exec(select(LoginAttempt.remote_addr)).all()
    finally:
        behind.extensions["competency.engine"].dispose()
    assert seen == [expected]


def _token(client) -> str:  # type: ignore[no-untyped-def]
    return csrf_token(client, "/")
