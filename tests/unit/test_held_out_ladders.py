"""The held-out check: two public ladders converted by hand, scored at every level, worked out by hand.

tests/fixtures/ladders/gitlab-development.yaml (GitLab Handbook, CC BY-SA 4.0), scale 0..4, phases
foundation < growth, focus {areas: 2, steps: 1}; levels and their paths:
  intermediate, senior (shared) -> staff (ic) | engineering-manager (manager)
  staff = intermediate, senior, staff        engineering-manager = intermediate, senior, engineering-manager
  areas (weight): delivery 1, code-quality 1, communication 1, architecture 1 (from senior), people 1.5
  (from senior). del-clear-reqs is asked `until: senior`: never at staff or engineering-manager.

tests/fixtures/ladders/ddat-data.yaml (UK Government Digital and Data Capability Framework, OGL v3.0),
scale 0..4, no phases (plan order: b0, then priority), default focus {areas: 3, steps: 2}; one ladder
practitioner < senior < lead < head; specialisms data-science (area statistics) and data-engineering
(area data-integration, item prog-streaming). prog-follow-designs is asked `until: senior`.

Every expectation below is worked out by hand from shared/DESIGN.md "Scoring", the arithmetic in the
comments; none is computed by calling the scorer. At each target level a person is handed only the
items in play there (DESIGN.md: an item not in play at the level is refused by name), so `asked()`
takes that slice of the persona's answers file and checks it as the service would.

The second half keeps, as tests, the mistakes a converter makes on these very files (issue "Results
that tell levels apart", author friction found converting public ladders).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from competency import scoring
from competency.questionnaire import Problem, Questionnaire, QuestionnaireError, load_file, load_text

LADDERS = Path(__file__).resolve().parents[1] / "fixtures" / "ladders"
GITLAB_PATH = LADDERS / "gitlab-development.yaml"
DDAT_PATH = LADDERS / "ddat-data.yaml"
GITLAB = load_file(GITLAB_PATH)
DDAT = load_file(DDAT_PATH)


def answers(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((LADDERS / "answers" / name).read_text(encoding="utf-8"))
    return data


SAM = answers("gitlab-strong-senior.yaml")  # strong senior IC, none of staff's own behaviours
NOOR = answers("gitlab-new-manager.yaml")  # uneven new engineering manager
PRIYA = answers("ddat-senior-data-scientist.yaml")  # senior data scientist, little of lead and head
DEV = answers("ddat-uneven-data-engineer.yaml")  # uneven data engineer, one item never answered


def asked(
    q: Questionnaire, given: dict[str, Any], level: str, specialism: str | None = None
) -> dict[str, Any]:
    """The part of a persona's answers that an assessment at `level` asks (and accepts)."""
    items = q.items_by_id()
    out = {k: v for k, v in given.items() if q.item_in_play(items[k][1], level, specialism)}
    scoring.check_answers(q, out, level, specialism)
    return out


def profile(
    q: Questionnaire, given: dict[str, Any], level: str, specialism: str | None = None
) -> scoring.Profile:
    return scoring.score(q, asked(q, given, level, specialism), level, specialism)


def table(p: scoring.Profile) -> dict[str, tuple[Any, ...]]:
    """area -> (score, target, met, attainment, priority)"""
    return {a: (r.score, r.target, r.met, r.attainment, r.priority) for a, r in p.areas.items()}


def adds(p: scoring.Profile) -> dict[str, tuple[Any, ...]]:
    """area -> (added, new score, new attainment)"""
    return {a: (r.added, r.new_score, r.new_attainment) for a, r in p.areas.items()}


def reached(p: scoring.Profile) -> dict[str, str | None]:
    return {a: r.reached for a, r in p.areas.items()}


def ladders(p: scoring.Profile) -> dict[str, dict[str, bool]]:
    return {a: r.as_dict()["ladder"] for a, r in p.areas.items()}


def steps(entries: list[scoring.PlanEntry]) -> list[str]:
    return [e.step.id for e in entries]


A = pytest.approx


# -- the files themselves ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [GITLAB_PATH, DDAT_PATH], ids=["gitlab", "ddat"])
def test_a_converted_ladder_names_its_source_and_an_open_licence(path: Path) -> None:
    q = load_file(path)
    assert q.source is not None
    assert q.source.url is not None and q.source.url.startswith("https://")
    assert q.source.licence in {"CC BY-SA 4.0", "Open Government Licence v3.0"}
    assert q.source.attribution is not None and "changes were made" in q.source.attribution


@pytest.mark.parametrize("path", [GITLAB_PATH, DDAT_PATH], ids=["gitlab", "ddat"])
def test_a_converted_ladder_uses_no_yaml_anchors_or_aliases(path: Path) -> None:
    events = list(yaml.parse(path.read_text(encoding="utf-8")))
    assert not [e for e in events if getattr(e, "anchor", None) or isinstance(e, yaml.AliasEvent)]


def test_paths_of_the_gitlab_ladder_follow_its_tracks() -> None:
    assert GITLAB.path("staff") == ("intermediate", "senior", "staff")
    assert GITLAB.path("engineering-manager") == ("intermediate", "senior", "engineering-manager")
    assert GITLAB.previous_level("engineering-manager") == "senior"


def test_a_level_description_keeps_its_paragraphs() -> None:
    description = GITLAB.level("intermediate").description or ""
    assert "\n\n" in description.strip()


def test_a_beginner_habit_is_asked_until_senior_and_never_at_staff_or_as_a_manager() -> None:
    delivery = GITLAB.area("delivery")
    asked_at = {level: [i.id for i in GITLAB.items_in_play(delivery, level)] for level in GITLAB.level_ids}
    assert asked_at == {
        "intermediate": ["del-clear-reqs", "del-distractions"],
        "senior": ["del-clear-reqs", "del-distractions", "del-vague"],
        "staff": ["del-distractions", "del-vague", "del-decompose"],
        "engineering-manager": ["del-distractions", "del-vague"],
    }


def test_an_answer_to_the_beginner_habit_at_staff_is_refused_by_name() -> None:
    with pytest.raises(scoring.AnswerError) as excinfo:
        scoring.check_answers(GITLAB, {"del-clear-reqs": 4}, "staff")
    assert excinfo.value.problems == [
        "del-clear-reqs: not asked at level 'staff' (asked until level 'senior')"
    ]


def test_each_specialism_is_asked_its_own_area_and_a_generalist_neither() -> None:
    def areas(specialism: str | None) -> list[str]:
        return [a.id for a in DDAT.areas_in_play("senior", specialism)]

    assert areas("data-science") == ["programming", "statistics", "impact", "capability", "innovation"]
    assert areas("data-engineering") == [
        "programming",
        "data-integration",
        "impact",
        "capability",
        "innovation",
    ]
    assert areas(None) == ["programming", "impact", "capability", "innovation"]
    programming = DDAT.area("programming")
    assert "prog-streaming" in [i.id for i in DDAT.items_in_play(programming, "senior", "data-engineering")]
    assert "prog-streaming" not in [i.id for i in DDAT.items_in_play(programming, "senior", "data-science")]


# == GitLab: Sam, a strong senior IC aiming at staff =======================================================
#
# Sam at intermediate (first level: everything is added, R_new = R_all):
#   delivery: clear-reqs 4, distractions 4 -> 4.0 against 2: met, attainment 1
#   code-quality: review 4 -> 4.0 against 2: met
#   communication: clear 3, adapt 3 -> 3.0 against 2: met
#   (architecture and people have no item without a level or at intermediate: not in play, absent)
#   R_all = R_new = 100; plan empty. Strengths by s - t: delivery 2, code-quality 2 (area order), communication 1.


def test_gitlab_strong_senior_at_intermediate_meets_everything_in_play() -> None:
    p = profile(GITLAB, SAM, "intermediate")
    assert table(p) == {
        "delivery": (4.0, 2.0, True, 1.0, 0.0),
        "code-quality": (4.0, 2.0, True, 1.0, 0.0),
        "communication": (3.0, 2.0, True, 1.0, 0.0),
    }
    assert adds(p) == {
        a: (True, s, 1.0) for a, s in [("delivery", 4.0), ("code-quality", 4.0), ("communication", 3.0)]
    }
    assert reached(p) == dict.fromkeys(["delivery", "code-quality", "communication"], "intermediate")
    assert (p.readiness, p.readiness_all, p.readiness_new) == (100.0, 100.0, 100.0)
    assert p.plan == [] and p.focus == []
    assert p.strengths == ["delivery", "code-quality", "communication"]


# Sam at senior (P = intermediate):
#   delivery: 4, 4, vague 4 -> 4.0 against 3: met. Senior brings del-vague: added, new 4.0 -> 1.
#     ladder: intermediate (clear-reqs, distractions 4 >= 2) met; senior (4.0, own 4 >= 3) met.
#   code-quality: 4, tests 3, coach 3 -> 10/3 against 3: met (gap -1/3). New (3 + 3)/2 = 3.0 >= 3 -> 1.
#   communication: 3.0 against 2, no senior item, target 2 -> 2: not added; met at both levels.
#   architecture: in play from senior only -> added; discussions 3 -> 3.0 against 2.5: met, new 3.0 -> 1.
#   people (W 1.5): mentor 3 -> 3.0 against 2: met; added (new area), new 3.0 -> 1.
#   R_all = R_new = 100. Strengths: t - s = -1 for delivery, communication, people (area order), then
#   architecture -0.5, code-quality -1/3.


def test_gitlab_strong_senior_at_senior_is_fully_ready_and_reaches_senior_everywhere() -> None:
    p = profile(GITLAB, SAM, "senior")
    assert table(p) == {
        "delivery": (4.0, 3.0, True, 1.0, 0.0),
        "code-quality": (A(10 / 3), 3.0, True, 1.0, 0.0),
        "communication": (3.0, 2.0, True, 1.0, 0.0),
        "architecture": (3.0, 2.5, True, 1.0, 0.0),
        "people": (3.0, 2.0, True, 1.0, 0.0),
    }
    assert adds(p) == {
        "delivery": (True, 4.0, 1.0),
        "code-quality": (True, 3.0, 1.0),
        "communication": (False, None, None),
        "architecture": (True, 3.0, 1.0),
        "people": (True, 3.0, 1.0),
    }
    assert set(reached(p).values()) == {"senior"}
    assert (p.readiness, p.readiness_all, p.readiness_new) == (100.0, 100.0, 100.0)
    assert p.plan == [] and p.focus == []
    assert p.strengths == ["delivery", "communication", "people"]


# Sam at staff (P = senior); del-clear-reqs is no longer asked.
#   delivery: distractions 4, vague 4, decompose 0 -> 8/3 against 3: gap 1/3, att (8/3)/3 = 8/9,
#     priority 1/3. Added (decompose), new 0 -> 0.
#     ladder: intermediate: only distractions is asked at both staff and intermediate: 4 >= 2 met;
#     senior: distractions, vague 4 >= 3, own vague 4 met; staff: 8/3 < 3 not met -> reached senior.
#   code-quality: 4, 3, 3, cross-stage 0 -> 10/4 = 2.5 against 3.5: gap 1, att 2.5/3.5 = 5/7, priority 1.
#     Added, new 0. ladder: intermediate 4 met; senior 10/3 >= 3 and own 3 >= 3 met; staff not.
#   communication: 3, 3, explain-domain 0 -> 2.0 against 2: met (gap 0), att 1, priority 0.
#     Added (explain-domain), new 0 -> 0. ladder: intermediate, senior met (3 >= 2); staff: score 2.0 >= 2
#     but its new score 0 < 2: NOT met -> reached senior, although the area meets its target.
#   architecture: discussions 3 (w 1), tradeoffs 0 (w 2) -> 3/3 = 1.0 against 3.5: gap 2.5,
#     att 1/3.5 = 2/7, priority 2.5. Added, new 0. ladder: senior (3 >= 2.5) met; staff not.
#   people (W 1.5): mentor 3, unblock 0 -> 1.5 against 3: gap 1.5, att 0.5, priority 2.25. Added, new 0.
#   R_all = 100 * (8/9 + 5/7 + 1 + 2/7 + 1.5 * 0.5) / 5.5 = 100 * (8/9 + 11/4) / 5.5
#         = 100 * (131/36) / 5.5 = 13100/198 = 66.16
#   R_new = 0 (every added area has own items, all rated 0); readiness = min = 0.
#   Plan (phase, b0, priority desc, area, step):
#     delivery 8/3 -> 3: del-slice [0, 2] ends below the score; del-vague-issue [2, 3] fits;
#       del-proposal [3, 4] starts at the target: out.
#     code-quality 2.5 -> 3.5: cq-reviewer [0, 2] out; cq-test-coach [2, 4] fits.
#     architecture 1 -> 3.5: arch-blueprint [1, 3] fits; arch-dri [3, 4] (min_gap 0.5 <= 2.5) fits.
#     people 1.5 -> 3: ppl-mentor-one [0, 2] and ppl-coach [2, 4] fit.
#     foundation: ppl-mentor-one | growth: arch-blueprint (b0 1); b0 2: ppl-coach (2.25), cq-test-coach (1),
#     del-vague-issue (1/3); b0 3: arch-dri.
#   Focus {areas: 2, steps: 1}: architecture (2.5) and people (2.25); their first steps in plan order:
#     ppl-mentor-one (people), arch-blueprint (architecture).


def test_gitlab_strong_senior_without_staff_behaviours_is_far_from_staff() -> None:
    p = profile(GITLAB, SAM, "staff")
    assert table(p) == {
        "delivery": (A(8 / 3), 3.0, False, A(8 / 9), A(1 / 3)),
        "code-quality": (2.5, 3.5, False, A(5 / 7), 1.0),
        "communication": (2.0, 2.0, True, 1.0, 0.0),
        "architecture": (1.0, 3.5, False, A(2 / 7), 2.5),
        "people": (1.5, 3.0, False, 0.5, 2.25),
    }
    assert adds(p) == {a: (True, 0.0, 0.0) for a in p.areas}
    assert p.previous_level == "senior"
    assert p.readiness_all == A(13100 / 198)
    assert p.readiness_new == 0.0
    assert p.readiness == 0.0


def test_gitlab_strong_senior_at_staff_reaches_senior_in_every_area() -> None:
    p = profile(GITLAB, SAM, "staff")
    assert ladders(p) == {
        "delivery": {"intermediate": True, "senior": True, "staff": False},
        "code-quality": {"intermediate": True, "senior": True, "staff": False},
        "communication": {"intermediate": True, "senior": True, "staff": False},
        "architecture": {"senior": True, "staff": False},
        "people": {"senior": True, "staff": False},
    }
    assert set(reached(p).values()) == {"senior"}


def test_an_area_that_meets_its_staff_target_without_staffs_own_behaviour_does_not_reach_staff() -> None:
    communication = profile(GITLAB, SAM, "staff").areas["communication"]
    assert communication.met is True
    assert communication.new_score == 0.0
    assert communication.reached == "senior"


def test_gitlab_strong_senior_at_staff_plan_and_focus_by_hand() -> None:
    p = profile(GITLAB, SAM, "staff")
    assert steps(p.plan) == [
        "ppl-mentor-one",
        "arch-blueprint",
        "ppl-coach",
        "cq-test-coach",
        "del-vague-issue",
        "arch-dri",
    ]
    assert p.focus_areas == ["architecture", "people"]
    assert steps(p.focus) == ["ppl-mentor-one", "arch-blueprint"]
    assert p.top_gaps == ["architecture", "people", "code-quality"]
    assert p.strengths == ["communication"]


# == GitLab: Noor, a new engineering manager (path intermediate, senior, engineering-manager) ==============
#
# Noor at intermediate: delivery (3 + 3)/2 = 3.0, code-quality 3.0, communication (4 + 3)/2 = 3.5, all
# against 2: met, R = 100, reached intermediate everywhere. Strengths: communication 1.5, then delivery
# and code-quality 1 (area order).


def test_gitlab_new_manager_at_intermediate_meets_everything_in_play() -> None:
    p = profile(GITLAB, NOOR, "intermediate")
    assert {a: r.score for a, r in p.areas.items()} == {
        "delivery": 3.0,
        "code-quality": 3.0,
        "communication": 3.5,
    }
    assert all(r.met for r in p.areas.values())
    assert set(reached(p).values()) == {"intermediate"}
    assert (p.readiness, p.readiness_all, p.readiness_new) == (100.0, 100.0, 100.0)
    assert p.plan == [] and p.focus == []
    assert p.strengths == ["communication", "delivery", "code-quality"]


# Noor at senior (P = intermediate):
#   delivery: 3, 3, vague 2 -> 8/3 against 3: gap 1/3, att 8/9, priority 1/3; added, new 2 -> 2/3.
#     ladder: intermediate (3 >= 2) met; senior not -> reached intermediate.
#   code-quality: 3, 2, 1 -> 2.0 against 3: gap 1, att 2/3, priority 1; added, new (2 + 1)/2 = 1.5 -> 0.5.
#   communication: 3.5 against 2: met, not added, reached senior.
#   architecture: 2.0 against 2.5: gap 0.5, att 0.8, priority 0.5; added (new area), new 2.0 -> 0.8;
#     ladder: senior not met -> reached none.
#   people (W 1.5): mentor 3 against 2: met; added, new 3 -> 1; reached senior.
#   R_all = 100 * (8/9 + 2/3 + 1 + 0.8 + 1.5) / 5.5 = 100 * (437/90) / 5.5 = 43700/495 = 88.28
#   R_new = 100 * (2/3 + 0.5 + 0.8 + 1.5) / 4.5 = 100 * (52/15) / 4.5 = 10400/135 = 77.04 = readiness
#   Plan: delivery 8/3 -> 3: del-vague-issue [2, 3]; code-quality 2 -> 3: cq-reviewer [0, 2] ends at the
#     score (out), cq-test-coach [2, 4]; architecture 2 -> 2.5: arch-blueprint [1, 3]; arch-dri starts at 3,
#     above the target 2.5 (out). All growth: arch-blueprint (b0 1), then b0 2: cq-test-coach (1),
#     del-vague-issue (1/3).
#   Focus: code-quality (1) and architecture (0.5): cq-test-coach, arch-blueprint, in plan order.


def test_gitlab_new_manager_at_senior_by_hand() -> None:
    p = profile(GITLAB, NOOR, "senior")
    assert table(p) == {
        "delivery": (A(8 / 3), 3.0, False, A(8 / 9), A(1 / 3)),
        "code-quality": (2.0, 3.0, False, A(2 / 3), 1.0),
        "communication": (3.5, 2.0, True, 1.0, 0.0),
        "architecture": (2.0, 2.5, False, 0.8, 0.5),
        "people": (3.0, 2.0, True, 1.0, 0.0),
    }
    assert adds(p) == {
        "delivery": (True, 2.0, A(2 / 3)),
        "code-quality": (True, 1.5, 0.5),
        "communication": (False, None, None),
        "architecture": (True, 2.0, 0.8),
        "people": (True, 3.0, 1.0),
    }
    assert reached(p) == {
        "delivery": "intermediate",
        "code-quality": "intermediate",
        "communication": "senior",
        "architecture": None,
        "people": "senior",
    }
    assert p.readiness_all == A(43700 / 495)
    assert p.readiness_new == A(10400 / 135)
    assert p.readiness == A(10400 / 135)
    assert steps(p.plan) == ["arch-blueprint", "cq-test-coach", "del-vague-issue"]
    assert steps(p.focus) == ["arch-blueprint", "cq-test-coach"]
    assert p.top_gaps == ["code-quality", "architecture", "delivery"]
    assert p.strengths == ["communication", "people"]


# Noor at engineering-manager (P = senior); del-clear-reqs (until senior) is no longer asked.
#   delivery: distractions 3, vague 2 -> 2.5 against 2: met. Not added (no manager item, target 3 -> 2).
#     ladder: intermediate: distractions 3 >= 2 met; senior: 2.5 < 3 NOT met; engineering-manager:
#     2.5 >= 2 met -> reached intermediate (every earlier level must be met), though met at the target.
#   code-quality: 3, 2, 1 -> 2.0 against 2: met (gap 0), not added (3 -> 2). ladder: intermediate met,
#     senior (2.0 < 3) not, engineering-manager met -> reached intermediate.
#   communication: 3.5, met at every level -> reached engineering-manager; not added.
#   architecture: 2.0 against 2.5: gap 0.5, att 0.8, priority 0.5; not added (2.5 -> 2.5, no own item);
#     senior not met -> reached none.
#   people (W 1.5): mentor 3, one-on-ones 3, hiring 1 -> 7/3 against 3: gap 2/3, att 7/9, priority 1.
#     Added (own items), new (3 + 1)/2 = 2.0 -> 2/3. ladder: senior: mentor 3 >= 2 met; manager not.
#   R_all = 100 * (1 + 1 + 1 + 0.8 + 1.5 * 7/9) / 5.5 = 100 * (149/30) / 5.5 = 14900/165 = 90.30
#   R_new = 100 * (1.5 * 2/3) / 1.5 = 200/3 = 66.67 = readiness
#   Plan: architecture 2 -> 2.5: arch-blueprint [1, 3]; people 7/3 -> 3: ppl-mentor-one [0, 2] ends below
#     the score (out), ppl-coach [2, 4]. Growth: arch-blueprint (b0 1), ppl-coach (b0 2).
#   Focus: people (1), architecture (0.5): both steps.


def test_gitlab_new_manager_is_two_thirds_of_what_managing_adds() -> None:
    p = profile(GITLAB, NOOR, "engineering-manager")
    assert table(p) == {
        "delivery": (2.5, 2.0, True, 1.0, 0.0),
        "code-quality": (2.0, 2.0, True, 1.0, 0.0),
        "communication": (3.5, 2.0, True, 1.0, 0.0),
        "architecture": (2.0, 2.5, False, 0.8, 0.5),
        "people": (A(7 / 3), 3.0, False, A(7 / 9), A(1.0)),
    }
    assert adds(p) == {
        "delivery": (False, None, None),
        "code-quality": (False, None, None),
        "communication": (False, None, None),
        "architecture": (False, None, None),
        "people": (True, 2.0, A(2 / 3)),
    }
    assert p.previous_level == "senior"
    assert p.readiness_all == A(14900 / 165)
    assert p.readiness_new == A(200 / 3)
    assert p.readiness == A(200 / 3)
    assert steps(p.plan) == ["arch-blueprint", "ppl-coach"]
    assert steps(p.focus) == ["arch-blueprint", "ppl-coach"]
    assert p.top_gaps == ["people", "architecture"]
    assert p.strengths == ["communication", "delivery", "code-quality"]


def test_gitlab_new_manager_met_as_a_manager_but_not_as_a_senior_reaches_only_intermediate() -> None:
    p = profile(GITLAB, NOOR, "engineering-manager")
    assert ladders(p) == {
        "delivery": {"intermediate": True, "senior": False, "engineering-manager": True},
        "code-quality": {"intermediate": True, "senior": False, "engineering-manager": True},
        "communication": {"intermediate": True, "senior": True, "engineering-manager": True},
        "architecture": {"senior": False, "engineering-manager": False},
        "people": {"senior": True, "engineering-manager": False},
    }
    assert reached(p) == {
        "delivery": "intermediate",
        "code-quality": "intermediate",
        "communication": "engineering-manager",
        "architecture": None,
        "people": "senior",
    }


def test_a_manager_is_never_asked_a_staff_behaviour_nor_an_ic_a_managers() -> None:
    manager = {
        i.id
        for a in GITLAB.areas_in_play("engineering-manager")
        for i in GITLAB.items_in_play(a, "engineering-manager")
    }
    staff = {i.id for a in GITLAB.areas_in_play("staff") for i in GITLAB.items_in_play(a, "staff")}
    assert (
        manager & {"del-decompose", "cq-cross-stage", "com-explain-domain", "arch-tradeoffs", "ppl-unblock"}
        == set()
    )
    assert staff & {"ppl-one-on-ones", "ppl-hiring"} == set()


# == DDaT: Priya, a senior data scientist (specialism data-science) ========================================
#
# Priya at practitioner (first level, R_new = R_all): programming (scripts 3, follow-designs 4) 3.5,
# statistics 4.0, impact 3.0, innovation 3.0, all against 2: met, reached practitioner. Capability has no
# item before senior: not in play. Strengths by s - t: statistics 2, programming 1.5, impact 1.


def test_ddat_data_scientist_at_practitioner_meets_everything_in_play() -> None:
    p = profile(DDAT, PRIYA, "practitioner", "data-science")
    assert table(p) == {
        "programming": (3.5, 2.0, True, 1.0, 0.0),
        "statistics": (4.0, 2.0, True, 1.0, 0.0),
        "impact": (3.0, 2.0, True, 1.0, 0.0),
        "innovation": (3.0, 2.0, True, 1.0, 0.0),
    }
    assert set(reached(p).values()) == {"practitioner"}
    assert (p.readiness, p.readiness_all, p.readiness_new) == (100.0, 100.0, 100.0)
    assert p.plan == [] and p.focus == []
    assert p.strengths == ["statistics", "programming", "impact"]


# Priya at senior (P = practitioner):
#   programming: 3, 4, review 3 -> 10/3 against 3: met; added (prog-review), new 3.0 -> 1.
#   statistics: 4, experiments 3 -> 3.5 against 3: met; added, new 3.0 -> 1.
#   impact: 3, stakeholders 3 -> 3.0 against 2.5: met; added, new 3.0 -> 1.
#   capability (W 1.5): mentor 3 -> 3.0 against 2: met; added (comes into play), new 3.0 -> 1.
#   innovation: 3.0 against 2 (one number): no senior item, same target: not added.
#   R = 100, every area reached senior. Strengths (t - s): capability -1, innovation -1 (area order),
#   then statistics -0.5 (before impact -0.5 by area order).


def test_ddat_data_scientist_at_senior_is_fully_ready() -> None:
    p = profile(DDAT, PRIYA, "senior", "data-science")
    assert table(p) == {
        "programming": (A(10 / 3), 3.0, True, 1.0, 0.0),
        "statistics": (3.5, 3.0, True, 1.0, 0.0),
        "impact": (3.0, 2.5, True, 1.0, 0.0),
        "capability": (3.0, 2.0, True, 1.0, 0.0),
        "innovation": (3.0, 2.0, True, 1.0, 0.0),
    }
    assert adds(p) == {
        "programming": (True, 3.0, 1.0),
        "statistics": (True, 3.0, 1.0),
        "impact": (True, 3.0, 1.0),
        "capability": (True, 3.0, 1.0),
        "innovation": (False, None, None),
    }
    assert set(reached(p).values()) == {"senior"}
    assert (p.readiness, p.readiness_all, p.readiness_new) == (100.0, 100.0, 100.0)
    assert p.strengths == ["capability", "innovation", "statistics"]


# Priya at lead (P = senior); prog-follow-designs (until senior) is no longer asked.
#   programming: scripts 3, review 3 -> 3.0 against 3: met; not added (no lead item, 3 -> 3).
#     ladder: practitioner (scripts 3 >= 2), senior (3 >= 3, own review 3), lead (3 >= 3) -> reached lead.
#   statistics: 4, 3, emerging 1 -> 8/3 against 3: gap 1/3, att 8/9, priority 1/3; added, new 1 -> 1/3.
#     ladder: practitioner (4), senior (3.5, own 3) met; lead not -> reached senior.
#   impact: 3, 3 -> 3.0 against 3: met; added (target 2.5 -> 3, no lead item) with new = score 3 -> 1;
#     every level met -> reached lead.
#   capability (W 1.5): mentor 3, lead-team 1 -> 2.0 against 3: gap 1, att 2/3, priority 1.5; added,
#     new 1 -> 1/3. ladder: senior (3 >= 2) met; lead not -> reached senior.
#   innovation: new-tools 3, status-quo 2 -> 2.5 against 2: met; added (status-quo), new 2 >= 2 -> 1.
#   R_all = 100 * (1 + 8/9 + 1 + 1.5 * 2/3 + 1) / 5.5 = 100 * (44/9) / 5.5 = 800/9 = 88.89
#   R_new = 100 * (1/3 + 1 + 1.5 * 1/3 + 1) / 4.5 = 100 * (17/6) / 4.5 = 1700/27 = 62.96 = readiness
#   Plan (no phases: b0, then priority): statistics 8/3 -> 3: stat-course [0, 2] out, stat-experiment-design
#     [2, 3.5] fits, stat-paper-club min_gap 0.5 > 1/3 out. capability 2 -> 3: cap-mentor-one [0, 2] ends
#     at the score (out), cap-lead-guild [2, 4] fits. Both b0 2: capability (1.5) before statistics (1/3).
#   Focus (3 areas x 2 steps): both areas, both steps.


def test_ddat_senior_data_scientist_with_little_of_what_lead_adds_is_63_percent_ready() -> None:
    p = profile(DDAT, PRIYA, "lead", "data-science")
    assert table(p) == {
        "programming": (3.0, 3.0, True, 1.0, 0.0),
        "statistics": (A(8 / 3), 3.0, False, A(8 / 9), A(1 / 3)),
        "impact": (3.0, 3.0, True, 1.0, 0.0),
        "capability": (2.0, 3.0, False, A(2 / 3), 1.5),
        "innovation": (2.5, 2.0, True, 1.0, 0.0),
    }
    assert adds(p) == {
        "programming": (False, None, None),
        "statistics": (True, 1.0, A(1 / 3)),
        "impact": (True, 3.0, 1.0),
        "capability": (True, 1.0, A(1 / 3)),
        "innovation": (True, 2.0, 1.0),
    }
    assert p.readiness_all == A(800 / 9)
    assert p.readiness_new == A(1700 / 27)
    assert p.readiness == A(1700 / 27)
    assert steps(p.plan) == ["cap-lead-guild", "stat-experiment-design"]
    assert steps(p.focus) == ["cap-lead-guild", "stat-experiment-design"]
    assert p.top_gaps == ["capability", "statistics"]
    assert p.strengths == ["innovation", "programming", "impact"]


def test_ddat_data_scientist_at_lead_ladder_by_hand() -> None:
    p = profile(DDAT, PRIYA, "lead", "data-science")
    assert ladders(p) == {
        "programming": {"practitioner": True, "senior": True, "lead": True},
        "statistics": {"practitioner": True, "senior": True, "lead": False},
        "impact": {"practitioner": True, "senior": True, "lead": True},
        "capability": {"senior": True, "lead": False},
        "innovation": {"practitioner": True, "senior": True, "lead": True},
    }
    assert reached(p) == {
        "programming": "lead",
        "statistics": "senior",
        "impact": "lead",
        "capability": "senior",
        "innovation": "lead",
    }


# Priya at head (P = lead):
#   programming 3.0 against 3: met, not added, met at every level -> reached head.
#   statistics 8/3 against 3 (gap 1/3, att 8/9, priority 1/3): not added (no head item, 3 -> 3);
#     lead not met -> reached senior.
#   impact: 3, 3, senior-leaders 0 -> 2.0 against 3.5: gap 1.5, att 2/3.5 = 4/7, priority 1.5; added,
#     new 0. ladder: practitioner, senior, lead (explain + stakeholders 3 >= 3) met; head not -> lead.
#   capability (W 1.5): 3, 1, vision 0 -> 4/3 against 3.5: gap 13/6, att (4/3)/3.5 = 8/21,
#     priority 1.5 * 13/6 = 3.25; added, new 0. Lead (2 < 3) not met -> reached senior.
#   innovation 2.5 against 2: met, not added; lead (own status-quo 2 >= 2) and head met -> reached head.
#   R_all = 100 * (1 + 8/9 + 4/7 + 1.5 * 8/21 + 1) / 5.5 = 100 * (254/63) / 5.5 = 50800/693 = 73.30
#   R_new = 0 (impact and capability, the added areas, have none of head's own behaviours) = readiness
#   Plan by b0, then priority: b0 0: cap-mentor-one (3.25; 4/3 < 2), imp-blog (1.5; [0, 3]);
#     b0 2: cap-lead-guild (3.25), stat-experiment-design (1/3); b0 3: imp-board (3 < 3.5).
#   Focus: capability, impact, statistics (3 areas) x 2 steps: the whole plan.


def test_ddat_data_scientist_without_heads_behaviours_is_not_ready_for_head() -> None:
    p = profile(DDAT, PRIYA, "head", "data-science")
    assert table(p) == {
        "programming": (3.0, 3.0, True, 1.0, 0.0),
        "statistics": (A(8 / 3), 3.0, False, A(8 / 9), A(1 / 3)),
        "impact": (2.0, 3.5, False, A(4 / 7), 1.5),
        "capability": (A(4 / 3), 3.5, False, A(8 / 21), A(3.25)),
        "innovation": (2.5, 2.0, True, 1.0, 0.0),
    }
    assert adds(p) == {
        "programming": (False, None, None),
        "statistics": (False, None, None),
        "impact": (True, 0.0, 0.0),
        "capability": (True, 0.0, 0.0),
        "innovation": (False, None, None),
    }
    assert reached(p) == {
        "programming": "head",
        "statistics": "senior",
        "impact": "lead",
        "capability": "senior",
        "innovation": "head",
    }
    assert p.readiness_all == A(50800 / 693)
    assert p.readiness_new == 0.0
    assert p.readiness == 0.0
    expected_plan = ["cap-mentor-one", "imp-blog", "cap-lead-guild", "stat-experiment-design", "imp-board"]
    assert steps(p.plan) == expected_plan
    assert steps(p.focus) == expected_plan
    assert p.focus_areas == ["capability", "impact", "statistics"]


def test_a_generalist_is_never_asked_a_data_science_item() -> None:
    with pytest.raises(scoring.AnswerError) as excinfo:
        scoring.check_answers(DDAT, {"stat-methods": 4, "prog-scripts": 3}, "senior")
    assert excinfo.value.problems == [
        "stat-methods: not asked of a generalist (only of specialism 'data-science')"
    ]
    p = profile(DDAT, {"prog-scripts": 3, "imp-explain": 3, "inn-new-tools": 3}, "practitioner")
    assert list(p.areas) == ["programming", "impact", "innovation"]


# == DDaT: Dev, an uneven data engineer (specialism data-engineering); inn-new-tools never answered ========
#
# Dev at practitioner (first level):
#   programming: scripts 2, follow-designs 3 -> 2.5 against 2: met.
#   data-integration: flows 4, mappings 1 -> 2.5 against 2: met.
#   impact: explain 1 -> 1.0 against 2: gap 1, att 0.5, priority 1; not met -> reached none.
#   innovation: its only item unanswered -> no score: null gap, met, attainment, priority, new score,
#     reached; left out of readiness and the plan.
#   R_all = R_new = 100 * (1 + 1 + 0.5) / 3 = 250/3 = 83.33
#   Plan: impact 1 -> 2: imp-blog [0, 3] fits; imp-board [3, 4] starts above the target. Focus: the same.


def test_ddat_uneven_data_engineer_at_practitioner_by_hand() -> None:
    p = profile(DDAT, DEV, "practitioner", "data-engineering")
    assert table(p) == {
        "programming": (2.5, 2.0, True, 1.0, 0.0),
        "data-integration": (2.5, 2.0, True, 1.0, 0.0),
        "impact": (1.0, 2.0, False, 0.5, 1.0),
        "innovation": (None, 2.0, None, None, None),
    }
    assert adds(p) == {
        "programming": (True, 2.5, 1.0),
        "data-integration": (True, 2.5, 1.0),
        "impact": (True, 1.0, 0.5),
        "innovation": (True, None, None),
    }
    assert reached(p) == {
        "programming": "practitioner",
        "data-integration": "practitioner",
        "impact": None,
        "innovation": None,
    }
    assert p.readiness_all == A(250 / 3)
    assert p.readiness_new == A(250 / 3)
    assert p.readiness == A(250 / 3)
    assert steps(p.plan) == ["imp-blog"]
    assert steps(p.focus) == ["imp-blog"]
    assert p.top_gaps == ["impact"]
    assert p.strengths == ["programming", "data-integration"]


# Dev at senior (P = practitioner):
#   programming: 2, 3, review 1, streaming 4 -> 10/4 = 2.5 against 3: gap 0.5, att 5/6, priority 0.5;
#     added, new (1 + 4)/2 = 2.5 -> 5/6. ladder: practitioner (2, 3: 2.5 >= 2) met; senior not.
#   data-integration: 4, 1, design 3 -> 8/3 against 3: gap 1/3, att 8/9, priority 1/3; added, new 3 -> 1.
#     ladder: practitioner met; senior: new 3 >= 3 but the score 8/3 < 3: not met -> reached practitioner.
#   impact: 1, stakeholders 2 -> 1.5 against 2.5: gap 1, att 0.6, priority 1; added, new 2 -> 0.8;
#     practitioner (1 < 2) not met -> reached none.
#   capability (W 1.5): mentor 2 -> 2.0 against 2: met; added, new 2 -> 1 -> reached senior.
#   innovation: no score; not added (no senior item, 2 -> 2); reached none.
#   R_all = 100 * (5/6 + 8/9 + 0.6 + 1.5) / 4.5 = 100 * (172/45) / 4.5 = 34400/405 = 84.94 = readiness
#   R_new = 100 * (5/6 + 1 + 0.8 + 1.5) / 4.5 = 100 * (62/15) / 4.5 = 12400/135 = 91.85: here the readiness
#     is held down by everything senior expects, not by what senior adds.
#   Plan: b0 0: imp-blog; b0 2: prog-review-rota (0.5), int-design-review (1/3). prog-kata and int-tutorial
#     [0, 2] end below the scores. Focus: impact, programming, data-integration: the whole plan.


def test_ddat_uneven_data_engineer_at_senior_is_held_down_by_everything_not_by_what_senior_adds() -> None:
    p = profile(DDAT, DEV, "senior", "data-engineering")
    assert table(p) == {
        "programming": (2.5, 3.0, False, A(5 / 6), 0.5),
        "data-integration": (A(8 / 3), 3.0, False, A(8 / 9), A(1 / 3)),
        "impact": (1.5, 2.5, False, A(0.6), 1.0),
        "capability": (2.0, 2.0, True, 1.0, 0.0),
        "innovation": (None, 2.0, None, None, None),
    }
    assert adds(p) == {
        "programming": (True, 2.5, A(5 / 6)),
        "data-integration": (True, 3.0, 1.0),
        "impact": (True, 2.0, A(0.8)),
        "capability": (True, 2.0, 1.0),
        "innovation": (False, None, None),
    }
    assert ladders(p) == {
        "programming": {"practitioner": True, "senior": False},
        "data-integration": {"practitioner": True, "senior": False},
        "impact": {"practitioner": False, "senior": False},
        "capability": {"senior": True},
        "innovation": {"practitioner": False, "senior": False},
    }
    assert reached(p) == {
        "programming": "practitioner",
        "data-integration": "practitioner",
        "impact": None,
        "capability": "senior",
        "innovation": None,
    }
    assert p.readiness_all == A(34400 / 405)
    assert p.readiness_new == A(12400 / 135)
    assert p.readiness == A(34400 / 405)
    assert steps(p.plan) == ["imp-blog", "prog-review-rota", "int-design-review"]
    assert steps(p.focus) == ["imp-blog", "prog-review-rota", "int-design-review"]
    assert p.top_gaps == ["impact", "programming", "data-integration"]
    assert p.strengths == ["capability"]


# Dev at lead (P = senior); prog-follow-designs is no longer asked.
#   programming: 2, 1, 4 -> 7/3 against 3: gap 2/3, att 7/9, priority 2/3; not added (3 -> 3).
#     ladder: practitioner (scripts 2 >= 2) met; senior (7/3) not -> reached practitioner.
#   data-integration: 4, 1, 3, strategy 2 -> 2.5 against 3.5: gap 1, att 5/7, priority 1; added,
#     new 2 -> 2/3.5 = 4/7. Senior (8/3 < 3) not met -> reached practitioner.
#   impact: 1, 2 -> 1.5 against 3: gap 1.5, att 0.5, priority 1.5; added (2.5 -> 3) with new = score
#     1.5 -> 0.5. Reached none.
#   capability (W 1.5): 2, lead-team 0 -> 1.0 against 3: gap 2, att 1/3, priority 3; added, new 0.
#     Senior (mentor 2 >= 2) met, lead not -> reached senior.
#   innovation: new-tools unanswered, status-quo 4: exactly half the weight answered -> 4.0 against 2: met;
#     added (status-quo), new 4 -> 1. ladder: practitioner and senior ask only the unanswered new-tools:
#     no score, not met; lead (4, own 4) met -> reached none, although met at the target.
#   R_all = 100 * (7/9 + 5/7 + 0.5 + 1.5 * 1/3 + 1) / 5.5 = 100 * (220/63) / 5.5 = 4000/63 = 63.49
#   R_new = 100 * (4/7 + 0.5 + 1.5 * 0 + 1) / 4.5 = 100 * (29/14) / 4.5 = 2900/63 = 46.03 = readiness
#   Plan: b0 0: cap-mentor-one (3; 1 < 2), imp-blog (1.5; [0, 3] reaches 1.5 -> 3); imp-board starts at
#     the target 3 (out). b0 2: cap-lead-guild (3), int-design-review (1), prog-review-rota (2/3).
#   Focus: capability (3), impact (1.5), data-integration (1); programming (2/3) is fourth: its step is
#     in the plan but not in focus.


def test_ddat_uneven_data_engineer_at_lead_by_hand() -> None:
    p = profile(DDAT, DEV, "lead", "data-engineering")
    assert table(p) == {
        "programming": (A(7 / 3), 3.0, False, A(7 / 9), A(2 / 3)),
        "data-integration": (2.5, 3.5, False, A(5 / 7), 1.0),
        "impact": (1.5, 3.0, False, 0.5, 1.5),
        "capability": (1.0, 3.0, False, A(1 / 3), 3.0),
        "innovation": (4.0, 2.0, True, 1.0, 0.0),
    }
    assert adds(p) == {
        "programming": (False, None, None),
        "data-integration": (True, 2.0, A(4 / 7)),
        "impact": (True, 1.5, 0.5),
        "capability": (True, 0.0, 0.0),
        "innovation": (True, 4.0, 1.0),
    }
    assert reached(p) == {
        "programming": "practitioner",
        "data-integration": "practitioner",
        "impact": None,
        "capability": "senior",
        "innovation": None,
    }
    assert p.readiness_all == A(4000 / 63)
    assert p.readiness_new == A(2900 / 63)
    assert p.readiness == A(2900 / 63)
    assert steps(p.plan) == [
        "cap-mentor-one",
        "imp-blog",
        "cap-lead-guild",
        "int-design-review",
        "prog-review-rota",
    ]
    assert p.focus_areas == ["capability", "impact", "data-integration"]
    assert steps(p.focus) == ["cap-mentor-one", "imp-blog", "cap-lead-guild", "int-design-review"]
    assert p.top_gaps == ["capability", "impact", "data-integration"]
    assert p.strengths == ["innovation"]


def test_an_area_met_at_lead_on_half_its_answers_reaches_no_level_when_its_early_item_is_unanswered() -> None:
    innovation = profile(DDAT, DEV, "lead", "data-engineering").areas["innovation"]
    assert innovation.met is True
    assert dict(innovation.ladder) == {"practitioner": False, "senior": False, "lead": True}
    assert innovation.reached is None


# Dev at head (P = lead):
#   programming 7/3 against 3 (not added); data-integration 2.5 against 3.5 (not added: 3.5 -> 3.5, no
#     head item); both reached practitioner.
#   impact: 1, 2, senior-leaders 1 -> 4/3 against 3.5: gap 13/6, att 8/21, priority 13/6; added,
#     new 1 -> 1/3.5 = 2/7. Reached none.
#   capability (W 1.5): 2, 0, 0 -> 2/3 against 3.5: gap 17/6, att 4/21, priority 1.5 * 17/6 = 4.25; added,
#     new 0. Reached senior.
#   innovation 4.0 against 2: met, not added; ladder practitioner/senior not met, lead and head met.
#   R_all = 100 * (7/9 + 5/7 + 8/21 + 1.5 * 4/21 + 1) / 5.5 = 100 * (199/63) / 5.5 = 39800/693 = 57.43
#   R_new = 100 * (2/7 + 1.5 * 0) / 2.5 = 400/35 = 11.43 = readiness
#   Plan: b0 0: cap-mentor-one (4.25), imp-blog (13/6); b0 2: cap-lead-guild (4.25), int-design-review (1),
#     prog-review-rota (2/3); b0 3: imp-board (3 < 3.5).
#   Focus: capability, impact, data-integration: all but prog-review-rota.


def test_ddat_uneven_data_engineer_at_head_by_hand() -> None:
    p = profile(DDAT, DEV, "head", "data-engineering")
    assert table(p) == {
        "programming": (A(7 / 3), 3.0, False, A(7 / 9), A(2 / 3)),
        "data-integration": (2.5, 3.5, False, A(5 / 7), 1.0),
        "impact": (A(4 / 3), 3.5, False, A(8 / 21), A(13 / 6)),
        "capability": (A(2 / 3), 3.5, False, A(4 / 21), A(4.25)),
        "innovation": (4.0, 2.0, True, 1.0, 0.0),
    }
    assert adds(p) == {
        "programming": (False, None, None),
        "data-integration": (False, None, None),
        "impact": (True, 1.0, A(2 / 7)),
        "capability": (True, 0.0, 0.0),
        "innovation": (False, None, None),
    }
    assert ladders(p)["innovation"] == {"practitioner": False, "senior": False, "lead": True, "head": True}
    assert reached(p) == {
        "programming": "practitioner",
        "data-integration": "practitioner",
        "impact": None,
        "capability": "senior",
        "innovation": None,
    }
    assert p.readiness_all == A(39800 / 693)
    assert p.readiness_new == A(400 / 35)
    assert p.readiness == A(400 / 35)
    assert steps(p.plan) == [
        "cap-mentor-one",
        "imp-blog",
        "cap-lead-guild",
        "int-design-review",
        "prog-review-rota",
        "imp-board",
    ]
    assert steps(p.focus) == [
        "cap-mentor-one",
        "imp-blog",
        "cap-lead-guild",
        "int-design-review",
        "imp-board",
    ]


# == What a converter trips over, on these very files =======================================================
#
# The mistakes made converting public ladders (issue "Results that tell levels apart", author friction),
# kept as tests against the real converted files: each is refused with FILE:LINE:COL and a message for an
# author. The rules in isolation are pinned in test_format_rules.py and test_questionnaire_loader.py.

GITLAB_TEXT = GITLAB_PATH.read_text(encoding="utf-8")
DDAT_TEXT = DDAT_PATH.read_text(encoding="utf-8")
DDAT_NUMBERS = {"practitioner": "1", "senior": "2", "lead": "3", "head": "4"}


def mutate(old: str, new: str, text: str) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def at(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based (line, column) where the `occurrence`-th `needle` starts in `text`."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def problems_of(text: str, name: str) -> list[Problem]:
    with pytest.raises(QuestionnaireError) as excinfo:
        load_text(text, name)
    return excinfo.value.problems


def located(problem: Problem) -> tuple[str, int, int, str]:
    return problem.file, problem.line, problem.column, problem.path


def test_ddat_levels_written_as_the_frameworks_numbers_are_told_to_be_quoted() -> None:
    # The converter copies "role level 1..4" as `levels: [1, 2, 3, 4]`: four messages, no follow-ups
    # about the level names the rest of the file still uses.
    start, end = DDAT_TEXT.index("levels:\n"), DDAT_TEXT.index("specialisms:\n")
    text = DDAT_TEXT[:start] + "levels: [1, 2, 3, 4]\n" + DDAT_TEXT[end:]
    problems = problems_of(text, "ddat-data.yaml")
    line, column = at(text, "[1, 2, 3, 4]")
    assert [(p.line, p.column, p.path, p.message) for p in problems] == [
        (
            line,
            column + 1 + 3 * i,
            f"levels[{i}]",
            f"level ids are text: put the number in quotes ('{i + 1}')",
        )
        for i in range(4)
    ]


def test_ddat_numbered_levels_on_items_and_until_are_told_to_be_quoted_where_they_stand() -> None:
    # The whole file renumbered: level ids, item levels, `until` and the keys of every targets mapping.
    text = DDAT_TEXT
    for name, number in DDAT_NUMBERS.items():
        text = text.replace(f"  - id: {name}\n", f"  - id: {number}\n")
        text = re.sub(rf"\b(level|until): {name}\b", rf"\1: {number}", text)
        text = re.sub(rf"([{{ ]){name}: ([0-9.]+)", rf"\g<1>{number}: \2", text)
    problems = problems_of(text, "ddat-data.yaml")
    on_levels = [p for p in problems if p.path.startswith("levels") or p.path.endswith((".level", ".until"))]
    assert len(on_levels) == 4 + 13  # four level ids; 12 item levels and one until
    for problem in on_levels:
        assert re.fullmatch(r"level ids are text: put the number in quotes \('[1-4]'\)", problem.message), (
            problem
        )
    until = next(p for p in problems if p.path == "areas[0].items[1].until")
    assert (until.line, until.column) == at(text, "until: 2")
    # Each numbered targets mapping is refused once, at its area. Its message ("level ids are text, not 1")
    # does not yet say to quote the keys, nor point at the key: left unpinned here, reported on the issue.
    on_targets = [p for p in problems if p.path.endswith(".targets")]
    assert [p.path for p in on_targets] == [f"areas[{i}].targets" for i in range(5)]
    assert set(on_levels + on_targets) == set(problems)


def test_gitlab_item_level_written_as_a_number_is_told_to_be_quoted() -> None:
    text = mutate(
        "vague requirements and deliver them., level: senior}",
        "vague requirements and deliver them., level: 2}",
        GITLAB_TEXT,
    )
    (problem,) = problems_of(text, "gitlab-development.yaml")
    assert located(problem) == ("gitlab-development.yaml", *at(text, "level: 2}"), "areas[0].items[2].level")
    assert problem.message == "level ids are text: put the number in quotes ('2')"


def test_gitlab_until_before_the_items_level_is_refused_where_it_stands() -> None:
    # A converter marks the staff behaviour "until intermediate" meaning "not before": never asked.
    text = mutate(
        "        level: staff\n    roadmap:\n      - {id: del-slice",
        "        level: staff\n        until: intermediate\n    roadmap:\n      - {id: del-slice",
        GITLAB_TEXT,
    )
    (problem,) = problems_of(text, "gitlab-development.yaml")
    assert str(problem) == (
        f"gitlab-development.yaml:{':'.join(map(str, at(text, 'until: intermediate')))}: "
        "areas[0].items[3].until: until 'intermediate' comes before the item's level 'staff': it would never be asked"
    )


def test_ddat_misspelt_specialism_is_refused_with_the_known_ones() -> None:
    text = mutate("        specialism: data-engineering\n", "        specialism: data-engineer\n", DDAT_TEXT)
    (problem,) = problems_of(text, "ddat-data.yaml")
    assert located(problem) == (
        "ddat-data.yaml",
        *at(text, "specialism: data-engineer\n"),
        "areas[0].items[3].specialism",
    )
    assert (
        problem.message
        == "unknown specialism 'data-engineer'; specialisms are data-science, data-engineering"
    )


def test_ddat_anchor_for_a_skill_level_off_the_scale_is_refused() -> None:
    # The framework's four skill levels are 1..4 on our 0..4 scale; a fifth anchor has nowhere to go.
    text = mutate(
        "      4: I bring in new methods and teach them.\n",
        "      4: I bring in new methods and teach them.\n      5: I publish new methods.\n",
        DDAT_TEXT,
    )
    (problem,) = problems_of(text, "ddat-data.yaml")
    assert located(problem) == ("ddat-data.yaml", *at(text, "5: I publish"), "areas[1].anchors[5]")
    assert problem.message == "anchor 5 is not a value of the scale (0, 1, 2, 3, 4)"


def test_gitlab_targets_that_forget_both_track_levels_give_one_message_per_area() -> None:
    # Converted from the IC pages only: staff and engineering-manager forgotten in two areas.
    text = mutate(
        "targets: {intermediate: 2, senior: 3, staff: 3, engineering-manager: 2}",
        "targets: {intermediate: 2, senior: 3}",
        GITLAB_TEXT,
    )
    text = mutate(
        "targets: {intermediate: 2, senior: 3, staff: 3.5, engineering-manager: 2}",
        "targets: {intermediate: 2, senior: 3}",
        text,
    )
    problems = problems_of(text, "gitlab-development.yaml")
    assert [p.path for p in problems] == ["areas[0].targets", "areas[1].targets"]
    for problem in problems:
        assert problem.message == (
            "missing a target for levels 'staff', 'engineering-manager', where this area is in play "
            "(give each of them in targets; the top-level target only serves areas without targets)"
        )
    forgotten = "targets: {intermediate: 2, senior: 3}"
    assert (problems[0].line, problems[0].column) == at(text, forgotten)
    assert (problems[1].line, problems[1].column) == at(text, forgotten, occurrence=2)


def test_a_converter_that_shares_a_targets_mapping_with_an_anchor_is_refused() -> None:
    text = mutate(
        "targets: {intermediate: 2, senior: 3, staff: 3.5, engineering-manager: 2}",
        "targets: &engineering {intermediate: 2, senior: 3, staff: 3.5, engineering-manager: 2}",
        GITLAB_TEXT,
    )
    text = mutate("    targets: 2\n", "    targets: *engineering\n", text)
    (problem,) = problems_of(text, "gitlab-development.yaml")
    assert (problem.line, problem.column) == at(text, "&engineering")
    assert problem.message == "YAML anchors (&engineering) are not allowed in questionnaires"


def test_a_comma_in_an_unquoted_flow_mapping_text_is_refused_at_that_item() -> None:
    # Found converting both ladders (three times): `{id: x, text: a, b}` reads "b" as a key.
    text = mutate(
        "      - id: com-clear\n        text: I communicate clearly and on time, especially in writing.\n",
        "      - {id: com-clear, text: I communicate clearly and on time, especially in writing.}\n",
        GITLAB_TEXT,
    )
    (problem,) = problems_of(text, "gitlab-development.yaml")
    assert problem.path.startswith("areas[2].items[0].")
    assert problem.line == at(text, "{id: com-clear")[0]
    assert problem.message.startswith("unknown key 'especially in writing.'")
