"""Account pages that do not need a password: set one from an emailed link, ask for a reset link; and a
person's mail preferences. An admin sends set-password links to accounts an import or an admin made."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from competency.services import ServiceError, account_links, notifications
from competency.web.auth import me
from competency.web.auth.routes import trust_browser
from competency.web.requests import db, settings

bp = Blueprint("account", __name__)

#: What "forgot password" answers, whether or not the address has an account.
RESET_SENT = (
    "If {email} belongs to an account, a link to choose a new password is on its way. "
    "It works once, for {minutes} minutes. Nothing arrived? Check the spam folder or ask an admin."
)


class ForgotForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email address."), Length(max=254)])


class SetPasswordForm(FlaskForm):
    #: From the link's fragment (static/js/reset-link.js), so the token travels only in a POST body.
    token = HiddenField(id="token", validators=[Length(max=128)])
    password = PasswordField(
        "New password",
        validators=[DataRequired("Choose a password."), Length(max=1024)],
        description="At least 10 characters.",
    )
    repeat = PasswordField(
        "Repeat it", validators=[DataRequired("Repeat the password."), EqualTo("password", "The two differ.")]
    )


class PreferencesForm(FlaskForm):
    cycles = BooleanField(
        "Cycles: the invitation when a cycle asks you, reminders before it is due, the overdue notice"
    )
    manager_notices = BooleanField("Managers: a mail when someone in your team submits")
    weekly_digest = BooleanField("Managers: a weekly summary of who in your teams has not submitted yet")


class InviteForm(FlaskForm):
    pass


@bp.route("/account/forgot", methods=["GET", "POST"])
def forgot() -> Any:
    form = ForgotForm()
    if form.validate_on_submit():
        email = (form.email.data or "").strip()
        account_links.request_reset(db(), settings(), email, remote_addr=request.remote_addr)
        minutes = int(account_links.RESET_LIFETIME.total_seconds() // 60)
        return render_template(
            "account/forgot_sent.html", message=RESET_SENT.format(email=email, minutes=minutes)
        )
    return render_template("account/forgot.html", form=form)


@bp.route("/account/set-password", methods=["GET", "POST"])
def set_password_form() -> Any:
    """The page of a set-password link: the token comes in the POST body, never in a URL."""
    form = SetPasswordForm()
    if request.method == "POST":
        return _use_link(form, form.token.data or "")
    return render_template("account/set_password.html", form=form, email=None)


@bp.route("/account/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str) -> Any:
    """Links mailed before the token moved into the fragment keep working until they expire."""
    return _use_link(SetPasswordForm(), token)


def _use_link(form: SetPasswordForm, token: str) -> Any:
    try:
        _found, user = account_links.check(db(), token)
    except account_links.InvalidLink as exc:
        return render_template("account/link_invalid.html", message=str(exc)), 410
    if form.validate_on_submit():
        try:
            account_links.set_password(db(), token, form.password.data or "", remote_addr=request.remote_addr)
        except ServiceError as exc:
            form.password.errors = [*form.password.errors, str(exc)]
        else:
            flash("Your password is set. Log in with it now.", "success")
            # Whoever holds the mailed link owns the account: this browser is let in whatever
            # failures elsewhere hold back unknown browsers.
            return trust_browser(redirect(url_for("auth.login")), user.email)
    return render_template("account/set_password.html", form=form, email=user.email)


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def preferences() -> Any:
    user = me()
    current = notifications.preferences(db(), user.id or 0)
    form = PreferencesForm(obj=None if request.method == "POST" else current)
    if form.validate_on_submit():
        notifications.save_preferences(
            db(),
            user.id or 0,
            cycles=form.cycles.data,
            manager_notices=form.manager_notices.data,
            weekly_digest=form.weekly_digest.data,
        )
        flash("Your mail preferences are saved.", "success")
        return redirect(url_for("account.preferences"))
    return render_template("account/preferences.html", form=form)


@bp.route("/account/invitations", methods=["POST"])
@login_required
def invite() -> Response:
    """Admins: mail a set-password link to each listed account that has no password yet."""
    if not current_user.is_admin:
        abort(404)
    back = request.form.get("back", "")
    target = back if back.startswith("/admin/") else url_for("admin.users")
    if not InviteForm().validate_on_submit():
        flash("The form expired. Press the button again.", "error")
        return redirect(target)
    emails = [e for e in request.form.getlist("email") if e.strip()][:5000]
    people = account_links.without_password(db(), emails)
    for person in people:
        account_links.invite(db(), settings(), person)
    sent = len(people)
    skipped = len(emails) - sent
    flash(
        f"Set-password links are on their way to {sent} {'person' if sent == 1 else 'people'}."
        + (
            f" {skipped} already have a password or no active account (use “Forgot your password?”)."
            if skipped
            else ""
        ),
        "success" if sent else "error",
    )
    return redirect(target)
