"""The Flask application factory."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.helpers import get_debug_flag

from competency.config import Settings
from competency.db import create_db_engine
from competency.questionnaire.catalog import Catalog
from competency.resources import resource_path


def create_app(test_config: dict[str, Any] | None = None, *, settings: Settings | None = None) -> Flask:
    """Build the app from the environment (or `settings`), with `test_config` applied last."""
    settings = settings or Settings.from_env()
    app = Flask(
        __name__,
        instance_path=str(settings.instance_dir),
        template_folder=str(resource_path("templates")),
        static_folder="static",
    )
    secure = not settings.development
    app.config.update(
        SECRET_KEY=settings.resolve_secret_key(),
        COMPETENCY_SETTINGS=settings,
        MAX_CONTENT_LENGTH=settings.max_upload_bytes,
        MAX_FORM_MEMORY_SIZE=settings.max_upload_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        #: Idle timeout; the absolute limit is PERMANENT_SESSION_LIFETIME.
        SESSION_IDLE_TIMEOUT=timedelta(minutes=30),
        WTF_CSRF_TIME_LIMIT=3600,
        SEND_FILE_MAX_AGE_DEFAULT=timedelta(hours=1),
        TEAM_AGGREGATE_MIN=settings.team_aggregate_min,
    )
    if test_config:
        app.config.update(test_config)

    engine = create_db_engine(app.config.get("DATABASE_URL") or settings.database_url)
    app.extensions["competency.engine"] = engine
    catalog = Catalog(settings.questionnaire_dir, fallback=_stored_fallback(engine))
    # Loaded before the first request: a fresh threaded server never serves an empty catalog.
    catalog.refresh(force=True)
    app.extensions["competency.catalog"] = catalog

    from competency import queue

    queue.configure(settings, engine)
    if settings.runs_embedded_worker and not app.testing and _serving_process():
        queue.start_embedded(settings, engine)

    from competency.web import init_web

    init_web(app)
    return app


def _stored_fallback(engine: Any) -> Any:
    """The newest stored snapshot of a framework, for a file that is broken when this process starts."""

    def newest(key: str) -> Any:
        from sqlmodel import Session

        from competency.services.snapshots import newest_snapshot, snapshot_questionnaire

        with Session(engine) as session:
            row = newest_snapshot(session, key)
            return snapshot_questionnaire(row) if row is not None else None

    return newest


def _serving_process() -> bool:
    """False in the watching parent of `flask run --debug` (its reloaded child serves and runs the jobs)."""
    # Read as Flask reads it: with FLASK_DEBUG=0 there is no reloader, so this process serves.
    return not get_debug_flag() or os.environ.get("WERKZEUG_RUN_MAIN") == "true"
