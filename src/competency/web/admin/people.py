"""Administration of people: create, edit, deactivate, set a password."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_user
from sqlmodel import col, select

from competency.models import (
    Membership,
    Team,
    User,
)
from competency.services import ServiceError, org_import, twofactor
from competency.services import users as users_service
from competency.services.passwords import hash_password, password_problem
from competency.web.admin import bp
from competency.web.admin.forms import (
    ConfirmForm,
    PasswordResetForm,
    UserCreateForm,
    UserEditForm,
    _level_choices,
)
from competency.web.audit import audit_request
from competency.web.auth import _SessionUser, me
from competency.web.requests import db, settings


@bp.route("/users", methods=["GET", "POST"])
def users() -> Any:
    form = UserCreateForm()
    form.default_level.choices = _level_choices()
    error = None
    if form.validate_on_submit():
        session = db()
        email = form.email.data or ""
        if users_service.user_by_email(session, email) is not None:
            form.email.errors = ["An account with this email exists: change it from the list below."]
        else:
            try:
                user, _ = users_service.create_or_update_user(
                    session,
                    email=email,
                    name=form.name.data or "",
                    role=form.role.data or "member",
                    password=form.password.data or None,
                    default_level=form.default_level.data or "",
                )
            except ServiceError as exc:
                error = str(exc)
            else:
                audit_request(
                    "user.create",
                    f"user:{user.id}",
                    email=user.email,
                    role=user.role,
                    with_password=bool(user.password_hash),
                )
                session.commit()
                note = "" if user.password_hash else " They cannot log in until you set a password."
                flash(f"Created {user.name} ({user.email}).{note}", "success")
                return redirect(url_for(".user", user_id=user.id))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/users.html", form=form, error=error, **_user_list()), status


def _user_list() -> dict[str, Any]:
    session = db()
    people = session.exec(select(User).order_by(col(User.active).desc(), User.name)).all()
    teams: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for user_id, name, role in session.exec(
        select(Membership.user_id, Team.name, Membership.role)
        .join(Team, col(Team.id) == Membership.team_id)
        .order_by(Team.name)
    ).all():
        teams[user_id].append((name, role))
    return {"people": people, "teams_of": teams}


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int) -> Any:
    session = db()
    person = session.get(User, user_id) or abort(404)
    form = UserEditForm(obj=person if request.method == "GET" else None)
    if request.method == "GET":
        form.default_level.data = person.default_level or ""
    form.default_level.choices = _level_choices(person.default_level)
    error = None
    if form.validate_on_submit():
        wanted = {
            "name": (form.name.data or "").strip(),
            "role": form.role.data or person.role,
            "active": bool(form.active.data),
            "default_level": form.default_level.data or None,
        }
        changes = {k: [getattr(person, k), v] for k, v in wanted.items() if getattr(person, k) != v}
        loses_admin = (
            person.role == "admin" and person.active and (wanted["role"] != "admin" or not wanted["active"])
        )
        if not wanted["name"]:
            form.name.errors = ["Enter a name."]
        elif problem := users_service.name_problem(wanted["name"]):
            form.name.errors = [problem[0].upper() + problem[1:] + "."]
        elif loses_admin and org_import.active_admins(session) <= 1:
            error = f"{person.name} is the only active admin. Make someone else admin first."
        else:
            for key, value in wanted.items():
                setattr(person, key, value)
            if "active" in changes and not person.active:
                person.session_version += 1  # a deactivated account is logged out everywhere
            session.add(person)
            if changes:
                audit_request("user.update", f"user:{person.id}", email=person.email, changes=changes)
            session.commit()
            if changes:
                flash(f"Saved {person.name}.", "success")
            else:
                flash("Nothing changed.", "info")
            if person.id == me().id and not (person.is_admin and person.active):
                return redirect(url_for("main.home"))  # they just gave up the admin pages
            return redirect(url_for(".user", user_id=person.id))
    status = 400 if form.is_submitted() else 200
    return _render_user(person, form=form, error=error), status


def _render_user(person: User, **context: Any) -> str:
    """The person's page; `context` holds the form that failed (with what was typed) and any error."""
    context.setdefault("password_form", PasswordResetForm(formdata=None))
    if "form" not in context:
        form = UserEditForm(formdata=None, obj=person)
        form.default_level.data = person.default_level or ""
        form.default_level.choices = _level_choices(person.default_level)
        context["form"] = form
    return render_template(
        "admin/user.html",
        person=person,
        teams=users_service.memberships_of(db(), person.id or 0),
        **context,
    )


@bp.route("/users/<int:user_id>/password", methods=["POST"])
def user_password(user_id: int) -> Any:
    session = db()
    person = session.get(User, user_id) or abort(404)
    form = PasswordResetForm()
    if form.validate_on_submit():
        password = form.password.data or ""
        problem = password_problem(password, email=person.email, name=person.name)
        if problem:
            form.password.errors = [problem]
        else:
            person.password_hash = hash_password(password)
            person.session_version += 1
            session.add(person)
            users_service.end_password_links(session, person.id or 0)
            audit_request("user.set_password", f"user:{person.id}", email=person.email)
            session.commit()
            if person.id == me().id:
                login_user(_SessionUser(person))  # this session stays; the others end
            flash(f"New password set for {person.name}. Tell them through a channel you trust.", "success")
            return redirect(url_for(".user", user_id=person.id))
    return _render_user(person, password_form=form), 400


@bp.route("/users/<int:user_id>/two-factor/reset", methods=["POST"])
def user_two_factor_reset(user_id: int) -> Any:
    """Clear a person's second factor (lost phone, or one put there from a stolen session)."""
    session = db()
    person = session.get(User, user_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        flash("The form expired. Press the button again.", "error")
        return redirect(url_for(".user", user_id=person.id))
    try:
        twofactor.reset(session, settings(), person, actor_id=me().id, remote_addr=request.remote_addr)
    except ServiceError as exc:
        flash(str(exc), "error")
    else:
        flash(f"The second factor of {person.name} is reset; they were told by mail.", "success")
    return redirect(url_for(".user", user_id=person.id))
