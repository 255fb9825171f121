"""The level-aware rules of the format (tracks, groups, expectations, level-tagged items, targets, bands,
optional phases), each failing on its own and located at the offending YAML node.

The rules the first format already had are pinned in test_questionnaire_loader.py.
"""

from __future__ import annotations

import re
import textwrap

import pytest

from competency.questionnaire import Problem, QuestionnaireError, load_text
from competency.questionnaire.schema import BAND_SHAPE, Questionnaire

# A valid two-track framework. Line numbers are found with `at()` in the very text handed to the loader.
VALID = textwrap.dedent(
    """\
    id: ladder
    version: 1
    title: Ladder
    scale:
      - {value: 0, label: None}
      - {value: 1, label: Some}
      - {value: 2, label: Good}
      - {value: 3, label: Expert}
    tracks:
      - {id: ic, label: Individual contributor}
      - {id: manager, label: People manager}
    levels:
      - {id: junior, description: Learns the craft.}
      - {id: staff, track: ic}
      - {id: lead, track: manager}
    groups:
      - {id: craft, label: Craft}
      - {id: people, label: People}
    phases:
      - {id: first}
      - {id: second}
    areas:
      - id: alpha
        title: Alpha
        group: craft
        targets: {junior: 1, staff: 2, lead: 2}
        expectations:
          staff: Sets the direction of the craft.
        items:
          - {id: a1, text: Item a1}
          - {id: a2, text: Item a2, level: staff}
        roadmap:
          - {id: s1, phase: first, band: [0, 2], title: Step one}
      - id: beta
        title: Beta
        group: people
        targets: {lead: 2.5}
        items:
          - {id: b1, text: Item b1, level: lead}
        roadmap:
          - {id: s2, phase: second, title: Step two}
    """
)

NO_PHASES = "phases:\n  - {id: first}\n  - {id: second}\n"

# Words of the validation library or its regular expressions: an author must never read them.
LIBRARY_WORDING = re.compile(
    r"Input should|List should|Tuple should|should have at least|validation error|Value error|"
    r"type=|pydantic|\[a-z|\\S|\^"
)


def mutate(old: str, new: str, text: str = VALID) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def at(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based (line, column) where the `occurrence`-th `needle` starts in `text`."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def problems_of(text: str) -> list[Problem]:
    with pytest.raises(QuestionnaireError) as excinfo:
        load_text(text, "ladder.yaml")
    problems = excinfo.value.problems
    for problem in problems:
        assert not LIBRARY_WORDING.search(problem.message), str(problem)
    return problems


def only_problem(text: str) -> Problem:
    """The single problem of `text`: a rule that fires must not drag spurious follow-ups with it."""
    problems = problems_of(text)
    assert len(problems) == 1, "\n".join(str(p) for p in problems)
    return problems[0]


def assert_at(problem: Problem, path: str, where: tuple[int, int], message: str) -> None:
    assert str(problem) == f"ladder.yaml:{where[0]}:{where[1]}: {path}: {message}"


def test_the_base_framework_is_valid_and_the_targets_resolve() -> None:
    q = load_text(VALID)
    assert q.path("lead") == ("junior", "lead")
    assert q.path("staff") == ("junior", "staff")
    assert [a.id for a in q.areas_in_play("junior")] == ["alpha"]
    assert q.target_for(q.area("beta"), "lead") == 2.5


# -- tracks, groups, phases ----------------------------------------------------------------------------


def test_level_on_an_unknown_track_is_reported_at_its_track() -> None:
    text = mutate("{id: staff, track: ic}", "{id: staff, track: icc}")
    assert_at(
        only_problem(text),
        "levels[1].track",
        at(text, "track: icc"),
        "unknown track 'icc'; tracks are ic, manager",
    )


def test_level_with_a_track_in_a_file_without_tracks_is_reported() -> None:
    text = mutate(
        "tracks:\n  - {id: ic, label: Individual contributor}\n  - {id: manager, label: People manager}\n", ""
    )
    problems = problems_of(text)
    assert [str(p) for p in problems] == [
        f"ladder.yaml:{at(text, 'track: ic}')[0]}:{at(text, 'track: ic}')[1]}: levels[1].track: "
        "unknown track 'ic': this file defines no tracks",
        f"ladder.yaml:{at(text, 'track: manager}')[0]}:{at(text, 'track: manager}')[1]}: levels[2].track: "
        "unknown track 'manager': this file defines no tracks",
    ]


def test_duplicate_track_id_is_reported_at_the_second_track() -> None:
    text = mutate(
        "  - {id: manager, label: People manager}\n", "  - {id: ic, label: Again}\n  - {id: manager}\n"
    )
    assert_at(only_problem(text), "tracks[1].id", at(text, "id: ic, label: Again"), "duplicate track id 'ic'")


def test_duplicate_group_id_is_reported_at_the_second_group() -> None:
    text = mutate("  - {id: people, label: People}\n", "  - {id: craft, label: Again}\n  - {id: people}\n")
    assert_at(
        only_problem(text), "groups[1].id", at(text, "id: craft, label: Again"), "duplicate group id 'craft'"
    )


def test_duplicate_phase_id_is_reported_at_the_second_phase() -> None:
    text = mutate("  - {id: second}\n", "  - {id: first}\n  - {id: second}\n")
    assert_at(only_problem(text), "phases[1].id", at(text, "id: first}", 2), "duplicate phase id 'first'")


def test_a_duplicated_id_is_listed_once_among_the_known_ones() -> None:
    text = mutate("  - {id: people, label: People}\n", "  - {id: craft, label: Again}\n")
    problems = problems_of(text)
    assert [str(p) for p in problems] == [
        f"ladder.yaml:{at(text, 'id: craft, label: Again')[0]}:{at(text, 'id: craft, label: Again')[1]}: "
        "groups[1].id: duplicate group id 'craft'",
        f"ladder.yaml:{at(text, 'group: people')[0]}:{at(text, 'group: people')[1]}: "
        "areas[1].group: unknown group 'people'; groups are craft",
    ]


def test_area_in_an_unknown_group_is_reported_at_its_group() -> None:
    text = mutate("group: people", "group: peeple")
    assert_at(
        only_problem(text),
        "areas[1].group",
        at(text, "group: peeple"),
        "unknown group 'peeple'; groups are craft, people",
    )


def test_area_group_in_a_file_without_groups_is_reported() -> None:
    text = mutate("groups:\n  - {id: craft, label: Craft}\n  - {id: people, label: People}\n", "")
    problems = problems_of(text)
    assert [(p.path, (p.line, p.column), p.message) for p in problems] == [
        ("areas[0].group", at(text, "group: craft"), "unknown group 'craft': this file defines no groups"),
        ("areas[1].group", at(text, "group: people"), "unknown group 'people': this file defines no groups"),
    ]


# -- levels named in expectations and items ------------------------------------------------------------


def test_unknown_level_in_expectations_is_reported_at_its_key() -> None:
    text = mutate("      staff: Sets", "      stuff: Sets")
    assert_at(
        only_problem(text),
        "areas[0].expectations.stuff",
        at(text, "stuff:"),
        "unknown level 'stuff'; levels are junior, staff, lead",
    )


def test_unknown_level_on_an_item_is_reported_at_the_item_level() -> None:
    text = mutate("level: lead}", "level: leed}")
    assert_at(
        only_problem(text),
        "areas[1].items[0].level",
        at(text, "level: leed"),
        "unknown level 'leed'; levels are junior, staff, lead",
    )


def test_item_level_that_is_not_text_is_one_problem_not_a_missing_target_per_level() -> None:
    text = mutate("level: lead}", "level: 3}")
    assert_at(
        only_problem(text),
        "areas[1].items[0].level",
        at(text, "level: 3"),
        "level ids are text: put the number in quotes ('3')",
    )


def test_expectation_that_is_not_text_is_reported() -> None:
    text = mutate("      staff: Sets the direction of the craft.", "      staff: 3")
    assert_at(only_problem(text), "areas[0].expectations.staff", at(text, "staff: 3"), "must be text")


# -- targets: where they are needed and how they resolve --------------------------------------------


def test_target_missing_where_the_area_is_in_play_is_reported_at_the_targets() -> None:
    text = mutate("targets: {junior: 1, staff: 2, lead: 2}", "targets: {junior: 1, staff: 2}")
    assert_at(
        only_problem(text),
        "areas[0].targets",
        at(text, "targets: {junior: 1, staff: 2}"),
        "missing a target for level 'lead', where this area is in play "
        "(give targets.lead; the top-level target only serves areas without targets)",
    )


def test_no_target_is_needed_where_the_area_is_not_in_play() -> None:
    # beta has only a manager-track item: junior and staff never see it, so they need no target.
    q = load_text(VALID)
    assert q.area("beta").targets == {"lead": 2.5}
    assert [a.id for a in q.areas_in_play("staff")] == ["alpha"]


def test_a_target_becomes_needed_when_an_item_brings_the_area_into_play() -> None:
    text = mutate("      - {id: b1, text: Item b1, level: lead}\n", "      - {id: b1, text: Item b1}\n")
    # One line for the area, naming every forgotten level, not one line per level.
    assert_at(
        only_problem(text),
        "areas[1].targets",
        at(text, "targets: {lead: 2.5}"),
        "missing a target for levels 'junior', 'staff', where this area is in play "
        "(give each of them in targets; the top-level target only serves areas without targets)",
    )


def test_top_level_target_does_not_fill_a_level_a_targets_mapping_forgot() -> None:
    text = mutate("title: Ladder\n", "title: Ladder\ntarget: 1.5\n")
    text = mutate("      - {id: b1, text: Item b1, level: lead}\n", "      - {id: b1, text: Item b1}\n", text)
    assert only_problem(text).message.startswith("missing a target for levels 'junior', 'staff'")


def test_a_stored_snapshot_keeps_the_top_level_target_for_a_forgotten_level() -> None:
    # Saved before every level had to be named: its results keep rendering as they were taken.
    text = mutate("title: Ladder\n", "title: Ladder\ntarget: 1.5\n")
    text = mutate("      - {id: b1, text: Item b1, level: lead}\n", "      - {id: b1, text: Item b1}\n", text)
    import yaml

    q = Questionnaire.model_validate(yaml.safe_load(text), context={"stored": True})
    beta = q.area("beta")
    assert [q.target_for(beta, level) for level in q.level_ids] == [1.5, 1.5, 2.5]


def test_an_area_without_targets_takes_the_top_level_target() -> None:
    text = mutate("title: Ladder\n", "title: Ladder\ntarget: 1.5\n")
    text = mutate("targets: {lead: 2.5}", "weight: 1", text)
    text = mutate("      - {id: b1, text: Item b1, level: lead}\n", "      - {id: b1, text: Item b1}\n", text)
    q = load_text(text)
    assert [q.target_for(q.area("beta"), level) for level in q.level_ids] == [1.5, 1.5, 1.5]


def test_one_number_is_the_target_at_every_level() -> None:
    text = mutate("targets: {lead: 2.5}", "targets: 2")
    text = mutate("      - {id: b1, text: Item b1, level: lead}\n", "      - {id: b1, text: Item b1}\n", text)
    q = load_text(text)
    assert q.area("beta").targets == 2.0
    assert [q.target_for(q.area("beta"), level) for level in q.level_ids] == [2.0, 2.0, 2.0]


def test_one_number_target_outside_the_scale_is_reported() -> None:
    text = mutate("targets: {lead: 2.5}", "targets: 4")
    assert_at(
        only_problem(text),
        "areas[1].targets",
        at(text, "targets: 4"),
        "target 4 lies outside the scale (0 to 3)",
    )


def test_top_level_target_outside_the_scale_is_reported() -> None:
    text = mutate("title: Ladder\n", "title: Ladder\ntarget: -0.5\n")
    assert_at(
        only_problem(text), "target", at(text, "target: -0.5"), "target -0.5 lies outside the scale (0 to 3)"
    )


@pytest.mark.parametrize("value", ["high", "[1, 2]", "true"])
def test_targets_of_another_kind_say_what_is_expected(value: str) -> None:
    text = mutate("targets: {lead: 2.5}", f"targets: {value}")
    assert_at(
        only_problem(text),
        "areas[1].targets",
        at(text, "targets:", 2),
        "must be a number, or a mapping of level id to number (e.g. {junior: 1, mid: 2})",
    )


def test_target_that_is_not_a_number_names_its_level() -> None:
    text = mutate("targets: {lead: 2.5}", "targets: {lead: high}")
    problem = problems_of(text)[0]
    assert_at(
        problem,
        "areas[1].targets",
        at(text, "targets: {lead: high}"),
        "targets.lead must be a number, not 'high'",
    )


# -- bands ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("band", ["[0, 5]", "[-1, 2]"])
def test_band_reaching_outside_the_scale_is_reported(band: str) -> None:
    text = mutate("band: [0, 2]", f"band: {band}")
    low, high = band.strip("[]").split(", ")
    assert_at(
        only_problem(text),
        "areas[0].roadmap[0].band",
        at(text, f"band: {band}"),
        f"band [{low}, {high}] reaches outside the scale (0 to 3)",
    )


@pytest.mark.parametrize("band", ["[2, 1]", "[1.5, 1.5]"])
def test_band_that_does_not_ascend_is_reported(band: str) -> None:
    text = mutate("band: [0, 2]", f"band: {band}")
    low, high = band.strip("[]").split(", ")
    assert_at(
        only_problem(text),
        "areas[0].roadmap[0].band",
        at(text, f"band: {band}"),
        f"a band runs from low to high: {low} is not below {high}",
    )


@pytest.mark.parametrize("band", ["[1]", "[]", "[0, 1, 2]", "low", "2", "{from: 0, to: 2}"])
def test_band_of_the_wrong_shape_says_what_a_band_is(band: str) -> None:
    text = mutate("band: [0, 2]", f"band: {band}")
    assert BAND_SHAPE == "a band is two numbers, from low to high, e.g. [2, 3]"
    assert_at(only_problem(text), "areas[0].roadmap[0].band", at(text, f"band: {band}"), BAND_SHAPE)


def test_band_end_that_is_not_a_number_is_reported_at_that_end() -> None:
    text = mutate("band: [0, 2]", "band: [0, high]")
    assert_at(only_problem(text), "areas[0].roadmap[0].band[1]", at(text, "high]"), "must be a number")


def test_band_end_that_is_not_finite_is_one_problem() -> None:
    text = mutate("band: [0, 2]", "band: [0, .inf]")
    assert_at(only_problem(text), "areas[0].roadmap[0].band[1]", at(text, ".inf]"), "must be a finite number")


# -- phases are optional --------------------------------------------------------------------------------


def test_step_without_a_phase_when_the_file_has_phases_is_reported_at_the_step() -> None:
    text = mutate(
        "{id: s1, phase: first, band: [0, 2], title: Step one}", "{id: s1, band: [0, 2], title: Step one}"
    )
    assert_at(
        only_problem(text),
        "areas[0].roadmap[0]",
        at(text, "{id: s1"),
        "a phase is needed: this file has phases (first, second)",
    )


def test_step_with_a_phase_when_the_file_has_none_is_reported_at_the_phase() -> None:
    text = mutate(NO_PHASES, "")
    text = mutate("{id: s2, phase: second, title: Step two}", "{id: s2, title: Step two}", text)
    assert_at(
        only_problem(text),
        "areas[0].roadmap[0].phase",
        at(text, "phase: first"),
        "this file has no phases: remove the step's phase or add `phases`",
    )


def test_a_file_without_phases_loads_with_phaseless_steps() -> None:
    text = mutate(NO_PHASES, "")
    text = mutate("phase: first, ", "", text)
    text = mutate("phase: second, ", "", text)
    q = load_text(text)
    assert q.phases == []
    assert [s.phase for a in q.areas for s in a.roadmap] == [None, None]


# -- the shape of the file ------------------------------------------------------------------------------


def test_forty_nested_lists_are_reported_cleanly_at_the_depth_limit() -> None:
    text = mutate("title: Ladder\n", "title: Ladder\nsummary: " + "[" * 40 + "]" * 40 + "\n")
    problem = only_problem(text)
    # The summary's list is at depth 1, so its 33rd bracket is the first node deeper than the limit.
    line, column = at(text, "summary: ")
    assert_at(
        problem,
        "(document)",
        (line, column + len("summary: ") + 32),
        "nested more than 32 levels deep; a framework never needs that",
    )


def test_thousands_of_nested_lists_do_not_crash_the_parser() -> None:
    problem = only_problem("id: x\nsummary: " + "[" * 5000 + "]" * 5000 + "\n")
    assert problem.message.endswith("a framework never needs that")
    assert (problem.line, problem.column) >= (1, 1)


@pytest.mark.parametrize(
    ("old", "new", "key", "closest", "allowed"),
    [
        (
            "{id: junior, description:",
            "{id: junior, descripton:",
            "descripton",
            "description",
            "id, label, description, track",
        ),
        (
            "{id: ic, label: Individual contributor}",
            "{id: ic, lable: Individual contributor}",
            "lable",
            "label",
            "id, label",
        ),
        (
            "{id: s1, phase: first, band:",
            "{id: s1, phase: first, bands:",
            "bands",
            "band",
            "id, phase, band, min_gap, title, detail, resources",
        ),
        (
            "    group: people\n",
            "    grup: people\n",
            "grup",
            "group",
            "id, title, description, group, specialism, anchors, weight, targets, expectations, items, roadmap",
        ),
        (
            "{id: a2, text: Item a2, level: staff}",
            "{id: a2, text: Item a2, levle: staff}",
            "levle",
            "level",
            "id, text, help, level, until, specialism, weight, reverse, optional",
        ),
    ],
    ids=["level", "track", "step", "area", "item"],
)
def test_unknown_key_lists_the_keys_allowed_there_and_the_closest(
    old: str, new: str, key: str, closest: str, allowed: str
) -> None:
    text = mutate(old, new)
    problem = problems_of(text)[0]
    assert (problem.line, problem.column) == at(text, key)
    assert problem.message == f"unknown key {key!r} (did you mean {closest!r}?); allowed here: {allowed}"


def test_unknown_key_in_source_lists_the_source_keys() -> None:
    text = mutate("title: Ladder\n", "title: Ladder\nsource: {titel: Ladder, licence: MIT}\n")
    assert_at(
        only_problem(text),
        "source.titel",
        at(text, "titel"),
        "unknown key 'titel' (did you mean 'title'?); allowed here: title, url, licence, attribution",
    )


def test_unknown_key_without_a_close_match_lists_the_allowed_keys_only() -> None:
    text = mutate("{id: craft, label: Craft}", "{id: craft, colour: red}")
    assert_at(
        only_problem(text),
        "groups[0].colour",
        at(text, "colour"),
        "unknown key 'colour'; allowed here: id, label",
    )


# -- no library wording, whatever the mistake ------------------------------------------------------------

MISTAKES = [
    (
        "levels:\n  - {id: junior, description: Learns the craft.}\n  - {id: staff, track: ic}\n  - {id: lead, track: manager}\n",
        "levels: []\n",
    ),
    ("      - {id: b1, text: Item b1, level: lead}\n", "      []\n"),
    ("version: 1", "version: 0"),
    ("version: 1", "version: one"),
    ("{id: first}", "{id: First phase}"),
    ("title: Ladder\n", "title: Ladder\nsource: {url: ftp://example.org}\n"),
    ("title: Ladder\n", "title: Ladder\nsource: Somewhere\n"),
    ("title: Ladder\n", "title: " + "x" * 2001 + "\n"),
    ("title: Ladder\n", "title: ''\n"),
    ("{id: a1, text: Item a1}", "{id: a1, text: Item a1, weight: 0}"),
    ("{id: a1, text: Item a1}", "{id: a1, text: Item a1, reverse: 'yes'}"),
    ("{id: a1, text: Item a1}", "{id: a1, text: [Item a1]}"),
    ("title: Step one}", "title: Step one, min_gap: -1}"),
    ("title: Step one}", "title: Step one, resources: [{title: Video, url: 'https://x.org', kind: video}]}"),
    ("title: Step one}", "title: Step one, resources: Video}"),
    ("{value: 3, label: Expert}", "{value: 2.5, label: Expert}"),
    ("{value: 3, label: Expert}", "{value: .nan, label: Expert}"),
    ("tracks:\n", "tracks: ic\nx:\n"),
    ("{id: staff, track: ic}", "{id: staff, track: [ic]}"),
    ("title: Ladder\n", "title: Ladder\nexpert_threshold: .inf\n"),
    ("group: craft", "group: {id: craft}"),
    ("band: [0, 2]", "band: [true, 2]"),
]


@pytest.mark.parametrize(("old", "new"), MISTAKES, ids=[f"mistake-{i}" for i in range(len(MISTAKES))])
def test_no_message_uses_the_libraries_words(old: str, new: str) -> None:
    for problem in problems_of(mutate(old, new)):
        assert problem.message[0].islower() or problem.message[0] in "'`", str(problem)


def test_a_nan_scale_point_is_one_problem_not_a_range_check_against_nan() -> None:
    text = mutate("{value: 3, label: Expert}", "{value: .nan, label: Expert}")
    assert_at(only_problem(text), "scale[3].value", at(text, "value: .nan"), "must be a whole number")


# -- what a converted ladder trips over (issue "Results that tell levels apart") ---------------------


def test_numbers_as_level_ids_are_told_to_be_quoted() -> None:
    levels = "  - {id: junior, description: Learns the craft.}\n  - {id: staff, track: ic}\n"
    text = mutate(levels + "  - {id: lead, track: manager}\n", "  - 1\n  - 2\n")
    messages = [p.message for p in problems_of(text) if p.path.startswith("levels")]
    assert messages == [
        "level ids are text: put the number in quotes ('1')",
        "level ids are text: put the number in quotes ('2')",
    ]


def test_until_before_the_items_level_is_refused_where_it_stands() -> None:
    text = mutate(
        "{id: a2, text: Item a2, level: staff}", "{id: a2, text: Item a2, level: staff, until: junior}"
    )
    assert_at(
        only_problem(text),
        "areas[0].items[1].until",
        at(text, "until: junior"),
        "until 'junior' comes before the item's level 'staff': it would never be asked",
    )


def test_an_unknown_specialism_is_refused_with_the_known_ones() -> None:
    text = mutate("title: Ladder\n", "title: Ladder\nspecialisms:\n  - {id: research, label: Research}\n")
    text = mutate(
        "{id: a2, text: Item a2, level: staff}",
        "{id: a2, text: Item a2, level: staff, specialism: platform}",
        text,
    )
    assert_at(
        only_problem(text),
        "areas[0].items[1].specialism",
        at(text, "specialism: platform"),
        "unknown specialism 'platform'; specialisms are research",
    )


def test_anchors_off_the_scale_are_refused() -> None:
    text = mutate("    group: craft\n", "    group: craft\n    anchors: {0: Nothing yet, 5: Beyond}\n")
    assert_at(
        only_problem(text),
        "areas[0].anchors[5]",
        at(text, "5: Beyond"),
        "anchor 5 is not a value of the scale (0, 1, 2, 3)",
    )


def test_numbers_as_targets_keys_are_told_to_be_quoted_all_at_once() -> None:
    text = mutate("targets: {junior: 1, staff: 2, lead: 2}", "targets: {1: 1, 2: 2, lead: 2}")
    messages = [(p.path, p.message) for p in problems_of(text)]
    assert ("areas[0].targets", "level ids are text: put the numbers in quotes ('1', '2')") in messages
    # Not reported a second time as unknown levels.
    assert not [m for _, m in messages if m.startswith("unknown level")]


def test_until_on_another_track_than_the_level_is_not_refused() -> None:
    # lead (manager track) never passes staff (ic track): the item is simply asked at lead.
    text = mutate(
        "{id: b1, text: Item b1, level: lead}", "{id: b1, text: Item b1, level: lead, until: staff}"
    )
    q = load_text(text)
    assert [i.id for i in q.items_in_play(q.area("beta"), "lead")] == ["b1"]
