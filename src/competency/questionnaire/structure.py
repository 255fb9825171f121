"""Structure vs text of a framework: what can change a number or what is asked, and how two versions differ.

DESIGN.md "Versions and revisions": a text-only change under the same version is a revision; a
structural change needs a new version. This module says which is which, names the first structural
change in the file's own notation, and lists every change for `competency questionnaires diff`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from competency.questionnaire.schema import Questionnaire


def structure(q: Questionnaire) -> dict[str, Any]:
    """Everything that can change a number or what is asked, with defaults resolved.

    Fields added to the format later appear only when a file uses them, so an untouched file keeps
    the structure (and hash) it was stored with."""
    out: dict[str, Any] = {
        "scale": [point.value for point in q.scale],
        "expert_threshold": q.expert_level,
        "levels": [{"id": level.id, "track": level.track} for level in q.levels],
        "phases": [phase.id for phase in q.phases],
        "areas": [
            {
                "id": area.id,
                "weight": area.weight,
                "targets": {
                    level: q.target_for(area, level)
                    for level in q.level_ids
                    if _in_play_for_anyone(q, area, level)
                },
                **({"specialism": area.specialism} if area.specialism else {}),
                "items": [
                    {
                        "id": item.id,
                        "weight": item.weight,
                        "reverse": item.reverse,
                        "optional": item.optional,
                        "level": item.level,
                        **({"until": item.until} if item.until else {}),
                        **({"specialism": item.specialism} if item.specialism else {}),
                    }
                    for item in area.items
                ],
                "roadmap": [
                    {
                        "id": step.id,
                        "phase": step.phase,
                        "band": list(step.band) if step.band is not None else [q.lo, q.hi],
                        "min_gap": step.min_gap,
                    }
                    for step in area.roadmap
                ],
            }
            for area in q.areas
        ],
    }
    if q.specialisms:
        out["specialisms"] = list(q.specialism_ids)
    if q.focus is not None:
        out["focus"] = {"areas": q.focus.areas, "steps": q.focus.steps}
    return out


def _in_play_for_anyone(q: Questionnaire, area: Any, level: str) -> bool:
    return any(q.area_in_play(area, level, s) for s in (None, *q.specialism_ids))


def structure_hash(q: Questionnaire) -> str:
    text = json.dumps(structure(q), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def first_structural_change(old: Questionnaire, new: Questionnaire) -> str | None:
    """The first structural difference as `path: old -> new`, or None when the structures agree."""
    return _first_difference(structure(old), structure(new), "")


def _first_difference(old: Any, new: Any, path: str) -> str | None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in list(old) + [k for k in new if k not in old]:
            child = f"{path}.{key}" if path else str(key)
            if key not in new:
                return f"{child}: {_show(old[key])} -> (removed)"
            if key not in old:
                return f"{child}: (none) -> {_show(new[key])}"
            found = _first_difference(old[key], new[key], child)
            if found:
                return found
        return None
    if isinstance(old, list) and isinstance(new, list) and any(isinstance(v, dict) for v in old + new):
        moved = _first_moved_id(old, new, path)
        if moved:
            return moved
        for index, (a, b) in enumerate(zip(old, new, strict=False)):
            found = _first_difference(a, b, f"{path}[{index}]")
            if found:
                return found
        if len(old) != len(new):
            index = min(len(old), len(new))
            if len(new) > len(old):
                return f"{path}[{index}]: {_show(new[index])} added"
            return f"{path}[{index}]: {_show(old[index])} removed"
        return None
    if old != new:
        return f"{path}: {_show(old)} -> {_show(new)}"
    return None


def _first_moved_id(old: list[Any], new: list[Any], path: str) -> str | None:
    """An entry inserted, removed or moved before the end, by id: comparing by position would call a
    level inserted before `manager` "levels[4].id: 'manager' -> 'principal'". A renamed entry (old id
    gone, new id new, at the same place) is left to the positional comparison."""
    old_ids = [v.get("id") if isinstance(v, dict) else None for v in old]
    new_ids = [v.get("id") if isinstance(v, dict) else None for v in new]
    if None in old_ids + new_ids or old_ids == new_ids:
        return None
    for index in range(max(len(old_ids), len(new_ids))):
        a = old_ids[index] if index < len(old_ids) else None
        b = new_ids[index] if index < len(new_ids) else None
        if a == b:
            continue
        if b is not None and b not in old_ids and (a is None or a in new_ids):
            return f"{path}[{index}]: {_show(b)} added"
        if a is not None and a not in new_ids and (b is None or b in old_ids):
            return f"{path}[{index}]: {_show(a)} removed"
        if a in new_ids and b in old_ids:
            return f"{path}[{index}]: {_show(a)} -> {_show(b)} (reordered)"
        return None
    return None


def _show(value: Any) -> str:
    if isinstance(value, dict) and "id" in value:
        return repr(value["id"])
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if value is None:
        return "(none)"
    return str(value) if isinstance(value, int | float) else repr(value)


# -- a semantic diff for authors ---------------------------------------------------------------------


def semantic_diff(old: Questionnaire, new: Questionnaire) -> list[str]:
    """Every change from `old` to `new` as lines an author reads: added, removed, changed."""
    out: list[str] = []
    if (old.title, old.summary, old.source) != (new.title, new.summary, new.source):
        out.append("title, summary or source reworded")
    if [(p.label, p.description) for p in old.scale] != [(p.label, p.description) for p in new.scale]:
        out.append("scale labels or descriptions reworded")
    if old.scale_values != new.scale_values:
        out.append(f"scale changed: {list(old.scale_values)} -> {list(new.scale_values)}")
    if old.expert_level != new.expert_level:
        out.append(f"expert threshold changed: {old.expert_level:g} -> {new.expert_level:g}")
    _ids(out, "level", [lv.id for lv in old.levels], [lv.id for lv in new.levels])
    for level in new.levels:
        if level.id in old.level_ids:
            was = old.level(level.id)
            if was.track != level.track:
                out.append(
                    f"level {level.id}: track {was.track or '(shared)'} -> {level.track or '(shared)'}"
                )
            if was.description != level.description or was.label != level.label:
                out.append(f"level {level.id}: label or description reworded")
    _ids(out, "phase", [p.id for p in old.phases], [p.id for p in new.phases])
    _ids(out, "area", [a.id for a in old.areas], [a.id for a in new.areas])
    old_areas = {a.id: a for a in old.areas}
    targets = changed_targets(old, new)
    for area in new.areas:
        before = old_areas.get(area.id)
        if before is None:
            continue
        where = f"area {area.id}"
        if before.weight != area.weight:
            out.append(f"{where}: weight {before.weight:g} -> {area.weight:g}")
        for (area_id, level_id), (t0, t1) in targets.items():
            if area_id == area.id:
                out.append(f"{where}: target at {level_id} {_num(t0)} -> {_num(t1)}")
        if (before.title, before.description, before.expectations) != (
            area.title,
            area.description,
            area.expectations,
        ):
            out.append(f"{where}: title, description or expectations reworded")
        _ids(out, f"{where}: item", [i.id for i in before.items], [i.id for i in area.items])
        old_items = {i.id: i for i in before.items}
        for item in area.items:
            prev = old_items.get(item.id)
            if prev is None:
                continue
            for field in ("weight", "reverse", "optional", "level", "until", "specialism"):
                a, b = getattr(prev, field), getattr(item, field)
                if a != b:
                    out.append(f"{where}: item {item.id}: {field} {_num(a)} -> {_num(b)}")
            if (prev.text, prev.help) != (item.text, item.help):
                out.append(f"{where}: item {item.id}: text or help reworded")
        _ids(out, f"{where}: step", [s.id for s in before.roadmap], [s.id for s in area.roadmap])
        old_steps = {s.id: s for s in before.roadmap}
        for step in area.roadmap:
            prev_step = old_steps.get(step.id)
            if prev_step is None:
                continue
            for field in ("phase", "band", "min_gap"):
                a, b = getattr(prev_step, field), getattr(step, field)
                if a != b:
                    out.append(f"{where}: step {step.id}: {field} {_num(a)} -> {_num(b)}")
            if (prev_step.title, prev_step.detail, prev_step.resources) != (
                step.title,
                step.detail,
                step.resources,
            ):
                out.append(f"{where}: step {step.id}: title, detail or resources reworded")
    return out


def changed_targets(
    old: Questionnaire, new: Questionnaire
) -> dict[tuple[str, str], tuple[float | None, float | None]]:
    """(area, level) -> (old target, new target) wherever the target someone sees changes."""
    out: dict[tuple[str, str], tuple[float | None, float | None]] = {}
    old_areas = {a.id: a for a in old.areas}
    for area in new.areas:
        before = old_areas.get(area.id)
        if before is None:
            continue
        for level in new.level_ids:
            if level not in old.level_ids:
                continue
            t0 = old.target_for(before, level) if _in_play_for_anyone(old, before, level) else None
            t1 = new.target_for(area, level) if _in_play_for_anyone(new, area, level) else None
            if t0 != t1:
                out[(area.id, level)] = (t0, t1)
    return out


def _ids(out: list[str], what: str, old: list[str], new: list[str]) -> None:
    for ident in new:
        if ident not in old:
            out.append(f"{what} {ident} added")
    for ident in old:
        if ident not in new:
            out.append(f"{what} {ident} removed")
    common_old = [i for i in old if i in new]
    common_new = [i for i in new if i in old]
    if common_old != common_new:
        out.append(f"{what}s reordered: {', '.join(common_new)}")


def _num(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_num(v) for v in value) + "]"
    return str(value)
