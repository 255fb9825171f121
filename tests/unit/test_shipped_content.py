"""The two shipped frameworks keep the rules an ML lead signed them off on.

Each test names one rule of the content (not of the format): levels that mean something, areas in
sections with expectations per level, no reverse items, jargon explained, roadmap steps with bands that
cover every area up to its highest target, and plans that fit simulated people at every level.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import yaml

from competency import scoring
from competency.questionnaire import Area, Item, Questionnaire, load_file
from competency.resources import resource_path
from competency.services.demo import VERSION1_FOLDER

FOLDER = resource_path("questionnaires")
ENGINEER, MANAGER = "ml-engineer", "ml-team-manager"

#: Areas whose staff target is the top of the scale: what a staff engineer is expected to master.
ENGINEER_CORE = (
    "programming", "training-evaluation", "mlops-deployment", "system-design", "problem-framing",
    "technical-leadership",
)  # fmt: skip
#: Terms a manager new to ML may not know (regular expressions): an item that uses one explains it in
#: its `help`, or an earlier item of the same area did.
JARGON = (
    r"\bsvms?\b", r"support vector", r"\bf1\b", r"\bauc\b", r"\broc\b", r"\bdrift", r"normalis",
    r"\bprecision\b", r"\brecall\b", r"\brag\b", r"retrieval-augmented", r"\blora\b", r"fine-tun",
    r"embedding", r"hyperparameter", r"overfitting", r"regularisation", r"cross-validation", r"leakage",
    r"k-means", r"\bknn\b", r"\bensemble", r"\bgradients?\b", r"backprop", r"\bcnns?\b", r"\bgans?\b",
    r"transformer", r"\bslos?\b", r"service-level", r"runbook", r"ci/cd", r"container", r"feature store",
    r"data contract", r"training-serving skew", r"prompt injection", r"red-team", r"\bshap\b",
    r"model card", r"\bllms?\b", r"quantis", r"spot or preemptible", r"nosql", r"\bbi\b", r"confusion matri",
    r"calibration", r"bayes", r"confidence interval", r"hypothesis test", r"vectorised", r"ai act",
    r"gdpr", r"personal data", r"model registry", r"\blabels?\b", r"sponsorship", r"lineage",
)  # fmt: skip


#: How an item may start: a statement about what the person does ("I ...", "When ..., I ...").
FIRST_WORDS = ("I ", "Before ", "When ", "Given ", "For ", "In ", "During ", "My ", "Each ", "Whenever ",
               "Other ", "People ")  # fmt: skip


@pytest.fixture(scope="module", params=[ENGINEER, MANAGER])
def framework(request: pytest.FixtureRequest) -> tuple[Questionnaire, dict[str, Any]]:
    """The loaded framework and its raw YAML (to see what the author wrote, before defaults apply)."""
    path = FOLDER / f"{request.param}.yaml"
    return load_file(path), yaml.safe_load(path.read_text(encoding="utf-8"))


def load(key: str) -> Questionnaire:
    return load_file(FOLDER / f"{key}.yaml")


# -- what is in play (DESIGN.md "Levels, tracks and what is in play") -----------------------------


def items_in_play(q: Questionnaire, area: Area, level: str) -> list[Item]:
    return q.items_in_play(area, level)


def areas_in_play(q: Questionnaire, level: str) -> list[Area]:
    return q.areas_in_play(level)


def target(area: Area, level: str) -> float:
    # Targets are written per level in both files: a number for every level would say nothing.
    assert isinstance(area.targets, dict), area.id
    return float(area.targets[level])


def bands(area: Area) -> list[tuple[float, float]]:
    return [(float(step.band[0]), float(step.band[1])) for step in area.roadmap if step.band is not None]


# -- levels, groups, expectations ------------------------------------------------------------------


def test_every_level_says_what_it_means_in_scope_autonomy_and_influence(framework: Any) -> None:
    q, _ = framework
    assert len(q.levels) >= 3
    for level in q.levels:
        assert level.label and level.description, level.id
        words = level.description.lower()
        assert "scope" in words and "autonomy" in words and "influence" in words, level.id


def test_the_engineer_ladder_runs_from_junior_to_staff_and_the_manager_ladder_to_leading_managers() -> None:
    assert [lv.id for lv in load(ENGINEER).levels] == ["junior", "mid", "senior", "staff"]
    manager = load(MANAGER)
    assert [lv.id for lv in manager.levels] == ["new-to-ml", "established", "leads-managers"]
    assert "First-time manager of an ML team" in (manager.levels[0].description or "")


def test_every_area_sits_in_a_group_and_every_group_is_used(framework: Any) -> None:
    q, _ = framework
    groups = [g.id for g in q.groups]
    assert len(groups) >= 3
    assert all(area.group in groups for area in q.areas)
    assert {area.group for area in q.areas} == set(groups)


def test_every_area_says_what_each_level_looks_like_where_it_is_in_play(framework: Any) -> None:
    q, _ = framework
    for level in q.levels:
        for area in areas_in_play(q, level.id):
            expectation = (area.expectations or {}).get(level.id)
            assert expectation and len(expectation.split()) >= 8, (area.id, level.id)


def test_every_level_has_areas_and_items_in_play_and_higher_levels_ask_more(framework: Any) -> None:
    q, _ = framework
    counts = [sum(len(items_in_play(q, a, lv.id)) for a in q.areas) for lv in q.levels]
    assert counts[0] >= 30 and counts == sorted(counts) and counts[-1] > counts[0], counts


def test_behaviours_of_the_higher_levels_are_tagged_so_a_beginner_never_rates_them(framework: Any) -> None:
    q, _ = framework
    for level in q.levels[1:]:
        assert any(item.level == level.id for area in q.areas for item in area.items), level.id


# -- targets ---------------------------------------------------------------------------------------


def test_targets_rise_from_level_to_level_and_differ_by_area(framework: Any) -> None:
    q, _ = framework
    for area in q.areas:
        playing = [lv.id for lv in q.levels if items_in_play(q, area, lv.id)]
        values = [target(area, lv) for lv in playing]
        assert values == sorted(values) and values[-1] > values[0], (area.id, values)
    for level in q.levels:
        assert len({target(a, level.id) for a in areas_in_play(q, level.id)}) >= 3, level.id


def test_the_top_level_reaches_the_top_of_the_scale_in_the_core_areas() -> None:
    engineer = load(ENGINEER)
    at_top = {a.id for a in engineer.areas if target(a, "staff") == engineer.hi}
    assert at_top == set(ENGINEER_CORE)
    manager = load(MANAGER)
    assert sum(target(a, "leads-managers") == manager.hi for a in manager.areas) >= 3
    # Nobody new to a role is expected to be an expert in anything.
    assert all(target(a, "junior") <= 2 for a in areas_in_play(engineer, "junior"))
    assert all(target(a, "new-to-ml") <= 2 for a in areas_in_play(manager, "new-to-ml"))


# -- items -----------------------------------------------------------------------------------------


def test_no_item_is_reverse_scored(framework: Any) -> None:
    q, raw = framework
    assert not any(item.reverse for area in q.areas for item in area.items)
    assert not any("reverse" in item for area in raw["areas"] for item in area["items"])


def test_the_six_former_reverse_items_are_positive_statements_now() -> None:
    ids = {item.id for key in (ENGINEER, MANAGER) for area in load(key).areas for item in area.items}
    gone = {"ops-handoff", "eval-metric-reliance", "frame-metric-later", "mlops-done-at-deploy",
            "role-output-counting", "plan-fixed-promises"}  # fmt: skip
    assert not gone & ids
    assert {"ops-ownership", "eval-setup-written", "frame-success-measure", "mlops-maintenance-planned",
            "role-evidence-progress", "plan-commit-after-exploration"} <= ids  # fmt: skip


def test_optional_items_say_when_not_applicable_is_the_right_answer(framework: Any) -> None:
    q, _ = framework
    optional = [item for area in q.areas for item in area.items if item.optional]
    assert len(optional) >= 4
    for item in optional:
        assert item.help and "not applicable" in item.help, item.id


def test_every_item_that_uses_jargon_explains_it(framework: Any) -> None:
    q, _ = framework
    for area in q.areas:
        explained = ""
        for item in area.items:
            # An earlier item of the same area may have explained the term already.
            explained += " " + (item.help or "").lower()
            for term in JARGON:
                if re.search(term, item.text.lower()):
                    assert re.search(term, explained), (area.id, item.id, term)


def test_items_state_one_observable_behaviour_in_the_first_person(framework: Any) -> None:
    q, _ = framework
    for area in q.areas:
        assert 3 <= len(area.items) <= 11, area.id
        for item in area.items:
            assert item.text.startswith(FIRST_WORDS), item.id
            assert len(item.text) <= 200, item.id


def test_the_summary_says_what_the_results_are_for_and_who_sees_them(framework: Any) -> None:
    q, _ = framework
    summary = q.summary or ""
    assert "development conversations" in summary
    assert "not a performance rating" in summary and "promotion" in summary
    assert "HR" in summary and "manager" in summary


# -- roadmap steps ---------------------------------------------------------------------------------


def test_every_step_has_a_band_a_done_when_and_real_resources(framework: Any) -> None:
    q, raw = framework
    for area in raw["areas"]:
        for step in area["roadmap"]:
            assert "band" in step, step["id"]
    for area in q.areas:
        for step in area.roadmap:
            assert step.detail and "Done when" in step.detail, step.id
            assert step.resources, step.id
            for resource in step.resources:
                assert resource.url.startswith("https://"), resource.url
                if re.search(r"\.(de|fr|es|it)/", resource.url):
                    assert "(in " in resource.title, resource.title


def test_bands_cover_each_area_from_the_bottom_of_the_scale_to_its_highest_target(framework: Any) -> None:
    q, _ = framework
    for area in q.areas:
        top = max(target(area, lv.id) for lv in q.levels if items_in_play(q, area, lv.id))
        reach = float(q.lo)
        for b0, b1 in sorted(bands(area)):
            assert b0 <= reach, f"{area.id}: no step builds {reach:g} to {b0:g}"
            reach = max(reach, b1)
        assert reach >= top, f"{area.id}: steps stop at {reach:g}, the highest target is {top:g}"


def test_every_area_has_first_steps_practice_and_steps_for_leading_where_targets_go_there(
    framework: Any,
) -> None:
    q, _ = framework
    for area in q.areas:
        top = max(target(area, lv.id) for lv in q.levels if items_in_play(q, area, lv.id))
        spans = bands(area)
        assert any(b0 == q.lo and b1 <= 2 for b0, b1 in spans), f"{area.id}: no first step"
        assert any(b0 >= 1 and b1 == 3 for b0, b1 in spans), f"{area.id}: no independent practice"
        if top > 3:
            assert any(b0 >= 3 for b0, b1 in spans), f"{area.id}: no step for leading and teaching"


def test_no_step_is_out_of_reach(framework: Any) -> None:
    """A step whose band starts at or above every target of its area would never be recommended."""
    q, _ = framework
    for area in q.areas:
        top = max(target(area, lv.id) for lv in q.levels if items_in_play(q, area, lv.id))
        for step in area.roadmap:
            assert step.band is not None and step.band[0] < top, step.id


# -- plans of simulated people ---------------------------------------------------------------------


def answers_for(q: Questionnaire, level: str, rate: Callable[[Area], int]) -> dict[str, int | None]:
    """Every item in play rated as `rate` says for its area."""
    return {item.id: rate(area) for area in areas_in_play(q, level) for item in items_in_play(q, area, level)}


def plan_of(q: Questionnaire, level: str, rate: Callable[[Area], int]) -> list[scoring.PlanEntry]:
    profile = scoring.score(q, answers_for(q, level, rate), level)
    return profile.plan


def step_bands(plan: list[scoring.PlanEntry]) -> list[tuple[float, float]]:
    return [entry.band for entry in plan]


def test_a_complete_beginner_gets_a_plan_to_start_on_monday() -> None:
    q = load(ENGINEER)
    plan = plan_of(q, "junior", lambda area: 0)
    assert 6 <= len(plan) <= 12
    # Only first steps, and the first phase is a handful of things to start with.
    assert all(b0 == 0 and b1 <= 2 for b0, b1 in step_bands(plan))
    assert 3 <= sum(1 for e in plan if e.phase_id == "foundation") <= 6
    ids = {e.step.id for e in plan}
    # The path into ML from the seeds: get close to an ML team, Python, SQL, the named courses.
    assert {"frame-ml-team-shadowing", "prog-python-data", "data-sql-practice", "algo-ng-course"} <= ids


def test_a_flat_independent_senior_gets_only_steps_for_leading_and_teaching() -> None:
    q = load(ENGINEER)
    plan = plan_of(q, "senior", lambda area: 3)
    assert 3 <= len(plan) <= 8
    assert all(b0 >= 3 for b0, _ in step_bands(plan))
    assert "algo-ng-course" not in {e.step.id for e in plan}


def test_a_specialist_expert_in_three_core_areas_gets_steps_only_where_they_are_behind() -> None:
    q = load(ENGINEER)
    expert = {"ml-algorithms", "training-evaluation", "deep-learning"}
    guided = {"cloud-ml", "ml-operations"}
    plan = plan_of(q, "senior", lambda a: 4 if a.id in expert else 2 if a.id in guided else 3)
    assert 3 <= len(plan) <= 8
    assert not {e.area_id for e in plan} & expert
    for entry in plan:
        b0, _ = entry.band
        assert b0 >= (2 if entry.area_id in guided else 3), entry.step.id


def test_a_staff_engineer_expert_in_the_core_gets_the_leading_steps_of_the_other_areas() -> None:
    q = load(ENGINEER)
    plan = plan_of(q, "staff", lambda a: 4 if a.id in ENGINEER_CORE else 3)
    assert 5 <= len(plan) <= 12
    assert all(b0 >= 3 for b0, _ in step_bands(plan))
    assert not {e.area_id for e in plan} & set(ENGINEER_CORE)


def test_a_guided_mid_level_engineer_gets_independent_practice_not_the_introductions() -> None:
    q = load(ENGINEER)
    plan = plan_of(q, "mid", lambda area: 2)
    assert 4 <= len(plan) <= 12
    assert all(b0 >= 1 and b1 == 3 for b0, b1 in step_bands(plan))


def test_a_manager_new_to_ml_gets_the_ml_basics_and_nothing_on_one_to_ones_they_already_hold() -> None:
    q = load(MANAGER)
    people = {"mentorship", "communication", "planning-uncertainty", "ml-engineer-role"}
    plan = plan_of(q, "new-to-ml", lambda a: 3 if a.id in people else 0)
    assert 4 <= len(plan) <= 8
    assert not {e.area_id for e in plan} & people
    assert all(b0 == 0 for b0, _ in step_bands(plan))
    beginner = plan_of(q, "new-to-ml", lambda a: 0)
    assert len(beginner) <= 10 and all(e.phase_id == "foundation" for e in beginner)


def test_a_manager_of_managers_gets_steps_for_the_organisation_not_the_basics() -> None:
    q = load(MANAGER)
    plan = plan_of(q, "leads-managers", lambda a: 3)
    assert 3 <= len(plan) <= 10
    assert all(b0 >= 3 for b0, _ in step_bands(plan))
    assert "ment-manager-basics" not in {e.step.id for e in plan}


def people(q: Questionnaire, n: int) -> Iterator[tuple[str, dict[str, int | None]]]:
    """Random people at random levels, each area rated around a level of its own."""
    rng = random.Random(f"shipped:{q.id}")
    for _ in range(n):
        level = rng.choice([lv.id for lv in q.levels])
        centre = {area.id: rng.uniform(q.lo, q.hi) for area in q.areas}
        answers: dict[str, int | None] = {}
        for area in areas_in_play(q, level):
            for item in items_in_play(q, area, level):
                value = round(min(q.hi, max(q.lo, rng.gauss(centre[area.id], 0.7))))
                answers[item.id] = None if item.optional and rng.random() < 0.2 else value
        yield level, answers


def test_no_plan_step_builds_a_stretch_wholly_below_the_persons_score(framework: Any) -> None:
    q, _ = framework
    for level, answers in people(q, 300):
        profile = scoring.score(q, answers, level)
        for entry in profile.plan:
            score = profile.areas[entry.area_id].score
            assert score is not None and entry.band[1] > score, (level, entry.step.id, score)
            assert entry.band[0] < profile.areas[entry.area_id].target


def test_the_demo_keeps_version_1_for_its_earlier_cycles() -> None:
    """Version 1 as it shipped (reverse items, three levels): the demo's history spans both versions."""
    for key in (ENGINEER, MANAGER):
        old, new = load_file(VERSION1_FOLDER / f"{key}.yaml"), load(key)
        assert (old.id, old.version, new.version) == (key, 1, 2)
        assert any(item.reverse for area in old.areas for item in area.items)
        assert len(old.levels) == 3
