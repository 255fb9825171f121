"""Home, health and readiness checks and the old plotly.js address."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from competency import readiness
from competency.services import inbox as inbox_service
from competency.services import profiles as profile_service
from competency.services import users as users_service
from competency.web.auth import me
from competency.web.requests import catalog, db, settings

bp = Blueprint("main", __name__)


@bp.route("/healthz")
def healthz() -> tuple[dict[str, Any], int]:
    try:
        db().exec(sa.select(sa.literal(1)))  # type: ignore[call-overload]
    except sa.exc.SQLAlchemyError:
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "questionnaires": len(catalog().all())}, 200


@bp.route("/readyz")
def readyz() -> tuple[dict[str, Any], int]:
    """Everything the work needs (database, queue, storage, a live worker): 503 naming what is wrong.

    `/healthz` stays the cheap one for load balancers; this one writes a file and asks the broker."""
    ready, report = readiness.check(db(), settings())
    return report, 200 if ready else 503


@bp.route("/")
@login_required
def home() -> str:
    """The person's inbox: their own drafts and cycles, ratings released to them, what their teams need
    (managers) and the open cycles (HR)."""
    user = me()
    session = db()
    since = inbox_service.visit(session, user.id or 0)
    inbox = inbox_service.build(session, user, catalog().get, since=since)
    keys = profile_service.submitted_keys(session, user.id or 0)
    latest = [profile_service.person_profile(session, user, key, viewer=user) for key in keys[:3]]
    return render_template(
        "home.html",
        inbox=inbox,
        latest=latest,
        teams=users_service.memberships_of(session, user.id or 0),
        titles={q.id: q.title for q in catalog().all()},
        step_title=step_title,
    )


def step_title(key: str, step_id: str) -> str:
    """A roadmap step's title in the current framework (its id when the step is gone)."""
    questionnaire = catalog().get(key)
    if questionnaire is not None:
        for area in questionnaire.areas:
            for step in area.roadmap:
                if step.id == step_id:
                    return step.title
    return step_id


@bp.route("/vendor/plotly.min.js")
def plotly_js() -> Response:
    """The old address of plotly.js: the pages load the vendored partial bundle from static/ now."""
    return redirect(url_for("static", filename="vendor/plotly.min.js"), 301)
