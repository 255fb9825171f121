"""The rules of the format that no single field can check on its own (ids, levels, targets, bands, phases)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

PathKey = tuple[str | int, ...]
Violation = tuple[PathKey, str]

MIN_SCALE_POINTS = 3
MAX_SCALE_POINTS = 11


class RuleViolations(ValueError):
    """Cross-field rule failures, each with the path of the offending field."""

    def __init__(self, problems: list[Violation]) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


def rule_violations(data: Any, *, stored: bool = False) -> list[Violation]:
    """Every cross-field rule, checked on raw (possibly malformed) data.

    Works on raw data so that a file with a type error still gets its duplicate ids, unknown
    levels and missing targets reported in the same run. `stored`: a snapshot saved under the rules of
    its day, whose targets mapping may leave a level to the framework's `target`.
    """
    out: list[Violation] = []
    if not isinstance(data, dict):
        return out
    lo, hi = _scale(out, data)

    def within(value: Any, path: PathKey, what: str) -> None:
        if lo is not None and hi is not None and _is_number(value) and not lo <= value <= hi:
            out.append((path, f"{what} {value:g} lies outside the scale ({lo:g} to {hi:g})"))

    within(data.get("expert_threshold"), ("expert_threshold",), "expert threshold")
    within(data.get("target"), ("target",), "target")

    tracks = [_ident(t) for t in _list(data.get("tracks"))]
    levels_raw = _list(data.get("levels"))
    levels = [_ident(lv) for lv in levels_raw]
    groups = [_ident(g) for g in _list(data.get("groups"))]
    phases = [_ident(ph) for ph in _list(data.get("phases"))]
    specialisms = [_ident(sp) for sp in _list(data.get("specialisms"))]
    areas = _list(data.get("areas"))
    _duplicates(out, specialisms, lambda i: ("specialisms", i, "id"), "specialism")
    _duplicates(out, tracks, lambda i: ("tracks", i, "id"), "track")
    _duplicates(
        out,
        levels,
        lambda i: ("levels", i, "id") if isinstance(levels_raw[i], dict) else ("levels", i),
        "level",
    )
    _duplicates(out, groups, lambda i: ("groups", i, "id"), "group")
    _duplicates(out, phases, lambda i: ("phases", i, "id"), "phase")
    _duplicates(out, [_ident(a) for a in areas], lambda i: ("areas", i, "id"), "area")
    item_paths = [
        (ai, ii, _ident(it)) for ai, a in enumerate(areas) for ii, it in enumerate(_list(_get(a, "items")))
    ]
    _duplicates(
        out,
        [p[2] for p in item_paths],
        lambda k: ("areas", item_paths[k][0], "items", item_paths[k][1], "id"),
        "item",
    )
    step_paths = [
        (ai, si, _ident(st)) for ai, a in enumerate(areas) for si, st in enumerate(_list(_get(a, "roadmap")))
    ]
    _duplicates(
        out,
        [p[2] for p in step_paths],
        lambda k: ("areas", step_paths[k][0], "roadmap", step_paths[k][1], "id"),
        "roadmap step",
    )

    track_ids = [t for t in tracks if isinstance(t, str)]
    for li, level in enumerate(levels_raw):
        track = _get(level, "track")
        if isinstance(track, str) and track not in track_ids:
            out.append((("levels", li, "track"), _unknown("track", track, track_ids, "tracks")))

    level_ids = [lv for lv in levels if isinstance(lv, str)]
    paths = _paths(levels_raw)
    group_ids = [g for g in groups if isinstance(g, str)]
    phase_ids = [p for p in phases if isinstance(p, str)]
    specialism_ids = [sp for sp in specialisms if isinstance(sp, str)]
    default_target = data.get("target")
    scale_values = [p.get("value") for p in _list(data.get("scale")) if isinstance(p, dict)]
    for ai, area in enumerate(areas):
        group = _get(area, "group")
        if isinstance(group, str) and group not in group_ids:
            out.append((("areas", ai, "group"), _unknown("group", group, group_ids, "groups")))
        area_specialism = _get(area, "specialism")
        if isinstance(area_specialism, str) and area_specialism not in specialism_ids:
            out.append(
                (
                    ("areas", ai, "specialism"),
                    _unknown("specialism", area_specialism, specialism_ids, "specialisms"),
                )
            )
        anchors = _get(area, "anchors")
        if isinstance(anchors, dict) and lo is not None:
            for value in anchors:
                if _is_number(value) and value not in scale_values:
                    shown = ", ".join(str(v) for v in scale_values)
                    out.append(
                        (
                            ("areas", ai, "anchors", value),
                            f"anchor {value} is not a value of the scale ({shown})",
                        )
                    )
        targets = _get(area, "targets")
        if isinstance(targets, dict):
            for level, target in targets.items():
                if not isinstance(level, str):
                    continue  # reported by the field check: level ids are text
                if level_ids and level not in level_ids:
                    out.append(
                        (("areas", ai, "targets", level), _unknown("level", level, level_ids, "levels"))
                    )
                else:
                    within(target, ("areas", ai, "targets", level), "target")
        else:
            within(targets, ("areas", ai, "targets"), "target")
        expectations = _get(area, "expectations")
        if isinstance(expectations, dict):
            for level in expectations:
                if level_ids and level not in level_ids:
                    out.append(
                        (("areas", ai, "expectations", level), _unknown("level", level, level_ids, "levels"))
                    )
        items = _list(_get(area, "items"))
        for ii, item in enumerate(items):
            _check_item(out, item, ("areas", ai, "items", ii), level_ids, specialism_ids, paths)
        missing = [
            level
            for level in level_ids
            if any(_item_in_play(item, paths.get(level, ())) for item in items)
            and not _has_target(
                targets, level, None if isinstance(targets, dict) and not stored else default_target
            )
        ]
        if missing:
            # One line per area, not one per level: a forgotten mapping would otherwise print dozens.
            out.append((("areas", ai, "targets"), _missing_targets(missing, targets)))
        for si, step in enumerate(_list(_get(area, "roadmap"))):
            _check_step(out, step, ("areas", ai, "roadmap", si), phase_ids, lo, hi)
    return out


def _missing_targets(missing: list[str], targets: Any) -> str:
    where = f"level {missing[0]!r}" if len(missing) == 1 else "levels " + ", ".join(map(repr, missing))
    if isinstance(targets, dict):
        name = f"targets.{missing[0]}" if len(missing) == 1 else "each of them in targets"
        return (
            f"missing a target for {where}, where this area is in play (give {name}; the top-level "
            "target only serves areas without targets)"
        )
    return (
        f"missing a target for {where}, where this area is in play "
        "(give targets per level, one number for every level, or a top-level target)"
    )


def _check_item(
    out: list[Violation],
    item: Any,
    path: PathKey,
    level_ids: list[str],
    specialism_ids: list[str],
    paths: dict[str, tuple[str, ...]],
) -> None:
    """Known levels and specialism; an `until` that ends the item before its `level` on that level's path
    (it would never be asked) is refused."""
    level, until = _get(item, "level"), _get(item, "until")
    for field, value in (("level", level), ("until", until)):
        if isinstance(value, str) and level_ids and value not in level_ids:
            out.append(((*path, field), _unknown("level", value, level_ids, "levels")))
    if isinstance(level, str) and isinstance(until, str) and until in paths.get(level, ())[:-1]:
        out.append(
            (
                (*path, "until"),
                f"until {until!r} comes before the item's level {level!r}: it would never be asked",
            )
        )
    specialism = _get(item, "specialism")
    if isinstance(specialism, str) and specialism not in specialism_ids:
        out.append(((*path, "specialism"), _unknown("specialism", specialism, specialism_ids, "specialisms")))


def _scale(out: list[Violation], data: dict[str, Any]) -> tuple[float | None, float | None]:
    scale = _list(data.get("scale"))
    values: list[Any] = [p.get("value") if isinstance(p, dict) else None for p in scale]
    if (
        "scale" in data
        and isinstance(data["scale"], list)
        and not MIN_SCALE_POINTS <= len(scale) <= MAX_SCALE_POINTS
    ):
        out.append(
            (
                ("scale",),
                f"a scale needs {MIN_SCALE_POINTS} to {MAX_SCALE_POINTS} points, this one has {len(scale)}",
            )
        )
    for i in range(1, len(values)):
        prev, cur = values[i - 1], values[i]
        if _is_number(prev) and _is_number(cur) and cur <= prev:
            out.append(
                (("scale", i, "value"), f"scale values must be strictly ascending: {cur} follows {prev}")
            )
    # Only whole numbers make a scale. A point without one (`.nan`, `1.5`, missing) is reported as a
    # field error; the range checks then stay silent rather than measure against a guessed scale
    # ("outside the scale (nan to nan)").
    numbers: list[float] = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    if not numbers or len(numbers) != len(values):
        return None, None
    return min(numbers), max(numbers)


def _check_step(
    out: list[Violation],
    step: Any,
    path: PathKey,
    phase_ids: list[str],
    lo: float | None,
    hi: float | None,
) -> None:
    if not isinstance(step, dict):
        return
    phase = step.get("phase")
    if phase_ids:
        if phase is None:
            out.append((path, "a phase is needed: this file has phases (" + ", ".join(phase_ids) + ")"))
        elif isinstance(phase, str) and phase not in phase_ids:
            out.append(((*path, "phase"), _unknown("phase", phase, phase_ids, "phases")))
    elif phase is not None:
        out.append(((*path, "phase"), "this file has no phases: remove the step's phase or add `phases`"))
    band = step.get("band")
    if isinstance(band, list | tuple) and len(band) == 2 and all(_is_number(b) for b in band):
        b0, b1 = band
        if lo is not None and hi is not None and not (lo <= b0 <= hi and lo <= b1 <= hi):
            out.append(
                ((*path, "band"), f"band [{b0:g}, {b1:g}] reaches outside the scale ({lo:g} to {hi:g})")
            )
        if b0 >= b1:
            out.append(((*path, "band"), f"a band runs from low to high: {b0:g} is not below {b1:g}"))


def _paths(levels_raw: list[Any]) -> dict[str, tuple[str, ...]]:
    """Level id -> its path (shared or same-track levels before it, then itself), from raw data."""
    paths: dict[str, tuple[str, ...]] = {}
    seen: list[tuple[str, Any]] = []
    for level in levels_raw:
        ident = _ident(level)
        if not isinstance(ident, str):
            continue
        track = _get(level, "track")
        paths.setdefault(ident, (*(i for i, t in seen if t is None or t == track), ident))
        seen.append((ident, track))
    return paths


def _item_in_play(item: Any, path: tuple[str, ...]) -> bool:
    """In play at the last level of `path` for some person (whatever their specialism)."""
    level, until = _get(item, "level"), _get(item, "until")
    if isinstance(until, str) and until in path[:-1]:
        return False
    if level is None:
        return True
    # A mistyped level (`level: 3`) is reported at the item; counting the item as in play everywhere
    # would add a "missing a target" line for every level on top of it.
    return isinstance(level, str) and level in path


def _has_target(targets: Any, level: str, default: Any) -> bool:
    if isinstance(targets, dict) and level in targets:
        return True
    if targets is not None and not isinstance(targets, dict):
        return True
    return default is not None


def _unknown(what: str, value: str, known: list[str], plural: str) -> str:
    if not known:
        return f"unknown {what} {value!r}: this file defines no {plural}"
    # dict.fromkeys: a duplicated id (reported on its own) is listed once.
    return f"unknown {what} {value!r}; {plural} are {', '.join(dict.fromkeys(known))}"


def _ident(entry: Any) -> Any:
    return entry.get("id") if isinstance(entry, dict) else entry


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _get(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, dict) else None


def _is_number(value: Any) -> bool:
    # NaN and infinity are reported by the field checks ("must be a finite number"), not compared here.
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _duplicates(out: list[Violation], ids: list[Any], path: Callable[[int], PathKey], what: str) -> None:
    seen: set[str] = set()
    for index, ident in enumerate(ids):
        if not isinstance(ident, str):
            continue
        if ident in seen:
            out.append((path(index), f"duplicate {what} id {ident!r}"))
        seen.add(ident)
