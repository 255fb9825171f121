"""Scoring, rule by rule, against numbers worked out by hand (DESIGN.md "Scoring")."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from competency import scoring
from competency.questionnaire import Questionnaire
from competency.scoring import AnswerError, AreaResult

# -- building small questionnaires -------------------------------------------------------------------------


def item(
    item_id: str, weight: float = 1.0, *, reverse: bool = False, optional: bool = False
) -> dict[str, Any]:
    return {
        "id": item_id,
        "text": f"Statement {item_id}",
        "weight": weight,
        "reverse": reverse,
        "optional": optional,
    }


def step(step_id: str, phase: str, min_gap: float = 0.0) -> dict[str, Any]:
    return {"id": step_id, "phase": phase, "min_gap": min_gap, "title": f"Do {step_id}"}


def area(
    area_id: str,
    items: Sequence[dict[str, Any]],
    target: float | dict[str, float] = 2.0,
    *,
    weight: float = 1.0,
    roadmap: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    targets = target if isinstance(target, dict) else {"mid": target}
    return {
        "id": area_id,
        "title": f"Area {area_id}",
        "weight": weight,
        "targets": targets,
        "items": list(items),
        "roadmap": list(roadmap),
    }


def build(
    *areas: dict[str, Any],
    scale: Sequence[int] = (0, 1, 2, 3, 4),
    levels: Sequence[str] = ("mid",),
    phases: Sequence[str] = ("first", "second", "third"),
    expert_threshold: float | None = None,
) -> Questionnaire:
    data: dict[str, Any] = {
        "id": "unit",
        "version": 1,
        "title": "Unit test framework",
        "scale": [{"value": v, "label": f"point {v}"} for v in scale],
        "levels": list(levels),
        "phases": [{"id": p} for p in phases],
        "areas": list(areas),
    }
    if expert_threshold is not None:
        data["expert_threshold"] = expert_threshold
    return Questionnaire.model_validate(data)


def one_area(answer_items: Sequence[dict[str, Any]], target: float = 2.0, **kwargs: Any) -> Questionnaire:
    return build(area("a", answer_items, target), **kwargs)


def result(
    q: Questionnaire, answers: dict[str, int | None], area_id: str = "a", level: str = "mid"
) -> AreaResult:
    return scoring.score(q, answers, level).areas[area_id]


# -- item values and area scores --------------------------------------------------------------------------


def test_reverse_item_flips_the_scale() -> None:
    q = one_area([item("x", reverse=True)])
    # 0..4: an answer of 1 on a reverse item counts as 0 + 4 - 1 = 3.
    assert result(q, {"x": 1}).score == 3
    assert result(q, {"x": 4}).score == 0


def test_reverse_item_flips_around_a_scale_that_starts_at_one() -> None:
    q = one_area([item("x", reverse=True)], scale=(1, 2, 3, 4, 5, 6, 7))
    assert scoring.item_value(q, True, 2) == 6  # 1 + 7 - 2
    assert scoring.item_value(q, False, 2) == 2
    assert result(q, {"x": 7}).score == 1


def test_area_score_is_the_weighted_mean_of_its_items() -> None:
    q = one_area([item("x", 2), item("y", 1), item("z", 0.5)])
    # (2*3 + 1*1 + 0.5*2) / 3.5 = 8 / 3.5
    assert result(q, {"x": 3, "y": 1, "z": 2}).score == pytest.approx(8 / 3.5)


def test_reverse_items_are_weighted_after_flipping() -> None:
    q = one_area([item("x", 3), item("y", 1, reverse=True)])
    # x=4 counts 4, y=4 counts 0: (3*4 + 1*0) / 4 = 3
    assert result(q, {"x": 4, "y": 4}).score == pytest.approx(3.0)


def test_area_with_exactly_half_its_weight_answered_is_scored() -> None:
    q = one_area([item("x", 2), item("y", 1), item("z", 1)])
    # 2 of 4 weight answered: exactly 50 %, scored from the answered item alone.
    assert result(q, {"x": 3}).score == pytest.approx(3.0)


def test_area_with_less_than_half_its_weight_answered_has_no_score() -> None:
    q = one_area([item("x", 2), item("y", 1), item("z", 1)])
    # y and z are 2 of 4: scored; y alone is 1 of 4: not scored.
    assert result(q, {"y": 1, "z": 3}).score == pytest.approx(2.0)
    assert result(q, {"y": 4}).score is None


def test_area_without_any_answer_has_no_score() -> None:
    q = one_area([item("x")])
    assert result(q, {}).score is None


def test_unscored_area_has_no_gap_met_attainment_or_priority() -> None:
    q = one_area([item("x"), item("y"), item("z")], target=3)
    r = result(q, {"x": 1})
    assert (r.score, r.gap, r.met, r.attainment, r.priority) == (None, None, None, None, None)
    assert r.target == 3


def test_not_applicable_optional_item_is_left_out_of_the_mean() -> None:
    q = one_area([item("x", 1, optional=True), item("y", 1)])
    # x = N/A counts neither as 0 nor as anything: the score is y's value.
    assert result(q, {"x": None, "y": 3}).score == pytest.approx(3.0)


def test_not_applicable_counts_as_unanswered_for_the_fifty_percent_rule() -> None:
    q = one_area([item("x", 2, optional=True), item("y", 1), item("z", 1)])
    assert result(q, {"x": None, "y": 2}).score is None  # 1 of 4 weight answered
    assert result(q, {"x": None, "y": 2, "z": 4}).score == pytest.approx(3.0)  # 2 of 4


# -- gap, met, attainment, priority -------------------------------------------------------------------------


def test_gap_is_target_minus_score_and_positive_below_target() -> None:
    q = one_area([item("x"), item("y")], target=2.5)
    r = result(q, {"x": 2, "y": 1})  # score 1.5
    assert r.gap == pytest.approx(1.0)
    assert r.met is False


def test_area_above_target_is_met_with_a_negative_gap() -> None:
    q = one_area([item("x")], target=2.5)
    r = result(q, {"x": 4})
    assert r.gap == pytest.approx(-1.5)
    assert r.met is True


def test_area_exactly_at_target_is_met() -> None:
    q = one_area([item("x")], target=3)
    r = result(q, {"x": 3})
    assert r.gap == 0
    assert r.met is True
    assert r.priority == 0


def test_attainment_is_progress_from_the_bottom_of_the_scale_to_the_target() -> None:
    q = one_area([item("x"), item("y")], target=3, scale=(1, 2, 3, 4))
    # score 2 on 1..4 with target 3: (2 - 1) / (3 - 1) = 0.5
    assert result(q, {"x": 2, "y": 2}).attainment == pytest.approx(0.5)
    # score 1.5: (1.5 - 1) / 2 = 0.25
    assert result(q, {"x": 1, "y": 2}).attainment == pytest.approx(0.25)


def test_attainment_is_zero_at_the_bottom_of_the_scale() -> None:
    q = one_area([item("x")], target=3, scale=(1, 2, 3, 4))
    assert result(q, {"x": 1}).attainment == 0


def test_attainment_is_clamped_at_one_above_target() -> None:
    q = one_area([item("x")], target=2)
    assert result(q, {"x": 4}).attainment == 1.0


def test_attainment_is_clamped_at_zero() -> None:
    assert scoring.attainment(score=-1.0, target=2.0, lo=0) == 0.0
    assert scoring.attainment(score=0.5, target=3.0, lo=1) == 0.0


def test_target_at_the_bottom_of_the_scale_gives_full_attainment() -> None:
    q = one_area([item("x")], target=1, scale=(1, 2, 3))
    r = result(q, {"x": 1})
    assert r.attainment == 1.0
    assert r.met is True
    assert scoring.attainment(score=1.0, target=0.5, lo=1) == 1.0


def test_priority_is_area_weight_times_the_positive_gap() -> None:
    q = build(area("a", [item("x")], 3.5, weight=2), area("b", [item("y")], 1, weight=2))
    profile = scoring.score(q, {"x": 2, "y": 4}, "mid")
    assert profile.areas["a"].priority == pytest.approx(3.0)  # 2 * (3.5 - 2)
    assert profile.areas["b"].priority == 0  # met: max(0, -3) = 0


def test_target_is_taken_for_the_requested_level() -> None:
    q = build(area("a", [item("x")], {"junior": 1, "senior": 3}), levels=("junior", "senior"))
    assert scoring.score(q, {"x": 2}, "junior").areas["a"].gap == pytest.approx(-1)
    assert scoring.score(q, {"x": 2}, "senior").areas["a"].gap == pytest.approx(1)


def test_unknown_level_is_refused() -> None:
    q = one_area([item("x")])
    with pytest.raises(ValueError, match="unknown level 'guru'"):
        scoring.score(q, {"x": 1}, "guru")


# -- readiness ---------------------------------------------------------------------------------------------


def test_readiness_is_the_area_weighted_mean_attainment_in_percent() -> None:
    q = build(area("a", [item("x")], 2, weight=1), area("b", [item("y")], 4, weight=3))
    # a: score 3 >= 2 -> attainment 1; b: score 2 of target 4 -> 0.5.  100 * (1*1 + 3*0.5) / 4 = 62.5
    assert scoring.score(q, {"x": 3, "y": 2}, "mid").readiness == pytest.approx(62.5)


def test_readiness_leaves_out_unscored_areas() -> None:
    q = build(
        area("a", [item("x")], 2, weight=1),
        area("b", [item("y")], 4, weight=3),
        area("c", [item("z1"), item("z2"), item("z3")], 4, weight=10),
    )
    # c has 1 of 3 answered (no score) and must not drag readiness to 62.5 * 4/14.
    assert scoring.score(q, {"x": 3, "y": 2, "z1": 0}, "mid").readiness == pytest.approx(62.5)


def test_readiness_is_none_when_no_area_is_scored() -> None:
    q = build(area("a", [item("x")]), area("b", [item("y")]))
    profile = scoring.score(q, {}, "mid")
    assert profile.readiness is None
    assert profile.plan == []
    assert profile.strengths == []
    assert profile.top_gaps == []


# -- development plan ---------------------------------------------------------------------------------------


def plan_framework() -> Questionnaire:
    return build(
        # a: weight 1, gap 2 -> priority 2
        area(
            "a",
            [item("xa")],
            4,
            weight=1,
            roadmap=[step("a-late", "third"), step("a-early", "first"), step("a-mid", "second", 2.5)],
        ),
        # b: weight 3, gap 1 -> priority 3
        area(
            "b",
            [item("xb")],
            3,
            weight=3,
            roadmap=[step("b-zeta", "first"), step("b-alpha", "first", 1.0), step("b-big", "second", 1.5)],
        ),
        # c: weight 2, gap 1 -> priority 2 (ties with a; a comes first in the file)
        area("c", [item("xc")], 3, weight=2, roadmap=[step("c-late", "third"), step("c-early", "first")]),
        # d: above target, e: exactly at target -> no steps even with min_gap 0
        area("d", [item("xd")], 2, roadmap=[step("d-any", "first")]),
        area("e", [item("xe")], 2, roadmap=[step("e-any", "first")]),
    )


def test_plan_is_ordered_by_phase_then_priority_then_area_then_step() -> None:
    q = plan_framework()
    profile = scoring.score(q, {"xa": 2, "xb": 2, "xc": 2, "xd": 3, "xe": 2}, "mid")
    assert [entry.step.id for entry in profile.plan] == [
        # first phase: b (priority 3) before a and c (priority 2, area order), steps in file order
        "b-zeta",
        "b-alpha",
        "a-early",
        "c-early",
        # second phase: a-mid needs a gap of 2.5 and b-big 1.5: neither qualifies
        # third phase
        "a-late",
        "c-late",
    ]
    first = profile.plan[0]
    assert (first.area_id, first.phase_id, first.gap, first.priority) == ("b", "first", 1.0, 3.0)


def test_plan_includes_a_step_whose_min_gap_equals_the_gap() -> None:
    q = build(
        area(
            "a",
            [item("x"), item("y")],
            3,
            roadmap=[step("below", "first", 0.4), step("equal", "first", 0.5), step("above", "first", 0.6)],
        )
    )
    # score (2 + 3) / 2 = 2.5, gap 0.5
    assert [e.step.id for e in scoring.score(q, {"x": 2, "y": 3}, "mid").plan] == ["below", "equal"]


def test_plan_leaves_out_areas_at_or_above_target_even_with_min_gap_zero() -> None:
    q = plan_framework()
    profile = scoring.score(q, {"xa": 4, "xb": 4, "xc": 3, "xd": 2, "xe": 4}, "mid")
    assert profile.plan == []


def test_plan_leaves_out_unscored_areas() -> None:
    q = build(area("a", [item("x"), item("y"), item("z")], 4, roadmap=[step("s", "first")]))
    assert scoring.score(q, {"x": 0}, "mid").plan == []


# -- strengths and top gaps --------------------------------------------------------------------------------


def test_strengths_are_met_areas_by_margin_over_target_top_three() -> None:
    q = build(
        area("m05", [item("x1")], 2.5),  # 3 - 2.5 = 0.5
        area("m20", [item("x2")], 2),  # 4 - 2 = 2
        area("m10", [item("x3")], 2),  # 3 - 2 = 1
        area("m00", [item("x4")], 3),  # 3 - 3 = 0: met, smallest margin
        area("m15", [item("x5")], 1.5),  # 3 - 1.5 = 1.5
        area("gap", [item("x6")], 4),  # not met
    )
    profile = scoring.score(q, {"x1": 3, "x2": 4, "x3": 3, "x4": 3, "x5": 3, "x6": 1}, "mid")
    assert profile.strengths == ["m20", "m15", "m10"]


def test_strengths_with_equal_margin_keep_area_order() -> None:
    q = build(area("later", [item("x")], 2), area("earlier", [item("y")], 3))
    # both exactly 1 above target: the order of the file decides
    assert scoring.score(q, {"x": 3, "y": 4}, "mid").strengths == ["later", "earlier"]


def test_top_gaps_are_areas_below_target_by_priority_top_three() -> None:
    q = build(
        area("p1", [item("x1")], 3, weight=1),  # gap 1, priority 1
        area("p6", [item("x2")], 4, weight=2),  # gap 3, priority 6
        area("p4", [item("x3")], 3, weight=2),  # gap 2, priority 4
        area("p3", [item("x4")], 4, weight=0.75),  # gap 4, priority 3: biggest gap, lower priority
        area("ok", [item("x5")], 1),  # met
    )
    profile = scoring.score(q, {"x1": 2, "x2": 1, "x3": 1, "x4": 0, "x5": 4}, "mid")
    assert profile.top_gaps == ["p6", "p4", "p3"]
    assert profile.strengths == ["ok"]


# -- the JSON shape ----------------------------------------------------------------------------------------


def test_profile_as_dict_has_the_documented_shape() -> None:
    q = build(area("a", [item("x")], 3, roadmap=[step("s1", "first")]), area("b", [item("y")], 1))
    data = scoring.score(q, {"x": 2, "y": 2}, "mid").as_dict()
    assert data == {
        "areas": {
            "a": {
                "score": 2.0,
                "target": 3.0,
                "gap": 1.0,
                "met": False,
                "attainment": 2 / 3,
                "priority": 1.0,
                # mid is the only level: it adds everything, and a's score is its new score.
                "added": True,
                "new_score": 2.0,
                "new_attainment": 2 / 3,
                "reached": None,
                "ladder": {"mid": False},
            },
            "b": {
                "score": 2.0,
                "target": 1.0,
                "gap": -1.0,
                "met": True,
                "attainment": 1.0,
                "priority": 0.0,
                "added": True,
                "new_score": 2.0,
                "new_attainment": 1.0,
                "reached": "mid",
                "ladder": {"mid": True},
            },
        },
        "readiness": pytest.approx(100 * (2 / 3 + 1) / 2),
        "readiness_all": pytest.approx(100 * (2 / 3 + 1) / 2),
        "readiness_new": pytest.approx(100 * (2 / 3 + 1) / 2),
        "previous_level": None,
        "specialism": None,
        "plan": ["s1"],
        "focus": ["s1"],
        "focus_areas": ["a"],
        "strengths": ["b"],
        "top_gaps": ["a"],
    }


def test_profile_from_stored_results_matches_a_fresh_score() -> None:
    q = plan_framework()
    answers: dict[str, int | None] = {"xa": 2, "xb": 2, "xc": 2, "xd": 3, "xe": 2}
    fresh = scoring.score(q, answers, "mid")
    again = scoring.profile_from_results(q, "mid", fresh.areas)
    assert again.as_dict() == fresh.as_dict()


# -- checking answers --------------------------------------------------------------------------------------


def answer_problems(q: Questionnaire, answers: dict[str, Any]) -> list[str]:
    with pytest.raises(AnswerError) as excinfo:
        scoring.check_answers(q, answers)
    return excinfo.value.problems


def test_unknown_item_is_refused_by_name() -> None:
    q = one_area([item("x")])
    (problem,) = answer_problems(q, {"x": 1, "nope": 2})
    assert problem.startswith("nope: unknown item")


def test_value_off_the_scale_is_refused_by_item() -> None:
    q = one_area([item("x"), item("y")])
    (problem,) = answer_problems(q, {"x": 1, "y": 5})
    assert problem.startswith("y: 5 is not on the scale (0, 1, 2, 3, 4)")


def test_value_between_points_of_a_gapped_scale_is_refused() -> None:
    q = one_area([item("x")], target=2, scale=(0, 2, 4))
    (problem,) = answer_problems(q, {"x": 3})
    assert problem.startswith("x: 3 is not on the scale (0, 2, 4)")
    scoring.check_answers(q, {"x": 2})


@pytest.mark.parametrize(
    "value", [True, False, 2.0, "2", [2]], ids=["true", "false", "float", "string", "list"]
)
def test_non_integer_answer_is_refused(value: Any) -> None:
    q = one_area([item("x")])
    (problem,) = answer_problems(q, {"x": value})
    assert problem.startswith("x: ")
    assert "not on the scale" in problem


def test_not_applicable_on_a_required_item_is_refused() -> None:
    q = one_area([item("x"), item("opt", optional=True)])
    (problem,) = answer_problems(q, {"x": None, "opt": None})
    assert problem.startswith("x: ")
    assert "required" in problem


def test_every_bad_answer_is_reported_at_once() -> None:
    q = one_area([item("x"), item("y"), item("z")])
    problems = answer_problems(q, {"x": None, "y": 9, "ghost": 1, "z": 2})
    assert sorted(p.split(":")[0] for p in problems) == ["ghost", "x", "y"]


def test_valid_partial_answers_pass_the_check() -> None:
    q = one_area([item("x"), item("opt", optional=True), item("y")])
    scoring.check_answers(q, {"opt": None, "y": 4})


# -- teams and second opinions -------------------------------------------------------------------------------


def test_team_area_stats_by_hand() -> None:
    # (score, own target) per member
    scored = [(1.0, 2.0), (2.0, 2.0), (3.5, 2.0), (4.0, 4.5)]
    stats = scoring.team_area_stats("ml", scored, expert_level=3.0)
    assert stats.mean == pytest.approx(2.625)  # 10.5 / 4
    assert stats.median == pytest.approx(2.75)  # (2 + 3.5) / 2
    assert (stats.min, stats.max, stats.n) == (1.0, 4.0, 4)
    assert stats.coverage == 2  # 2 >= 2 and 3.5 >= 2; 4 < 4.5 at that member's own target
    assert stats.experts == 2  # 3.5 and 4 reach 3
    assert not stats.single_point_of_expertise
    assert not stats.no_expertise
    assert stats.as_dict() == {
        "mean": pytest.approx(2.625),
        "median": pytest.approx(2.75),
        "min": 1.0,
        "max": 4.0,
        "n": 4,
        "coverage": 2,
        "experts": 2,
    }


def test_median_of_an_odd_team_is_the_middle_score() -> None:
    stats = scoring.team_area_stats("a", [(4.0, 1.0), (1.0, 1.0), (2.0, 1.0)], expert_level=3)
    assert stats.median == 2.0
    assert stats.mean == pytest.approx(7 / 3)


def test_one_expert_is_a_single_point_of_expertise() -> None:
    stats = scoring.team_area_stats("a", [(3.0, 2.0), (2.9, 2.0), (1.0, 2.0)], expert_level=3.0)
    assert stats.experts == 1
    assert stats.single_point_of_expertise


def test_no_expert_is_flagged_as_no_expertise() -> None:
    stats = scoring.team_area_stats("a", [(2.0, 2.0), (1.0, 2.0)], expert_level=3.0)
    assert stats.experts == 0
    assert stats.no_expertise
    assert not stats.single_point_of_expertise


def test_team_without_scores_has_empty_stats() -> None:
    stats = scoring.team_area_stats("a", [], expert_level=3.0)
    assert (stats.mean, stats.median, stats.min, stats.max, stats.n, stats.coverage) == (
        None,
        None,
        None,
        None,
        0,
        0,
    )


def test_team_experts_follow_the_questionnaire_expert_level() -> None:
    default = one_area([item("x")])  # 0..4: second-highest value is 3
    explicit = one_area([item("x")], expert_threshold=2.5)
    scored = [(2.5, 2.0), (3.0, 2.0)]
    assert scoring.team_area_stats("a", scored, default.expert_level).experts == 1
    assert scoring.team_area_stats("a", scored, explicit.expert_level).experts == 2


def test_compare_flags_blind_spots_of_one_point_or_more_either_way() -> None:
    q = build(*(area(a, [item(f"x{a}")]) for a in ["up", "down", "close", "unrated", "missing"]))
    comparisons = scoring.compare(
        q,
        {"up": 2.0, "down": 3.5, "close": 2.0, "unrated": None, "missing": 2.0},
        {"up": 3.0, "down": 2.25, "close": 2.9, "unrated": 3.0},
    )
    by_area = {c.area_id: c for c in comparisons}
    assert [c.area_id for c in comparisons] == ["up", "down", "close", "unrated", "missing"]
    assert by_area["up"].delta == pytest.approx(1.0)  # manager - self
    assert by_area["up"].blind_spot
    assert by_area["down"].delta == pytest.approx(-1.25)
    assert by_area["down"].blind_spot
    assert by_area["close"].delta == pytest.approx(0.9)
    assert not by_area["close"].blind_spot
    assert by_area["unrated"].delta is None
    assert not by_area["unrated"].blind_spot
    assert by_area["missing"].manager_score is None
    assert not by_area["missing"].blind_spot
    # side by side, never averaged
    assert (by_area["down"].self_score, by_area["down"].manager_score) == (3.5, 2.25)


# -- boundaries written in decimals must hold in binary floating point too ----------------------------------
# YAML weights and targets are decimals (0.1, 2.3); the rules in DESIGN.md are stated on those decimals.


def test_exactly_half_the_weight_answered_is_scored_with_decimal_weights() -> None:
    q = one_area([item("x", 0.1), item("y", 0.2), item("z", 0.3)])
    # z carries 0.3 of 0.6: exactly 50 %.  (0.1 + 0.2 + 0.3 is 0.6000000000000001 in floats.)
    assert result(q, {"z": 2}).score == pytest.approx(2.0)


def test_uniform_answers_score_exactly_that_value_and_meet_an_equal_target() -> None:
    q = build(area("a", [item("x", 0.1), item("y", 0.3)], 3, roadmap=[step("s", "first")]))
    profile = scoring.score(q, {"x": 3, "y": 3}, "mid")
    # Everyone answering 3 against a target of 3 has met it: no gap, no plan, not a top gap.
    assert profile.areas["a"].met is True
    assert profile.plan == []
    assert profile.top_gaps == []


@pytest.mark.parametrize("weights", [(0.1,), (0.3, 1.3)], ids=["one-item-0.1", "items-0.3-1.3"])
def test_score_never_exceeds_the_top_of_the_scale(weights: tuple[float, ...]) -> None:
    q = one_area([item(f"x{i}", w) for i, w in enumerate(weights)], target=3, scale=(0, 1, 2, 3))
    # Every item at the top (3) must give 3, not 3.0000000000000004.
    score = result(q, {f"x{i}": 3 for i in range(len(weights))}).score
    assert score is not None
    assert score <= 3


def test_score_never_falls_below_the_bottom_of_the_scale() -> None:
    q = build(area("a", [item("x", 0.7)], 3, roadmap=[step("s", "first")]), scale=(3, 4, 5))
    profile = scoring.score(q, {"x": 3}, "mid")
    score = profile.areas["a"].score
    # 0.7 * 3 / 0.7 is 2.9999999999999996 in floats: below the scale, and "below" a target of 3.
    assert score is not None
    assert score >= 3
    assert profile.areas["a"].met is True
    assert profile.plan == []


def test_readiness_of_someone_meeting_every_target_is_at_most_100() -> None:
    q = build(area("a", [item("x")], 1, weight=0.1), area("b", [item("y")], 1, weight=0.7))
    # Both attainments are 1; 100 * 0.7999999999999999 / 0.7999999999999999 gives 100.00000000000001,
    # which the database's CHECK (readiness <= 100) then refuses at submit.
    readiness = scoring.score(q, {"x": 2, "y": 2}, "mid").readiness
    assert readiness is not None
    assert readiness <= 100.0
    assert readiness == pytest.approx(100.0)


def test_step_min_gap_equal_to_a_decimal_gap_is_recommended() -> None:
    q = build(
        area(
            "a",
            [item(f"x{i}") for i in range(5)],
            2.3,
            roadmap=[step("half", "first", 0.5)],
        )
    )
    # score (1 + 2 + 2 + 2 + 2) / 5 = 1.8; gap 2.3 - 1.8 = 0.5 reaches min_gap 0.5.
    profile = scoring.score(q, {"x0": 1, "x1": 2, "x2": 2, "x3": 2, "x4": 2}, "mid")
    assert [e.step.id for e in profile.plan] == ["half"]
