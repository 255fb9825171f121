"""The questionnaire (role framework) as typed, validated pydantic models."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
LongText = Annotated[str, Field(min_length=1, max_length=10000)]
Weight = Annotated[float, Field(gt=0, allow_inf_nan=False)]
ResourceKind = Literal["course", "book", "practice", "project", "community", "article"]


class _Model(BaseModel):
    # strict: "1" is not the number 1 and "yes" is not true; a framework says what it means.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ScalePoint(_Model):
    value: int
    label: Text
    description: LongText | None = None


class Level(_Model):
    id: Slug
    label: Text | None = None

    @property
    def name(self) -> str:
        return self.label or self.id


class Phase(_Model):
    id: Slug
    label: Text | None = None

    @property
    def name(self) -> str:
        return self.label or self.id


class Resource(_Model):
    title: Text
    url: Annotated[str, Field(pattern=r"^https?://\S+$", max_length=2000)]
    kind: ResourceKind


class RoadmapStep(_Model):
    id: Slug
    phase: Slug
    min_gap: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 0.0
    title: Text
    detail: LongText | None = None
    resources: list[Resource] = []


class Item(_Model):
    id: Slug
    text: Text
    help: LongText | None = None
    weight: Weight = 1.0
    reverse: bool = False
    optional: bool = False


class Area(_Model):
    id: Slug
    title: Text
    description: LongText | None = None
    weight: Weight = 1.0
    targets: dict[str, Annotated[float, Field(allow_inf_nan=False)]]
    items: Annotated[list[Item], Field(min_length=1)]
    roadmap: list[RoadmapStep]


class Questionnaire(_Model):
    id: Slug
    version: Annotated[int, Field(ge=1)]
    title: Text
    summary: LongText | None = None
    scale: list[ScalePoint]
    levels: Annotated[list[Level], Field(min_length=1)]
    expert_threshold: Annotated[float, Field(allow_inf_nan=False)] | None = None
    phases: Annotated[list[Phase], Field(min_length=1)]
    areas: Annotated[list[Area], Field(min_length=1)]

    @field_validator("levels", mode="before")
    @classmethod
    def _levels_as_mappings(cls, value: Any) -> Any:
        # `levels: [junior, mid]` is shorthand for `[{id: junior}, {id: mid}]`.
        if isinstance(value, list):
            return [{"id": v} if isinstance(v, str) else v for v in value]
        return value

    @model_validator(mode="after")
    def _check_rules(self) -> Questionnaire:
        problems = rule_violations(self.model_dump())
        if problems:
            raise RuleViolations(problems)
        return self

    # -- derived facts used by scoring and the web ---------------------------------
    @property
    def lo(self) -> int:
        return self.scale[0].value

    @property
    def hi(self) -> int:
        return self.scale[-1].value

    @property
    def scale_values(self) -> tuple[int, ...]:
        return tuple(p.value for p in self.scale)

    @property
    def expert_level(self) -> float:
        """Score from which a person counts as an expert in an area."""
        if self.expert_threshold is not None:
            return self.expert_threshold
        return float(self.scale[-2].value)

    @property
    def level_ids(self) -> tuple[str, ...]:
        return tuple(level.id for level in self.levels)

    def area(self, area_id: str) -> Area:
        for area in self.areas:
            if area.id == area_id:
                return area
        raise KeyError(area_id)

    def items_by_id(self) -> dict[str, tuple[Area, Item]]:
        return {item.id: (area, item) for area in self.areas for item in area.items}

    def canonical_json(self) -> str:
        """The definition as stable JSON: what is stored and hashed for versioning."""
        return json.dumps(
            self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )

    @cached_property
    def _content_hash(self) -> str:
        # A cached_property, not a private attribute: pydantic leaves it out of equality.
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()

    def content_hash(self) -> str:
        return self._content_hash


class RuleViolations(ValueError):
    """Cross-field rule failures, each with the path of the offending field."""

    def __init__(self, problems: list[tuple[tuple[str | int, ...], str]]) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


def rule_violations(data: Any) -> list[tuple[tuple[str | int, ...], str]]:
    """Every rule of the format that a single field cannot check on its own.

    Works on raw (possibly malformed) data so that a file with a type error still gets
    its duplicate ids and unknown phases reported in the same run.
    """
    out: list[tuple[tuple[str | int, ...], str]] = []
    if not isinstance(data, dict):
        return out
    scale = _list(data.get("scale"))
    values: list[Any] = [p.get("value") if isinstance(p, dict) else None for p in scale]
    if "scale" in data and not 3 <= len(scale) <= 7:
        out.append((("scale",), f"a scale needs 3 to 7 points, this one has {len(scale)}"))
    numbers: list[float] = [v for v in values if _is_number(v)]
    for i in range(1, len(values)):
        prev, cur = values[i - 1], values[i]
        if _is_number(prev) and _is_number(cur) and cur <= prev:
            out.append(
                (("scale", i, "value"), f"scale values must be strictly ascending: {cur} follows {prev}")
            )
    lo: float | None = min(numbers) if numbers else None
    hi: float | None = max(numbers) if numbers else None
    threshold: Any = data.get("expert_threshold")
    if lo is not None and hi is not None and _is_number(threshold) and not lo <= threshold <= hi:
        out.append((("expert_threshold",), f"must lie within the scale ({lo} to {hi})"))

    def ident(entry: Any) -> Any:
        return entry.get("id") if isinstance(entry, dict) else entry

    levels = [ident(lv) for lv in _list(data.get("levels"))]
    phases = [ident(ph) for ph in _list(data.get("phases"))]
    areas = [a for a in _list(data.get("areas"))]
    _duplicates(out, levels, lambda i: ("levels", i), "level")
    _duplicates(out, phases, lambda i: ("phases", i, "id"), "phase")
    _duplicates(out, [ident(a) for a in areas], lambda i: ("areas", i, "id"), "area")
    item_paths = [
        (ai, ii, ident(it)) for ai, a in enumerate(areas) for ii, it in enumerate(_list(_get(a, "items")))
    ]
    _duplicates(
        out,
        [p[2] for p in item_paths],
        lambda k: ("areas", item_paths[k][0], "items", item_paths[k][1], "id"),
        "item",
    )
    step_paths = [
        (ai, si, ident(st)) for ai, a in enumerate(areas) for si, st in enumerate(_list(_get(a, "roadmap")))
    ]
    _duplicates(
        out,
        [p[2] for p in step_paths],
        lambda k: ("areas", step_paths[k][0], "roadmap", step_paths[k][1], "id"),
        "roadmap step",
    )
    level_ids = [lv for lv in levels if isinstance(lv, str)]
    for ai, area in enumerate(areas):
        targets = _get(area, "targets")
        if isinstance(targets, dict):
            for level in level_ids:
                if level not in targets:
                    out.append((("areas", ai, "targets"), f"missing a target for level {level!r}"))
            for level, target in targets.items():
                if level_ids and level not in level_ids:
                    out.append(
                        (
                            ("areas", ai, "targets", level),
                            f"unknown level {level!r}; levels are {', '.join(level_ids)}",
                        )
                    )
                elif lo is not None and _is_number(target) and not lo <= target <= hi:
                    out.append(
                        (
                            ("areas", ai, "targets", level),
                            f"target {target:g} lies outside the scale ({lo} to {hi})",
                        )
                    )
        for si, step in enumerate(_list(_get(area, "roadmap"))):
            phase = _get(step, "phase")
            if phases and isinstance(phase, str) and phase not in phases:
                out.append(
                    (
                        ("areas", ai, "roadmap", si, "phase"),
                        f"unknown phase {phase!r}; phases are {', '.join(str(p) for p in phases)}",
                    )
                )
    return out


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _get(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, dict) else None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _duplicates(
    out: list[tuple[tuple[str | int, ...], str]],
    ids: list[Any],
    path: Callable[[int], tuple[str | int, ...]],
    what: str,
) -> None:
    seen: set[str] = set()
    for index, ident in enumerate(ids):
        if not isinstance(ident, str):
            continue
        if ident in seen:
            out.append((path(index), f"duplicate {what} id {ident!r}"))
        seen.add(ident)
