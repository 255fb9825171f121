"""Fixtures for tests that go through the Flask app: app, client, people and logging in."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient

from competency.app import create_app
from competency.config import Settings
from competency.models import User
from competency.resources import resource_path
from competency.services import passwords
from competency.services import users as users_service

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # OWASP-strength hashing costs ~50 ms a call; tests create many accounts. Production keeps the real cost.
    fast = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", fast)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", fast.hash("dummy"))


@pytest.fixture
def questionnaire_dir() -> Path:
    """The shipped frameworks; tests that need another shape point the app elsewhere."""
    return resource_path("questionnaires")


@pytest.fixture
def odd_shape_dir(tmp_path: Path) -> Path:
    """A frameworks folder holding only tests/fixtures/odd-shape.yaml (other scale, levels and phases)."""
    folder = tmp_path / "frameworks"
    folder.mkdir()
    shutil.copy(
        Path(__file__).resolve().parent.parent / "fixtures" / "odd-shape.yaml", folder / "odd-shape.yaml"
    )
    return folder


@pytest.fixture
def make_app(engine, db_url: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:  # type: ignore[no-untyped-def]
    apps: list[Flask] = []

    def _make(questionnaire_dir: Path | None = None, **config: object) -> Flask:
        settings = Settings(
            env="test",
            database_url=db_url,
            secret_key="test-secret-key-0123456789" + "x" * 22,
            questionnaire_dir=questionnaire_dir or resource_path("questionnaires"),
            instance_dir=tmp_path / "instance",
        )
        app = create_app({"TESTING": True, **config}, settings=settings)
        apps.append(app)
        return app

    yield _make
    for app in apps:
        app.extensions["competency.engine"].dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask], questionnaire_dir: Path) -> Flask:
    return make_app(questionnaire_dir)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    def _make(email: str, name: str | None = None, role: str = "member", level: str | None = "mid") -> User:
        from competency.web.requests import db

        with app.app_context():
            user, _ = users_service.create_or_update_user(
                db(),
                email=email,
                name=name or email.split("@")[0].title(),
                role=role,
                password=PASSWORD,
                default_level=level,
            )
            db().commit()
            db().refresh(user)
            db().expunge(user)
            return user

    return _make


@pytest.fixture
def make_team(app: Flask) -> Callable[..., int]:
    """make_team("Vision", members=[user, ...], managers=[user, ...]) -> team id."""

    def _make(name: str, members: list[User] = (), managers: list[User] = ()) -> int:  # type: ignore[assignment]
        from competency.web.requests import db

        with app.app_context():
            team, _ = users_service.create_team(db(), name)
            for user in members:
                users_service.add_member(db(), team, db().get(User, user.id), "member")
            for user in managers:
                users_service.add_member(db(), team, db().get(User, user.id), "manager")
            db().commit()
            assert team.id is not None
            return team.id

    return _make


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token of the form at `path` (the session cookie ties it to this client)."""
    import re

    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    data = {"email": email, "password": password}
    if client.application.config.get("WTF_CSRF_ENABLED", True):
        data["csrf_token"] = csrf_token(client, "/login")
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@pytest.fixture
def login_as(app: Flask) -> Callable[[User], FlaskClient]:
    """A new client (its own cookie jar) logged in as `user`."""

    def _login(user: User) -> FlaskClient:
        client = app.test_client()
        login(client, user.email)
        return client

    return _login


@contextmanager
def counting(app: Flask) -> Iterator[list[str]]:
    """The SQL statements the app's engine runs inside the block."""
    engine: sa.Engine = app.extensions["competency.engine"]
    statements: list[str] = []

    def _count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", _count)
