"""Validation errors in a framework author's words, not the validation library's."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel

from competency.questionnaire.schema import Questionnaire

_PLAIN = {
    "missing": "required field is missing",
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "bool_type": "must be true or false (without quotes)",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "dict_type": "must be a mapping (key: value)",
    "model_type": "must be a mapping (key: value)",
    "model_attributes_type": "must be a mapping (key: value)",
    "finite_number": "must be a finite number",
    "none_required": "must be left out",
}


def author_message(error: Any) -> str:
    """One pydantic error dict as a sentence for someone writing YAML."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    loc = tuple(error["loc"])
    if kind == "extra_forbidden":
        return _unknown_key(loc)
    number = error.get("input")
    if kind == "string_type" and isinstance(number, bool):
        # YAML 1.1 reads a bare No, Yes, On, Off, True or False as a boolean: a scale label "No" is common.
        return (
            "must be text: YAML reads a bare yes/no/on/off/true/false as true or false, so put it in quotes"
        )
    if _names_a_level(loc) and isinstance(number, int | float) and not isinstance(number, bool):
        # YAML reads `level: 1` as a number; a level id is text, as in `levels: ["1", "2"]`.
        return f"level ids are text: put the number in quotes ('{number:g}')"
    if kind in _PLAIN:
        return _PLAIN[kind]
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is too long: at most {ctx.get('max_length')} characters"
    if kind == "too_short":
        least = ctx.get("min_length", 1)
        return (
            f"at least {least} {_entry(loc, least)} needed"
            if least != 1
            else f"at least one {_entry(loc, 1)} is needed"
        )
    if kind == "too_long":
        return f"at most {ctx.get('max_length')} {_entry(loc, 2)} allowed"
    if kind == "string_pattern_mismatch":
        if "a-z0-9" in str(ctx.get("pattern", "")):
            return "must be an id: lowercase letters, digits, '-' or '_', starting with a letter or digit"
        return "must be a web address starting with http:// or https://"
    if kind == "greater_than":
        return f"must be greater than {_number(ctx.get('gt'))}"
    if kind == "greater_than_equal":
        return f"must be at least {_number(ctx.get('ge'))}"
    if kind == "literal_error":
        return f"must be one of: {ctx.get('expected', '').replace(chr(39), '')}"
    return str(error["msg"])


def _names_a_level(loc: tuple[Any, ...]) -> bool:
    if loc[:1] == ("levels",) and (len(loc) == 2 or (len(loc) == 3 and loc[2] == "id")):
        return True
    return loc[:1] == ("areas",) and loc[-1] in ("level", "until")


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def _entry(loc: tuple[Any, ...], count: int) -> str:
    name = str(loc[-1]) if loc else "entry"
    singular = {"areas": "area", "items": "item", "levels": "level", "phases": "phase"}.get(name, "entry")
    if count == 1:
        return singular
    return name if singular != "entry" else "entries"


def _unknown_key(loc: tuple[Any, ...]) -> str:
    key = str(loc[-1])
    allowed = allowed_keys(loc[:-1])
    if not allowed:
        return f"unknown key {key!r}"
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown key {key!r}{hint}; allowed here: {', '.join(allowed)}"


def allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys the format allows in the mapping at `loc`."""
    model: type[BaseModel] | None = Questionnaire
    for part in loc:
        if model is None:
            return []
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        model = _model_in(field.annotation) if field is not None else None
    return list(model.model_fields) if model is not None else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _model_in(typing.get_args(annotation)[0])
    if origin in (list, tuple, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None
