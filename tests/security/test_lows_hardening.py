"""The low findings: caching of personal data, HSTS, JSON embedding, chart labels, out-of-range and
control-character input, line breaks in next=, and text-direction tricks in names."""

from __future__ import annotations

import json
import re
import secrets

import pytest
from tests.security.support import ML, figures, submit
from tests.web.conftest import csrf_token, login
from tests.web.world import build_world

from competency.services import ServiceError
from competency.services import users as users_service
from competency.web.requests import db


def test_personal_json_pdf_and_pages_are_not_cached(app, make_user) -> None:  # type: ignore[no-untyped-def]
    world = build_world(app, make_user)
    client = app.test_client()
    login(client, world.subject.email)
    for path in (
        f"/api/people/{world.subject.id}/profile?questionnaire={ML}",
        f"/people/{world.subject.id}",
        f"/reports/people/{world.subject.id}.pdf",
        f"/api/teams/{world.team_id}/summary?questionnaire={ML}",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
    static = client.get("/static/css/app.css")
    static.close()
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_production_sends_hsts(app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from competency.app import create_app

    # Production refuses the fixtures' readable key (round 2): give it a generated one.
    settings = replace(app.config["COMPETENCY_SETTINGS"], env="production", secret_key=secrets.token_hex(32))
    production = create_app(settings=settings)
    try:
        response = production.test_client().get("/healthz")
    finally:
        production.extensions["competency.engine"].dispose()
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in app.test_client().get("/healthz").headers


EVIL_NAME = '<!--<script> <a href="https://evil.example/">Eve</a> & co'


def test_a_hostile_name_neither_hides_the_dashboard_nor_becomes_a_link(app, make_user, make_team) -> None:  # type: ignore[no-untyped-def]
    eve = make_user("eve@example.org", EVIL_NAME)
    boss = make_user("boss@example.org", "Boss")
    team_id = make_team("Vision", members=[eve], managers=[boss])
    submit(app, eve, 3)
    client = app.test_client()
    login(client, boss.email)
    html = client.get(f"/teams/{team_id}?questionnaire={ML}").get_data(as_text=True)
    for block in re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', html, re.S):
        assert "<" not in block and ">" not in block and "&" not in block
    # Every section after the figures is still on the page (the parser was not swallowed).
    for heading in ("radar-h", "cov-h", "heat-h", "members-h", "svm-h", "steps-h"):
        assert f'id="{heading}"' in html, heading
    names = json.dumps(figures(html))
    assert "href" not in names and "<a" not in names
    assert "Eve" in names


@pytest.mark.parametrize(
    "path",
    [
        # Ids in the path beyond any row answer 404 since round 2 (tests/security/test_r2_lows.py).
        "/teams?page=99999999999999999999",
        "/?questionnaire=a%00b",
        "/?x=%01",
        "/login?next=/%0d%0aSet-Cookie:%20evil=1",
    ],
)
def test_out_of_range_and_control_character_input_is_400(app, make_user, path: str) -> None:  # type: ignore[no-untyped-def]
    user = make_user("ranger@example.org")
    client = app.test_client()
    login(client, user.email)
    assert client.get(path).status_code == 400


def test_an_audit_page_far_beyond_the_end_is_400(app, make_user) -> None:  # type: ignore[no-untyped-def]
    hr = make_user("hp@example.org", role="hr")
    client = app.test_client()
    login(client, hr.email)
    assert client.get("/audit?page=9223372036854775807").status_code == 400
    assert client.get("/audit?page=2").status_code == 200


def test_a_nul_byte_in_a_note_is_400_not_500(app, make_user) -> None:  # type: ignore[no-untyped-def]
    world = build_world(app, make_user)
    client = app.test_client()
    login(client, world.subject.email)
    path = f"/assessments/{world.draft_id}/areas/{world.area_id}"
    token = csrf_token(client, path)
    response = client.post(path, data={"note": "evidence\x00here", "go": "next", "csrf_token": token})
    assert response.status_code == 400
    fine = client.post(path, data={"note": "line one\nline two\tend", "go": "next", "csrf_token": token})
    assert fine.status_code == 302


@pytest.mark.parametrize("name", ["Eve \u202eevil", "\u2067Mallory\u2069", "Trent\u200f"])
def test_text_direction_controls_are_refused_in_names(app, name: str) -> None:  # type: ignore[no-untyped-def]
    with app.app_context(), pytest.raises(ServiceError, match="text-direction"):
        users_service.create_or_update_user(db(), email="bidi@example.org", name=name)
    with app.app_context(), pytest.raises(ServiceError, match="text-direction"):
        users_service.create_team(db(), f"Team {name}")


def test_the_org_import_refuses_text_direction_controls(app) -> None:  # type: ignore[no-untyped-def]
    from competency.services import org_import

    text = "email,name,team,team_role,global_role,level\nrtl@example.org,Eve \u202eevil,,,member,mid\n"
    with pytest.raises(org_import.OrgImportError) as refused:
        org_import.parse(text.encode())
    assert any("text-direction" in p.message for p in refused.value.problems)
