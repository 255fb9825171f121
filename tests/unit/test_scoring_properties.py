"""Properties of scoring that must hold for every valid questionnaire and every set of answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from competency import scoring
from competency.questionnaire import Questionnaire

SETTINGS = settings(max_examples=100, deadline=None)

# Weights, targets and gaps are written as decimals in YAML; draw the kind of numbers authors write.
WEIGHTS = [0.1, 0.2, 0.25, 0.3, 0.5, 0.7, 1, 1.3, 1.5, 2, 3]
MIN_GAPS = [0, 0.25, 0.5, 1, 1.5, 2, 3]
LEVEL_NAMES = ["junior", "mid", "senior", "lead", "apprentice", "master"]


@dataclass(frozen=True)
class Case:
    q: Questionnaire
    answers: dict[str, int | None]
    level: str


@st.composite
def questionnaires(draw: st.DrawFn) -> Questionnaire:
    points = draw(st.integers(3, 7))
    start = draw(st.integers(-2, 3))
    steps = draw(st.lists(st.integers(1, 3), min_size=points - 1, max_size=points - 1))
    values = [start]
    for delta in steps:
        values.append(values[-1] + delta)
    lo, hi = values[0], values[-1]
    levels = draw(st.lists(st.sampled_from(LEVEL_NAMES), min_size=1, max_size=3, unique=True))
    phases = [f"phase-{i}" for i in range(draw(st.integers(1, 4)))]
    # Targets on a quarter grid within the scale, as an author would write them.
    targets = st.integers(0, (hi - lo) * 4).map(lambda k: lo + k / 4)
    areas = []
    for a in range(draw(st.integers(1, 4))):
        items = [
            {
                "id": f"i{a}-{i}",
                "text": f"Statement {a}.{i}",
                "weight": draw(st.sampled_from(WEIGHTS)),
                "reverse": draw(st.booleans()),
                "optional": draw(st.booleans()),
            }
            for i in range(draw(st.integers(1, 4)))
        ]
        roadmap = [
            {
                "id": f"s{a}-{s}",
                "phase": draw(st.sampled_from(phases)),
                "min_gap": draw(st.sampled_from(MIN_GAPS)),
                "title": f"Step {a}.{s}",
            }
            for s in range(draw(st.integers(0, 3)))
        ]
        areas.append(
            {
                "id": f"area-{a}",
                "title": f"Area {a}",
                "weight": draw(st.sampled_from(WEIGHTS)),
                "targets": {level: draw(targets) for level in levels},
                "items": items,
                "roadmap": roadmap,
            }
        )
    return Questionnaire.model_validate(
        {
            "id": "generated",
            "version": 1,
            "title": "Generated",
            "scale": [{"value": v, "label": f"v{v}"} for v in values],
            "levels": levels,
            "phases": [{"id": p} for p in phases],
            "areas": areas,
        }
    )


def answers_for(
    q: Questionnaire, *, na_on_optional: bool = False
) -> st.SearchStrategy[dict[str, int | None]]:
    """Answers for some or all items: scale values, and N/A (None) on optional items."""
    per_item: dict[str, st.SearchStrategy[Any]] = {}
    for area in q.areas:
        for item in area.items:
            if na_on_optional and item.optional:
                per_item[item.id] = st.none()
                continue
            choices: list[st.SearchStrategy[Any]] = [st.sampled_from(q.scale_values), st.just("missing")]
            if item.optional:
                choices.append(st.none())
            per_item[item.id] = st.one_of(*choices)
    return st.fixed_dictionaries(per_item).map(lambda d: {k: v for k, v in d.items() if v != "missing"})


@st.composite
def cases(draw: st.DrawFn, *, na_on_optional: bool = False) -> Case:
    q = draw(questionnaires())
    answers = draw(answers_for(q, na_on_optional=na_on_optional))
    level = draw(st.sampled_from(q.level_ids))
    scoring.check_answers(q, answers)  # the generator only makes valid answers
    return Case(q, answers, level)


# -- ranges --------------------------------------------------------------------------------------------------


@SETTINGS
@given(cases())
def test_area_scores_stay_within_the_scale(case: Case) -> None:
    profile = scoring.score(case.q, case.answers, case.level)
    for result in profile.areas.values():
        if result.score is not None:
            assert case.q.lo <= result.score <= case.q.hi, result


@SETTINGS
@given(cases())
def test_attainment_stays_between_zero_and_one(case: Case) -> None:
    profile = scoring.score(case.q, case.answers, case.level)
    for result in profile.areas.values():
        if result.score is None:
            assert result.attainment is None
        else:
            assert result.attainment is not None
            assert 0.0 <= result.attainment <= 1.0


@SETTINGS
@given(cases())
def test_readiness_stays_between_zero_and_hundred(case: Case) -> None:
    profile = scoring.score(case.q, case.answers, case.level)
    scored = [r for r in profile.areas.values() if r.score is not None]
    if not scored:
        assert profile.readiness is None
    else:
        assert profile.readiness is not None
        assert 0.0 <= profile.readiness <= 100.0


@SETTINGS
@given(cases(na_on_optional=True))
def test_not_applicable_on_every_optional_item_keeps_scores_on_the_scale(case: Case) -> None:
    profile = scoring.score(case.q, case.answers, case.level)
    for area in case.q.areas:
        result = profile.areas[area.id]
        if all(item.optional for item in area.items):
            assert result.score is None  # nothing left to score
        if result.score is not None:
            assert case.q.lo <= result.score <= case.q.hi, result


# -- reverse items ---------------------------------------------------------------------------------------------


@SETTINGS
@given(cases())
def test_reverse_item_answered_a_counts_like_a_plain_item_answered_lo_plus_hi_minus_a(case: Case) -> None:
    q = case.q
    data = q.model_dump()
    flipped_answers = dict(case.answers)
    for area in data["areas"]:
        for item in area["items"]:
            if item["reverse"]:
                item["reverse"] = False
                answer = flipped_answers.get(item["id"])
                if answer is not None:
                    flipped_answers[item["id"]] = q.lo + q.hi - answer
    plain = Questionnaire.model_validate(data)
    assert (
        scoring.score(plain, flipped_answers, case.level).as_dict()
        == scoring.score(q, case.answers, case.level).as_dict()
    )


# -- monotonicity ------------------------------------------------------------------------------------------------


@SETTINGS
@given(cases(), st.data())
def test_raising_one_answer_moves_its_area_and_readiness_the_right_way(
    case: Case, data: st.DataObject
) -> None:
    q = case.q
    raisable = [
        (area, item)
        for area in q.areas
        for item in area.items
        if case.answers.get(item.id) is not None and case.answers[item.id] != q.hi
    ]
    if not raisable:
        return
    area, item = data.draw(st.sampled_from(raisable), label="raised item")
    current = case.answers[item.id]
    assert current is not None
    higher = data.draw(st.sampled_from([v for v in q.scale_values if v > current]), label="new answer")
    before = scoring.score(q, case.answers, case.level)
    after = scoring.score(q, {**case.answers, item.id: higher}, case.level)
    old, new = before.areas[area.id].score, after.areas[area.id].score
    # The set of answered items is unchanged, so scored areas stay scored.
    assert (old is None) == (new is None)
    if old is None or new is None:
        return
    assert before.readiness is not None
    assert after.readiness is not None
    if item.reverse:
        assert new <= old
        assert after.readiness <= before.readiness
    else:
        assert new >= old
        assert after.readiness >= before.readiness


# -- the development plan ----------------------------------------------------------------------------------------


@SETTINGS
@given(cases())
def test_plan_holds_exactly_the_qualifying_steps_in_the_documented_order(case: Case) -> None:
    q = case.q
    profile = scoring.score(q, case.answers, case.level)
    phase_index = {phase.id: i for i, phase in enumerate(q.phases)}
    expected = set()
    sort_key = {}
    for area_index, area in enumerate(q.areas):
        result = profile.areas[area.id]
        for step_index, step in enumerate(area.roadmap):
            sort_key[step.id] = (phase_index[step.phase], -(result.priority or 0.0), area_index, step_index)
            # DESIGN.md: every comparison with a target or threshold allows 1e-9 (a gap of 0.25 computed as
            # 0.24999999999999956 still qualifies for a step with min_gap 0.25).
            if result.gap is not None and result.gap > 1e-9 and step.min_gap <= result.gap + 1e-9:
                expected.add(step.id)
    plan = [entry.step.id for entry in profile.plan]
    assert len(plan) == len(set(plan))
    assert set(plan) == expected
    assert plan == sorted(plan, key=sort_key.__getitem__)
    for entry in profile.plan:
        assert entry.phase_id == entry.step.phase
        assert entry.gap == profile.areas[entry.area_id].gap


@SETTINGS
@given(cases())
def test_strengths_and_top_gaps_are_disjoint_and_at_most_three(case: Case) -> None:
    profile = scoring.score(case.q, case.answers, case.level)
    assert len(profile.strengths) <= 3
    assert len(profile.top_gaps) <= 3
    assert all(profile.areas[a].met for a in profile.strengths)
    assert all((profile.areas[a].gap or 0) > 1e-9 for a in profile.top_gaps)
    priorities = [profile.areas[a].priority or 0.0 for a in profile.top_gaps]
    assert priorities == sorted(priorities, reverse=True)
    margins = [(profile.areas[a].score or 0.0) - profile.areas[a].target for a in profile.strengths]
    assert margins == sorted(margins, reverse=True)
