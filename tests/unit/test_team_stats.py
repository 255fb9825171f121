"""TeamSummary's own rules on hand-built members: experts, mentors, blind spots, the radar's level, the API shape."""

from __future__ import annotations

import statistics
from typing import Any

import pytest

from competency import scoring
from competency.questionnaire import Questionnaire
from competency.services.teams import (
    AreaRating,
    ManagerRating,
    MemberSummary,
    TeamSummary,
    aggregate_threshold,
)


def framework() -> Questionnaire:
    def area(area_id: str, targets: dict[str, float]) -> dict[str, Any]:
        return {
            "id": area_id,
            "title": f"Area {area_id.upper()}",
            "targets": targets,
            "items": [{"id": f"{area_id}-1", "text": "Statement"}],
            "roadmap": [],
        }

    return Questionnaire.model_validate(
        {
            "id": "unit",
            "version": 1,
            "title": "Unit",
            "scale": [{"value": v, "label": f"L{v}"} for v in range(5)],
            "levels": ["junior", "mid", "senior"],
            "phases": [{"id": "first"}],
            "areas": [
                area("a", {"junior": 1, "mid": 2, "senior": 3}),
                area("b", {"junior": 1, "mid": 2, "senior": 4}),
            ],
        }
    )


def member(
    q: Questionnaire,
    user_id: int,
    name: str,
    scores: dict[str, float] | None,
    level: str = "mid",
    manager: dict[str, float] | None = None,
) -> MemberSummary:
    rated = None
    if manager is not None:
        rated = ManagerRating(100 + user_id, 99, "Boss", None, dict(manager))
    if scores is None:
        return MemberSummary(user_id, name, f"{name.lower()}@example.org", "member", manager=rated)
    areas = {
        a: AreaRating(s, q.area(a).targets[level], q.area(a).targets[level] - s) for a, s in scores.items()
    }
    results = {area.id: scoring.area_result(q, area, scores.get(area.id), level) for area in q.areas}
    return MemberSummary(
        user_id,
        name,
        f"{name.lower()}@example.org",
        "member",
        assessment_id=user_id,
        level=level,
        version=1,
        readiness=None,
        areas=areas,
        given_profile=scoring.profile_from_results(q, level, results),
        manager=rated,
    )


def summary(q: Questionnaire, members: list[MemberSummary]) -> TeamSummary:
    stats = {
        area.id: scoring.team_area_stats(
            area.id,
            [(r.score, r.target) for m in members if (r := m.areas.get(area.id)) and r.score is not None],
            q.expert_level,
        )
        for area in q.areas
    }
    return TeamSummary(1, "Vision", q, members, stats, {a.id: a.title for a in q.areas})


def test_experts_are_members_at_or_above_the_expert_level_best_first() -> None:
    q = framework()  # expert level: second-highest scale value, 3
    team = summary(
        q,
        [
            member(q, 1, "Ann", {"a": 3.0, "b": 1}),
            member(q, 2, "Ben", {"a": 4.0, "b": 2}),
            member(q, 3, "Cat", {"a": 2.99, "b": 1}),
            member(q, 4, "Dan", None),
        ],
    )
    assert [m.name for m in team.experts("a")] == ["Ben", "Ann"]
    assert team.experts("b") == []
    assert team.stats["a"].experts == 2 and team.stats["b"].no_expertise
    assert team.submitted_count == 3 and team.member_count == 4


def test_mentors_for_a_gap_are_other_members_who_are_experts_there() -> None:
    q = framework()
    team = summary(
        q,
        [
            member(q, 1, "Ann", {"a": 0.5, "b": 4}, level="senior"),
            member(q, 2, "Ben", {"a": 4.0, "b": 1}, level="junior"),
            member(q, 3, "Cat", {"a": 3.5, "b": 4}, level="junior"),
        ],
    )
    found = {
        (s.member.name, s.area_id): ([m.name for m in s.mentors], s.gap) for s in team.mentor_suggestions()
    }
    # Ann: below target only in a (3 - 0.5); Ben: below in none (junior targets are 1).
    assert found == {("Ann", "a"): (["Ben", "Cat"], pytest.approx(2.5))}


def test_a_member_is_never_suggested_as_their_own_mentor() -> None:
    q = framework()
    team = summary(q, [member(q, 1, "Ann", {"a": 3.0, "b": 3.0}, level="senior")])
    [suggestion] = team.mentor_suggestions()  # b: 4 - 3
    assert suggestion.area_id == "b" and suggestion.mentors == []


def test_self_and_manager_are_compared_never_averaged() -> None:
    q = framework()
    ann = member(q, 1, "Ann", {"a": 1.0, "b": 3.0}, manager={"a": 2.0, "b": 2.5})
    team = summary(q, [ann])
    comparison = ann.comparison(team.area_ids)
    assert [(c.self_score, c.manager_score, c.delta) for c in comparison] == [
        (1.0, 2.0, 1.0),
        (3.0, 2.5, -0.5),
    ]
    assert ann.blind_spots(team.area_ids) == ["a"]  # |delta| >= 1
    api = team.as_dict()["members"][0]
    assert api["manager"]["scores"] == {"a": 2.0, "b": 2.5} and api["scores"] == {"a": 1.0, "b": 3.0}


def test_a_manager_rating_without_a_self_assessment_has_nothing_to_compare() -> None:
    q = framework()
    dan = member(q, 1, "Dan", None, manager={"a": 2.0, "b": 2.0})
    assert dan.comparison(["a", "b"]) == [] and dan.blind_spots(["a", "b"]) == []


def test_the_radar_level_is_the_most_common_one_and_a_tie_goes_to_the_lower() -> None:
    q = framework()
    assert summary(q, []).common_level() == "junior"
    mixed = [member(q, 1, "A", {"a": 1}, "senior"), member(q, 2, "B", {"a": 1}, "mid")]
    assert summary(q, mixed).common_level() == "mid"
    mixed.append(member(q, 3, "C", {"a": 1}, "senior"))
    assert summary(q, mixed).common_level() == "senior"


def test_the_api_hides_individuals_for_an_aggregate_view() -> None:
    q = framework()
    values = [1.0, 2.0, 4.0]
    team = summary(q, [member(q, i, f"P{i}", {"a": v, "b": v}) for i, v in enumerate(values)])
    aggregate = team.as_dict(individuals=False)
    assert aggregate["members"] == []
    assert aggregate["areas"]["a"]["mean"] == pytest.approx(statistics.fmean(values))
    assert aggregate["areas"]["a"]["median"] == 2.0 and aggregate["areas"]["a"]["coverage"] == 2
    assert [a["id"] for a in aggregate["area_order"]] == ["a", "b"]
    full = team.as_dict()
    assert [m["name"] for m in full["members"]] == ["P0", "P1", "P2"]


@pytest.mark.parametrize(
    ("configured", "threshold"), [(None, 5), (5, 5), (7, 7), (3, 3), (2, 3), (0, 3), (-4, 3)]
)
def test_the_aggregate_threshold_is_never_below_three(configured: int | None, threshold: int) -> None:
    assert aggregate_threshold(configured) == threshold
