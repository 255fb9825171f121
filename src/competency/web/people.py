"""A person's profile page and its JSON twin."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request
from flask_login import login_required

from competency.models import User
from competency.services import access
from competency.services import profiles as service
from competency.web import charts
from competency.web.audit import audit_now, deny
from competency.web.auth import me
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
    return service.person_profile(db(), person, key)


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
        shown = q.areas_in_play(current.level)
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
    return render_template(
        "people/profile.html",
        person=person,
        profile=profile,
        keys=keys,
        figures=figures,
        can_assess=can_assess,
        titles={q.id: q.title for q in catalog().all()},
    )


@bp.route("/api/people/<int:person_id>/profile")
@login_required
def profile_api(person_id: int) -> Any:
    person = _visible_person(person_id)
    profile = _profile(person)
    if profile is None or profile.current is None:
        return {"error": "Not found", "message": "No submitted self-assessment for this framework."}, 404
    return service.profile_json(profile)
