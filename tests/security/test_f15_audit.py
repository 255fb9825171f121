"""F15: security events are audited, and HR and admins can filter the log and export it as CSV."""

from __future__ import annotations

import csv
import io

from sqlmodel import select
from tests.security.support import post_login
from tests.web.conftest import PASSWORD, csrf_token, login
from tests.web.world import build_world

from competency.models import AuditEvent
from competency.web.requests import db


def actions(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return [(e.action, e.object) for e in db().exec(select(AuditEvent).order_by(AuditEvent.id)).all()]


def test_logins_logouts_failures_and_password_changes_are_audited(app, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("aud@example.org")
    client = app.test_client()
    assert post_login(client, user.email, "not the password").status_code == 401
    login(client, user.email)
    token = csrf_token(client, "/account/password")
    client.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "new": "quiet meadow lantern",
            "repeat": "quiet meadow lantern",
            "csrf_token": token,
        },
    )
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    seen = [a for a, _ in actions(app)]
    assert seen == ["login.failure", "login.success", "password.change", "logout"]


def test_denials_and_profile_views_by_managers_and_hr_are_audited(app, make_user) -> None:  # type: ignore[no-untyped-def]
    world = build_world(app, make_user)
    other = app.test_client()
    login(other, world.other_member.email)
    assert other.get(f"/people/{world.subject.id}").status_code == 404
    assert other.get(f"/reports/people/{world.subject.id}.pdf").status_code == 404
    manager = app.test_client()
    login(manager, world.manager.email)
    assert manager.get(f"/people/{world.subject.id}").status_code == 200
    hr = app.test_client()
    login(hr, world.hr.email)
    assert hr.get(f"/api/people/{world.subject.id}/profile").status_code == 200
    own = app.test_client()
    login(own, world.subject.email)
    own.get(f"/people/{world.subject.id}")  # one's own profile is not an event
    events = [(a, o) for a, o in actions(app) if not a.startswith("login.")]
    subject = f"user:{world.subject.id}"
    assert events == [
        ("access.denied", subject),
        ("access.denied", subject),
        ("profile.view", subject),
        ("profile.view", subject),
    ]


def test_hr_filters_the_log_and_exports_it(app, make_user) -> None:  # type: ignore[no-untyped-def]
    world = build_world(app, make_user)
    post_login(app.test_client(), world.subject.email, "not the password")
    hr = app.test_client()
    login(hr, world.hr.email)
    page = hr.get("/audit", query_string={"person": world.subject.email, "action": "login"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "login.failure" in text and "login.success" in text
    assert world.hr.email not in text.split("<tbody>")[1]  # HR's own login is filtered out
    bad = hr.get("/audit", query_string={"since": "yesterday"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.get_data(as_text=True)
    export = hr.get("/audit.csv", query_string={"action": "login.failure"})
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert export.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    assert [r["action"] for r in rows] == ["login.failure"]
    assert rows[0]["object"] == f"login:{world.subject.email}"
    assert ("export.audit", "audit.csv") in actions(app)
