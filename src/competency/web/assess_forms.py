"""WTForms built from a questionnaire area: one radio group per item, N/A for optional items."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from competency.questionnaire import Area, Item, Questionnaire
from competency.services.assessments import MAX_NOTE_LENGTH

NOT_APPLICABLE = "na"
FIELD_PREFIX = "item__"


@dataclass(frozen=True)
class Choice:
    """One radio of a statement: what the page shows for it, worked out once per framework definition."""

    value: str
    label: str
    description: str | None
    not_applicable: bool = False


@dataclass(frozen=True)
class Statement:
    """An item in play on the page, with its field name and its choices (scale points, then N/A)."""

    item: Item
    name: str
    choices: tuple[Choice, ...]


class AreaFormBase(FlaskForm):
    note = TextAreaField(
        "Evidence and notes (optional)",
        validators=[Optional(), Length(max=MAX_NOTE_LENGTH)],
        description="Examples from your work that support your ratings. Only people who may see your profile read it.",
    )

    questionnaire: Questionnaire
    area: Area
    level: str
    #: The items in play, in order, with their choices: shared by every request for this definition.
    statements: tuple[Statement, ...]
    #: Scale value -> label, for showing a saved rating.
    scale_labels: dict[int, str]

    def item_fields(self) -> list[tuple[Any, Field]]:
        return [(s.item, self[s.name]) for s in self.statements]

    def statement_fields(self) -> list[tuple[Statement, Field]]:
        """What the page renders: each statement with its bound field (data, errors, id)."""
        return [(s, self[s.name]) for s in self.statements]

    def answers(self) -> dict[str, int | None]:
        """The answers given on this page (unanswered items left out; N/A as None)."""
        out: dict[str, int | None] = {}
        for item, field in self.item_fields():
            if field.data in (None, "", "None"):
                continue
            out[item.id] = None if field.data == NOT_APPLICABLE else int(field.data)
        return out


def area_form(
    questionnaire: Questionnaire, area: Area, level: str, specialism: str | None = None, **kwargs: Any
) -> AreaFormBase:
    """A form for the items of this area in play at (`level`, `specialism`) (class cached per snapshot,
    area, level and specialism)."""
    cls = _area_form_class(questionnaire, area, level, specialism)
    return cls(**kwargs)


#: Filled on first use in each process. Threads racing on a cold key build equal classes and one of them
#: stays: nothing can read a half-built entry, so no lock.
_classes: dict[tuple[str, int, str, str, str, str | None], type[AreaFormBase]] = {}


def _area_form_class(
    questionnaire: Questionnaire, area: Area, level: str, specialism: str | None
) -> type[AreaFormBase]:
    key = (questionnaire.id, questionnaire.version, questionnaire.content_hash(), area.id, level, specialism)
    cls = _classes.get(key)
    if cls is not None:
        return cls
    points = tuple(Choice(str(p.value), p.label, p.description) for p in questionnaire.scale)
    not_applicable = Choice(NOT_APPLICABLE, "Not applicable", None, not_applicable=True)
    statements = tuple(
        Statement(item, FIELD_PREFIX + item.id, (*points, not_applicable) if item.optional else points)
        for item in questionnaire.items_in_play(area, level, specialism)
    )
    attrs: dict[str, Any] = {
        "questionnaire": questionnaire,
        "area": area,
        "level": level,
        "statements": statements,
        "scale_labels": {p.value: p.label for p in questionnaire.scale},
    }
    for statement in statements:
        attrs[statement.name] = RadioField(
            statement.item.text,
            choices=[SelectChoice(c.value, c.label) for c in statement.choices],
            validators=[Optional()],
            description=statement.item.help or "",
        )
    cls = type(f"AreaForm_{area.id}", (AreaFormBase,), attrs)
    _classes[key] = cls
    return cls


class StartForm(FlaskForm):
    level = SelectField("Target level", validators=[DataRequired()])
    #: Only on frameworks with specialisms; "" is a generalist.
    specialism = RadioField("Specialism", validators=[Optional()], default="")


class SubmitForm(FlaskForm):
    pass


def specialism_choices(questionnaire: Questionnaire) -> list[SelectChoice]:
    return [SelectChoice("", "None (a generalist)")] + [
        SelectChoice(s.id, s.name) for s in questionnaire.specialisms
    ]


def level_choices(questionnaire: Questionnaire) -> list[SelectChoice]:
    """Levels by label; on a framework with tracks, each says its track."""

    def label(level: Any) -> str:
        track = questionnaire.track_name(level.track) if level.track else None
        return f"{level.name} ({track})" if track else level.name

    return [SelectChoice(level.id, label(level)) for level in questionnaire.levels]
