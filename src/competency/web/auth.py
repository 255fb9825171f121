"""Logging in and out, password change, and the session's idle and absolute limits."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from competency.models import User
from competency.services import ServiceError
from competency.services import users as users_service
from competency.web.requests import db

bp = Blueprint("auth", __name__)


class _SessionUser:
    """The logged-in user for Flask-Login: stores "id:session_version", so a password change
    ends every other session, and otherwise reads like the User row."""

    is_active = True
    is_authenticated = True
    is_anonymous = False

    def __init__(self, user: User) -> None:
        self.user = user

    def get_id(self) -> str:
        return f"{self.user.id}:{self.user.session_version}"

    def __getattr__(self, name: str) -> Any:
        return getattr(self.user, name)


def me() -> User:
    """The User row of the logged-in person (views behind @login_required only)."""
    user: User = current_user.user
    return user


login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to continue."
login_manager.session_protection = "basic"


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired()])
    new = PasswordField("New password", validators=[DataRequired(), Length(min=10, max=1024)])
    repeat = PasswordField(
        "Repeat the new password", validators=[DataRequired(), EqualTo("new", "The two differ.")]
    )


@login_manager.user_loader
def _load_user(token: str) -> _SessionUser | None:
    user_id, _, version = token.partition(":")
    if not user_id.isdigit():
        return None
    user = db().get(User, int(user_id))
    if user is None or not user.active or str(user.session_version) != version:
        return None
    return _SessionUser(user)


def _now() -> float:
    return datetime.now(UTC).timestamp()


def _enforce_session_limits() -> Response | None:
    """Idle timeout and absolute lifetime; an expired session logs out and comes back to the same page."""
    if "_user_id" not in session:
        return None
    now = _now()
    idle = current_app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
    absolute = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    started = session.get("login_at", 0)
    seen = session.get("seen_at", started)
    if now - seen > idle or now - started > absolute:
        logout_user()
        session.clear()
        flash("Your session expired. Log in again; nothing you saved was lost.", "info")
        if request.method == "GET" and not request.path.startswith("/api/"):
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return None
    session["seen_at"] = now
    return None


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths: no scheme, no host, no protocol-relative //host."""
    if not target:
        return None
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            user = users_service.authenticate(
                db(), form.email.data or "", form.password.data or "", request.remote_addr
            )
        except ServiceError as exc:
            user, error = None, str(exc)
        else:
            if user is None:
                error = "Email or password is not right."
        if user is not None:
            # A fresh session on login: nothing from before (fixation) carries over.
            session.clear()
            login_user(_SessionUser(user))
            session.permanent = True
            session["login_at"] = session["seen_at"] = _now()
            return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
    elif form.is_submitted():
        error = "Enter your email and password."
    return render_template("auth/login.html", form=form, error=error), (401 if error else 200)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    logout_user()
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    form = PasswordForm()
    if form.validate_on_submit():
        user = me()
        try:
            users_service.set_password(db(), user, form.current.data or "", form.new.data or "")
        except ServiceError as exc:
            form.current.errors = [str(exc)]
        else:
            # This session stays logged in with the new session version; others end.
            login_user(_SessionUser(user))
            flash("Your password was changed. Other sessions of your account have ended.", "success")
            return redirect(url_for("main.home"))
    return render_template("auth/password.html", form=form)


def init_auth(app: Flask) -> None:
    login_manager.init_app(app)
    app.before_request(_enforce_session_limits)

    @app.context_processor
    def _me() -> dict[str, Any]:
        return {"me": current_user if current_user.is_authenticated else None}
