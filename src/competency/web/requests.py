"""Per-request resources: the database session, the questionnaire catalog and the settings."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, g, request
from sqlmodel import Session

from competency import scoring
from competency.config import Settings
from competency.questionnaire.catalog import Catalog
from competency.reports.text import paragraphs


def db() -> Session:
    """The request's session, opened on first use and closed at teardown."""
    if "db" not in g:
        engine: sa.Engine = current_app.extensions["competency.engine"]
        g.db = Session(engine, expire_on_commit=False)
    session: Session = g.db
    return session


def catalog() -> Catalog:
    found: Catalog = current_app.extensions["competency.catalog"]
    return found


def settings() -> Settings:
    """The settings the app was built with."""
    found: Settings = current_app.config["COMPETENCY_SETTINGS"]
    return found


def wants_json() -> bool:
    """An API call, or a client that asks for JSON: errors and refusals answer in JSON."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _close_db(_exc: BaseException | None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(_close_db)
    app.jinja_env.filters["paragraphs"] = paragraphs

    @app.context_processor
    def _globals() -> dict[str, Any]:
        from competency.web.charts import embed, preview

        return {
            "nav_links": nav_links,
            "has_endpoint": has_endpoint,
            "embed": embed,
            "preview": preview,
            "readiness_explained": scoring.readiness_explained,
            "below_target": scoring.below_target,
        }


#: (endpoint, label, who sees it): blueprints add their entry points here when they register.
NAV: list[tuple[str, str, str]] = [
    ("teams.index", "Teams", "member"),
    ("cycles.index", "Cycles", "member"),
    ("reports.index", "Reports", "hr"),
    ("admin.index", "Admin", "admin"),
]


def nav_links() -> list[tuple[str, str]]:
    """Links for the logged-in user's role, for the blueprints that exist."""
    from flask import url_for
    from flask_login import current_user

    if not current_user.is_authenticated:
        return []
    rank = {"member": 0, "hr": 1, "admin": 2}
    mine = rank.get(current_user.role, 0)
    return [
        (url_for(endpoint), label)
        for endpoint, label, who in NAV
        if endpoint in current_app.view_functions and mine >= rank[who]
    ]


def has_endpoint(name: str) -> bool:
    return name in current_app.view_functions
