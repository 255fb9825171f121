"""`/metrics` for Prometheus, behind a bearer token (COMPETENCY_METRICS_TOKEN; unset: 404): requests by
endpoint and status with their time, and the background work as the database sees it (waiting and failed
jobs by kind, the oldest waiting job's age, mail sent, live workers), so every web process answers alike.

Request counters are per process unless PROMETHEUS_MULTIPROC_DIR names a folder shared by gunicorn's
workers (prometheus-client's multiprocess mode), as the operations page explains.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, abort, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlmodel import Session, col, select

from competency.models import Outbox, utcnow
from competency.services import outbox
from competency.web.requests import db

bp = Blueprint("metrics", __name__)

REQUESTS = Counter("competency_http_requests", "HTTP requests answered", ["method", "endpoint", "status"])
LATENCY = Histogram(
    "competency_http_request_seconds",
    "Time to answer a request",
    ["endpoint"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


class _Work(Collector):
    """Read at each scrape from the outbox: the same numbers whichever process answers."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def collect(self) -> Iterator[Metric]:
        waiting = GaugeMetricFamily(
            "competency_jobs_waiting", "Jobs not done yet (pending or running)", labels=["kind"]
        )
        failed = GaugeMetricFamily(
            "competency_jobs_failed", "Jobs given up after their attempts", labels=["kind"]
        )
        counts = self.session.exec(
            select(Outbox.kind, Outbox.state, sa.func.count()).group_by(col(Outbox.kind), col(Outbox.state))
        ).all()
        for kind, state, count in counts:
            if state in ("pending", "running"):
                waiting.add_metric([kind], count)
            elif state == "failed":
                failed.add_metric([kind], count)
        yield waiting
        yield failed
        oldest = self.session.exec(
            select(sa.func.min(Outbox.created_at)).where(col(Outbox.state).in_(("pending", "running")))
        ).one()
        age = GaugeMetricFamily(
            "competency_jobs_oldest_waiting_seconds", "Age of the oldest job not done yet"
        )
        if oldest is not None and oldest.tzinfo is None:
            from datetime import UTC

            oldest = oldest.replace(tzinfo=UTC)
        age.add_metric([], (utcnow() - oldest).total_seconds() if oldest else 0.0)
        yield age
        sent = CounterMetricFamily(
            "competency_mail_sent", "Mail the SMTP server accepted (still in the outbox)"
        )
        sent.add_metric(
            [],
            self.session.exec(
                select(sa.func.count())
                .select_from(Outbox)
                .where(Outbox.kind == "mail", Outbox.state == "done")
            ).one(),
        )
        yield sent
        workers = GaugeMetricFamily("competency_workers_alive", "Workers seen in the last minute")
        workers.add_metric([], len(outbox.live_workers(self.session)))
        yield workers


def _request_registry() -> CollectorRegistry | None:
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        return None
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


@bp.route("/metrics")
def metrics() -> Response:
    token = os.environ.get("COMPETENCY_METRICS_TOKEN", "")
    given = request.headers.get("Authorization", "")
    if not token or not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        abort(404)  # not "401": the endpoint is not advertised to whoever has no token
    work = CollectorRegistry()
    work.register(_Work(db()))
    body = generate_latest(work) + generate_latest(_request_registry() or _default())
    return Response(body, mimetype=CONTENT_TYPE_LATEST)


def _default() -> Any:
    from prometheus_client import REGISTRY

    return REGISTRY


def init_app(app: Flask) -> None:
    @app.before_request
    def _start_clock() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _count(response: Any) -> Any:
        endpoint = request.endpoint or "unmatched"
        if endpoint != "metrics.metrics":
            REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
            started = g.get("metrics_started")
            if started is not None:
                LATENCY.labels(endpoint).observe(time.perf_counter() - started)
        return response
