"""Log in (password, then the second factor when one is set up), log out, change the password."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from typing import Any

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask import session as cookie
from flask_login import current_user, login_required, login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from competency.models import User
from competency.services import ServiceError, audit, reauth, sessions, throttle, twofactor
from competency.services import users as users_service
from competency.web.auth import _SessionUser, bp, me, now, remote_addr, safe_next
from competency.web.auth.forms import CodeForm, LoginForm, PasswordForm
from competency.web.requests import db

#: The trusted-browser cookie: set at a successful login, it exempts this browser from the throttling
#: that other people's failures on the account cause (services/throttle.py).
DEVICE_COOKIE = "competency_device"
DEVICE_MAX_AGE = 180 * 24 * 3600
#: How long the second-factor step may take after the password was right.
SECOND_STEP_SECONDS = 300
#: Remembers since when this browser has been held back for an account (signed, scoped to /login), so
#: that failures elsewhere on the account hold an unknown browser back for a bounded time only.
WAIT_COOKIE = "competency_wait"


def _serializer(salt: str = "competency.device") -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt=salt)


def _email_tag(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:32]


def _device_for(email: str) -> str | None:
    """This browser's trusted id for `email`, if it logged in to that account before."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        data = _serializer().loads(raw, max_age=DEVICE_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("e") != _email_tag(email):
        return None
    device = data.get("d")
    return device if isinstance(device, str) and len(device) <= 64 else None


def _waiting_since(email: str) -> datetime | None:
    """When this browser was first held back for `email` (within the cookie's life), or None."""
    raw = request.cookies.get(WAIT_COOKIE)
    if not raw:
        return None
    try:
        data = _serializer("competency.wait").loads(raw, max_age=int(throttle.WINDOW.total_seconds()) * 4)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("e") != _email_tag(email) or not isinstance(data.get("s"), int):
        return None
    return datetime.fromtimestamp(data["s"], UTC)


def _check(email: str, device: str | None) -> throttle.Verdict:
    return throttle.check(db(), email, remote_addr(), device, waiting_since=_waiting_since(email))


def _throttled(email: str, verdict: throttle.Verdict, user: User | None) -> Any:
    audit.log(
        db(),
        actor_id=user.id if user else None,
        action="login.throttled",
        object=f"login:{email}"[:200],
        details={"wait_seconds": verdict.wait_seconds, "rule": verdict.rule},
        remote_addr=remote_addr(),
    )
    db().commit()
    minutes, seconds = divmod(verdict.wait_seconds, 60)
    wait = f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
    error = (
        f"Too many failed attempts. Wait {wait} and try again, or use “Forgot your password?”: "
        "the mailed link lets this browser in at once."
    )
    response = make_response(render_template("auth/login.html", form=LoginForm(), error=error), 429)
    response.headers["Retry-After"] = str(verdict.wait_seconds)
    if _waiting_since(email) is None:
        since = {"e": _email_tag(email), "s": int(now())}
        response.set_cookie(
            WAIT_COOKIE,
            _serializer("competency.wait").dumps(since),
            max_age=int(throttle.WINDOW.total_seconds()) * 4,
            path="/login",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
    return response


def _failed(email: str, user: User | None, device: str | None, reason: str) -> None:
    throttle.record_failure(db(), email, remote_addr(), device)
    audit.log(
        db(),
        actor_id=user.id if user else None,
        action="login.failure",
        object=f"login:{email}"[:200],
        details={"reason": reason},
        remote_addr=remote_addr(),
    )
    db().commit()


def _complete_login(user: User, email: str, device: str | None, method: str) -> Response:
    """Start the server-side session, log the person in, and mark this browser as trusted."""
    target = safe_next(cookie.get("login_next")) or url_for("main.home")
    throttle.forget(db(), email, remote_addr(), device)
    # A fresh session on login: nothing from before (fixation) carries over.
    cookie.clear()
    token = sessions.start(
        db(), user, remote_addr=remote_addr(), user_agent=request.headers.get("User-Agent")
    )
    audit.log(
        db(),
        actor_id=user.id,
        action="login.success",
        object=f"user:{user.id}",
        details={"method": method},
        remote_addr=remote_addr(),
    )
    db().commit()
    login_user(_SessionUser(user))
    cookie.permanent = True
    cookie["sid"] = token
    cookie["login_at"] = cookie["seen_at"] = now()
    return trust_browser(redirect(target), email, device)


def trust_browser(response: Response, email: str, device: str | None = None) -> Response:
    """Mark this browser as the account owner's (a login, or a set-password link from the mail): from
    now on only its own failures slow it down, whatever happens elsewhere on the account."""
    device = device or secrets.token_hex(16)
    response.set_cookie(
        DEVICE_COOKIE,
        _serializer().dumps({"e": _email_tag(email), "d": device}),
        max_age=DEVICE_MAX_AGE,
        path="/login",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    response.delete_cookie(WAIT_COOKIE, path="/login")
    return response


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        email = users_service.normalise_email(form.email.data or "")
        device = _device_for(email)
        verdict = _check(email, device)
        if not verdict.allowed:
            return _throttled(email, verdict, users_service.user_by_email(db(), email))
        user = users_service.authenticate(db(), email, form.password.data or "")
        if user is None:
            _failed(email, users_service.user_by_email(db(), email), device, "password")
            error = "Email or password is not right."
        else:
            cookie["login_next"] = request.args.get("next") or ""
            if user.has_second_factor:
                cookie["second_step"] = {"user": user.id, "at": now(), "email": email}
                return redirect(url_for("auth.login_code"))
            return _complete_login(user, email, device, "password")
    elif form.is_submitted():
        error = "Enter your email and password."
    return render_template("auth/login.html", form=form, error=error), (401 if error else 200)


@bp.route("/login/code", methods=["GET", "POST"])
def login_code() -> Any:
    """The second step: a code from the authenticator app (or a recovery code)."""
    pending = cookie.get("second_step")
    if not isinstance(pending, dict) or now() - float(pending.get("at", 0)) > SECOND_STEP_SECONDS:
        cookie.pop("second_step", None)
        flash("Log in again: the step for the code took too long.", "info")
        return redirect(url_for("auth.login"))
    user = db().get(User, int(pending["user"]))
    email = str(pending["email"])
    if user is None or not user.active or not user.has_second_factor:
        cookie.pop("second_step", None)
        return redirect(url_for("auth.login"))
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        device = _device_for(email)
        verdict = _check(email, device)
        if not verdict.allowed:
            return _throttled(email, verdict, user)
        kind = twofactor.verify(db(), user, form.code.data or "")
        if kind is None:
            _failed(email, user, device, "second factor")
            error = "That code is not right. Type the newest code from the app, or a recovery code."
        else:
            if kind == "recovery":
                left = twofactor.recovery_codes_left(db(), user)
                flash(
                    f"You used a recovery code; {left} left. Make new ones in your account if few are left.",
                    "info",
                )
            return _complete_login(user, email, device, kind)
    return render_template("auth/code.html", form=form, error=error), (401 if error else 200)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    if current_user.is_authenticated:
        audit.log(
            db(), actor_id=me().id, action="logout", object=f"user:{me().id}", remote_addr=remote_addr()
        )
    sessions.end(db(), cookie.get("sid"), "logout")
    db().commit()
    logout_user()
    cookie.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    form = PasswordForm()
    if form.validate_on_submit():
        user = me()
        try:
            users_service.set_password(
                db(),
                user,
                form.current.data or "",
                form.new.data or "",
                keep_session=cookie.get("sid"),
                remote_addr=remote_addr(),
            )
        except reauth.ReauthRefused as exc:
            form.current.errors = [str(exc)]
            return render_template("auth/password.html", form=form), (429 if exc.wait_seconds else 200)
        except ServiceError as exc:
            form.new.errors = [str(exc)]
        else:
            audit.log(
                db(),
                actor_id=user.id,
                action="password.change",
                object=f"user:{user.id}",
                remote_addr=remote_addr(),
            )
            db().commit()
            # This session stays logged in with the new session version; every other one has ended.
            login_user(_SessionUser(user))
            flash("Your password was changed. Other sessions of your account have ended.", "success")
            return redirect(url_for("main.home"))
    return render_template("auth/password.html", form=form)
