"""Metrics behind a token, and log lines (text or JSON) that carry their request's id."""

from __future__ import annotations

import io
import json
import logging

from tests.jobs.test_report_jobs import cycle_with_two_submissions, start_zip
from tests.web.conftest import login

from competency import logs


def test_metrics_need_the_token_and_count_requests_and_waiting_work(app, make_user, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    world, cycle_id = cycle_with_two_submissions(app, make_user)
    hr = app.test_client()
    login(hr, world.hr.email)
    start_zip(hr, cycle_id)
    client = app.test_client()
    assert client.get("/metrics").status_code == 404  # no token configured: not there at all
    monkeypatch.setenv("COMPETENCY_METRICS_TOKEN", "s3cret-metrics-token")
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    client.get("/healthz")
    response = client.get("/metrics", headers={"Authorization": "Bearer s3cret-metrics-token"})
    assert response.status_code == 200 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert 'competency_jobs_waiting{kind="render_item"} 2.0' in text
    assert "competency_workers_alive 0.0" in text
    assert 'competency_http_requests_total{endpoint="main.healthz",method="GET",status="200"}' in text
    assert "competency_jobs_oldest_waiting_seconds" in text and "competency_mail_sent_total 0.0" in text


def test_json_logs_carry_the_request_id_the_proxy_sent(app) -> None:  # type: ignore[no-untyped-def]
    stream = io.StringIO()
    root = logging.getLogger()
    before = (root.handlers[:], root.level)
    logs.configure("json", stream=stream)
    try:

        @app.get("/_log_something")
        def _log_something() -> str:
            logging.getLogger("competency.test").warning("something happened")
            return "ok"

        response = app.test_client().get("/_log_something", headers={"X-Request-ID": "req-42.a_b"})
        assert response.headers["X-Request-ID"] == "req-42.a_b"
        odd = app.test_client().get("/healthz", headers={"X-Request-ID": "<script>"})
        assert odd.headers["X-Request-ID"] != "<script>" and len(odd.headers["X-Request-ID"]) == 16
    finally:
        root.handlers[:], level = before
        root.setLevel(level)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    (line,) = [entry for entry in lines if entry["message"] == "something happened"]
    assert (
        line["request_id"] == "req-42.a_b"
        and line["level"] == "WARNING"
        and line["logger"] == "competency.test"
    )
