"""Setting up, using and turning off the second factor (TOTP with recovery codes)."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, url_for
from flask import session as cookie
from flask_login import login_required
from markupsafe import Markup

from competency.services import ServiceError, reauth, sessions, twofactor
from competency.web.audit import audit_now
from competency.web.auth import bp, me, remote_addr
from competency.web.auth.forms import ConfirmForm, PasswordCheckForm, StartForm
from competency.web.requests import db


def _page(status: int = 200, **context: Any) -> Any:
    user = me()
    setting_up = bool(user.totp_secret) and not user.has_second_factor
    qr = None
    if setting_up:
        uri = twofactor.provisioning_uri(user)
        # segno draws the SVG from the URI alone; nothing user-typed is in it.
        qr = Markup(twofactor.qr_svg(uri))
        context.setdefault("secret", user.totp_secret)
    context.setdefault("start_form", StartForm())
    context.setdefault("confirm_form", ConfirmForm())
    context.setdefault("password_form", PasswordCheckForm())
    required = twofactor.required_for(user, current_app.config["COMPETENCY_SETTINGS"].require_2fa_for)
    return (
        render_template(
            "auth/two_factor.html",
            user=user,
            setting_up=setting_up,
            qr=qr,
            required=required,
            codes_left=twofactor.recovery_codes_left(db(), user) if user.has_second_factor else 0,
            **context,
        ),
        status,
    )


def _password_refused(password: str | None, purpose: str) -> reauth.ReauthRefused | None:
    """The refusal when the typed password is wrong or throttled (audited there), else None."""
    try:
        reauth.confirm_password(db(), me(), password or "", purpose=purpose, remote_addr=remote_addr())
    except reauth.ReauthRefused as exc:
        return exc
    return None


@bp.route("/account/two-factor")
@login_required
def two_factor() -> Any:
    return _page()


@bp.route("/account/two-factor/start", methods=["POST"])
@login_required
def two_factor_start() -> Any:
    if not StartForm().validate_on_submit():
        flash("The form expired. Press the button again.", "error")
        return redirect(url_for("auth.two_factor"))
    try:
        twofactor.begin(db(), me())
    except ServiceError as exc:
        flash(str(exc), "error")
    return redirect(url_for("auth.two_factor"))


@bp.route("/account/two-factor/confirm", methods=["POST"])
@login_required
def two_factor_confirm() -> Any:
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _page(400, confirm_form=form)
    if refused := _password_refused(form.password.data, "two_factor.enable"):
        form.password.errors = [str(refused)]
        return _page(429 if refused.wait_seconds else 400, confirm_form=form)
    try:
        codes = twofactor.confirm(db(), me(), form.code.data or "")
    except ServiceError as exc:
        form.code.errors = [str(exc)]
        return _page(400, confirm_form=form)
    audit_now("two_factor.enable", f"user:{me().id}")
    # Other sessions were opened without the second factor: end them.
    sessions.end_all(db(), me().id or 0, "two_factor", keep=cookie.get("sid"))
    db().commit()
    return render_template("auth/recovery_codes.html", codes=codes, first=True)


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@login_required
def two_factor_codes() -> Any:
    form = PasswordCheckForm()
    if not form.validate_on_submit():
        return _page(400, password_form=form)
    if refused := _password_refused(form.password.data, "two_factor.recovery_codes"):
        form.password.errors = [str(refused)]
        return _page(429 if refused.wait_seconds else 400, password_form=form)
    try:
        codes = twofactor.regenerate_recovery_codes(db(), me())
    except ServiceError as exc:
        flash(str(exc), "error")
        return redirect(url_for("auth.two_factor"))
    audit_now("two_factor.recovery_codes", f"user:{me().id}")
    return render_template("auth/recovery_codes.html", codes=codes, first=False)


@bp.route("/account/two-factor/disable", methods=["POST"])
@login_required
def two_factor_disable() -> Any:
    form = PasswordCheckForm()
    if not form.validate_on_submit():
        return _page(400, password_form=form)
    if refused := _password_refused(form.password.data, "two_factor.disable"):
        form.password.errors = [str(refused)]
        return _page(429 if refused.wait_seconds else 400, password_form=form)
    required = twofactor.required_for(me(), current_app.config["COMPETENCY_SETTINGS"].require_2fa_for)
    if required:
        flash("Your role must use a second factor, so it cannot be turned off.", "error")
        return redirect(url_for("auth.two_factor"))
    twofactor.disable(db(), me())
    audit_now("two_factor.disable", f"user:{me().id}")
    flash("The second factor is off. Logging in needs only your password now.", "success")
    return redirect(url_for("auth.two_factor"))
