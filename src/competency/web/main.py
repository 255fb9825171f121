"""Home, health check and the plotly.js asset."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, send_from_directory
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


def _plotly_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("plotly")
    if spec is None or spec.origin is None:
        abort(404)
    return Path(spec.origin).parent / "package_data"


@bp.route("/vendor/plotly.min.js")
def plotly_js() -> Response:
    """plotly.js from the installed plotly package (no CDN); cached for a long time."""
    response = send_from_directory(_plotly_dir(), "plotly.min.js", max_age=60 * 60 * 24 * 30)
    return response
