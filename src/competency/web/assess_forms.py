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
    level: str

    def item_fields(self) -> list[tuple[Any, Field]]:
        return [
            (item, self[FIELD_PREFIX + item.id])
            for item in self.questionnaire.items_in_play(self.area, self.level)
        ]

    def answers(self) -> dict[str, int | None]:
        """The answers given on this page (unanswered items left out; N/A as None)."""
        out: dict[str, int | None] = {}
        for item, field in self.item_fields():
            if field.data in (None, "", "None"):
                continue
            out[item.id] = None if field.data == NOT_APPLICABLE else int(field.data)
        return out


def area_form(questionnaire: Questionnaire, area: Area, level: str, **kwargs: Any) -> AreaFormBase:
    """A form for the items of this area in play at `level` (class cached per snapshot, area and level)."""
    cls = _area_form_class(questionnaire, area, level)
    return cls(**kwargs)


_classes: dict[tuple[str, int, str, str, str], type[AreaFormBase]] = {}


def _area_form_class(questionnaire: Questionnaire, area: Area, level: str) -> type[AreaFormBase]:
    key = (questionnaire.id, questionnaire.version, questionnaire.content_hash(), area.id, level)
    cls = _classes.get(key)
    if cls is not None:
        return cls
    attrs: dict[str, Any] = {"questionnaire": questionnaire, "area": area, "level": level}
    for item in questionnaire.items_in_play(area, level):
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
    """Levels by label; on a framework with tracks, each says its track."""

    def label(level: Any) -> str:
        track = questionnaire.track_name(level.track) if level.track else None
        return f"{level.name} ({track})" if track else level.name

    return [SelectChoice(level.id, label(level)) for level in questionnaire.levels]
