"""Outbound webhooks: signed JSON POSTs to a receiver the test runs on loopback, retried while it fails."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from competency import queue
from competency.models import User
from competency.services import cycles
from competency.web.requests import db

SECRET = "a-shared-secret-of-some-length"


class Receiver:
    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.calls: list[tuple[dict[str, str], bytes, int]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = 500 if receiver.failures > 0 else 204
                receiver.failures -= 1
                receiver.calls.append((dict(self.headers), body, status))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def delivered(self) -> list[dict[str, object]]:
        return [json.loads(body) for _headers, body, status in self.calls if status < 300]


@pytest.fixture
def receiver(app) -> Iterator[Receiver]:  # type: ignore[no-untyped-def]
    found = Receiver(failures=2)
    settings = dataclasses.replace(
        app.config["COMPETENCY_SETTINGS"], webhook_url=found.url, webhook_secret=SECRET
    )
    app.config["COMPETENCY_SETTINGS"] = settings
    queue._state.settings = settings  # the tasks read the queue's settings
    yield found
    found.server.shutdown()
    found.server.server_close()


def test_cycle_opened_and_closed_are_posted_signed_and_retried(
    app, make_user, make_team, run_jobs, receiver, caplog
) -> None:  # type: ignore[no-untyped-def]
    hr = make_user("hana@example.org", "Hana HR", role="hr")
    ada = make_user("ada@example.org", "Ada Engineer")
    team_id = make_team("Vision", members=[ada])
    now = datetime.now(UTC)
    with app.app_context():
        actor = db().get(User, hr.id)
        cycle = cycles.open_cycle(
            db(),
            actor,
            name="Spring",
            questionnaire_key="ml-engineer",
            team_id=team_id,
            due_at=now + timedelta(days=9),
        )
        cycles.close_cycle(db(), actor, cycle)
    with caplog.at_level("DEBUG"):
        run_jobs()
    # The receiver failed twice; the queue retried until it took the events.
    assert [status for _h, _b, status in receiver.calls].count(500) == 2
    # The failures are logged without the receiver's address (a chat's webhook URL is a secret).
    assert "the webhook receiver answered 500" in caplog.text and receiver.url not in caplog.text
    events = receiver.delivered()
    assert sorted(e["event"] for e in events) == ["cycle.closed", "cycle.opened"]
    opened = next(e for e in events if e["event"] == "cycle.opened")
    assert opened["data"]["cycle"]["name"] == "Spring" and opened["data"]["cycle"]["team"] == "Vision"
    for headers, body, _status in receiver.calls:
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert headers["X-Competency-Signature"] == expected
        assert headers["Content-Type"] == "application/json"
        assert headers["X-Competency-Event"] in ("cycle.opened", "cycle.closed")


def test_submitted_assessment_posts_who_and_what_but_no_scores(app, make_user, run_jobs, receiver) -> None:  # type: ignore[no-untyped-def]
    from tests.web.world import answers_for

    from competency.services import assessments
    from competency.web.requests import catalog

    receiver.failures = 0
    ada = make_user("ada@example.org", "Ada Engineer")
    with app.app_context():
        questionnaire = catalog().get("ml-engineer")
        person = db().get(User, ada.id)
        draft, _ = assessments.start(db(), questionnaire, subject=person, assessor=person, level="mid")
        from competency.models import Answer

        for item_id, value in answers_for(questionnaire, 3).items():
            db().add(Answer(assessment_id=draft.id, item_id=item_id, value=value))
        db().commit()
        assessments.submit(db(), assessments.load(db(), draft.id))
    run_jobs()
    (event,) = receiver.delivered()
    assert event["event"] == "assessment.submitted"
    assert event["data"]["person"] == {"id": ada.id, "name": "Ada Engineer"}
    assert event["data"]["assessment"]["questionnaire"] == "ml-engineer"
    raw = json.dumps(event)
    assert "readiness" not in raw and "score" not in raw


def test_a_webhook_url_without_a_secret_is_refused(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from competency.config import ConfigError, Settings

    monkeypatch.setenv("COMPETENCY_WEBHOOK_URL", "https://hooks.example.org/x")
    monkeypatch.delenv("COMPETENCY_WEBHOOK_SECRET", raising=False)
    with pytest.raises(ConfigError, match="COMPETENCY_WEBHOOK_SECRET"):
        Settings.from_env()
