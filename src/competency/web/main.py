"""Home, health check and the old plotly.js address."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from competency.services import assessments as assessment_service
from competency.services import profiles as profile_service
from competency.services import users as users_service
from competency.web.auth import me
from competency.web.cycles import pending_items
from competency.web.requests import catalog, db

bp = Blueprint("main", __name__)


@bp.route("/healthz")
def healthz() -> tuple[dict[str, Any], int]:
    try:
        db().exec(sa.select(sa.literal(1)))  # type: ignore[call-overload]
    except sa.exc.SQLAlchemyError:
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "questionnaires": len(catalog().all())}, 200


@bp.route("/")
@login_required
def home() -> str:
    user = me()
    session = db()
    drafts = assessment_service.drafts_of(session, user.id or 0)
    keys = profile_service.submitted_keys(session, user.id or 0)
    latest = [profile_service.person_profile(session, user, key) for key in keys[:3]]
    return render_template(
        "home.html",
        drafts=drafts,
        latest=latest,
        teams=users_service.memberships_of(session, user.id or 0),
        questionnaires=catalog().all(),
        pending_cycles=pending_items(user),
    )


@bp.route("/vendor/plotly.min.js")
def plotly_js() -> Response:
    """The old address of plotly.js: the pages load the vendored partial bundle from static/ now."""
    return redirect(url_for("static", filename="vendor/plotly.min.js"), 301)
