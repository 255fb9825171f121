"""Administration of the background work: stalled and failed jobs, mail not delivered, with retry."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from competency.models import Job
from competency.services import ServiceError, attention
from competency.services import jobs as jobs_service
from competency.web.admin import bp
from competency.web.admin.forms import ConfirmForm
from competency.web.requests import db


@bp.route("/jobs")
def jobs() -> str:
    session = db()
    return render_template(
        "admin/jobs.html",
        needing=attention.jobs_needing_attention(session),
        mails=attention.undelivered_mail(session),
        workers=attention.workers_running(session),
        form=ConfirmForm(),
    )


@bp.route("/jobs/<int:job_id>/retry", methods=["POST"])
def job_retry(job_id: int) -> Response:
    job = db().get(Job, job_id)
    if job is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            jobs_service.retry_job(db(), job)
            flash(f"Job {job_id} is being tried again.", "success")
        except ServiceError as exc:
            flash(str(exc), "error")
    return redirect(url_for("admin.jobs"))


@bp.route("/jobs/mail/<int:row_id>/retry", methods=["POST"])
def mail_retry(row_id: int) -> Response:
    if ConfirmForm().validate_on_submit():
        if attention.retry_mail(db(), [row_id]):
            flash("The mail is being sent again.", "success")
        else:
            flash("That mail was sent meanwhile or is gone.", "error")
    return redirect(url_for("admin.jobs"))
