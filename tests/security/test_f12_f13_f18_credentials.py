"""F12, F13, F18: weak passwords are refused, a second factor (TOTP with recovery codes) can be set up
by anyone and required for roles, and a weak SECRET_KEY stops the app from starting."""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlmodel import select
from tests.security.support import post_login
from tests.web.conftest import PASSWORD, csrf_token, login

from competency.config import ConfigError, Settings
from competency.models import AuditEvent, User
from competency.services.passwords import check_password_policy, common_passwords
from competency.web.requests import db


@pytest.mark.parametrize(
    "password",
    ["aaaaaaaaaaaa", "password12", "Password1234", "qwertyuiop123", "ababababababab", "x" * 11],
)
def test_weak_passwords_are_refused(password: str) -> None:
    assert check_password_policy(password, email="sam@example.org", name="Sam Subject") is not None


@pytest.mark.parametrize("password", ["sam.subject@example.org", "SamSubject2024!", "subject-sam-1999"])
def test_passwords_built_from_the_email_or_name_are_refused(password: str) -> None:
    problem = check_password_policy(password, email="sam.subject@example.org", name="Sam Subject")
    assert problem and "name or email" in problem


@pytest.mark.parametrize("password", ["quiet meadow lantern", "Tr4vel-by-night-bus", PASSWORD])
def test_good_passwords_pass(password: str) -> None:
    assert check_password_policy(password, email="sam.subject@example.org", name="Sam Subject") is None


def test_the_bundled_list_is_large_and_holds_the_usual_suspects() -> None:
    listed = common_passwords()
    assert len(listed) >= 5000
    assert {"password", "123456", "qwerty", "iloveyou"} <= listed


def test_the_password_form_refuses_ones_own_email(app, client, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("nina.lang@example.org", "Nina Lang")
    login(client, user.email)
    token = csrf_token(client, "/account/password")
    response = client.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "new": "nina.lang@example.org",
            "repeat": "nina.lang@example.org",
            "csrf_token": token,
        },
    )
    assert response.status_code == 200 and "name or email" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "key", ["k" * 16, "k" * 40, "abababababababababababababababab", "short-but-random-9f3a"]
)
def test_weak_secret_keys_stop_the_app(key: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="SECRET_KEY is too weak"):
        Settings(env="production", secret_key=key, instance_dir=tmp_path).resolve_secret_key()


def test_a_random_secret_key_is_accepted(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import secrets

    key = secrets.token_hex(32)
    assert Settings(env="production", secret_key=key, instance_dir=tmp_path).resolve_secret_key() == key


def enable_second_factor(client) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    """Set up TOTP through the pages; returns the secret (as the app shows it) and the recovery codes."""
    token = csrf_token(client, "/account/two-factor")
    assert client.post("/account/two-factor/start", data={"csrf_token": token}).status_code == 302
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "<svg" in page  # the QR code, drawn here
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)  # type: ignore[union-attr]
    token = csrf_token(client, "/account/two-factor")
    done = client.post(
        "/account/two-factor/confirm",
        data={"code": pyotp.TOTP(secret).now(), "password": PASSWORD, "csrf_token": token},
    )
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def test_a_second_factor_is_asked_after_the_password(app, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("two@example.org")
    client = app.test_client()
    login(client, user.email)
    secret, codes = enable_second_factor(client)
    stranger = app.test_client()
    response = post_login(stranger, user.email, PASSWORD)
    assert response.headers["Location"].endswith("/login/code")
    assert stranger.get("/").status_code == 302  # the password alone does not log in
    token = csrf_token(stranger, "/login/code")
    assert stranger.post("/login/code", data={"code": "000000", "csrf_token": token}).status_code == 401
    # A recovery code works once.
    token = csrf_token(stranger, "/login/code")
    assert stranger.post("/login/code", data={"code": codes[0], "csrf_token": token}).status_code == 302
    assert stranger.get("/").status_code == 200
    again = app.test_client()
    post_login(again, user.email, PASSWORD)
    token = csrf_token(again, "/login/code")
    assert again.post("/login/code", data={"code": codes[0], "csrf_token": token}).status_code == 401
    with app.app_context():
        row = db().get(User, user.id)
        assert row.totp_secret == secret and row.has_second_factor
        actions = set(db().exec(select(AuditEvent.action)).all())
    assert {"two_factor.enable", "login.success", "login.failure"} <= actions


def test_a_required_role_without_a_second_factor_is_sent_to_set_it_up(
    make_app, questionnaire_dir, make_user
) -> None:  # type: ignore[no-untyped-def]
    app = make_app(questionnaire_dir)
    app.config["COMPETENCY_SETTINGS"].require_2fa_for = ("hr", "admin")
    hr = make_user("hr2@example.org", role="hr")
    member = make_user("plain@example.org")
    client = app.test_client()
    login(client, hr.email)
    response = client.get("/reports")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/two-factor")
    assert client.get("/api/people/1/profile").status_code == 403
    enable_second_factor(client)
    assert client.get("/reports").status_code == 200
    plain = app.test_client()
    login(plain, member.email)
    assert plain.get("/").status_code == 200
