"""Administration: users, teams, CSV import, questionnaire status (global admins only; others get 404)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlmodel import col, select
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from competency.models import (
    GLOBAL_ROLES,
    TEAM_ROLES,
    Assessment,
    AuditEvent,
    Membership,
    QuestionnaireVersion,
    Team,
    User,
)
from competency.services import ServiceError, org_import, snapshots
from competency.services import users as users_service
from competency.services.passwords import MIN_LENGTH, hash_password, password_problem
from competency.web.audit import audit_request
from competency.web.auth import _SessionUser, me
from competency.web.requests import catalog, db

bp = Blueprint("admin", __name__, url_prefix="/admin")

ADMIN_ACTIONS = ("user.", "team.", "org.")


@bp.before_request
def _admins_only() -> Any:
    """Not logged in: the login page. Logged in but not an admin: 404, so the pages cannot be probed."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    if not current_user.is_admin:
        abort(404)
    return None


# -- forms ---------------------------------------------------------------------------------------


def _level_choices(current: str | None = None) -> list[SelectChoice]:
    """Target levels of the frameworks in use (a level outside them is kept, not silently dropped)."""
    choices = {"": "none"}
    for questionnaire in catalog().all():
        for level in questionnaire.levels:
            choices.setdefault(level.id, level.name)
    if current:
        choices.setdefault(current, current)
    return [SelectChoice(value, label) for value, label in choices.items()]


def _choices(values: tuple[str, ...]) -> list[SelectChoice]:
    return [SelectChoice(value, value) for value in values]


class UserCreateForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    role = SelectField("Global role", choices=_choices(GLOBAL_ROLES), default="member")
    default_level = SelectField("Default target level", choices=[SelectChoice("", "none")])
    password = PasswordField(
        "Password",
        validators=[Optional(), Length(min=MIN_LENGTH, max=1024)],
        description=f"At least {MIN_LENGTH} characters. Leave empty: the person cannot log in until you set one.",
    )


class UserEditForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    role = SelectField(
        "Global role",
        choices=_choices(GLOBAL_ROLES),
        description="hr: reports, exports and the audit log. admin: also users, teams and questionnaires.",
    )
    default_level = SelectField("Default target level", choices=[SelectChoice("", "none")])
    active = BooleanField("Active (may log in)")


class PasswordResetForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=MIN_LENGTH, max=1024)],
        description=f"At least {MIN_LENGTH} characters. Their other sessions end.",
    )
    repeat = PasswordField(
        "Repeat the new password", validators=[DataRequired(), EqualTo("password", "The two differ.")]
    )


class TeamForm(FlaskForm):
    name = StringField("Team name", validators=[DataRequired(), Length(max=200)])


class MemberForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    role = SelectField("Team role", choices=_choices(TEAM_ROLES), default="member")


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class ImportForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file.")])
    check_only = BooleanField("Only check the file; import nothing")


# -- overview ------------------------------------------------------------------------------------


@bp.route("/")
def index() -> str:
    session = db()
    people = session.exec(select(User.role, User.active, User.password_hash)).all()
    problems = catalog().problems()
    events = session.exec(
        select(AuditEvent, User.name)
        .outerjoin(User, col(User.id) == AuditEvent.actor_id)
        .where(sa.or_(*(col(AuditEvent.action).startswith(prefix) for prefix in ADMIN_ACTIONS)))
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .limit(10)
    ).all()
    return render_template(
        "admin/index.html",
        people=len(people),
        inactive=sum(1 for _, active, _ in people if not active),
        admins=sum(1 for role, active, _ in people if role == "admin" and active),
        hr=sum(1 for role, active, _ in people if role == "hr" and active),
        no_password=sum(1 for _, active, hashed in people if active and not hashed),
        teams=session.exec(select(sa.func.count()).select_from(Team)).one(),
        frameworks=len(catalog().all()),
        broken=len(problems),
        events=[(event, actor, _describe(event.details)) for event, actor in events],
    )


def _describe(details: dict[str, Any]) -> str:
    """An audit event's details as one readable line: "role: member → hr; file: org.csv"."""
    parts = []
    for key, value in details.items():
        label = key.replace("_", " ")
        if key == "via":
            continue
        if key == "changes" and isinstance(value, dict):
            parts += [
                f"{name.replace('_', ' ')}: {_shown(old)} → {_shown(new)}"
                for name, (old, new) in value.items()
            ]
        elif isinstance(value, list):
            parts.append(f"{label}: {', '.join(map(str, value)) or '—'}")
        else:
            parts.append(f"{label}: {_shown(value)}")
    return "; ".join(parts)


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


# -- users ---------------------------------------------------------------------------------------


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
            audit_request("user.set_password", f"user:{person.id}", email=person.email)
            session.commit()
            if person.id == me().id:
                login_user(_SessionUser(person))  # this session stays; the others end
            flash(f"New password set for {person.name}. Tell them through a channel you trust.", "success")
            return redirect(url_for(".user", user_id=person.id))
    return _render_user(person, password_form=form), 400


# -- teams ---------------------------------------------------------------------------------------


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
            before = session.exec(
                select(Membership.role).where(Membership.team_id == team.id, Membership.user_id == person.id)
            ).first()
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
    role = session.exec(
        select(Membership.role).where(Membership.team_id == team_id, Membership.user_id == user_id)
    ).first()
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


# -- CSV import ----------------------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
def import_org() -> Any:
    form = ImportForm()
    context: dict[str, Any] = {}
    if form.validate_on_submit():
        upload = form.file.data
        filename = (upload.filename or "upload.csv").replace("\\", "/").rsplit("/", 1)[-1]
        data = upload.read(org_import.MAX_BYTES + 1)
        session = db()
        try:
            rows = org_import.parse(data, filename)
            if form.check_only.data:
                context["checked"] = len(rows)
            else:
                summary = org_import.apply(session, rows)
                if summary.changed:
                    audit_request("org.import", "org", file=filename, **summary.as_dict())
                session.commit()
                context["summary"] = summary
        except org_import.OrgImportError as exc:
            session.rollback()
            context["errors"] = exc.lines()
        except ServiceError as exc:
            session.rollback()
            context["errors"] = [f"{filename}: {exc}"]
        context["filename"] = filename
    status = 400 if form.is_submitted() and (form.errors or context.get("errors")) else 200
    return render_template("admin/import.html", form=form, **_import_context(), **context), status


def _import_context() -> dict[str, Any]:
    return {"columns": org_import.COLUMNS, "max_mib": org_import.MAX_BYTES // (1024 * 1024)}


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc: RequestEntityTooLarge) -> tuple[str, int]:
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or org_import.MAX_BYTES
    message = (
        f"The file is larger than {limit / (1024 * 1024):g} MiB. Split it into smaller files and import each."
    )
    if request.endpoint == "admin.import_org":
        form = ImportForm(formdata=None)  # the body was refused: reading it again would fail again
        return render_template("admin/import.html", form=form, errors=[message], **_import_context()), 413
    return render_template("error.html", code=413, title="Too large", message=message), 413


# -- questionnaires ------------------------------------------------------------------------------


@bp.route("/questionnaires")
def questionnaires() -> str:
    session = db()
    files = catalog().files()
    problems = catalog().problems()
    stored = session.exec(
        select(QuestionnaireVersion).order_by(
            QuestionnaireVersion.key, QuestionnaireVersion.version, QuestionnaireVersion.revision
        )
    ).all()
    used = dict(
        session.exec(
            select(Assessment.questionnaire_version_id, sa.func.count()).group_by(
                col(Assessment.questionnaire_version_id)
            )
        ).all()
    )
    entries = []
    for number, (path, questionnaire) in enumerate(files.items(), start=1):
        found = snapshots.status(session, questionnaire) if questionnaire else None
        entries.append(
            {
                "file": path.name,
                "anchor": f"problems-{number}",
                "questionnaire": questionnaire,
                "items": sum(len(a.items) for a in questionnaire.areas) if questionnaire else 0,
                "status": found,
                "problems": [str(p) for p in problems.get(path, ())],
            }
        )
    return render_template(
        "admin/questionnaires.html",
        folder=catalog().folder,
        entries=entries,
        stored=stored,
        used=used,
    )
