"""Logging in and out, the second factor, password change, and the checks every request goes through:
a server-side session that logout and a password change end, idle and absolute limits, and the
second factor a role may require."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    jsonify,
    redirect,
    request,
    url_for,
)
from flask import session as cookie
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask_login import LoginManager, current_user, logout_user
from werkzeug.wrappers import Response

from competency.models import User
from competency.services import sessions
from competency.services.twofactor import required_for
from competency.web.requests import db, wants_json

bp = Blueprint("auth", __name__)


class _SessionUser:
    """The logged-in user for Flask-Login: stores "id:session_version" (an administrator's reset or a
    deactivation bumps the version), and reads like the User row. The server-side session row is
    checked too, so logout and a password change end the session even if the cookie is replayed."""

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


@login_manager.unauthorized_handler
def _unauthorized() -> Any:
    """API calls answer 401 JSON; pages go to the login form and come back."""
    if wants_json():
        response = jsonify(error="Not logged in", message="Log in first: this needs a session.")
        response.status_code = 401
        return response
    flash(login_manager.login_message, "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


@login_manager.user_loader
def _load_user(token: str) -> _SessionUser | None:
    user_id, _, version = token.partition(":")
    if not user_id.isdigit() or len(user_id) > 18:
        return None
    user = db().get(User, int(user_id))
    if user is None or not user.active or str(user.session_version) != version:
        return None
    row = sessions.find(db(), cookie.get("sid"), user.id or 0)
    if row is None:
        return None
    sessions.touch(db(), row)
    return _SessionUser(user)


def now() -> float:
    return datetime.now(UTC).timestamp()


def _enforce_session_limits() -> Response | None:
    """Idle timeout and absolute lifetime; an expired session logs out and comes back to the same page."""
    if "_user_id" not in cookie or request.endpoint == "static":
        # Static files neither extend a session nor carry a Set-Cookie: they are cached, and a late one
        # would put back a cookie the browser had just cleared.
        return None
    current = now()
    idle = current_app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
    absolute = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    started = cookie.get("login_at", 0)
    seen = cookie.get("seen_at", started)
    if current - seen > idle or current - started > absolute:
        sessions.end(db(), cookie.get("sid"), "expired")
        db().commit()
        logout_user()
        cookie.clear()
        flash("Your session expired. Log in again; nothing you saved was lost.", "info")
        if request.method == "GET" and not request.path.startswith("/api/"):
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return None
    cookie["seen_at"] = current
    return None


#: Pages a person who must set up a second factor can still reach before they have.
_SETUP_ENDPOINTS = {
    "auth.two_factor",
    "auth.two_factor_start",
    "auth.two_factor_confirm",
    "auth.logout",
    "auth.login",
    "static",
    "main.healthz",
}


def _require_second_factor() -> Any:
    """COMPETENCY_REQUIRE_2FA_FOR: a person in such a role without a second factor sets one up first."""
    roles = current_app.config["COMPETENCY_SETTINGS"].require_2fa_for
    if not roles or request.endpoint in _SETUP_ENDPOINTS or not current_user.is_authenticated:
        return None
    user = me()
    if not required_for(user, roles) or user.has_second_factor:
        return None
    if wants_json():
        response = jsonify(error="Second factor required", message="Set up a second factor in your account.")
        response.status_code = 403
        return response
    flash(
        "Your role needs a second factor. Set it up now: it takes a minute with an authenticator app.", "info"
    )
    return redirect(url_for("auth.two_factor"))


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths: no scheme, no host, no protocol-relative //host, no control characters."""
    if not target or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
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


class _SessionCookie(SecureCookieSessionInterface):
    """Flask's signed cookie, not sent again with static files (see _enforce_session_limits)."""

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        if request.endpoint == "static" and not session.modified:
            return False
        return super().should_set_cookie(app, session)


def init_auth(app: Flask) -> None:
    app.session_interface = _SessionCookie()
    login_manager.init_app(app)
    app.before_request(_enforce_session_limits)
    app.before_request(_require_second_factor)

    @app.context_processor
    def _me() -> dict[str, Any]:
        return {"me": current_user if current_user.is_authenticated else None}


def remote_addr() -> str | None:
    """The client's address as ProxyFix resolved it (COMPETENCY_TRUSTED_PROXIES)."""
    return request.remote_addr


# The routes register themselves on `bp`.
from competency.web.auth import routes, twofactor  # noqa: E402, F401
from competency.web.auth.forms import LoginForm, PasswordForm  # noqa: E402

__all__ = ["LoginForm", "PasswordForm", "bp", "init_auth", "me", "safe_next"]
