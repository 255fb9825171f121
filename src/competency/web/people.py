"""A person's profile page and its JSON twin; marking plan steps and blind spots from it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from competency.models import PLAN_STATUSES, User
from competency.reports.ladder import ladder_grid
from competency.services import NotFound, ServiceError, access, blind_spots, focus, plans
from competency.services import profiles as service
from competency.web import charts
from competency.web.audit import audit_now, deny
from competency.web.auth import me
from competency.web.main import step_title
from competency.web.requests import catalog, db

bp = Blueprint("people", __name__)


def _visible_person(person_id: int) -> User:
    person = db().get(User, person_id)
    if person is None:
        abort(404)
    if not access.can_view_person(db(), me(), person_id):
        deny(f"user:{person_id}")
    if me().id != person_id:
        # Managers and HR looking at someone's profile is part of the audit trail.
        audit_now("profile.view", f"user:{person_id}", path=request.path[:200])
    return person


def _profile(person: User) -> service.PersonProfile | None:
    keys = service.submitted_keys(db(), person.id or 0)
    key = request.args.get("questionnaire") or (keys[0] if keys else None)
    if key is None:
        return None
    return service.person_profile(db(), person, key, viewer=me())


class ActionForm(FlaskForm):
    """CSRF only: the small buttons on the profile (plan step status, blind spot discussed, release)."""


@bp.route("/people/<int:person_id>")
@login_required
def profile(person_id: int) -> Any:
    person = _visible_person(person_id)
    profile = _profile(person)
    keys = service.submitted_keys(db(), person_id)
    figures = {}
    if profile is not None and profile.current is not None:
        q = profile.current.questionnaire
        current = profile.current.profile
        shown = [q.area(area_id) for area_id in current.areas]
        traces = [
            {
                "name": "Target",
                "values": [current.areas[a.id].target for a in shown],
                "colour": charts.TARGET,
                "dash": "dash",
            },
            {
                "name": "Self",
                "values": [current.areas[a.id].score for a in shown],
                "colour": charts.SELF,
                "fill": True,
                "opacity": 0.85,
            },
        ]
        if profile.manager is not None:
            traces.append(
                {
                    "name": f"Manager ({profile.manager_name})" if profile.manager_name else "Manager",
                    "values": [profile.manager.scores.get(a.id) for a in shown],
                    "colour": charts.MANAGER,
                    "dash": "dot",
                }
            )
        figures["radar"] = charts.radar(q, traces, areas=shown)
        figures["history"] = charts.history(
            [
                (
                    r.assessment.submitted_at.strftime("%Y-%m-%d") if r.assessment.submitted_at else "?",
                    r.profile.readiness,
                )
                for r in profile.history
            ]
        )
    can_assess = access.can_manager_assess(db(), me(), person_id)
    step_states: dict[str, plans.StepState] = {}
    discussed: dict[str, Any] = {}
    plan_history: list[Any] = []
    if profile is not None and profile.current is not None:
        step_states = plans.states_of(db(), person_id, profile.questionnaire_key)
        plan_history = plans.history(db(), person_id, profile.questionnaire_key)
        if profile.manager is not None:
            discussed = blind_spots.discussed_areas(
                db(), profile.current.assessment.id or 0, profile.manager.assessment.id or 0
            )
    return render_template(
        "people/profile.html",
        person=person,
        profile=profile,
        keys=keys,
        figures=figures,
        can_assess=can_assess,
        titles={q.id: q.title for q in catalog().all()},
        step_states=step_states,
        plan_statuses=PLAN_STATUSES,
        discussed=discussed,
        plan_done=sum(
            1
            for entry in (profile.current.profile.plan if profile and profile.current else [])
            if entry.step.id in step_states and step_states[entry.step.id].status == "done"
        ),
        change_word=service.change_word,
        max_titled_axes=charts.MAX_TITLED_AXES,
        plan_history=plan_history,
        step_title=step_title,
        action_form=ActionForm(),
        is_self=me().id == person_id,
        grid=(
            ladder_grid(
                profile.current.questionnaire,
                profile.current.profile,
                profile.manager.profile
                if profile.manager is not None
                and profile.manager.assessment.target_level == profile.current.assessment.target_level
                else None,
            )
            if profile is not None and profile.current is not None
            else None
        ),
    )


def _own_plan(person_id: int, key: str, back: str, expired: str) -> service.Rated | Response:
    """For a change the person makes to their own plan: their current result, or where to go back to
    (with why) when the form expired; 404 for anyone else or without a result."""
    person = _visible_person(person_id)
    if me().id != person_id:
        abort(404)
    if not ActionForm().validate_on_submit():
        flash(expired, "error")
        return redirect(back)
    profile = service.person_profile(db(), person, key, viewer=me())
    if profile.current is None:
        abort(404)
    return profile.current


@bp.route("/people/<int:person_id>/plan/<key>/steps/<step_id>", methods=["POST"])
@login_required
def plan_step(person_id: int, key: str, step_id: str) -> Response:
    """The person marks one step of their current plan not started, in progress or done."""
    back = url_for("people.profile", person_id=person_id, questionnaire=key, _anchor=f"step-{step_id}")
    current = _own_plan(person_id, key, back, "The form expired. Choose the status again.")
    if isinstance(current, Response):
        return current
    try:
        plans.set_status(
            db(),
            me(),
            subject_id=person_id,
            key=key,
            step_id=step_id,
            status=request.form.get("status", ""),
            plan_step_ids=[entry.step.id for entry in current.profile.plan],
            assessment_id=current.assessment.id,
            remote_addr=request.remote_addr,
        )
    except NotFound:
        abort(404)
    except ServiceError as exc:
        flash(str(exc), "error")
    return redirect(back)


@bp.route("/people/<int:person_id>/plan/<key>/focus", methods=["POST"])
@login_required
def plan_focus(person_id: int, key: str) -> Response:
    """The person chooses the areas their plan's focus is on (or goes back to the default)."""
    back = url_for("people.profile", person_id=person_id, questionnaire=key, _anchor="plan-h")
    current = _own_plan(person_id, key, back, "The form expired. Choose your focus again.")
    if isinstance(current, Response):
        return current
    areas = [] if request.form.get("reset") else request.form.getlist("area")
    try:
        focus.choose(
            db(),
            me(),
            current.assessment,
            current.questionnaire,
            areas,
            remote_addr=request.remote_addr,
        )
    except NotFound:
        abort(404)
    except ServiceError as exc:
        flash(str(exc), "error")
        return redirect(back)
    flash(
        "Your focus is set: your manager sees it on your profile."
        if areas
        else "Back to the suggested focus: the areas furthest below target, weighted.",
        "success",
    )
    return redirect(back)


@bp.route("/people/<int:person_id>/blind-spots", methods=["POST"])
@login_required
def mark_discussed(person_id: int) -> Response:
    """A manager of the person notes that a blind spot was talked through."""
    if db().get(User, person_id) is None or not access.can_manager_assess(db(), me(), person_id):
        abort(404)
    key = request.form.get("questionnaire", "")
    back = url_for("people.profile", person_id=person_id, questionnaire=key or None, _anchor="areas-h")
    if not ActionForm().validate_on_submit():
        flash("The form expired. Press the button again.", "error")
        return redirect(back)
    try:
        blind_spots.mark_discussed(
            db(),
            me(),
            subject_id=person_id,
            self_id=request.form.get("self_id", type=int) or 0,
            manager_id=request.form.get("manager_id", type=int) or 0,
            area_id=request.form.get("area_id", ""),
        )
    except NotFound:
        abort(404)
    flash("Marked as discussed. It no longer shows on your home page.", "success")
    return redirect(back)


@bp.route("/api/people/<int:person_id>/profile")
@login_required
def profile_api(person_id: int) -> Any:
    person = _visible_person(person_id)
    profile = _profile(person)
    if profile is None or profile.current is None:
        return {"error": "Not found", "message": "No submitted self-assessment for this framework."}, 404
    return service.profile_json(profile)
