"""The administration forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from competency.models import (
    GLOBAL_ROLES,
    TEAM_ROLES,
)
from competency.services.passwords import MIN_LENGTH
from competency.web.requests import catalog


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
