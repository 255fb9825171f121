"""Helpers of the security tests: submitted assessments, cycles, logins with their form token."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from tests.web.conftest import csrf_token

from competency.models import Cycle, User
from competency.services import assessments
from competency.web.requests import catalog, db

ML = "ml-engineer"
#: The level these tests assess at; only what it asks is answered (version 2 tags senior and staff behaviours).
LEVEL = "mid"


def in_play(q: Any, value: int, level: str = LEVEL) -> dict[str, int]:
    """Every statement `level` asks, answered `value`."""
    return {item.id: value for area in q.areas_in_play(level) for item in q.items_in_play(area, level)}


def answers(app: Flask, value: int) -> dict[str, int]:
    with app.app_context():
        q = catalog().get(ML)
        assert q is not None
        return in_play(q, value)


def submit(app: Flask, subject: User, value: int, *, cycle_id: int | None = None, days_ago: int = 1) -> int:
    with app.app_context():
        session = db()
        q = catalog().get(ML)
        me = session.get(User, subject.id)
        assessment, _ = assessments.record(
            session,
            q,
            subject=me,
            assessor=me,
            kind="self",
            level="mid",
            answers=in_play(q, value),
            cycle_id=cycle_id,
            submitted_at=datetime.now(UTC) - timedelta(days=days_ago),
        )
        session.commit()
        return assessment.id or 0


def make_cycle(app: Flask, team_id: int | None, name: str, opened_days: int) -> int:
    now = datetime.now(UTC)
    with app.app_context():
        cycle = Cycle(
            name=name,
            questionnaire_key=ML,
            team_id=team_id,
            opens_at=now - timedelta(days=opened_days),
            due_at=now + timedelta(days=10),
        )
        db().add(cycle)
        db().commit()
        return cycle.id or 0


def figures(html: str) -> dict[str, Any]:
    """Every plotly figure embedded in a page, by element id."""
    out = {}
    for element, payload in re.findall(
        r'<script type="application/json" id="([\w-]+)-data"[^>]*>(.*?)</script>', html, re.S
    ):
        out[element] = json.loads(payload)
    return out


def post_login(client: FlaskClient, email: str, password: str, **environ: Any) -> Any:
    token = csrf_token(client, "/login")
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}, environ_base=environ
    )


def waiting_mails(app: Flask) -> list[dict[str, str]]:
    """The mails recorded in the outbox and not sent yet (no worker runs in these tests)."""
    from sqlmodel import select

    from competency.models import Outbox

    with app.app_context():
        rows = db().exec(select(Outbox).where(Outbox.kind == "mail", Outbox.state == "pending")).all()
        return [dict(row.payload) for row in rows]
