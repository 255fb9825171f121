"""Every route x every role, as DESIGN.md's access matrix says. A new route without an entry fails here."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from tests.web.conftest import login
from tests.web.world import World, build_world

ROLES = ["anonymous", "other_member", "manager", "other_manager", "hr", "admin", "self"]
OK, LOGIN, NOT_FOUND = "ok", "login", "404"

PUBLIC = dict.fromkeys(ROLES, OK)
SIGNED_IN = {**dict.fromkeys(ROLES, OK), "anonymous": LOGIN}
ONLY_SELF = {**dict.fromkeys(ROLES, NOT_FOUND), "anonymous": LOGIN, "self": OK}
PROFILE = {**ONLY_SELF, "manager": OK, "hr": OK, "admin": OK}
ONLY_MANAGER = {**dict.fromkeys(ROLES, NOT_FOUND), "anonymous": LOGIN, "manager": OK}
ONLY_ADMIN = {**dict.fromkeys(ROLES, NOT_FOUND), "anonymous": LOGIN, "admin": OK}
HR_AND_ADMIN = {**ONLY_ADMIN, "hr": OK}

Route = tuple[str, Callable[[World], str], dict[str, str]]

#: endpoint -> (method, path, expected outcome per role)
MATRIX: dict[str, Route] = {
    "static": ("GET", lambda w: "/static/css/app.css", PUBLIC),
    "main.healthz": ("GET", lambda w: "/healthz", PUBLIC),
    "main.plotly_js": ("HEAD", lambda w: "/vendor/plotly.min.js", PUBLIC),
    "main.home": ("GET", lambda w: "/", SIGNED_IN),
    "auth.login": ("GET", lambda w: "/login", PUBLIC),
    "auth.logout": ("POST", lambda w: "/logout", dict.fromkeys(ROLES, LOGIN)),
    "auth.change_password": ("GET", lambda w: "/account/password", SIGNED_IN),
    "assess.start": ("GET", lambda w: "/assessments/new", SIGNED_IN),
    "assess.start_manager": ("GET", lambda w: f"/people/{w.subject.id}/assess", ONLY_MANAGER),
    "assess.resume": ("GET", lambda w: f"/assessments/{w.draft_id}", ONLY_SELF),
    "assess.area": ("GET", lambda w: f"/assessments/{w.draft_id}/areas/{w.area_id}", ONLY_SELF),
    "assess.review": ("GET", lambda w: f"/assessments/{w.draft_id}/review", ONLY_SELF),
    "assess.submit": ("POST", lambda w: f"/assessments/{w.draft_id}/submit", ONLY_SELF),
    "people.profile": ("GET", lambda w: f"/people/{w.subject.id}", PROFILE),
    "people.profile_api": (
        "GET",
        lambda w: f"/api/people/{w.subject.id}/profile?questionnaire=ml-engineer",
        PROFILE,
    ),
}


def outcome(response) -> str:  # type: ignore[no-untyped-def]
    if response.status_code == 404:
        return NOT_FOUND
    if response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", ""):
        return LOGIN
    if response.status_code < 400:
        return OK
    return str(response.status_code)


@pytest.fixture
def matrix_app(make_app, questionnaire_dir) -> Flask:  # type: ignore[no-untyped-def]
    # CSRF is covered in test_security; here only who may reach what.
    return make_app(questionnaire_dir, WTF_CSRF_ENABLED=False)


def test_every_route_has_an_entry(matrix_app: Flask) -> None:
    missing = sorted(set(matrix_app.view_functions) - set(MATRIX))
    assert not missing, f"add these endpoints to the access matrix: {missing}"


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_route_obeys_the_access_matrix(endpoint: str, matrix_app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    if endpoint not in matrix_app.view_functions:
        pytest.fail(f"{endpoint} is in the matrix but not in the app")
    method, path, expected = MATRIX[endpoint]
    # make_user is bound to the default app; the matrix app shares its database.
    world = build_world(matrix_app, make_user)
    seen = {}
    for role in ROLES:
        client = matrix_app.test_client()
        user = world.role(role)
        if user is not None:
            login(client, user.email)
        response = client.open(path(world), method=method)
        seen[role] = outcome(response)
        response.close()
    assert seen == expected
