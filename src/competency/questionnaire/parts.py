"""The parts a questionnaire is made of (scale points, levels, specialisms, areas, items, roadmap steps), as
strict pydantic models; schema.Questionnaire puts them together."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

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
            numbers = [level for level in value if not isinstance(level, str)]
            if numbers:
                quoted = ", ".join(f"'{level}'" for level in numbers)
                raise ValueError(f"level ids are text: put the numbers in quotes ({quoted})")
            out = {}
            for level, target in value.items():
                if not _is_number(target):
                    raise ValueError(f"targets.{level} must be a number, not {target!r}")
                out[level] = float(target)
            return out
        raise ValueError("must be a number, or a mapping of level id to number (e.g. {junior: 1, mid: 2})")


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and value == value
        and abs(value) != float("inf")
    )


def drop_added_defaults(model: BaseModel, data: Any) -> Any:
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
            value = drop_added_defaults(child, value)
        elif isinstance(child, list):
            value = [
                drop_added_defaults(c, v) if isinstance(c, BaseModel) else v
                for c, v in zip(child, value, strict=True)
            ]
        out[name] = value
    # A step's phase was always present before phases became optional.
    if isinstance(model, RoadmapStep) and out.get("phase") is None:
        out.pop("phase", None)
    if isinstance(model, Area) and out.get("targets") is None:
        out.pop("targets", None)
    return out
