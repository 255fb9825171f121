"""The questionnaire (role framework) as typed, validated pydantic models, and what follows from them."""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from typing import Annotated, Any, ClassVar

from pydantic import Field, ValidationInfo, field_validator, model_validator

from competency.questionnaire.parts import (
    BAND_SHAPE,
    Area,
    Focus,
    Group,
    Item,
    Level,
    LongText,
    Number,
    Phase,
    Resource,
    RoadmapStep,
    ScalePoint,
    Slug,
    Source,
    Specialism,
    Text,
    Track,
    Weight,
    _Model,
    drop_added_defaults,
)
from competency.questionnaire.rules import RuleViolations, rule_violations

__all__ = [
    "BAND_SHAPE",
    "Area",
    "Focus",
    "Group",
    "Item",
    "Level",
    "Phase",
    "Questionnaire",
    "Resource",
    "RoadmapStep",
    "ScalePoint",
    "Source",
    "Specialism",
    "Track",
    "Weight",
]


class Questionnaire(_Model):
    ADDED: ClassVar[dict[str, Any]] = {
        "source": None,
        "tracks": [],
        "target": None,
        "groups": [],
        "specialisms": [],
        "focus": None,
    }

    id: Slug
    version: Annotated[int, Field(ge=1)]
    title: Text
    summary: LongText | None = None
    source: Source | None = None
    scale: list[ScalePoint]
    tracks: list[Track] = []
    levels: Annotated[list[Level], Field(min_length=1)]
    expert_threshold: Number | None = None
    target: Number | None = None
    specialisms: list[Specialism] = []
    #: None: the defaults of Focus (3 areas, 2 steps each).
    focus: Focus | None = None
    groups: list[Group] = []
    phases: list[Phase] = []
    areas: Annotated[list[Area], Field(min_length=1)]

    @field_validator("levels", mode="before")
    @classmethod
    def _levels_as_mappings(cls, value: Any) -> Any:
        # `levels: [junior, mid]` is shorthand for `[{id: junior}, {id: mid}]`.
        if isinstance(value, list):
            return [{"id": v} if isinstance(v, str) else v for v in value]
        return value

    @model_validator(mode="after")
    def _check_rules(self, info: ValidationInfo) -> Questionnaire:
        # A stored snapshot was valid under the rules of its day; a rule added since (every level of a
        # targets mapping named) must not stop an old result from rendering.
        stored = bool(info.context and info.context.get("stored"))
        problems = rule_violations(self.model_dump(), stored=stored)
        if problems:
            raise RuleViolations(problems)
        return self

    # -- the scale -------------------------------------------------------------------
    @property
    def lo(self) -> int:
        return self.scale[0].value

    @property
    def hi(self) -> int:
        return self.scale[-1].value

    @property
    def scale_values(self) -> tuple[int, ...]:
        return tuple(p.value for p in self.scale)

    def scale_label(self, value: int) -> str:
        for point in self.scale:
            if point.value == value:
                return point.label
        return str(value)

    @property
    def expert_level(self) -> float:
        """Score from which a person counts as an expert in an area."""
        if self.expert_threshold is not None:
            return self.expert_threshold
        return float(self.scale[-2].value)

    # -- levels, tracks and what is in play ----------------------------------------------
    @property
    def level_ids(self) -> tuple[str, ...]:
        return tuple(level.id for level in self.levels)

    def level(self, level_id: str) -> Level:
        for level in self.levels:
            if level.id == level_id:
                return level
        raise KeyError(level_id)

    def levels_by_track(self) -> list[tuple[str | None, list[Level]]]:
        """(track label, its levels) in file order: the shared levels first (label None), then each track."""
        out: list[tuple[str | None, list[Level]]] = [(None, [lv for lv in self.levels if lv.track is None])]
        for track in self.tracks:
            out.append((track.name, [lv for lv in self.levels if lv.track == track.id]))
        return [(name, levels) for name, levels in out if levels]

    def track_name(self, track_id: str | None) -> str | None:
        for track in self.tracks:
            if track.id == track_id:
                return track.name
        return track_id

    @cached_property
    def _paths(self) -> dict[str, tuple[str, ...]]:
        paths: dict[str, tuple[str, ...]] = {}
        for index, level in enumerate(self.levels):
            before = self.levels[:index]
            paths[level.id] = (
                *(lv.id for lv in before if lv.track is None or lv.track == level.track),
                level.id,
            )
        return paths

    def path(self, level_id: str) -> tuple[str, ...]:
        """Every shared or same-track level listed before `level_id`, then `level_id` itself."""
        return self._paths[level_id]

    def previous_level(self, level_id: str) -> str | None:
        """The level before `level_id` on its path (P in DESIGN.md), None for the first."""
        path = self._paths.get(level_id, (level_id,))
        return path[-2] if len(path) >= 2 else None

    # -- specialisms --------------------------------------------------------------------
    @property
    def specialism_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.specialisms)

    def specialism(self, specialism_id: str) -> Specialism:
        for specialism in self.specialisms:
            if specialism.id == specialism_id:
                return specialism
        raise KeyError(specialism_id)

    def specialism_name(self, specialism_id: str | None) -> str | None:
        if specialism_id is None:
            return None
        return self.specialism(specialism_id).name if specialism_id in self.specialism_ids else specialism_id

    @cached_property
    def _item_specialism(self) -> dict[str, str | None]:
        return {item.id: item.specialism or area.specialism for area in self.areas for item in area.items}

    def item_specialism(self, item: Item) -> str | None:
        """The item's own specialism, else its area's."""
        return self._item_specialism.get(item.id, item.specialism)

    # -- what is in play ----------------------------------------------------------------
    def item_in_play(self, item: Item, level_id: str, specialism: str | None = None) -> bool:
        """DESIGN.md "in play": reached by `level` on the path, not past its `until`, of the person's kind."""
        path = self._paths.get(level_id, (level_id,))
        if item.level is not None and item.level not in path:
            return False
        if item.until is not None and item.until in path[:-1]:
            return False
        own = self.item_specialism(item)
        return own is None or own == specialism

    def items_in_play(self, area: Area, level_id: str, specialism: str | None = None) -> list[Item]:
        return [item for item in area.items if self.item_in_play(item, level_id, specialism)]

    @cached_property
    def _areas_in_play(self) -> dict[tuple[str, str | None], tuple[Area, ...]]:
        # Asked on every page, PDF and team row: worked out once per (immutable) definition.
        return {
            (level, specialism): tuple(
                area for area in self.areas if self.items_in_play(area, level, specialism)
            )
            for level in self._paths
            for specialism in (None, *self.specialism_ids)
        }

    def areas_in_play(self, level_id: str, specialism: str | None = None) -> list[Area]:
        known = self._areas_in_play.get((level_id, specialism))
        if known is not None:
            return list(known)
        # A level or specialism this definition does not name (an older result, a legacy numeric
        # level): exactly what item_in_play says.
        return [area for area in self.areas if self.items_in_play(area, level_id, specialism)]

    def area_in_play(self, area: Area, level_id: str, specialism: str | None = None) -> bool:
        return any(self.item_in_play(item, level_id, specialism) for item in area.items)

    def levels_in_play(self, area: Area, level_id: str, specialism: str | None = None) -> list[str]:
        """The levels of `level_id`'s path at which `area` is in play (the ladder grid's columns)."""
        return [q for q in self.path(level_id) if self.area_in_play(area, q, specialism)]

    def target_for(self, area: Area, level_id: str) -> float | None:
        """The area's target at a level: `targets[L]`, the area's one number, else the framework's.

        A mapping without the level falls back to the framework's target only in stored snapshots
        taken before every level had to be named (the loader refuses that in a file)."""
        if isinstance(area.targets, dict):
            if level_id in area.targets:
                return area.targets[level_id]
        elif area.targets is not None:
            return area.targets
        return self.target

    @property
    def focus_size(self) -> Focus:
        return self.focus if self.focus is not None else Focus()

    def expectation(self, area: Area, level_id: str) -> str | None:
        return area.expectations.get(level_id)

    # -- lookups ---------------------------------------------------------------------
    def area(self, area_id: str) -> Area:
        for area in self.areas:
            if area.id == area_id:
                return area
        raise KeyError(area_id)

    def group_name(self, group_id: str | None) -> str | None:
        for group in self.groups:
            if group.id == group_id:
                return group.name
        return group_id

    def items_by_id(self) -> dict[str, tuple[Area, Item]]:
        return {item.id: (area, item) for area in self.areas for item in area.items}

    # -- identity ---------------------------------------------------------------------
    def canonical_data(self) -> dict[str, Any]:
        """The definition as plain data, without added fields left at their defaults."""
        data: dict[str, Any] = drop_added_defaults(self, self.model_dump(mode="json"))
        return data

    def canonical_json(self) -> str:
        """The definition as stable JSON: what is stored and hashed for versioning."""
        return json.dumps(self.canonical_data(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    @cached_property
    def _content_hash(self) -> str:
        # A cached_property, not a private attribute: pydantic leaves it out of equality.
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()

    def content_hash(self) -> str:
        return self._content_hash
