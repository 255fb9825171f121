"""Round 2: re-authentication holds. Turning a second factor on needs the password, like turning it off and
making new recovery codes; wrong passwords on these forms and on the password change go through the
login throttle and are audited; an admin can reset a person's second factor (page and CLI), audited,
the person told by mail and logged out."""

from __future__ import annotations

import re

import pyotp
import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import col, select
from tests.security.support import waiting_mails
from tests.security.test_r2_totp_once import at_second_step, with_second_factor
from tests.web.conftest import PASSWORD, csrf_token

from competency.cli import main
from competency.models import AuditEvent, User, UserSession
from competency.services import throttle, twofactor
from competency.services.passwords import verify_password
from competency.web.requests import db

#: As many wrong passwords as the probe sent (at ~30/s) before the right one was accepted.
GUESSES = 40


def start_setup(client: FlaskClient) -> str:
    token = csrf_token(client, "/account/two-factor")
    assert client.post("/account/two-factor/start", data={"csrf_token": token}).status_code == 302
    page = client.get("/account/two-factor").get_data(as_text=True)
    return re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)  # type: ignore[union-attr]


def confirm(client: FlaskClient, secret: str, password: str | None) -> int:
    data = {"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_token(client, "/account/two-factor")}
    if password is not None:
        data["password"] = password
    return client.post("/account/two-factor/confirm", data=data).status_code


def stored(app: Flask, user: User) -> User:
    with app.app_context():
        row = db().get(User, user.id)
        assert row is not None
        db().expunge(row)
        return row


def actions(app: Flask, action: str) -> int:
    with app.app_context():
        return len(db().exec(select(AuditEvent.id).where(AuditEvent.action == action)).all())


def test_a_stolen_session_alone_cannot_turn_a_second_factor_on(app, make_user, login_as) -> None:  # type: ignore[no-untyped-def]
    user = make_user("victim@example.org")
    thief = login_as(user)
    secret = start_setup(thief)
    assert confirm(thief, secret, None) == 400
    assert confirm(thief, secret, "not the password at all") == 400
    assert not stored(app, user).has_second_factor
    assert actions(app, "reauth.failure") == 1
    # The owner, who knows the password, can.
    assert confirm(thief, secret, PASSWORD) == 200
    assert stored(app, user).has_second_factor


def guess_then_right(
    app: Flask, user: User, client: FlaskClient, path: str, form: str, data: dict[str, str], field: str
) -> tuple[list[int], int]:
    """GUESSES wrong passwords as fast as the client goes, then the right one while the throttle holds;
    the status of each guess and of the right one."""
    statuses = []
    for n in range(GUESSES):
        token = csrf_token(client, form)
        statuses.append(
            client.post(path, data={**data, field: f"wrong {n}", "csrf_token": token}).status_code
        )
    # The delays double from the last failure (1 s, 2 s, 4 s ...): a slow machine can outlast the first
    # ones. Guesses from elsewhere on the account just now make the wait certain for the right password.
    with app.app_context():
        for _ in range(10):
            throttle.record_failure(db(), user.email, "192.0.2.99", None)
        db().commit()
    token = csrf_token(client, form)
    right = client.post(path, data={**data, field: PASSWORD, "csrf_token": token}).status_code
    return statuses, right


def checked(statuses: list[int]) -> int:
    """How many guesses had their password checked (not held back with 429)."""
    return sum(1 for status in statuses if status != 429)


def test_wrong_current_passwords_are_throttled_and_audited(app, make_user, login_as) -> None:  # type: ignore[no-untyped-def]
    user = make_user("guess@example.org")
    client = login_as(user)
    new = "an entirely new passphrase"
    statuses, right = guess_then_right(
        app, user, client, "/account/password", "/account/password", {"new": new, "repeat": new}, "current"
    )
    # Unthrottled, all 40 were checked (at ~30/s); the login throttle lets a handful through.
    assert 429 in statuses and checked(statuses) <= 12
    # The right password arrives while the guesses count: it waits like a login would.
    assert right == 429
    assert verify_password(stored(app, user).password_hash, PASSWORD)
    # The page answers a wrong password with the form again (200), as it always has.
    assert actions(app, "reauth.failure") == statuses.count(200)
    assert actions(app, "reauth.throttled") == statuses.count(429) + 1


@pytest.mark.parametrize("path", ["/account/two-factor/disable", "/account/two-factor/recovery-codes"])
def test_the_second_factor_forms_are_throttled_and_audited(app, make_user, login_as, path: str) -> None:  # type: ignore[no-untyped-def]
    user = make_user("forms@example.org")
    with_second_factor(app, user)
    client = login_as_with_code(app, user)
    statuses, right = guess_then_right(app, user, client, path, "/account/two-factor", {}, "password")
    assert 429 in statuses and checked(statuses) <= 12 and right == 429
    assert stored(app, user).has_second_factor
    assert actions(app, "reauth.failure") == statuses.count(400)
    assert actions(app, "reauth.throttled") == statuses.count(429) + 1


def login_as_with_code(app: Flask, user: User) -> FlaskClient:
    secret = stored(app, user).totp_secret or ""
    client, token = at_second_step(app, user.email)
    code = pyotp.TOTP(secret).now()
    assert client.post("/login/code", data={"code": code, "csrf_token": token}).status_code == 302
    return client


def mails_to(app: Flask, email: str) -> list[dict[str, str]]:
    """The mails waiting in the outbox for `email`."""
    return [mail for mail in waiting_mails(app) if mail.get("to") == email]


def test_an_admin_resets_a_second_factor_from_the_page(app, make_user, login_as) -> None:  # type: ignore[no-untyped-def]
    admin = make_user("root@example.org", role="admin")
    person = make_user("lost.phone@example.org", "Lost Phone")
    with_second_factor(app, person)
    their_browser = login_as_with_code(app, person)
    client = login_as(admin)
    page = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "Reset the second factor" in page
    token = csrf_token(client, f"/admin/users/{person.id}")
    response = client.post(f"/admin/users/{person.id}/two-factor/reset", data={"csrf_token": token})
    assert response.status_code == 302
    row = stored(app, person)
    assert not row.has_second_factor and row.totp_secret is None
    with app.app_context():
        recovery = twofactor.recovery_codes_left(db(), row)
        live = (
            db()
            .exec(
                select(UserSession.id).where(
                    UserSession.user_id == person.id, col(UserSession.ended_at).is_(None)
                )
            )
            .all()
        )
        event = db().exec(select(AuditEvent).where(AuditEvent.action == "two_factor.reset")).one()
    assert recovery == 0 and live == []
    assert event.actor_id == admin.id and event.object == f"user:{person.id}"
    assert their_browser.get("/").status_code == 302  # logged out
    (mail,) = mails_to(app, person.email)
    assert "second factor" in mail["subject"] and "administrator" in mail["text"]
    # Members cannot.
    other = make_user("plain@example.org")
    member = login_as(other)
    token = csrf_token(member, "/")
    assert (
        member.post(f"/admin/users/{admin.id}/two-factor/reset", data={"csrf_token": token}).status_code
        == 404
    )


def test_the_cli_resets_a_second_factor(app, make_user, db_url, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    person = make_user("cli.phone@example.org")
    with_second_factor(app, person)
    monkeypatch.setenv("DATABASE_URL", db_url)
    result = CliRunner().invoke(main, ["users", "reset-two-factor", person.email])
    assert result.exit_code == 0, result.output
    assert not stored(app, person).has_second_factor
    with app.app_context():
        event = db().exec(select(AuditEvent).where(AuditEvent.action == "two_factor.reset")).one()
    assert event.details["via"] == "cli"
    assert len(mails_to(app, person.email)) == 1
    again = CliRunner().invoke(main, ["users", "reset-two-factor", person.email])
    assert again.exit_code != 0 and "no second factor" in again.output
