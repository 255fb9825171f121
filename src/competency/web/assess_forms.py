"""WTForms built from a questionnaire area: one radio group per item, N/A for optional items."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from competency.questionnaire import Area, Questionnaire
from competency.services.assessments import MAX_NOTE_LENGTH

NOT_APPLICABLE = "na"
FIELD_PREFIX = "item__"


class AreaFormBase(FlaskForm):
    note = TextAreaField(
        "Evidence and notes (optional)",
        validators=[Optional(), Length(max=MAX_NOTE_LENGTH)],
        description="Examples from your work that support your ratings. Only people who may see your profile read it.",
    )

    questionnaire: Questionnaire
    area: Area

    def item_fields(self) -> list[tuple[Any, Field]]:
        return [(item, self[FIELD_PREFIX + item.id]) for item in self.area.items]

    def answers(self) -> dict[str, int | None]:
        """The answers given on this page (unanswered items left out; N/A as None)."""
        out: dict[str, int | None] = {}
        for item, field in self.item_fields():
            if field.data in (None, "", "None"):
                continue
            out[item.id] = None if field.data == NOT_APPLICABLE else int(field.data)
        return out


def area_form(questionnaire: Questionnaire, area: Area, **kwargs: Any) -> AreaFormBase:
    """A form class for this area (cached per questionnaire version and area), instantiated."""
    cls = _area_form_class(questionnaire, area)
    return cls(**kwargs)


_classes: dict[tuple[str, int, str, str], type[AreaFormBase]] = {}


def _area_form_class(questionnaire: Questionnaire, area: Area) -> type[AreaFormBase]:
    key = (questionnaire.id, questionnaire.version, questionnaire.content_hash(), area.id)
    cls = _classes.get(key)
    if cls is not None:
        return cls
    attrs: dict[str, Any] = {"questionnaire": questionnaire, "area": area}
    for item in area.items:
        choices = [SelectChoice(str(point.value), point.label) for point in questionnaire.scale]
        if item.optional:
            choices.append(SelectChoice(NOT_APPLICABLE, "Not applicable"))
        attrs[FIELD_PREFIX + item.id] = RadioField(
            item.text, choices=choices, validators=[Optional()], description=item.help or ""
        )
    cls = type(f"AreaForm_{area.id}", (AreaFormBase,), attrs)
    _classes[key] = cls
    return cls


class StartForm(FlaskForm):
    level = SelectField("Target level", validators=[DataRequired()])


class SubmitForm(FlaskForm):
    pass


def level_choices(questionnaire: Questionnaire) -> list[SelectChoice]:
    return [SelectChoice(level.id, level.name) for level in questionnaire.levels]
