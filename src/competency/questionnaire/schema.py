"""The questionnaire (role framework) as typed, validated pydantic models, and what follows from them."""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from competency.questionnaire.rules import RuleViolations, rule_violations

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
LongText = Annotated[str, Field(min_length=1, max_length=10000)]
Weight = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Number = Annotated[float, Field(allow_inf_nan=False)]
BAND_SHAPE = "a band is two numbers, from low to high, e.g. [2, 3]"
ResourceKind = Literal["course", "book", "practice", "project", "community", "article"]


class _Model(BaseModel):
    # strict: "1" is not the number 1 and "yes" is not true; a framework says what it means.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    #: Fields added after the first format, with the default that reproduces it. They are left out of
    #: the canonical JSON while at that default, so an untouched file keeps its stored hash.
    ADDED: ClassVar[dict[str, Any]] = {}


class ScalePoint(_Model):
    value: int
    label: Text
    description: LongText | None = None


class Source(_Model):
    """Where a framework comes from: shown on the admin page and in PDF footers."""

    title: Text | None = None
    url: Annotated[str, Field(pattern=r"^https?://\S+$", max_length=2000)] | None = None
    licence: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    attribution: Text | None = None


class Track(_Model):
    id: Slug
    label: Text | None = None

    @property
    def name(self) -> str:
        return self.label or self.id


class Level(_Model):
    ADDED: ClassVar[dict[str, Any]] = {"description": None, "track": None}

    id: Slug
    label: Text | None = None
    description: LongText | None = None
    #: None: the level is shared by every track.
    track: Slug | None = None

    @property
    def name(self) -> str:
        return self.label or self.id


class Specialism(_Model):
    """A kind of the same role that every level has (research, platform, ...): what only some people do."""

    id: Slug
    label: Text | None = None
    description: LongText | None = None

    @property
    def name(self) -> str:
        return self.label or self.id


class Focus(_Model):
    """How much of a plan is put in focus: the first `areas` areas by priority, `steps` steps each."""

    areas: Annotated[int, Field(ge=1, le=20)] = 3
    steps: Annotated[int, Field(ge=1, le=20)] = 2


class Group(_Model):
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
    ADDED: ClassVar[dict[str, Any]] = {"band": None}

    id: Slug
    #: Required when the file has phases, not allowed when it has none.
    phase: Slug | None = None
    #: The stretch [b0, b1] of the area score this step builds; None: the whole scale.
    band: tuple[Number, Number] | None = None
    min_gap: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 0.0
    title: Text
    detail: LongText | None = None
    resources: list[Resource] = []

    @field_validator("band", mode="before")
    @classmethod
    def _band_from_list(cls, value: Any) -> Any:
        # YAML gives a list; strict mode wants a tuple. Any other shape gets one sentence, not the
        # tuple validator's "band[1]: required field is missing".
        if value is None:
            return value
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise ValueError(BAND_SHAPE)
        return tuple(value)


class Item(_Model):
    ADDED: ClassVar[dict[str, Any]] = {"level": None, "until": None, "specialism": None}

    id: Slug
    text: Text
    help: LongText | None = None
    #: The first level that expects this behaviour; None: every level.
    level: Slug | None = None
    #: The last level that still asks it (a junior habit, a beginner's tool); None: every level from `level`.
    until: Slug | None = None
    #: Only for people of this specialism; None: the area's (an area's specialism applies to its items).
    specialism: Slug | None = None
    weight: Weight = 1.0
    reverse: bool = False
    optional: bool = False


class Area(_Model):
    ADDED: ClassVar[dict[str, Any]] = {"group": None, "expectations": {}, "specialism": None, "anchors": {}}

    id: Slug
    title: Text
    description: LongText | None = None
    group: Slug | None = None
    #: Only for people of this specialism; None: for everyone.
    specialism: Slug | None = None
    #: What each scale value means in this area, beside its items.
    anchors: dict[int, Text] = {}
    weight: Weight = 1.0
    #: Per level, or one number for every level; None: the framework's `target`.
    targets: dict[str, Number] | Number | None = None
    expectations: dict[str, Text] = {}
    items: Annotated[list[Item], Field(min_length=1)]
    roadmap: list[RoadmapStep] = []

    @field_validator("anchors", mode="before")
    @classmethod
    def _anchor_keys(cls, value: Any) -> Any:
        # A stored snapshot is JSON, whose keys are text: "4" there is the 4 the author wrote.
        if isinstance(value, dict):
            return {
                int(k) if isinstance(k, str) and k.lstrip("-").isdigit() else k: v for k, v in value.items()
            }
        return value

    @field_validator("targets", mode="wrap")
    @classmethod
    def _targets(cls, value: Any, handler: Any) -> Any:
        # Checked by hand: a union's error report names each member, which reads badly to an author.
        if value is None or _is_number(value):
            return None if value is None else float(value)
        if isinstance(value, dict):
            out = {}
            for level, target in value.items():
                if not isinstance(level, str):
                    raise ValueError(f"level ids are text, not {level!r}")
                if not _is_number(target):
                    raise ValueError(f"targets.{level} must be a number, not {target!r}")
                out[level] = float(target)
            return out
        raise ValueError("must be a number, or a mapping of level id to number (e.g. {junior: 1, mid: 2})")


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
        data: dict[str, Any] = _drop_added_defaults(self, self.model_dump(mode="json"))
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


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and value == value
        and abs(value) != float("inf")
    )


def _drop_added_defaults(model: BaseModel, data: Any) -> Any:
    """Walk the model beside its dump and drop every ADDED field that still has its default."""
    if not isinstance(data, dict):
        return data
    added: dict[str, Any] = getattr(model, "ADDED", {})
    out = {}
    for name, value in data.items():
        if name in added and value == added[name]:
            continue
        child = getattr(model, name, None)
        if isinstance(child, BaseModel):
            value = _drop_added_defaults(child, value)
        elif isinstance(child, list):
            value = [
                _drop_added_defaults(c, v) if isinstance(c, BaseModel) else v
                for c, v in zip(child, value, strict=True)
            ]
        out[name] = value
    # A step's phase was always present before phases became optional.
    if isinstance(model, RoadmapStep) and out.get("phase") is None:
        out.pop("phase", None)
    if isinstance(model, Area) and out.get("targets") is None:
        out.pop("targets", None)
    return out
