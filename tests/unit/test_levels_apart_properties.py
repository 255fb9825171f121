"""Properties of what a level adds, the level reached per area, the focus and specialisms (DESIGN.md)."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st
from test_levels_properties import SETTINGS, Case, cases

from competency import scoring


@given(cases())
@SETTINGS
def test_readiness_is_never_above_either_part(case: Case) -> None:
    profile = scoring.score(case.q, case.answers, case.level, case.specialism)
    if profile.readiness is None:
        assert profile.readiness_all is None and profile.readiness_new is None
        return
    assert profile.readiness_all is not None and profile.readiness_new is not None
    assert profile.readiness <= profile.readiness_all
    assert profile.readiness <= profile.readiness_new
    assert profile.readiness == min(profile.readiness_all, profile.readiness_new)


@given(cases())
@SETTINGS
def test_a_level_with_none_of_its_own_behaviours_scores_nothing_of_what_it_adds(case: Case) -> None:
    # The bottom of the scale on every behaviour of the level itself, the top everywhere else. Only added
    # areas without behaviours of their own (a raised target, an area new at this level) may then count
    # towards R_new; where every added area has its own, R_new is 0.
    q, level, sp = case.q, case.level, case.specialism
    assume(q.previous_level(level) is not None)
    answers: dict[str, int | None] = {}
    for area in q.areas_in_play(level, sp):
        for item in q.items_in_play(area, level, sp):
            bottom, top = (q.hi, q.lo) if item.reverse else (q.lo, q.hi)
            answers[item.id] = bottom if item.level == level else top
    profile = scoring.score(q, answers, level, sp)
    counted = [r for r in profile.areas.values() if r.added and r.new_attainment is not None]
    assume(counted)
    without_own = {
        r.area_id
        for r in counted
        if not any(item.level == level for item in q.items_in_play(q.area(r.area_id), level, sp))
        or r.target <= q.lo + 1e-9  # a target at the bottom is met by anyone
    }
    weight = {a.id: a.weight for a in q.areas}
    bound = 100 * sum(weight[a] for a in without_own) / sum(weight[r.area_id] for r in counted)
    assert profile.readiness_new is not None
    assert profile.readiness_new <= bound + 1e-9
    assert profile.readiness is not None and profile.readiness <= bound + 1e-9
    if not without_own:
        assert profile.readiness_new == 0.0


@given(cases())
@SETTINGS
def test_the_level_reached_is_never_beyond_the_target_and_every_level_before_it_is_met(case: Case) -> None:
    q, level, sp = case.q, case.level, case.specialism
    profile = scoring.score(q, case.answers, level, sp)
    path = q.path(level)
    for area_id, result in profile.areas.items():
        area = q.area(area_id)
        # Every level of the path where the person answered something of the area (an area whose items
        # there have all stopped being asked has no cell for that level).
        asked = q.items_in_play(area, level, sp)
        assert [step for step, _ in result.ladder] == [
            step
            for step in q.levels_in_play(area, level, sp)
            if any(q.item_in_play(item, step, sp) for item in asked)
        ]
        if result.reached is None:
            assert result.score is None or not result.ladder or not result.ladder[0][1]
            continue
        assert result.reached in path
        assert path.index(result.reached) <= path.index(level)
        cells = dict(result.ladder)
        upto = [step for step, _ in result.ladder][: [s for s, _ in result.ladder].index(result.reached) + 1]
        assert all(cells[step] for step in upto)


@given(cases(), st.data())
@SETTINGS
def test_the_focus_is_a_subset_of_the_plan_in_plan_order_and_no_bigger_than_its_size(
    case: Case, data: st.DataObject
) -> None:
    q = case.q
    chosen = data.draw(st.one_of(st.none(), st.lists(st.sampled_from([a.id for a in q.areas]), max_size=4)))
    profile = scoring.score(q, case.answers, case.level, case.specialism, focus_areas=chosen)
    positions = [profile.plan.index(entry) for entry in profile.focus]
    assert positions == sorted(positions)
    size = q.focus_size
    assert len(profile.focus) <= size.areas * size.steps
    assert len(profile.focus_areas) <= size.areas
    assert {e.area_id for e in profile.focus} <= set(profile.focus_areas)
    for area_id in profile.focus_areas:
        assert sum(1 for e in profile.focus if e.area_id == area_id) <= size.steps
    if not chosen:
        # The default: areas by priority, each with a priority above zero.
        priorities = [profile.areas[a].priority or 0.0 for a in profile.focus_areas]
        assert all(p > 0 for p in priorities)
        assert priorities == sorted(priorities, reverse=True)


@given(cases())
@SETTINGS
def test_an_item_of_another_specialism_or_past_its_until_is_never_asked(case: Case) -> None:
    q, level, sp = case.q, case.level, case.specialism
    before = q.path(level)[:-1]
    for area in q.areas_in_play(level, sp):
        for item in q.items_in_play(area, level, sp):
            assert q.item_specialism(item) in (None, sp)
            assert item.until is None or item.until not in before
