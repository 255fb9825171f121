"""ZIP jobs through the web: start one, watch its progress (a page and a JSON endpoint), download it.

The download is audited when a finished file is served, never before: a ZIP that is still being made
or that failed cannot be downloaded, so nothing is recorded as downloaded that was not whole.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse

from competency.models import Cycle, Job, Team
from competency.services import NotFound, ServiceError, attention, storage
from competency.services import jobs as service
from competency.web.audit import audit_now
from competency.web.auth import me
from competency.web.requests import catalog, db, settings

bp = Blueprint("jobs", __name__)


class StartForm(FlaskForm):
    pass


def _job(job_id: int) -> Job:
    try:
        return service.get_job(db(), me(), job_id)
    except NotFound:
        abort(404)


@bp.route("/cycles/<int:cycle_id>/zip", methods=["POST"])
@login_required
def start_cycle_zip(cycle_id: int) -> BaseResponse:
    actor = me()
    cycle = db().get(Cycle, cycle_id)
    if cycle is None or not actor.is_hr:
        abort(404)
    if not StartForm().validate_on_submit():
        flash("The form expired. Press the button again.", "error")
    else:
        # The job and its work are rows in the database: a broker that is down delays it, never loses it.
        try:
            service.start_cycle_zip(db(), actor, cycle)
        except NotFound:
            abort(404)
    return redirect(url_for("cycles.detail", cycle_id=cycle_id, _anchor="reports-zip"))


@bp.route("/teams/<int:team_id>/pdfs", methods=["POST"])
@login_required
def start_team_zip(team_id: int) -> BaseResponse:
    actor = me()
    team = db().get(Team, team_id)
    key = request.form.get("questionnaire", "")
    from competency.services import access

    if team is None or not access.can_view_team_individuals(db(), actor, team_id):
        abort(404)
    if key and catalog().get(key) is None:
        abort(404)  # no such framework: a job for it would only fail (and store whatever was sent)
    if not StartForm().validate_on_submit() or not key:
        flash("The form expired. Press the button again.", "error")
        return redirect(request.referrer or url_for("teams.dashboard", team_id=team_id))
    try:
        job = service.start_team_zip(db(), actor, team, key)
    except NotFound:
        abort(404)
    return redirect(url_for("jobs.detail", job_id=job.id))


@bp.route("/jobs/<int:job_id>")
@login_required
def detail(job_id: int) -> str:
    job = _job(job_id)
    back = (
        url_for("cycles.detail", cycle_id=job.object_id)
        if job.kind == "cycle_zip"
        else url_for("teams.dashboard", team_id=job.object_id, questionnaire=job.questionnaire_key)
    )
    return render_template(
        "jobs/detail.html",
        job=job,
        progress=service.progress(db(), job),
        back=back,
        failed_items=attention.failed_items(db(), job_id),
        retrying=attention.retrying(db(), job_id) if service.is_active(job) else [],
        stalled=attention.stalled(db(), job),
        form=StartForm(),
    )


@bp.route("/jobs/<int:job_id>/retry", methods=["POST"])
@login_required
def retry(job_id: int) -> BaseResponse:
    """Work again on what a failed job did not finish (the items that failed, the archive)."""
    job = _job(job_id)
    if not StartForm().validate_on_submit():
        flash("The form expired. Press the button again.", "error")
    else:
        try:
            service.retry_job(db(), job)
            flash("Trying again.", "success")
        except ServiceError as exc:
            flash(str(exc), "error")
    return redirect(url_for("jobs.detail", job_id=job_id))


@bp.route("/jobs/<int:job_id>/cancel", methods=["POST"])
@login_required
def cancel(job_id: int) -> BaseResponse:
    job = _job(job_id)
    if not StartForm().validate_on_submit():
        flash("The form expired. Press the button again.", "error")
    else:
        try:
            service.cancel_job(db(), me(), job)
            flash("Cancelled. You can retry it or prepare a new one.", "success")
        except ServiceError as exc:
            flash(str(exc), "error")
    return redirect(url_for("jobs.detail", job_id=job_id))


@bp.route("/jobs/<int:job_id>.json")
@login_required
def status(job_id: int) -> Response:
    job = _job(job_id)
    data = service.progress(db(), job).as_dict()
    data["download_url"] = url_for("jobs.download", job_id=job_id) if service.file_of(db(), job) else None
    response = jsonify(data)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/jobs/<int:job_id>/file")
@login_required
def download(job_id: int) -> Response:
    job = _job(job_id)
    stored = service.file_of(db(), job)
    if stored is None or not storage.exists(settings(), stored):
        abort(404)
    action = "report.cycle.download" if job.kind == "cycle_zip" else "report.team_zip.download"
    obj = f"cycle:{job.object_id}" if job.kind == "cycle_zip" else f"team:{job.object_id}"
    audit_now(
        action, obj, job=job.id, people=job.done, failed=job.failed, questionnaire=job.questionnaire_key
    )
    response = send_file(
        storage.path_of(settings(), stored),
        mimetype="application/zip",
        as_attachment=True,
        download_name=stored.filename,
        conditional=False,
        max_age=0,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
