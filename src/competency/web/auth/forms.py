"""The forms of logging in, the second factor and the password change."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from competency.services.passwords import MAX_LENGTH, MIN_LENGTH


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_LENGTH)])


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=MAX_LENGTH)])
    new = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=MIN_LENGTH, max=MAX_LENGTH)],
        description=f"At least {MIN_LENGTH} characters, not a common password and not your name or email.",
    )
    repeat = PasswordField(
        "Repeat the new password", validators=[DataRequired(), EqualTo("new", "The two differ.")]
    )


class CodeForm(FlaskForm):
    code = StringField(
        "Code",
        validators=[DataRequired(), Length(max=32)],
        description="The 6-digit code your authenticator app shows, or one of your recovery codes.",
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "off"},
    )


class ConfirmForm(FlaskForm):
    code = StringField(
        "Code from the app",
        validators=[DataRequired(), Length(max=16)],
        description="After scanning, type the 6-digit code the app shows.",
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
    #: A stolen session alone must not be able to put the thief's phone on the account.
    password = PasswordField("Your password", validators=[DataRequired(), Length(max=MAX_LENGTH)])


class PasswordCheckForm(FlaskForm):
    """Re-enter the password before turning the second factor off or making new recovery codes."""

    password = PasswordField("Your password", validators=[DataRequired(), Length(max=MAX_LENGTH)])


class StartForm(FlaskForm):
    """A bare POST (with its CSRF token) that starts setting up a second factor."""
