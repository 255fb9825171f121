"""PDF reports, the cycle ZIP, the scores CSV and the audit log. Every download is audited."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import login_required
from sqlmodel import col, select

from competency.models import Cycle, StoredFile, Team, User
from competency.services import NotFound, access, audit, jobs, report_cache, storage
from competency.services import reports as service
from competency.services.teams import framework_keys
from competency.web.audit import audit_now, deny
from competency.web.auth import me
from competency.web.limits import RenderRefused, pdf_render_slot
from competency.web.requests import catalog, db, settings

bp = Blueprint("reports", __name__)


def _render_slot() -> Any:
    """One PDF render per person at a time, a few per process (web/limits): taken only on a cache miss."""
    return pdf_render_slot(me().id or 0)


#: Pages of 100 audit events: a page beyond this is a typo or a probe, answered 400.
MAX_AUDIT_PAGE = 100_000


def _require_hr() -> User:
    user = me()
    if not user.is_hr:
        abort(404)
    return user


def _refused(refused: RenderRefused) -> Response:
    response = current_app.make_response(
        (
            render_template("error.html", code=refused.status, title="Please wait", message=refused.message),
            refused.status,
        )
    )
    response.headers["Retry-After"] = str(refused.retry_after)
    return response


def _stored_attachment(stored: StoredFile, mimetype: str) -> Response:
    """A cached PDF from storage, read whole (a few hundred KiB), so it is sent with its length."""
    return _attachment(storage.read_bytes(settings(), stored), mimetype, stored.filename)


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
    if person is None:
        abort(404)
    if not access.can_view_person(db(), me(), person_id):
        deny(f"user:{person_id}")
    key = request.args.get("questionnaire") or service.default_key(db(), person_id)
    if key is None:
        abort(404)
    try:
        stored = report_cache.person_pdf(db(), settings(), person, key, viewer=me(), guard=_render_slot)
    except NotFound:
        abort(404)
    except RenderRefused as refused:
        return _refused(refused)
    audit_now("report.person.download", f"user:{person_id}", questionnaire=key)
    return _stored_attachment(stored, "application/pdf")


@bp.route("/reports/teams/<int:team_id>.pdf")
@login_required
def team_pdf(team_id: int) -> Response:
    team = db().get(Team, team_id)
    if team is None:
        abort(404)
    if not access.can_view_team_individuals(db(), me(), team_id):
        deny(f"team:{team_id}")
    keys = [key for key, _ in framework_keys(db(), team_id)]
    key = request.args.get("questionnaire") or (keys[0] if keys else None)
    if key is None:
        abort(404)
    try:
        stored = report_cache.team_pdf(
            db(),
            settings(),
            team,
            key,
            catalog().get(key),
            level=request.args.get("level"),
            guard=_render_slot,
        )
    except NotFound:
        abort(404)
    except RenderRefused as refused:
        return _refused(refused)
    audit_now("report.team.download", f"team:{team_id}", questionnaire=key)
    return _stored_attachment(stored, "application/pdf")


@bp.route("/reports/cycles/<int:cycle_id>.zip")
@login_required
def cycle_zip(cycle_id: int) -> Any:
    """The cycle's latest finished ZIP; without one, the cycle page, where HR starts preparing it."""
    _require_hr()
    cycle = db().get(Cycle, cycle_id)
    if cycle is None:
        abort(404)
    job = jobs.latest(db(), "cycle_zip", cycle_id)
    if job is None or jobs.file_of(db(), job) is None:
        flash(
            "The ZIP is prepared in the background: press “Prepare the ZIP” and download it when it is ready."
        )
        return redirect(url_for("cycles.detail", cycle_id=cycle_id, _anchor="reports-zip"))
    return redirect(url_for("jobs.download", job_id=job.id))


@bp.route("/exports/scores.csv")
@login_required
def scores_csv() -> Response:
    _require_hr()
    audit_now("export.scores", "scores.csv")
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    # ?raw=1: full precision and no byte order mark, for programs; the default opens in a spreadsheet.
    raw = request.args.get("raw") == "1"
    name = f"competency-scores-{stamp}{'-raw' if raw else ''}.csv"
    # Built whole (about 1 MB for 1,000 people) so the request's session is not held while a client reads.
    return _attachment("".join(service.scores_csv(db(), raw=raw)), "text/csv", name)


@bp.route("/audit")
@login_required
def audit_log() -> Any:
    _require_hr()
    found, problems = audit.parse_filter(request.args)
    page = request.args.get("page", 1, type=int) or 1
    if not 1 <= page <= MAX_AUDIT_PAGE:
        abort(400)
    per_page = 100
    events = audit.search(db(), found, limit=per_page + 1, offset=(page - 1) * per_page)
    return render_template(
        "reports/audit.html",
        events=events[:per_page],
        page=page,
        more=len(events) > per_page,
        filter=found,
        problems=problems,
        actions=audit.actions(db()),
    ), (400 if problems else 200)


@bp.route("/audit.csv")
@login_required
def audit_csv() -> Response:
    _require_hr()
    found, problems = audit.parse_filter(request.args)
    if problems:
        abort(400)
    audit_now("export.audit", "audit.csv", filter=found.as_args())
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    return _attachment("".join(audit.csv_lines(db(), found)), "text/csv", f"competency-audit-{stamp}.csv")
