"""Scoring at a target level, on the two-track ladder and the 24-area framework, worked out by hand.

tests/fixtures/two-track.yaml, scale 0..4, levels and their paths:
  engineer-1, engineer-2 (shared) -> senior, staff (ic) | manager, senior-manager (manager)
  senior  = engineer-1, engineer-2, senior        manager = engineer-1, engineer-2, manager
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from competency import scoring
from competency.questionnaire import Questionnaire, load_file, load_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TWO_TRACK = load_file(FIXTURES / "two-track.yaml")
WIDE = load_file(FIXTURES / "wide.yaml")


def answers(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((FIXTURES / "answers" / name).read_text(encoding="utf-8"))
    return data


IC = answers("two-track-ic.yaml")
MANAGER = answers("two-track-manager.yaml")


OLD_FIELDS = ("score", "target", "gap", "met", "attainment", "priority")


def numbers(result: scoring.AreaResult) -> dict[str, Any]:
    """The per-area numbers every release had (what the level adds is pinned by its own tests)."""
    return {k: v for k, v in result.as_dict().items() if k in OLD_FIELDS}


def in_play(q: Questionnaire, level: str) -> dict[str, list[str]]:
    return {a.id: [i.id for i in q.items_in_play(a, level)] for a in q.areas_in_play(level)}


# -- what is in play ---------------------------------------------------------------------------------------


def test_a_junior_is_asked_only_the_behaviours_without_a_level_or_at_their_own() -> None:
    assert in_play(TWO_TRACK, "engineer-1") == {
        "coding": ["code-tests"],
        "operations": ["ops-oncall", "ops-runbook"],
        "delivery": ["del-estimates", "del-heroics"],
    }


def test_an_ic_is_never_asked_a_manager_track_behaviour() -> None:
    # Staff's path is engineer-1, engineer-2, senior, staff: no manager-track level.
    staff = in_play(TWO_TRACK, "staff")
    assert "people-leadership" not in staff
    assert staff["mentoring"] == ["mentor-onboarding", "mentor-sponsor"]  # not mentor-coach (manager)
    assert staff["coding"] == ["code-tests", "code-review", "code-design", "code-standards"]


def test_a_manager_is_never_asked_an_ic_track_behaviour() -> None:
    # senior and staff are listed before manager but lie on the ic track: not on the manager's path.
    assert TWO_TRACK.path("manager") == ("engineer-1", "engineer-2", "manager")
    manager = in_play(TWO_TRACK, "manager")
    assert "architecture" not in manager
    assert manager["coding"] == ["code-tests", "code-review"]
    assert manager["people-leadership"] == ["lead-one-on-ones", "lead-hiring"]
    assert manager["mentoring"] == ["mentor-onboarding", "mentor-coach"]


def test_a_senior_manager_path_includes_the_manager_level_before_it() -> None:
    assert TWO_TRACK.path("senior-manager") == ("engineer-1", "engineer-2", "manager", "senior-manager")
    assert in_play(TWO_TRACK, "senior-manager")["people-leadership"] == [
        "lead-one-on-ones",
        "lead-hiring",
        "lead-org-design",
    ]


def test_the_wide_framework_has_19_to_24_areas_in_play_by_level() -> None:
    assert [len(WIDE.areas_in_play(level)) for level in WIDE.level_ids] == [19, 22, 24]


def test_a_level_the_definition_does_not_name_keeps_every_area_whose_items_carry_no_level() -> None:
    # Team views ask for the areas in play at a member's level, which another framework may not name;
    # items without a level are in play at any level, as item_in_play says (CI found a KeyError here).
    odd = load_file(FIXTURES / "odd-shape.yaml")
    assert "mid" not in odd.level_ids
    assert all(item.level is None for area in odd.areas for item in area.items)
    assert odd.areas_in_play("mid") == odd.areas_in_play("journeyman") == odd.areas


# -- targets ---------------------------------------------------------------------------------------------


def test_targets_resolve_from_a_mapping_a_number_or_the_framework_default() -> None:
    q = TWO_TRACK
    # coding: a mapping per level
    assert [q.target_for(q.area("coding"), lv) for lv in q.level_ids] == [1.5, 2, 3.5, 3.5, 2, 2]
    # operations: one number for every level
    assert {q.target_for(q.area("operations"), lv) for lv in q.level_ids} == {2.0}
    # delivery: no targets, so the top-level `target: 2`
    assert q.area("delivery").targets is None
    assert {q.target_for(q.area("delivery"), lv) for lv in q.level_ids} == {2.0}


def test_a_mapping_without_the_level_falls_back_to_the_framework_default() -> None:
    # wide: areas 1, 2, 4, ... have no targets (top-level 3); areas 0, 3, ... a mapping.
    assert WIDE.target_for(WIDE.area("testing"), "professional") == 3.0
    assert WIDE.target_for(WIDE.area("debugging"), "professional") == 3.5
    assert WIDE.target_for(WIDE.area("planning"), "principal") == 4.5


# -- the IC at senior, by hand -----------------------------------------------------------------------------
#
# coding (W 2, target 3.5): tests 3, review 3, design 3 (w 2)  -> (3 + 3 + 6) / 4 = 3.0
#     gap 0.5, attainment 3 / 3.5 = 6/7, priority 2 * 0.5 = 1
# operations (W 1, target 2, one number): oncall 3, incidents 2, runbook N/A -> 2.5, met by 0.5
# delivery (W 1, top-level target 2): estimates 2, heroics 3 reversed to 0 + 4 - 3 = 1 -> 1.5
#     gap 0.5, attainment 0.75, priority 0.5
# architecture (W 1.5, target 3): tradeoffs 2 -> 2.0, gap 1, attainment 2/3, priority 1.5
# mentoring (W 1, target 2.5): onboarding 3 -> 3.0, met by 0.5
# readiness = 100 * (2 * 6/7 + 1 + 0.75 + 1.5 * 2/3 + 1) / 6.5 = 100 * (153/28) / 6.5 = 15300/182
#
# Plan (phase, then b0, then priority desc, area, step):
#   coding at 3.0 aiming at 3.5: code-intro [0, 2] and code-review-practice [2, 3] lie below 3.0: left out;
#     code-design-doc [3, 4] (growth) and code-standards-lead [3, 4] (mastery, min_gap 0.5 <= 0.5) fit.
#   delivery at 1.5 -> 2: del-slicing [0, 2.5] (foundation) fits.
#   architecture at 2 -> 3: arch-adr [1, 3] (growth) fits; arch-forum [3, 4] starts at the target: left out.
#   foundation: del-slicing | growth: arch-adr (b0 1), code-design-doc (b0 3) | mastery: code-standards-lead


def test_ic_at_senior_scores_only_what_is_in_play() -> None:
    profile = scoring.score(TWO_TRACK, IC, "senior")
    assert list(profile.areas) == ["coding", "operations", "delivery", "architecture", "mentoring"]
    assert {k: numbers(v) for k, v in profile.areas.items()} == {
        "coding": dict(
            score=3.0, target=3.5, gap=0.5, met=False, attainment=pytest.approx(6 / 7), priority=1.0
        ),
        "operations": dict(score=2.5, target=2.0, gap=-0.5, met=True, attainment=1.0, priority=0.0),
        "delivery": dict(score=1.5, target=2.0, gap=0.5, met=False, attainment=0.75, priority=0.5),
        "architecture": dict(
            score=2.0, target=3.0, gap=1.0, met=False, attainment=pytest.approx(2 / 3), priority=1.5
        ),
        "mentoring": dict(score=3.0, target=2.5, gap=-0.5, met=True, attainment=1.0, priority=0.0),
    }
    assert profile.readiness_all == pytest.approx(15300 / 182)
    assert profile.strengths == ["operations", "mentoring"]  # both 0.5 over: area order
    assert profile.top_gaps == ["architecture", "coding", "delivery"]


def test_ic_at_senior_gets_the_steps_for_where_they_stand_in_the_documented_order() -> None:
    profile = scoring.score(TWO_TRACK, IC, "senior")
    assert [e.step.id for e in profile.plan] == [
        "del-slicing",
        "arch-adr",
        "code-design-doc",
        "code-standards-lead",
    ]
    assert [e.band for e in profile.plan] == [(0, 2.5), (1, 3), (3, 4), (3, 4)]


def test_a_person_at_3_aiming_at_3_5_gets_the_3_to_4_step_not_the_intro_course() -> None:
    plan = [e.step.id for e in scoring.score(TWO_TRACK, IC, "senior").plan if e.area_id == "coding"]
    assert plan == ["code-design-doc", "code-standards-lead"]
    assert "code-intro" not in plan


def test_a_junior_at_1_aiming_at_1_5_gets_the_intro_course() -> None:
    # engineer-1: coding has only code-tests in play; 1 -> 1.5 lies in code-intro's band [0, 2] only.
    profile = scoring.score(TWO_TRACK, {"code-tests": 1}, "engineer-1")
    assert [e.step.id for e in profile.plan] == ["code-intro"]


# -- the manager at manager, by hand -----------------------------------------------------------------------
#
# coding (W 2, target 2): tests 2, review 1 -> 1.5, gap 0.5, attainment 0.75, priority 1
# operations (target 2): 2, 3, 2 -> 7/3, met
# delivery (target 2): estimates 3, heroics 1 reversed to 3 -> 3.0, met by 1
# people-leadership (W 1.5, target 2.5): 3, 1 -> 2.0, gap 0.5, attainment 0.8, priority 0.75
# mentoring (W 1, target 3): onboarding 2, coach 2 -> 2.0, gap 1, attainment 2/3, priority 1
# readiness = 100 * (2 * 0.75 + 1 + 1 + 1.5 * 0.8 + 2/3) / 6.5 = 100 * (161/30) / 6.5 = 16100/195
# Plan: coding 1.5 -> 2: code-intro [0, 2] (foundation); code-review-practice starts at the target.
#       people-leadership 2 -> 2.5: lead-course [0, 2] ends at the score: out; lead-coach [2, 4] (growth).
#       mentoring 2 -> 3: mentor-buddy [0, 2] out; mentor-program [2, 4] (mastery).
# Top gaps: coding and mentoring both priority 1 (area order), then people-leadership 0.75.


def test_manager_at_manager_by_hand() -> None:
    profile = scoring.score(TWO_TRACK, MANAGER, "manager")
    assert list(profile.areas) == ["coding", "operations", "delivery", "people-leadership", "mentoring"]
    assert numbers(profile.areas["coding"]) == dict(
        score=1.5, target=2.0, gap=0.5, met=False, attainment=0.75, priority=1.0
    )
    assert profile.areas["operations"].score == pytest.approx(7 / 3)
    assert numbers(profile.areas["delivery"]) == dict(
        score=3.0, target=2.0, gap=-1.0, met=True, attainment=1.0, priority=0.0
    )
    assert numbers(profile.areas["people-leadership"]) == dict(
        score=2.0, target=2.5, gap=0.5, met=False, attainment=0.8, priority=0.75
    )
    assert profile.areas["mentoring"].attainment == pytest.approx(2 / 3)
    assert profile.readiness_all == pytest.approx(16100 / 195)
    assert [e.step.id for e in profile.plan] == ["code-intro", "lead-coach", "mentor-program"]
    assert profile.strengths == ["delivery", "operations"]
    assert profile.top_gaps == ["coding", "mentoring", "people-leadership"]


def test_areas_not_in_play_are_absent_from_the_profile() -> None:
    assert "people-leadership" not in scoring.score(TWO_TRACK, IC, "senior").areas
    assert "architecture" not in scoring.score(TWO_TRACK, MANAGER, "manager").areas
    junior = scoring.score(TWO_TRACK, {"code-tests": 2}, "engineer-1")
    assert list(junior.as_dict()["areas"]) == ["coding", "operations", "delivery"]


def test_an_area_in_play_but_unanswered_stays_in_the_profile_without_a_score() -> None:
    profile = scoring.score(TWO_TRACK, {"code-tests": 2}, "engineer-1")
    assert numbers(profile.areas["operations"]) == dict(
        score=None, target=2.0, gap=None, met=None, attainment=None, priority=None
    )


def test_the_same_answers_score_differently_at_another_level() -> None:
    # coding at engineer-2 asks tests and review only: (3 + 3) / 2 = 3.0 against target 2: met.
    profile = scoring.score(TWO_TRACK, {k: IC[k] for k in ("code-tests", "code-review")}, "engineer-2")
    assert numbers(profile.areas["coding"]) == dict(
        score=3.0, target=2.0, gap=-1.0, met=True, attainment=1.0, priority=0.0
    )


# -- the wide framework, by hand (scale 1..6, professional, no phases) ----------------------------------------
#
# 22 areas in play; weights 1.5 on areas 1, 5, 9, 13, 17, 21, else 1. Most are answered 4 and 4 (met).
#   testing (W 1.5, target 3): 2, 3 -> 2.5, attainment (2.5 - 1) / (3 - 1) = 0.75, priority 0.75
#   debugging (target 3.5): 3, 3 -> 3.0, attainment 2 / 2.5 = 0.8, priority 0.5
#   observability (target 3): 1, 2 -> 1.5, attainment 0.25, priority 1.5
#   planning (target 3): 2, 3 -> 2.5, attainment 0.75, priority 0.5
#   deployment: one of two items answered (3): exactly half the weight, scored 3.0 against 3: met
#   security (W 1.5): nothing answered: no score, left out of readiness
# readiness = 100 * (23.5 - 1.5 * 0.25 - 0.2 - 0.75 - 0.25) / 23.5 = 100 * 21.925 / 23.5
# Plan without phases: b0, then priority. Every *-basics step has band [1, 3]; debugging at 3.0 aiming at
# 3.5 gets debugging-depth [3, 5] (min_gap 0.5) instead, which sorts last by its b0.
# Strengths: sql 4.5 against 3 (1.5 over), then the first areas 1 over: code-review, apis.


def test_wide_framework_at_professional_by_hand() -> None:
    profile = scoring.score(WIDE, answers("wide.yaml"), "professional")
    assert len(profile.areas) == 22
    assert profile.areas["testing"].attainment == 0.75
    assert numbers(profile.areas["debugging"]) == dict(
        score=3.0, target=3.5, gap=0.5, met=False, attainment=0.8, priority=0.5
    )
    assert profile.areas["deployment"].score == 3.0
    assert profile.areas["security"].score is None
    # What professional adds to associate scores no lower than everything here: readiness is R_all.
    assert profile.readiness == profile.readiness_all == pytest.approx(100 * 21.925 / 23.5)
    assert [e.step.id for e in profile.plan] == [
        "observability-basics",
        "testing-basics",
        "planning-basics",
        "debugging-depth",
    ]
    assert all(e.phase_id is None for e in profile.plan)
    assert profile.strengths == ["sql", "code-review", "apis"]
    assert profile.top_gaps == ["observability", "testing", "debugging"]


# -- the band rule in isolation ----------------------------------------------------------------------------

BANDS = """\
id: bands
version: 1
title: Bands
scale: [{value: 0, label: a}, {value: 1, label: b}, {value: 2, label: c}, {value: 3, label: d}, {value: 4, label: e}]
levels: [senior]
phases: [{id: now}, {id: later}]
areas:
  - id: x
    title: X
    targets: {senior: 3.5}
    items: [{id: x1, text: X1}, {id: x2, text: X2}]
    roadmap:
      - {id: later-wide, phase: later, title: No band means the whole scale}
      - {id: intro, phase: now, band: [0, 2], title: Intro}
      - {id: high, phase: now, band: [3, 4], title: Three to four}
      - {id: mid, phase: now, band: [2, 3.5], title: Two to three and a half}
      - {id: big-gap, phase: now, band: [3, 4], min_gap: 1, title: Only for a big gap}
  - id: y
    title: Y
    weight: 3
    targets: {senior: 3.5}
    items: [{id: y1, text: Y1}]
    roadmap:
      - {id: y-high, phase: now, band: [3, 4], title: Y three to four}
"""


def test_the_plan_orders_by_phase_then_band_start_then_priority_then_area_then_step() -> None:
    q = load_text(BANDS)
    # x at 3.0 (gap 0.5, priority 0.5); y at 3.0 (gap 0.5, priority 1.5).
    profile = scoring.score(q, {"x1": 3, "x2": 3, "y1": 3}, "senior")
    # now: mid (b0 2), then b0 3: y-high (priority 1.5) before x's high; later: the unbanded step.
    # intro [0, 2] lies below 3.0; big-gap needs a gap of 1.
    assert [e.step.id for e in profile.plan] == ["mid", "y-high", "high", "later-wide"]


def test_a_step_whose_band_starts_at_the_target_or_ends_at_the_score_is_left_out() -> None:
    q = load_text(BANDS)
    # x at 2.0 aiming at 3.5: intro [0, 2] ends at the score (out); high [3, 4] starts below the target (in).
    profile = scoring.score(q, {"x1": 2, "x2": 2}, "senior")
    assert [e.step.id for e in profile.plan] == ["mid", "high", "big-gap", "later-wide"]


# -- answers out of play -----------------------------------------------------------------------------------


def test_check_answers_refuses_a_manager_track_item_for_an_ic_by_name() -> None:
    with pytest.raises(scoring.AnswerError) as excinfo:
        scoring.check_answers(TWO_TRACK, {**IC, "lead-hiring": 3}, "senior")
    assert excinfo.value.problems == [
        "lead-hiring: not asked at level 'senior' (expected from level 'manager' on another track)"
    ]


def test_check_answers_refuses_a_staff_item_for_a_junior_by_name() -> None:
    with pytest.raises(scoring.AnswerError) as excinfo:
        scoring.check_answers(TWO_TRACK, {"code-tests": 1, "code-standards": 2}, "engineer-1")
    assert excinfo.value.problems == [
        "code-standards: not asked at level 'engineer-1' (expected from level 'staff')"
    ]


def test_an_item_expected_later_on_the_same_track_is_not_said_to_be_on_another_track() -> None:
    with pytest.raises(scoring.AnswerError) as excinfo:
        scoring.check_answers(TWO_TRACK, {"code-standards": 2}, "senior")
    assert excinfo.value.problems == [
        "code-standards: not asked at level 'senior' (expected from level 'staff')"
    ]


def test_check_answers_accepts_the_fixture_answers_at_their_levels() -> None:
    scoring.check_answers(TWO_TRACK, IC, "senior")
    scoring.check_answers(TWO_TRACK, MANAGER, "manager")
    scoring.check_answers(WIDE, answers("wide.yaml"), "professional")


def test_check_answers_refuses_every_out_of_play_answer_at_once() -> None:
    with pytest.raises(scoring.AnswerError) as excinfo:
        scoring.check_answers(TWO_TRACK, MANAGER, "senior")
    assert [p.split(":")[0] for p in excinfo.value.problems] == [
        "lead-one-on-ones",
        "lead-hiring",
        "mentor-coach",
    ]


# -- what a level adds, readiness of both parts and the level reached per area, by hand -------------------
#
# IC at senior (P = engineer-2):
#   coding: senior brings code-design (w 2) -> added, new score 3.0 (own items), new attainment 6/7.
#     ladder: engineer-1 (code-tests 3 >= 1.5) met; engineer-2 (tests, review 3; own review 3 >= 2) met;
#     senior (3.0, own 3.0, < 3.5) not met -> reached engineer-2.
#   operations: target 2 throughout, no senior item -> not added; met at every level -> reached senior.
#   delivery: not added; 1.5 < 2 at engineer-1 already -> reached none.
#   architecture: not in play at engineer-2 -> added; new score 2.0 (arch-tradeoffs), attainment 2/3;
#     senior 2.0 < 3 -> reached none.
#   mentoring: target rises 1.5 -> 2.5, no senior item -> added with new score = score 3.0, attainment 1;
#     engineer-2 and senior met -> reached senior.
#   R_new = 100 * (2 * 6/7 + 1.5 * 2/3 + 1 * 1) / 4.5 = 100 * (26/7) / 4.5 = 2600/31.5
#   readiness = min(15300/182 = 84.07, 82.54) = 82.54


def test_ic_at_senior_what_senior_adds_by_hand() -> None:
    profile = scoring.score(TWO_TRACK, IC, "senior")
    added = {a: (r.added, r.new_score, r.new_attainment) for a, r in profile.areas.items()}
    assert added == {
        "coding": (True, 3.0, pytest.approx(6 / 7)),
        "operations": (False, None, None),
        "delivery": (False, None, None),
        "architecture": (True, 2.0, pytest.approx(2 / 3)),
        "mentoring": (True, 3.0, 1.0),
    }
    assert profile.previous_level == "engineer-2"
    assert profile.readiness_new == pytest.approx(2600 / 31.5)
    assert profile.readiness == pytest.approx(2600 / 31.5)


def test_ic_at_senior_ladder_and_level_reached_by_hand() -> None:
    profile = scoring.score(TWO_TRACK, IC, "senior")
    assert {a: r.ladder for a, r in profile.areas.items()} == {
        "coding": (("engineer-1", True), ("engineer-2", True), ("senior", False)),
        "operations": (("engineer-1", True), ("engineer-2", True), ("senior", True)),
        "delivery": (("engineer-1", False), ("engineer-2", False), ("senior", False)),
        "architecture": (("senior", False),),
        "mentoring": (("engineer-2", True), ("senior", True)),
    }
    assert {a: r.reached for a, r in profile.areas.items()} == {
        "coding": "engineer-2",
        "operations": "senior",
        "delivery": None,
        "architecture": None,
        "mentoring": "senior",
    }


# Manager at manager (P = engineer-2): coding (target 2 -> 2) and operations, delivery are not added;
# people-leadership is new (2.0 of 2.5: 0.8); mentoring's target rises 1.5 -> 3 and mentor-coach is its
# own item (2 -> 2/3). R_new = 100 * (1.5 * 0.8 + 1 * 2/3) / 2.5 = 2800/37.5; R_all = 16100/195.
# coding: engineer-1 met (2 >= 1.5), engineer-2 not (1.5 < 2; own review 1) -> reached engineer-1.


def test_manager_at_manager_what_manager_adds_by_hand() -> None:
    profile = scoring.score(TWO_TRACK, MANAGER, "manager")
    assert [a for a, r in profile.areas.items() if r.added] == ["people-leadership", "mentoring"]
    assert profile.areas["people-leadership"].new_attainment == pytest.approx(0.8)
    assert profile.areas["mentoring"].new_score == 2.0
    assert profile.readiness_new == pytest.approx(2800 / 37.5)
    assert profile.readiness == pytest.approx(2800 / 37.5)
    assert {a: r.reached for a, r in profile.areas.items()} == {
        "coding": "engineer-1",
        "operations": "manager",
        "delivery": "manager",
        "people-leadership": None,
        "mentoring": "engineer-2",
    }


def test_the_first_level_adds_everything_so_both_parts_agree() -> None:
    profile = scoring.score(TWO_TRACK, {"code-tests": 1, "ops-oncall": 2, "del-estimates": 2}, "engineer-1")
    assert profile.previous_level is None
    assert all(r.added for r in profile.areas.values())
    assert profile.readiness == profile.readiness_all == profile.readiness_new


def test_none_of_the_levels_own_behaviours_gives_no_readiness_for_what_it_adds() -> None:
    # Everything inherited at the top, nothing of what staff brings: staff is not "mostly ready".
    staff_items = {"code-standards", "arch-cross-team", "mentor-sponsor"}
    answers = {
        item.id: (0 if item.id in staff_items else 4)
        for area in TWO_TRACK.areas_in_play("staff")
        for item in TWO_TRACK.items_in_play(area, "staff")
    }
    answers["del-heroics"] = 0  # reversed: 4
    profile = scoring.score(TWO_TRACK, answers, "staff")
    assert profile.readiness_all is not None and profile.readiness_all > 75
    assert profile.readiness_new == 0.0
    assert profile.readiness == 0.0


def test_a_level_whose_behaviours_all_stopped_being_asked_does_not_block_the_level_reached() -> None:
    # alpha's only junior behaviour is asked until junior; at staff the person answered nothing of
    # junior's, so junior has no cell and the walk starts at mid.
    q = load_text(
        """
id: retired
version: 1
title: Retired habits
scale: [{value: 0, label: a}, {value: 1, label: b}, {value: 2, label: c}]
levels: [junior, mid, staff]
areas:
  - id: alpha
    title: Alpha
    targets: {junior: 1, mid: 1, staff: 2}
    items:
      - {id: habit, text: A junior habit, level: junior, until: junior}
      - {id: craft, text: Craft, level: mid}
      - {id: lead, text: Leading, level: staff}
"""
    )
    profile = scoring.score(q, {"craft": 2, "lead": 2}, "staff")
    assert profile.areas["alpha"].ladder == (("mid", True), ("staff", True))
    assert profile.areas["alpha"].reached == "staff"
