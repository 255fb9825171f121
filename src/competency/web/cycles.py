"""Cycles: the list, opening one, each person's status (page and CSV), closing it after asking."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from competency.models import Cycle, Team, utcnow
from competency.services import NotFound, ServiceError, access, attention
from competency.services import cycles as service
from competency.web.audit import audit_request, deny
from competency.web.auth import me
from competency.web.requests import catalog, db

bp = Blueprint("cycles", __name__)

WHOLE_ORGANISATION = "all"
#: Due date offered when opening a cycle.
DEFAULT_DURATION = timedelta(weeks=4)


class CycleForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[DataRequired("Give the cycle a name."), Length(max=service.MAX_NAME_LENGTH)],
        description="What people will see on their home page, e.g. “Spring review 2025”.",
    )
    questionnaire = SelectField("Framework", validators=[DataRequired("Choose a framework.")])
    scope = SelectField("Team", validators=[DataRequired("Choose who takes part.")])
    audience = SelectField(
        "Who is asked",
        choices=[
            SelectChoice("members", "Team members (not their managers)"),
            SelectChoice("managers", "Managers only"),
            SelectChoice("everyone", "Everyone in the team, managers included"),
        ],
        default="members",
        validators=[DataRequired("Choose who is asked.")],
    )
    due = DateField(
        "Due date",
        validators=[DataRequired("Enter the due date as YYYY-MM-DD.")],
        description="Assessments not submitted by the end of this day (UTC) are shown as overdue.",
    )
    reminders = StringField(
        "Reminders",
        default="7, 1",
        validators=[Length(max=40)],
        description="Days before the due date on which people who have not submitted get a reminder "
        "(an invitation goes out when the cycle opens, an overdue notice after the due date).",
    )


class CloseForm(FlaskForm):
    pass


def due_at(day: date) -> datetime:
    """The end of the due day, UTC."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def _titles() -> dict[str, str]:
    return {q.id: q.title for q in catalog().all()}


@bp.route("/cycles")
@login_required
def index() -> str:
    session = db()
    actor = me()
    cycles = service.visible_cycles(session, actor)
    managed = access.managed_team_ids(session, actor.id or 0)
    viewable = {c.id for c, _ in cycles if service.can_view_statuses(actor, c, managed)}
    counted = [c for c, _ in cycles if actor.is_hr or c.team_id in managed]
    counts = service.counts_by_cycle(session, counted)
    mine = service.statuses_of(session, actor, [c for c, _ in cycles])
    return render_template(
        "cycles/index.html",
        open_cycles=[(c, name) for c, name in cycles if c.closed_at is None],
        closed_cycles=[(c, name) for c, name in cycles if c.closed_at is not None],
        viewable=viewable,
        counts=counts,
        mine=mine,
        titles=_titles(),
        can_open=actor.is_hr or bool(managed),
        now=utcnow(),
    )


@bp.route("/cycles/new", methods=["GET", "POST"])
@login_required
def new() -> Any:
    session = db()
    actor = me()
    teams = service.runnable_teams(session, actor)
    if not actor.is_hr and not teams:
        abort(404)
    form = CycleForm()
    frameworks = catalog().all()
    form.questionnaire.choices = [(q.id, q.title) for q in frameworks]
    scopes = [(WHOLE_ORGANISATION, "Whole organisation")] if actor.is_hr else []
    form.scope.choices = scopes + [(str(t.id), f"Team {t.name}") for t in teams]
    if request.method == "GET":
        form.questionnaire.data = request.args.get("questionnaire") or (
            frameworks[0].id if frameworks else None
        )
        team = request.args.get("team")
        form.scope.data = team if team in {str(t.id) for t in teams} else form.scope.choices[0][0]
        form.due.data = (utcnow() + DEFAULT_DURATION).date()
    elif request.form.get("scope") and request.form["scope"] not in {v for v, _ in form.scope.choices}:
        # A team the actor does not run (or the whole organisation for a manager): as if it did not exist.
        abort(404)
    elif form.validate_on_submit():
        team_id = None if form.scope.data == WHOLE_ORGANISATION else int(form.scope.data or 0)
        try:
            cycle = service.open_cycle(
                session,
                actor,
                name=form.name.data or "",
                questionnaire_key=form.questionnaire.data or "",
                team_id=team_id,
                due_at=due_at(form.due.data),
                audience=form.audience.data or "everyone",
                remote_addr=request.remote_addr,
                reminder_days=form.reminders.data or "",
            )
        except NotFound:
            abort(404)
        except ServiceError as exc:
            flash(str(exc), "error")
        else:
            flash(f"“{cycle.name}” is open. Members see it on their home page.", "success")
            return redirect(url_for("cycles.detail", cycle_id=cycle.id))
    return render_template("cycles/new.html", form=form, frameworks=frameworks)


def _viewable_cycle(cycle_id: int) -> Cycle:
    session = db()
    cycle = session.get(Cycle, cycle_id)
    actor = me()
    if cycle is None:
        abort(404)
    if not service.can_view_statuses(actor, cycle, access.managed_team_ids(session, actor.id or 0)):
        deny(f"cycle:{cycle_id}")
    return cycle


def _runnable_cycle(cycle_id: int) -> Cycle:
    """A cycle the signed-in person may close (HR; a team's manager for their team's cycles), else 404."""
    cycle = db().get(Cycle, cycle_id)
    if cycle is None or not access.can_run_cycles(db(), me(), cycle.team_id):
        abort(404)
    return cycle


@bp.route("/cycles/<int:cycle_id>")
@login_required
def detail(cycle_id: int) -> str:
    cycle = _viewable_cycle(cycle_id)
    session = db()
    actor = me()
    team = session.get(Team, cycle.team_id) if cycle.team_id is not None else None
    progress = service.progress(session, actor, cycle)
    state = request.args.get("state")
    shown = (
        [s for s in progress.statuses if state in service.STATES and s.state == state]
        if state
        else progress.statuses
    )
    return render_template(
        "cycles/detail.html",
        cycle=cycle,
        team=team,
        progress=progress,
        statuses=shown,
        state=state if state in service.STATES else None,
        states=service.STATES,
        title=_titles().get(cycle.questionnaire_key, cycle.questionnaire_key),
        can_close=cycle.closed_at is None and access.can_run_cycles(session, actor, cycle.team_id),
        close_form=CloseForm(),
        partial=not actor.is_hr and cycle.team_id is None,
        invitations_waiting=attention.waiting_invitations(session, cycle.id or 0)
        if cycle.closed_at is None
        else 0,
        workers_running=attention.workers_running(session),
        **_zip_context(cycle),
    )


@bp.route("/cycles/<int:cycle_id>/statuses.csv")
@login_required
def statuses_csv(cycle_id: int) -> Response:
    """Each person's status as the cycle page shows it, for a spreadsheet (audited like other exports)."""
    cycle = _viewable_cycle(cycle_id)
    progress = service.progress(db(), me(), cycle)
    audit_request("cycle.statuses.download", f"cycle:{cycle_id}", people=progress.total)
    db().commit()
    return Response(
        service.statuses_csv(progress),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="cycle-{cycle_id}-statuses.csv"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/cycles/<int:cycle_id>/close", methods=["GET"])
@login_required
def confirm_close(cycle_id: int) -> Any:
    """Ask before closing: what closing does, and who has not submitted (they will show as missed)."""
    session, actor = db(), me()
    cycle = _runnable_cycle(cycle_id)
    if cycle.closed_at is not None:
        flash("This cycle is already closed.", "info")
        return redirect(url_for("cycles.detail", cycle_id=cycle_id))
    progress = service.progress(session, actor, cycle)
    return render_template(
        "cycles/close.html",
        cycle=cycle,
        progress=progress,
        unfinished=[s for s in progress.statuses if s.status != "submitted"],
        close_form=CloseForm(),
    )


def _zip_context(cycle: Cycle) -> dict[str, Any]:
    """HR's "all reports of this cycle" box: the latest ZIP job, its progress and its file."""
    from competency.services import jobs
    from competency.web.jobs import StartForm

    if not me().is_hr:
        return {"zip_job": None}
    job = jobs.latest(db(), "cycle_zip", cycle.id or 0)
    progress = jobs.progress(db(), job) if job else None
    ready = job is not None and jobs.file_of(db(), job) is not None
    return {
        "zip_job": job,
        "zip_progress": progress,
        "zip_download": url_for("jobs.download", job_id=job.id) if job and ready else None,
        "zip_form": StartForm(),
        "zip_active": job is not None and jobs.is_active(job),
        "zip_stalled": attention.stalled(db(), job) if job else None,
    }


@bp.route("/cycles/<int:cycle_id>/close", methods=["POST"])
@login_required
def close(cycle_id: int) -> Response:
    session, actor = db(), me()
    cycle = _runnable_cycle(cycle_id)
    form = CloseForm()
    if not form.validate_on_submit():
        flash("The form expired. Press Close again.", "error")
        return redirect(url_for("cycles.detail", cycle_id=cycle_id))
    try:
        service.close_cycle(
            session,
            actor,
            cycle,
            remote_addr=request.remote_addr,
            threshold=current_app.config.get("TEAM_AGGREGATE_MIN", 5),
        )
    except NotFound:
        abort(404)
    except ServiceError as exc:
        flash(str(exc), "error")
    else:
        flash(f"“{cycle.name}” is closed. Its results stay in the team trend.", "success")
    return redirect(url_for("cycles.detail", cycle_id=cycle_id))
