"""The two shipped frameworks (version 3) keep the rules an ML lead signed them off on.

Each test names one rule of the content (not of the format): levels that mean something and are carried
by their own behaviours, at most 70 statements at any level, specialisms with work of their own, one
behaviour per statement, jargon explained, roadmap steps with bands that cover every area, and a
readiness, ladder and focus that fit simulated people at every level.
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
from competency.services.demo import EARLIER_FOLDERS

FOLDER = resource_path("questionnaires")
ENGINEER, MANAGER = "ml-engineer", "ml-team-manager"

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


def test_the_engineer_ladder_runs_from_junior_to_staff_and_the_manager_ladder_is_by_scope() -> None:
    assert [lv.id for lv in load(ENGINEER).levels] == ["junior", "mid", "senior", "staff"]
    manager = load(MANAGER)
    assert [lv.id for lv in manager.levels] == ["team-manager", "multi-team-manager", "leads-managers"]
    first = manager.levels[0].description or ""
    # Not defined by time in role; the two people who arrive there each find themselves in it.
    assert "months" not in first.split("\n\n")[0] and "year" not in first.split("\n\n")[0]
    paragraphs = [p for p in first.split("\n\n") if p.strip()]
    assert len(paragraphs) >= 3
    assert any("new to ML" in p for p in paragraphs) and any("new to managing" in p for p in paragraphs)


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


def test_at_most_seventy_statements_are_asked_at_any_level_of_any_specialism(framework: Any) -> None:
    q, _ = framework
    for level in q.levels:
        for specialism in (None, *q.specialism_ids):
            count = statements(q, level.id, specialism)
            assert 30 <= count <= 70, (level.id, specialism, count)


def test_junior_habits_stop_being_asked_at_the_top(framework: Any) -> None:
    q, _ = framework
    retired = [item for area in q.areas for item in area.items if item.until is not None]
    assert len(retired) >= 10
    top = q.levels[-1].id
    asked = {item.id for area in areas_in_play(q, top) for item in items_in_play(q, area, top)}
    assert not {item.id for item in retired if item.until != top} & asked


# -- a level is carried by its own behaviours ------------------------------------------------------


def test_every_area_whose_target_rises_has_behaviours_of_that_level(framework: Any) -> None:
    q, _ = framework
    for level in q.levels[1:]:
        before = q.previous_level(level.id)
        assert before is not None
        for specialism in (None, *q.specialism_ids):
            for area in q.areas_in_play(level.id, specialism):
                rises = not q.area_in_play(area, before, specialism) or target(area, level.id) > target(
                    area, before
                )
                if rises:
                    own = [i for i in q.items_in_play(area, level.id, specialism) if i.level == level.id]
                    assert own, (area.id, level.id, specialism)


def test_nothing_of_what_a_level_adds_keeps_readiness_well_under_half(framework: Any) -> None:
    # The probe of the issue: the top of the scale on everything inherited, the bottom on every
    # behaviour of the level itself.
    q, _ = framework
    for level in q.levels[1:]:
        for specialism in (None, *q.specialism_ids):
            answers = {
                item.id: q.lo if item.level == level.id else q.hi
                for area in q.areas_in_play(level.id, specialism)
                for item in q.items_in_play(area, level.id, specialism)
            }
            profile = scoring.score(q, answers, level.id, specialism)
            assert profile.readiness_all is not None and profile.readiness_all > 50
            assert profile.readiness is not None and profile.readiness < 25, (
                level.id,
                specialism,
                profile.readiness,
            )


def test_own_behaviours_weigh_more_than_inherited_ones_above_the_first_level(framework: Any) -> None:
    q, _ = framework
    for level in q.levels[1:]:
        own = [i.weight for a in q.areas for i in a.items if i.level == level.id]
        assert own and sum(own) / len(own) > 1, level.id


# -- targets ---------------------------------------------------------------------------------------


def test_targets_rise_from_level_to_level_and_differ_by_area(framework: Any) -> None:
    q, _ = framework
    for area in q.areas:
        playing = [lv.id for lv in q.levels if in_play_for_anyone(q, area, lv.id)]
        values = [target(area, lv) for lv in playing]
        assert values == sorted(values) and values[-1] > values[0], (area.id, values)
    for level in q.levels:
        assert len({target(a, level.id) for a in areas_in_play(q, level.id)}) >= 3, level.id


def test_expert_is_not_what_the_top_level_means() -> None:
    # Staff is one step below the top of the scale: "Expert" (teaching it, shaping how the team does it)
    # is what some staff engineers are in some areas, not the bar for the level.
    for key, top in ((ENGINEER, "staff"), (MANAGER, "leads-managers")):
        q = load(key)
        assert all(target(a, top) <= q.hi - 0.5 for a in q.areas), key
    engineer, manager = load(ENGINEER), load(MANAGER)
    assert all(target(a, "junior") <= 2 for a in areas_in_play(engineer, "junior"))
    assert all(target(a, "team-manager") <= 2 for a in areas_in_play(manager, "team-manager"))


def test_people_management_weighs_more_than_ml_understanding_at_every_manager_level() -> None:
    q = load(MANAGER)
    people = [a for a in q.areas if a.group == "people"]
    understanding = [a for a in q.areas if a.group == "understanding"]
    assert {"expectations-feedback", "performance", "hiring-onboarding", "team-health"} <= {
        a.id for a in people
    }
    assert min(a.weight for a in people) > max(a.weight for a in understanding)
    for level in q.levels:
        assert all(q.area_in_play(a, level.id) for a in people), level.id


# -- specialisms -----------------------------------------------------------------------------------


def test_the_engineer_framework_has_three_specialisms_each_with_work_of_its_own() -> None:
    q = load(ENGINEER)
    assert q.specialism_ids == ("research", "platform", "llm-apps")
    for specialism in q.specialisms:
        assert specialism.description and len(specialism.description.split()) >= 15
        own = [a for a in q.areas if a.specialism == specialism.id]
        assert own, specialism.id
        for level in q.levels:
            asked = {a.id for a in q.areas_in_play(level.id, specialism.id)}
            assert {a.id for a in own} <= asked or level.id == "junior", (specialism.id, level.id)
    generalist = {a.id for lv in q.level_ids for a in q.areas_in_play(lv)}
    assert not generalist & {a.id for a in q.areas if a.specialism}


def test_a_specialists_strength_counts_towards_their_readiness() -> None:
    q = load(ENGINEER)
    strong = {"modelling-research", "math-stats", "ml-algorithms", "training-evaluation", "deep-learning"}
    rate = {"senior": lambda a, i: 4 if a.id in strong else 2}
    research = person(q, "senior", "research", rate["senior"])
    generalist = person(q, "senior", None, rate["senior"])
    assert "modelling-research" in research.areas and "modelling-research" not in generalist.areas
    assert research.readiness is not None and generalist.readiness is not None
    assert research.readiness > generalist.readiness


# -- items -----------------------------------------------------------------------------------------


def test_no_item_is_reverse_scored(framework: Any) -> None:
    q, raw = framework
    assert not any(item.reverse for area in q.areas for item in area.items)
    assert not any("reverse" in item for area in raw["areas"] for item in area["items"])


def test_optional_items_say_when_not_applicable_is_the_right_answer(framework: Any) -> None:
    q, _ = framework
    for item in [item for area in q.areas for item in area.items if item.optional]:
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


def test_every_manager_statement_has_help_for_a_manager_new_to_ml() -> None:
    q = load(MANAGER)
    assert all(item.help for area in q.areas for item in area.items)


def test_items_state_one_observable_behaviour_in_the_first_person(framework: Any) -> None:
    q, _ = framework
    for area in q.areas:
        assert 3 <= len(area.items) <= 11, area.id
        for item in area.items:
            assert item.text.startswith(FIRST_WORDS), item.id
            assert len(item.text) <= 200, item.id
            # One behaviour: no "and/or", no second "I ..." clause, no list joined by a semicolon.
            assert not re.search(r" and/or |\band I\b|;", item.text), (item.id, item.text)
            # Behaviour a scale can rate, not a fact or a pledge.
            assert not re.search(r"\b(always|never)\b|\bI own\b|\bask me\b|\bcome to me\b", item.text), (
                item.id
            )


def test_areas_say_what_their_scale_means_where_it_means_something_specific(framework: Any) -> None:
    q, _ = framework
    anchored = [a for a in q.areas if a.anchors]
    assert len(anchored) >= 2
    for area in anchored:
        assert set(area.anchors) <= set(q.scale_values) and len(area.anchors) >= 3, area.id


def test_the_summary_says_what_the_results_are_for_and_who_sees_them(framework: Any) -> None:
    q, _ = framework
    summary = q.summary or ""
    assert "development conversations" in summary
    assert "not a performance rating" in summary and "promotion" in summary
    assert "HR" in summary and "manager" in summary


def test_the_2026_practice_is_asked_and_planned() -> None:
    words = {
        "AI Act": r"ai act",
        "AI literacy duty": r"ai literacy",
        "labelling generated content": r"label",
        "DPIA": r"\bdpia|data protection impact",
        "retention": r"retention",
        "shadow and canary": r"canary",
        "agents and tools": r"\bagents?\b",
        "AI-assisted coding": r"assist",
        "model supply chain": r"safetensors|open weights|open-weight",
    }
    for key in (ENGINEER, MANAGER):
        q = load(key)
        texts = " ".join(
            [i.text + " " + (i.help or "") for a in q.areas for i in a.items]
            + [s.title + " " + (s.detail or "") for a in q.areas for s in a.roadmap]
        ).lower()
        for topic, pattern in words.items():
            assert re.search(pattern, texts), (key, topic)


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


def test_bands_cover_each_area_from_the_bottom_of_the_scale_to_its_highest_target(framework: Any) -> None:
    q, _ = framework
    for area in q.areas:
        top = max(target(area, lv.id) for lv in q.levels if in_play_for_anyone(q, area, lv.id))
        reach = float(q.lo)
        for b0, b1 in sorted(bands(area)):
            assert b0 <= reach, f"{area.id}: no step builds {reach:g} to {b0:g}"
            reach = max(reach, b1)
        assert reach >= top, f"{area.id}: steps stop at {reach:g}, the highest target is {top:g}"


def test_every_large_area_has_two_first_steps(framework: Any) -> None:
    q, _ = framework
    for area in q.areas:
        if len(area.items) >= 5:
            first = [b for b in bands(area) if b[0] == q.lo]
            assert len(first) >= 2, area.id


def test_career_changer_and_portfolio_steps_are_for_the_lowest_band_only(framework: Any) -> None:
    q, _ = framework
    for area in q.areas:
        for step in area.roadmap:
            words = f"{step.title} {step.detail}".lower()
            if re.search(
                r"internal move|kaggle competition|portfolio project|personal portfolio|train a small model",
                words,
            ):
                assert step.band is not None and step.band[1] <= 1.5, step.id
                assert step.min_gap > 0, step.id


def test_no_step_is_out_of_reach(framework: Any) -> None:
    """A step whose band starts at or above every target of its area would never be recommended."""
    q, _ = framework
    for area in q.areas:
        top = max(target(area, lv.id) for lv in q.levels if in_play_for_anyone(q, area, lv.id))
        for step in area.roadmap:
            assert step.band is not None and step.band[0] < top, step.id


def test_the_focus_is_three_areas_of_two_steps(framework: Any) -> None:
    q, _ = framework
    assert (q.focus_size.areas, q.focus_size.steps) == (3, 2)


# -- simulated people: a readiness, a ladder grid and a focus that fit them ---------------------------


def test_a_new_graduate_starts_with_first_steps_only() -> None:
    q = load(ENGINEER)
    profile = person(q, "junior", None, lambda a, i: 1 if i.weight <= 1 else 0)
    assert 0 < len(profile.focus) <= 6
    assert all(e.band[0] == q.lo for e in profile.focus)
    assert {e.step.id for e in profile.focus} & {"prog-python-data", "data-sql-practice", "algo-ng-course"}


def test_a_software_engineer_new_to_ml_is_sent_to_ml_not_to_programming() -> None:
    q = load(ENGINEER)
    software = {
        "programming",
        "system-design",
        "data-databases",
        "cloud-ml",
        "production-data",
        "ml-operations",
    }
    profile = person(q, "mid", None, lambda a, i: 3 if a.id in software else 1)
    assert profile.focus and not {e.area_id for e in profile.focus} & software
    assert all(profile.areas[a].reached == "mid" for a in software)


def test_a_flat_independent_at_mid_meets_every_mid_cell() -> None:
    q = load(ENGINEER)
    profile = person(q, "mid", None, lambda a, i: 3)
    assert profile.readiness == 100.0 and profile.focus == [] and profile.plan == []
    assert all(dict(r.ladder)["mid"] for r in profile.areas.values())


def test_specialists_get_a_focus_where_they_are_behind_not_in_their_specialism() -> None:
    q = load(ENGINEER)
    research = {"math-stats", "ml-algorithms", "training-evaluation", "deep-learning", "modelling-research"}
    platform = {
        "mlops-deployment",
        "ml-platform",
        "cloud-ml",
        "ml-operations",
        "programming",
        "production-data",
    }
    for specialism, strong in (("research", research), ("platform", platform)):
        profile = person(q, "senior", specialism, lambda a, i, s=strong: 4 if a.id in s else 2)
        assert 0 < len(profile.focus) <= 6
        assert not {e.area_id for e in profile.focus} & strong, specialism
        assert all(profile.areas[a].reached == "senior" for a in strong if a in profile.areas)


def test_a_staff_engineer_strong_everywhere_but_in_staff_behaviours_reads_as_not_yet_staff() -> None:
    q = load(ENGINEER)
    ready = person(q, "staff", None, lambda a, i: 3 if i.level == "staff" else 4)
    assert ready.readiness is not None and ready.readiness > 80 and len(ready.focus) <= 6
    not_yet = person(q, "staff", None, lambda a, i: 1 if i.level == "staff" else 4)
    assert not_yet.readiness is not None and not_yet.readiness < 40 < (not_yet.readiness_all or 0)
    assert all(r.reached in ("senior", "staff") for r in not_yet.areas.values())
    assert all(e.band[1] > 2 for e in not_yet.focus)


def test_a_first_time_manager_from_engineering_starts_with_people_management() -> None:
    q = load(MANAGER)
    people = {a.id for a in q.areas if a.group == "people"}
    profile = person(q, "team-manager", None, lambda a, i: 1 if a.id in people else 3)
    assert profile.focus and {e.area_id for e in profile.focus} <= people


def test_an_experienced_manager_new_to_ml_starts_with_ml_not_people_management() -> None:
    q = load(MANAGER)
    people = {a.id for a in q.areas if a.group == "people"}
    profile = person(q, "team-manager", None, lambda a, i: 3 if a.id in people else 0)
    assert 0 < len(profile.focus) <= 6
    assert not {e.area_id for e in profile.focus} & people
    assert all(e.band[0] == q.lo for e in profile.focus)


def test_a_manager_of_managers_is_not_told_to_do_a_hands_on_ml_project() -> None:
    q = load(MANAGER)
    profile = person(q, "leads-managers", None, lambda a, i: 2 if i.level == "leads-managers" else 3)
    assert 0 < len(profile.focus) <= 6
    hands_on = {"lit-small-project"}
    assert not {e.step.id for e in profile.plan} & hands_on
    assert all(e.band[0] >= 1 for e in profile.focus)


def test_no_plan_step_builds_a_stretch_wholly_below_the_persons_score(framework: Any) -> None:
    q, _ = framework
    for level, specialism, answers in people(q, 300):
        profile = scoring.score(q, answers, level, specialism)
        for entry in profile.plan:
            score = profile.areas[entry.area_id].score
            assert score is not None and entry.band[1] > score, (level, entry.step.id, score)
            assert entry.band[0] < profile.areas[entry.area_id].target
        assert len(profile.focus) <= q.focus_size.areas * q.focus_size.steps


def test_the_demo_keeps_versions_1_and_2_for_its_earlier_cycles() -> None:
    """Earlier versions as they shipped: the demo's history spans three versions."""
    for key in (ENGINEER, MANAGER):
        first, second, now = (
            load_file(EARLIER_FOLDERS[1] / f"{key}.yaml"),
            load_file(EARLIER_FOLDERS[2] / f"{key}.yaml"),
            load(key),
        )
        assert (first.version, second.version, now.version) == (1, 2, 3)
        assert any(item.reverse for area in first.areas for item in area.items)


# -- helpers ---------------------------------------------------------------------------------------


def statements(q: Questionnaire, level: str, specialism: str | None = None) -> int:
    return sum(len(q.items_in_play(a, level, specialism)) for a in q.areas_in_play(level, specialism))


def in_play_for_anyone(q: Questionnaire, area: Area, level: str) -> bool:
    return any(q.area_in_play(area, level, s) for s in (None, *q.specialism_ids))


def person(
    q: Questionnaire, level: str, specialism: str | None, rate: Callable[[Area, Item], int]
) -> scoring.Profile:
    answers: dict[str, int | None] = {
        item.id: rate(area, item)
        for area in q.areas_in_play(level, specialism)
        for item in q.items_in_play(area, level, specialism)
    }
    return scoring.score(q, answers, level, specialism)


def people(q: Questionnaire, n: int) -> Iterator[tuple[str, str | None, dict[str, int | None]]]:
    """Random people at random levels and specialisms, each area rated around a level of its own."""
    rng = random.Random(f"shipped:{q.id}")
    for _ in range(n):
        level = rng.choice([lv.id for lv in q.levels])
        specialism = rng.choice([None, *q.specialism_ids])
        centre = {area.id: rng.uniform(q.lo, q.hi) for area in q.areas}
        answers: dict[str, int | None] = {}
        for area in q.areas_in_play(level, specialism):
            for item in q.items_in_play(area, level, specialism):
                value = round(min(q.hi, max(q.lo, rng.gauss(centre[area.id], 0.7))))
                answers[item.id] = None if item.optional and rng.random() < 0.2 else value
        yield level, specialism, answers
