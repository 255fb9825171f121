"""Administration of teams and their members."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from sqlmodel import col, select
from werkzeug.wrappers import Response

from competency.models import (
    Membership,
    Team,
    User,
)
from competency.services import ServiceError, access
from competency.services import users as users_service
from competency.web.admin import bp
from competency.web.admin.forms import (
    ConfirmForm,
    MemberForm,
    TeamForm,
)
from competency.web.audit import audit_request
from competency.web.requests import db


@bp.route("/teams", methods=["GET", "POST"])
def teams() -> Any:
    form = TeamForm()
    if form.validate_on_submit():
        session = db()
        try:
            team, created = users_service.create_team(session, form.name.data or "")
        except ServiceError as exc:
            form.name.errors = [str(exc)]
        else:
            if created:
                audit_request("team.create", f"team:{team.id}", name=team.name)
                session.commit()
                flash(f"Created team {team.name}. Add its members below.", "success")
            else:
                flash(f"Team {team.name} already exists.", "info")
            return redirect(url_for(".teams", _anchor=f"team-{team.id}"))
    return _render_teams(create_form=form), (400 if form.is_submitted() else 200)


def _render_teams(create_form: TeamForm | None = None, failed: tuple[int, MemberForm] | None = None) -> str:
    session = db()
    rows = session.exec(select(Team).order_by(Team.name)).all()
    members: dict[int, list[tuple[User, str]]] = defaultdict(list)
    for membership, person in session.exec(
        select(Membership, User)
        .join(User, col(User.id) == Membership.user_id)
        .order_by(Membership.role, User.name)  # "manager" sorts before "member"
    ).all():
        members[membership.team_id].append((person, membership.role))
    forms = {team.id: MemberForm(formdata=None, prefix=f"t{team.id}") for team in rows}
    if failed is not None:
        forms[failed[0]] = failed[1]
    return render_template(
        "admin/teams.html",
        teams=rows,
        members=members,
        member_forms=forms,
        create_form=create_form or TeamForm(formdata=None),
        confirm=ConfirmForm(formdata=None),
    )


@bp.route("/teams/<int:team_id>/members", methods=["POST"])
def team_add_member(team_id: int) -> Any:
    session = db()
    team = session.get(Team, team_id) or abort(404)
    form = MemberForm(prefix=f"t{team_id}")
    if form.validate_on_submit():
        person = users_service.user_by_email(session, form.email.data or "")
        if person is None:
            form.email.errors = ["No account has this email. Create it on the Users page first."]
        else:
            before = access.team_role(session, person.id or 0, team.id or 0)
            role = form.role.data or "member"
            _, changed = users_service.add_member(session, team, person, role)
            if changed:
                audit_request(
                    "team.add_member",
                    f"team:{team.id}",
                    user_id=person.id,
                    email=person.email,
                    role=role,
                    previous_role=before,
                )
                session.commit()
                done = f"is now {role} of {team.name}" if before else f"joined {team.name} as {role}"
                flash(f"{person.name} {done}.", "success")
            else:
                flash(f"{person.name} is already {role} of {team.name}.", "info")
            return redirect(url_for(".teams", _anchor=f"team-{team.id}"))
    return _render_teams(failed=(team_id, form)), 400


@bp.route("/teams/<int:team_id>/members/<int:user_id>/remove", methods=["GET"])
def team_confirm_remove(team_id: int, user_id: int) -> str:
    """Ask before removing someone from a team (they lose their manager's view, or their team)."""
    session = db()
    team = session.get(Team, team_id) or abort(404)
    person = session.get(User, user_id) or abort(404)
    role = access.team_role(session, user_id, team_id)
    if role is None:
        abort(404)
    return render_template(
        "admin/remove_member.html", team=team, person=person, role=role, confirm=ConfirmForm()
    )


@bp.route("/teams/<int:team_id>/members/<int:user_id>/remove", methods=["POST"])
def team_remove_member(team_id: int, user_id: int) -> Response:
    session = db()
    team = session.get(Team, team_id) or abort(404)
    person = session.get(User, user_id) or abort(404)
    # CSRFProtect has checked the token of this POST (ConfirmForm's) before the view runs.
    if users_service.remove_member(session, team, person):
        audit_request("team.remove_member", f"team:{team.id}", user_id=person.id, email=person.email)
        session.commit()
        flash(f"{person.name} left {team.name}. Their assessments stay.", "success")
    return redirect(url_for(".teams", _anchor=f"team-{team.id}"))
