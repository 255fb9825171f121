"""F4: logout and a password change end the session on the server: a saved cookie replayed afterwards is
refused. API calls without a session answer 401 JSON, not the login page."""

from __future__ import annotations

from tests.web.conftest import PASSWORD, csrf_token, login


def session_cookie(client) -> str:  # type: ignore[no-untyped-def]
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def replay(app, value: str):  # type: ignore[no-untyped-def]
    thief = app.test_client()
    thief.set_cookie("session", value)
    return thief.get("/")


def test_a_cookie_saved_before_logout_no_longer_works(app, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("out@example.org")
    client = app.test_client()
    login(client, user.email)
    saved = session_cookie(client)
    assert replay(app, saved).status_code == 200  # a copy works while the session lives
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    response = replay(app, saved)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_cookie_saved_before_a_password_change_no_longer_works(app, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("pw@example.org")
    laptop = app.test_client()
    login(laptop, user.email)
    stolen = session_cookie(laptop)
    other = app.test_client()
    login(other, user.email)
    token = csrf_token(other, "/account/password")
    response = other.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "new": "quiet meadow lantern",
            "repeat": "quiet meadow lantern",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    assert other.get("/").status_code == 200  # the session that changed it goes on
    assert "/login" in replay(app, stolen).headers["Location"]


def test_an_api_call_without_a_session_is_401_json(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/teams/1/summary")
    assert response.status_code == 401
    assert response.is_json and response.get_json()["error"] == "Not logged in"


def test_the_session_row_records_where_it_was_opened(app, make_user) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import select

    from competency.models import UserSession
    from competency.web.requests import db

    user = make_user("row@example.org")
    client = app.test_client()
    login(client, user.email)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    with app.app_context():
        [row] = db().exec(select(UserSession).where(UserSession.user_id == user.id)).all()
    assert row.ended_reason == "logout" and row.ended_at is not None


def test_a_static_file_neither_sets_the_session_cookie_nor_extends_the_session(app, make_user) -> None:  # type: ignore[no-untyped-def]
    # A favicon fetched while the browser cleared its cookies (log out, log in as someone else) must not
    # put the old session back; a cacheable response carries no Set-Cookie either.
    user = make_user("static@example.org")
    client = app.test_client()
    login(client, user.email)
    assert "Set-Cookie" in client.get("/").headers  # a page refreshes the idle timer
    response = client.get("/static/favicon.svg")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
