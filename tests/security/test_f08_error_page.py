"""F8 (last part): the 500 page works even when the request's database session failed, and keeps the
security headers (before, rendering it crashed and gunicorn's bare page went out without them)."""

from __future__ import annotations

import sqlalchemy as sa
from tests.web.conftest import login

from competency.web.requests import db


def test_the_error_page_survives_a_failed_database_session(make_app, questionnaire_dir, make_user) -> None:  # type: ignore[no-untyped-def]
    app = make_app(questionnaire_dir, TESTING=False)

    @app.route("/_boom")
    def _boom() -> str:
        db().execute(sa.text("SELECT * FROM no_such_table"))  # leaves the transaction failed
        return "unreachable"

    user = make_user("err@example.org")
    client = app.test_client()
    login(client, user.email)
    response = client.get("/_boom")
    text = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in text
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    # The page is the normal one (the person is still shown as logged in), drawn on a fresh session.
    assert user.name in text


def test_the_bare_error_page_when_even_the_database_is_gone(
    make_app, questionnaire_dir, make_user, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from flask import g

    app = make_app(questionnaire_dir, TESTING=False)
    real = app.extensions["competency.engine"]

    @app.route("/_gone")
    def _gone() -> str:
        # The database goes away mid-request: every new connection fails from now on.
        app.extensions["competency.engine"] = sa.create_engine(f"sqlite:///{tmp_path}/missing/dir/x.db")
        g.pop("db", None)
        raise RuntimeError("the database went away")

    user = make_user("gone@example.org")
    client = app.test_client()
    login(client, user.email)
    try:
        response = client.get("/_gone")
    finally:
        app.extensions["competency.engine"] = real
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)
    assert "Content-Security-Policy" in response.headers
