"""Login, sessions, CSRF, headers and cookies."""

from __future__ import annotations

import re

import pytest
from tests.web.conftest import PASSWORD, csrf_token, login
from tests.web.world import build_world

from competency.config import Settings
from competency.services import throttle


def post_login(client, email: str, password: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def test_unknown_account_and_wrong_password_get_the_same_answer(client, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("kim@example.org")
    unknown = post_login(client, "nobody@example.org", PASSWORD)
    wrong = post_login(client, "kim@example.org", "not the password")
    assert unknown.status_code == wrong.status_code == 401
    assert "Email or password is not right." in unknown.get_data(as_text=True)
    assert "Email or password is not right." in wrong.get_data(as_text=True)


def test_unknown_accounts_cost_a_password_check(monkeypatch, client) -> None:  # type: ignore[no-untyped-def]
    from competency.services import passwords

    calls = []
    real = passwords._hasher

    class Spy:
        def verify(self, stored: str, password: str) -> bool:
            calls.append(stored)
            return real.verify(stored, password)

    monkeypatch.setattr(passwords, "_hasher", Spy())
    post_login(client, "ghost@example.org", "whatever-password")
    assert calls == [passwords._DUMMY_HASH]


def test_email_is_case_insensitive(client, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("Case@Example.org")
    assert post_login(client, "CASE@example.ORG", PASSWORD).status_code == 302


def test_repeated_failures_are_throttled(client, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("lee@example.org")
    for _ in range(throttle.PAIR.free):
        assert post_login(client, "lee@example.org", "wrong password!").status_code == 401
    # Past the allowance, even the right password waits (this client's address has failed here).
    response = post_login(client, "lee@example.org", PASSWORD)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert "Too many failed attempts" in response.get_data(as_text=True)


def test_login_starts_a_new_session(client, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("fix@example.org")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    assert post_login(client, "fix@example.org", PASSWORD).status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
        assert "_user_id" in session


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_login_never_redirects_off_site(client, make_user, target: str) -> None:  # type: ignore[no-untyped-def]
    make_user("nx@example.org")
    token = csrf_token(client, "/login")
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": "nx@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_password_change_ends_other_sessions(app, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("pw@example.org")
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user.email)
    login(phone, user.email)
    token = csrf_token(laptop, "/account/password")
    response = laptop.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "new": "a brand new password",
            "repeat": "a brand new password",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    assert laptop.get("/").status_code == 200
    assert "/login" in phone.get("/").headers["Location"]
    fresh = app.test_client()
    login(fresh, user.email, "a brand new password")


def test_wrong_current_password_is_refused(app, client, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("pw2@example.org")
    login(client, user.email)
    token = csrf_token(client, "/account/password")
    response = client.post(
        "/account/password",
        data={"current": "nope nope nope", "new": "x" * 12, "repeat": "x" * 12, "csrf_token": token},
    )
    assert response.status_code == 200 and "current password is not right" in response.get_data(as_text=True)


def test_logout_ends_the_session(client, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("out@example.org")
    login(client, user.email)
    token = csrf_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert "/login" in client.get("/").headers["Location"]


@pytest.mark.parametrize("path", ["/login", "/logout", "/assessments/new", "/account/password"])
def test_post_without_csrf_token_is_refused(app, client, make_user, path: str) -> None:  # type: ignore[no-untyped-def]
    user = make_user("csrf2@example.org")
    login(client, user.email)
    response = client.post(path, data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400


def test_submit_without_csrf_token_is_refused(app, make_user) -> None:  # type: ignore[no-untyped-def]
    world = build_world(app, make_user)
    client = app.test_client()
    login(client, world.subject.email)
    assert client.post(f"/assessments/{world.draft_id}/submit").status_code == 400


def test_headers_forbid_inline_script_and_framing(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", csp)
    assert (
        script_src
        and "'unsafe-inline'" not in script_src.group(1)
        and "'unsafe-eval'" not in script_src.group(1)
    )
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script(app, make_user) -> None:  # type: ignore[no-untyped-def]
    world = build_world(app, make_user)
    client = app.test_client()
    login(client, world.subject.email)
    for path in [
        "/",
        f"/people/{world.subject.id}",
        f"/assessments/{world.draft_id}/areas/{world.area_id}",
        "/assessments/new",
    ]:
        html = client.get(path).get_data(as_text=True)
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, f"inline script on {path}: {tag}"
        assert not re.search(r"\son[a-z]+=", html), f"inline event handler on {path}"


def test_session_cookie_flags(client, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("ck@example.org")
    response = post_login(client, "ck@example.org", PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_cookies_are_secure_outside_development(make_app, questionnaire_dir, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from competency.app import create_app

    settings = Settings(
        env="production",
        secret_key="a-production-key-0123456789abcdefXYZ",
        database_url="sqlite://",
        instance_dir=tmp_path,
    )
    app = create_app(settings=settings)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    app.extensions["competency.engine"].dispose()


def test_production_refuses_to_start_without_a_secret_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from competency.app import create_app
    from competency.config import ConfigError

    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        create_app(
            settings=Settings(
                env="production", secret_key="", database_url="sqlite://", instance_dir=tmp_path
            )
        )


def test_development_keeps_a_generated_key_under_instance(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(env="development", secret_key="", instance_dir=tmp_path)
    first = settings.resolve_secret_key()
    assert first == settings.resolve_secret_key() == (tmp_path / "secret_key").read_text()
    assert len(first) >= 32


def test_healthz_reports_ok(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json()["status"] == "ok"


def test_api_errors_are_json(app, make_user) -> None:  # type: ignore[no-untyped-def]
    world = build_world(app, make_user)
    client = app.test_client()
    login(client, world.other_member.email)
    response = client.get(f"/api/people/{world.subject.id}/profile")
    assert response.status_code == 404 and response.is_json


def test_a_hash_with_outdated_parameters_is_upgraded_at_login(app, client, make_user) -> None:  # type: ignore[no-untyped-def]
    from argon2 import PasswordHasher

    from competency.models import User
    from competency.services import passwords
    from competency.web.requests import db

    user = make_user("old@example.org")
    outdated = PasswordHasher(time_cost=1, memory_cost=16, parallelism=2).hash(PASSWORD)
    with app.app_context():
        row = db().get(User, user.id)
        row.password_hash = outdated
        db().commit()
    assert post_login(client, "old@example.org", PASSWORD).status_code == 302
    with app.app_context():
        upgraded = db().get(User, user.id).password_hash
    assert upgraded != outdated and not passwords.needs_rehash(upgraded)
