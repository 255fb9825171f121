"""The ladder grid: areas x the levels of a person's path, each cell met or not, the level reached per
area and the target's column marked; self beside manager where both rated. Shared by the profile page and
the person PDF, so both show the same cells."""

from __future__ import annotations

from dataclasses import dataclass

from competency.questionnaire.schema import Level, Questionnaire
from competency.scoring import Profile


@dataclass(frozen=True)
class LadderCell:
    level: str
    #: None: the area is not in play at this level (nothing to meet).
    self_met: bool | None
    manager_met: bool | None = None


@dataclass(frozen=True)
class LadderRow:
    area_id: str
    title: str
    cells: tuple[LadderCell, ...]
    reached: str | None
    manager_reached: str | None = None
    scored: bool = True


@dataclass(frozen=True)
class LadderGrid:
    levels: tuple[Level, ...]
    target: str
    rows: tuple[LadderRow, ...]
    with_manager: bool

    def reached_name(self, level_id: str | None) -> str:
        for level in self.levels:
            if level.id == level_id:
                return level.name
        return "none yet" if level_id is None else level_id

    def met_count(self, level_id: str) -> tuple[int, int]:
        """(areas met, areas in play) at one level, for the column's footer."""
        cells = [c for row in self.rows for c in row.cells if c.level == level_id and c.self_met is not None]
        return sum(1 for c in cells if c.self_met), len(cells)


def ladder_grid(q: Questionnaire, profile: Profile, manager: Profile | None = None) -> LadderGrid:
    """The grid of `profile` (scored from answers, so it carries each area's ladder)."""
    path = tuple(q.level(level_id) for level_id in q.path(profile.level))
    rows = []
    for area_id, result in profile.areas.items():
        own = dict(result.ladder)
        theirs = dict(manager.areas[area_id].ladder) if manager and area_id in manager.areas else {}
        cells = tuple(
            LadderCell(
                level.id,
                own.get(level.id) if level.id in own else None,
                theirs.get(level.id) if manager is not None and level.id in theirs else None,
            )
            for level in path
        )
        rows.append(
            LadderRow(
                area_id=area_id,
                title=q.area(area_id).title,
                cells=cells,
                reached=result.reached,
                manager_reached=manager.areas[area_id].reached
                if manager and area_id in manager.areas
                else None,
                scored=result.score is not None,
            )
        )
    return LadderGrid(path, profile.level, tuple(rows), manager is not None)
