"""PDF reports, the cycle ZIP, the scores CSV and the audit log. Every download is audited."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import login_required
from sqlmodel import col, select

from competency.models import Cycle, Team, User
from competency.services import NotFound, access, audit
from competency.services import reports as service
from competency.services.teams import framework_keys
from competency.web.audit import audit_request
from competency.web.auth import me
from competency.web.requests import catalog, db

bp = Blueprint("reports", __name__)


def _require_hr() -> User:
    user = me()
    if not user.is_hr:
        abort(404)
    return user


def _audit(action: str, obj: str, **details: Any) -> None:
    audit_request(action, obj, **details)
    db().commit()


def _attachment(body: Any, mimetype: str, filename: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@bp.route("/reports")
@login_required
def index() -> str:
    _require_hr()
    session = db()
    people = session.exec(select(User).where(User.active == True).order_by(col(User.name))).all()  # noqa: E712
    teams = session.exec(select(Team).order_by(col(Team.name))).all()
    cycles = session.exec(select(Cycle).order_by(col(Cycle.opens_at).desc())).all()
    team_keys = {team.id: [key for key, _ in framework_keys(session, team.id or 0)] for team in teams}
    team_names = {team.id: team.name for team in teams}
    titles = {q.id: q.title for q in catalog().all()}
    submitted = service.people_with_reports(session)
    return render_template(
        "reports/index.html",
        people=people,
        submitted=submitted,
        teams=teams,
        team_names=team_names,
        cycles=cycles,
        team_keys=team_keys,
        titles=titles,
    )


@bp.route("/reports/people/<int:person_id>.pdf")
@login_required
def person_pdf(person_id: int) -> Response:
    person = db().get(User, person_id)
    if person is None or not access.can_view_person(db(), me(), person_id):
        abort(404)
    key = request.args.get("questionnaire") or service.default_key(db(), person_id)
    if key is None:
        abort(404)
    try:
        data = service.person_pdf(db(), person, key)
    except NotFound:
        abort(404)
    _audit("report.person.download", f"user:{person_id}", questionnaire=key)
    return _attachment(data, "application/pdf", service.person_filename(person, key))


@bp.route("/reports/teams/<int:team_id>.pdf")
@login_required
def team_pdf(team_id: int) -> Response:
    team = db().get(Team, team_id)
    if team is None or not access.can_view_team_individuals(db(), me(), team_id):
        abort(404)
    keys = [key for key, _ in framework_keys(db(), team_id)]
    key = request.args.get("questionnaire") or (keys[0] if keys else None)
    if key is None:
        abort(404)
    try:
        data = service.team_pdf(db(), team, key, catalog().get(key))
    except NotFound:
        abort(404)
    _audit("report.team.download", f"team:{team_id}", questionnaire=key)
    return _attachment(data, "application/pdf", f"team-{service.slug(team.name)}-{key}.pdf")


@bp.route("/reports/cycles/<int:cycle_id>.zip")
@login_required
def cycle_zip(cycle_id: int) -> Response:
    _require_hr()
    cycle = db().get(Cycle, cycle_id)
    if cycle is None:
        abort(404)
    done, missing = service.cycle_people(db(), cycle)
    _audit("report.cycle.download", f"cycle:{cycle_id}", people=len(done), missing=len(missing))
    engine = current_app.extensions["competency.engine"]
    database_url = engine.url.render_as_string(hide_password=False)
    # A plain generator, not stream_with_context: the ZIP needs nothing from the request (its workers open
    # their own database connections), so the request's session is closed as soon as this view returns.
    chunks = service.cycle_zip(database_url, cycle, done, missing)
    scope = team.name if cycle.team_id and (team := db().get(Team, cycle.team_id)) else "organisation"
    filename = f"cycle-{cycle_id}-{service.slug(cycle.name)}-{service.slug(scope)}.zip"
    return _attachment(chunks, "application/zip", filename)


@bp.route("/exports/scores.csv")
@login_required
def scores_csv() -> Response:
    _require_hr()
    _audit("export.scores", "scores.csv")
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    # ?raw=1: full precision and no byte order mark, for programs; the default opens in a spreadsheet.
    raw = request.args.get("raw") == "1"
    name = f"competency-scores-{stamp}{'-raw' if raw else ''}.csv"
    # Built whole (about 1 MB for 1,000 people) so the request's session is not held while a client reads.
    return _attachment("".join(service.scores_csv(db(), raw=raw)), "text/csv", name)


@bp.route("/audit")
@login_required
def audit_log() -> str:
    _require_hr()
    page = max(1, request.args.get("page", 1, type=int) or 1)
    per_page = 100
    events = audit.recent(db(), limit=per_page + 1, offset=(page - 1) * per_page)
    return render_template(
        "reports/audit.html", events=events[:per_page], page=page, more=len(events) > per_page
    )
