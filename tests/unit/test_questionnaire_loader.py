"""The questionnaire loader: every rule of DESIGN.md "Questionnaire format", located at the offending node."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from competency.questionnaire import Problem, QuestionnaireError, load_file, load_text, questionnaire_files
from competency.questionnaire.loader import MAX_BYTES

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "fixtures"
SHIPPED = sorted((REPO_ROOT / "questionnaires").glob("*.yaml"))

# A small valid framework. Line numbers in the tests below are found with `at()`,
# which counts lines in the very text handed to the loader.
VALID = textwrap.dedent(
    """\
    id: demo
    version: 1
    title: Demo
    scale:
      - {value: 0, label: None}
      - {value: 1, label: Some}
      - {value: 2, label: Good}
      - {value: 3, label: Expert}
    levels: [junior, senior]
    phases:
      - {id: first}
      - {id: second}
    areas:
      - id: alpha
        title: Alpha
        targets: {junior: 1, senior: 2}
        items:
          - id: a1
            text: Item a1
          - id: a2
            text: Item a2
        roadmap:
          - id: s1
            phase: first
            title: Step one
      - id: beta
        title: Beta
        targets: {junior: 1, senior: 3}
        items:
          - id: b1
            text: Item b1
        roadmap: []
    """
)


def mutate(old: str, new: str, text: str = VALID) -> str:
    """`text` with the single occurrence of `old` replaced (fails loudly if the anchor text moved)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def at(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based (line, column) where the `occurrence`-th `needle` starts in `text`."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def problems_of(text: str, file: str = "q.yaml") -> list[Problem]:
    with pytest.raises(QuestionnaireError) as excinfo:
        load_text(text, file)
    problems = excinfo.value.problems
    assert problems, "a QuestionnaireError must list at least one problem"
    # The exception text is the report the CLI prints: one line per problem.
    assert str(excinfo.value).splitlines() == [str(p) for p in problems]
    return problems


def the_problem(text: str, path: str) -> Problem:
    found = [p for p in problems_of(text) if p.path == path]
    assert len(found) == 1, f"expected one problem at {path!r}, got {problems_of(text)}"
    return found[0]


def assert_located(problem: Problem, where: tuple[int, int], message_part: str) -> None:
    assert (problem.line, problem.column) == where, str(problem)
    assert message_part in problem.message, str(problem)


# -- the valid case and the report format ---------------------------------------------------------------


def test_valid_questionnaire_loads_with_documented_defaults() -> None:
    q = load_text(VALID, "q.yaml")
    assert q.id == "demo"
    assert (q.lo, q.hi) == (0, 3)
    assert q.level_ids == ("junior", "senior")
    item = q.area("alpha").items[0]
    assert (item.weight, item.reverse, item.optional) == (1.0, False, False)
    assert q.area("alpha").weight == 1.0
    assert q.area("alpha").roadmap[0].min_gap == 0.0
    # expert_threshold defaults to the second-highest scale value.
    assert q.expert_level == 2


def test_problem_prints_as_file_line_column_path_message() -> None:
    problem = Problem("q.yaml", 7, 3, "areas[0].id", "duplicate area id 'x'")
    assert str(problem) == "q.yaml:7:3: areas[0].id: duplicate area id 'x'"
    assert str(Problem("q.yaml", 1, 1, "", "the file is empty")).startswith("q.yaml:1:1: ")


def test_problem_names_the_file_it_was_given() -> None:
    problem = problems_of(mutate("title: Demo\n", ""), file="roles/demo.yaml")[0]
    assert str(problem).startswith("roles/demo.yaml:1:1: title: ")


# -- fields ----------------------------------------------------------------------------------------------


def test_missing_top_level_field_points_at_the_document() -> None:
    text = mutate("title: Demo\n", "")
    problem = the_problem(text, "title")
    assert_located(problem, (1, 1), "required field is missing")


def test_missing_nested_field_points_at_its_parent_mapping() -> None:
    text = mutate("      - id: a2\n        text: Item a2\n", "      - id: a2\n")
    problem = the_problem(text, "areas[0].items[1].text")
    assert_located(problem, at(text, "id: a2"), "required field is missing")


def test_string_where_a_number_is_expected_is_reported_at_the_field() -> None:
    text = mutate("version: 1\n", 'version: "1"\n')
    assert_located(the_problem(text, "version"), at(text, "version"), "must be a whole number")


def test_string_weight_is_reported_at_the_field() -> None:
    text = mutate("        text: Item a2\n", "        text: Item a2\n        weight: heavy\n")
    assert_located(
        the_problem(text, "areas[0].items[1].weight"), at(text, "weight: heavy"), "must be a number"
    )


def test_quoted_boolean_is_not_a_boolean() -> None:
    text = mutate("        text: Item a2\n", '        text: Item a2\n        reverse: "true"\n')
    assert_located(
        the_problem(text, "areas[0].items[1].reverse"), at(text, "reverse"), "must be true or false"
    )


def test_unknown_key_is_reported_at_the_key() -> None:
    text = mutate("        text: Item b1\n", "        text: Item b1\n        colour: red\n")
    problem = the_problem(text, "areas[1].items[0].colour")
    assert_located(
        problem,
        at(text, "colour"),
        "unknown key 'colour'; allowed here: id, text, help, level, until, specialism, weight, reverse, optional",
    )


def test_unknown_key_suggests_the_closest_allowed_key() -> None:
    text = mutate("        text: Item b1\n", "        text: Item b1\n        wieght: 2\n")
    problem = the_problem(text, "areas[1].items[0].wieght")
    assert_located(problem, at(text, "wieght"), "unknown key 'wieght' (did you mean 'weight'?)")


def test_unknown_top_level_key_is_reported() -> None:
    text = mutate("title: Demo\n", "title: Demo\nauthor: someone\n")
    problem = the_problem(text, "author")
    assert_located(problem, at(text, "author"), "unknown key 'author'; allowed here: id, version, title,")


# -- duplicate ids ---------------------------------------------------------------------------------------


def test_duplicate_area_id_is_reported_at_the_second_area() -> None:
    text = mutate("  - id: beta\n", "  - id: alpha\n")
    problem = the_problem(text, "areas[1].id")
    assert_located(problem, at(text, "id: alpha", occurrence=2), "duplicate area id 'alpha'")


def test_duplicate_item_id_across_areas_is_reported() -> None:
    text = mutate("      - id: b1\n", "      - id: a1\n")
    problem = the_problem(text, "areas[1].items[0].id")
    assert_located(problem, at(text, "id: a1", occurrence=2), "duplicate item id 'a1'")


def test_duplicate_item_id_within_an_area_is_reported() -> None:
    text = mutate("      - id: a2\n", "      - id: a1\n")
    problem = the_problem(text, "areas[0].items[1].id")
    assert_located(problem, at(text, "id: a1", occurrence=2), "duplicate item id 'a1'")


def test_duplicate_roadmap_step_id_is_reported() -> None:
    text = mutate("    roadmap: []\n", "    roadmap:\n      - {id: s1, phase: second, title: Again}\n")
    problem = the_problem(text, "areas[1].roadmap[0].id")
    assert_located(problem, at(text, "id: s1", occurrence=2), "duplicate roadmap step id 's1'")


def test_duplicate_level_id_is_reported() -> None:
    text = mutate("levels: [junior, senior]", "levels: [junior, senior, junior]")
    problem = the_problem(text, "levels[2]")
    assert_located(problem, at(text, "junior]"), "duplicate level id 'junior'")


# -- the scale -------------------------------------------------------------------------------------------


def test_scale_with_a_repeated_value_is_not_strictly_ascending() -> None:
    text = mutate("{value: 2, label: Good}", "{value: 1, label: Good}")
    problem = the_problem(text, "scale[2].value")
    assert_located(problem, at(text, "value: 1, label: Good"), "strictly ascending")


def test_descending_scale_is_rejected() -> None:
    text = mutate("{value: 3, label: Expert}", "{value: -1, label: Expert}")
    problem = the_problem(text, "scale[3].value")
    assert_located(problem, at(text, "value: -1"), "strictly ascending: -1 follows 2")


def test_scale_with_two_points_is_rejected() -> None:
    text = mutate("  - {value: 2, label: Good}\n  - {value: 3, label: Expert}\n", "")
    problem = the_problem(text, "scale")
    assert_located(problem, at(text, "scale:"), "3 to 11 points, this one has 2")


def test_scale_with_twelve_points_is_rejected() -> None:
    extra = "".join(f"  - {{value: {v}, label: L{v}}}\n" for v in range(4, 12))
    text = mutate("  - {value: 3, label: Expert}\n", "  - {value: 3, label: Expert}\n" + extra)
    problem = the_problem(text, "scale")
    assert_located(problem, at(text, "scale:"), "3 to 11 points, this one has 12")


@pytest.mark.parametrize("points", [3, 7, 11])
def test_scales_of_three_to_eleven_points_are_accepted(points: int) -> None:
    scale = "".join(f"  - {{value: {v}, label: L{v}}}\n" for v in range(1, points + 1))
    text = VALID.replace(
        "  - {value: 0, label: None}\n  - {value: 1, label: Some}\n"
        "  - {value: 2, label: Good}\n  - {value: 3, label: Expert}\n",
        scale,
    )
    assert text != VALID
    # Targets 1..3 stay inside 1..points for both sizes.
    assert load_text(text).scale_values == tuple(range(1, points + 1))


# -- targets, levels, phases, thresholds -------------------------------------------------------------------


def test_target_above_the_scale_is_rejected() -> None:
    text = mutate("targets: {junior: 1, senior: 3}", "targets: {junior: 1, senior: 3.5}")
    problem = the_problem(text, "areas[1].targets.senior")
    assert_located(problem, at(text, "senior: 3.5"), "target 3.5 lies outside the scale (0 to 3)")


def test_target_below_the_scale_is_rejected() -> None:
    text = mutate("targets: {junior: 1, senior: 2}", "targets: {junior: -0.5, senior: 2}")
    problem = the_problem(text, "areas[0].targets.junior")
    assert_located(problem, at(text, "junior: -0.5"), "outside the scale")


def test_missing_level_target_is_reported_at_the_targets() -> None:
    text = mutate("targets: {junior: 1, senior: 3}", "targets: {junior: 1}")
    problem = the_problem(text, "areas[1].targets")
    assert_located(problem, at(text, "targets: {junior: 1}"), "missing a target for level 'senior'")


def test_unknown_level_in_targets_is_reported() -> None:
    text = mutate("targets: {junior: 1, senior: 3}", "targets: {junior: 1, senior: 3, guru: 3}")
    problem = the_problem(text, "areas[1].targets.guru")
    assert_located(problem, at(text, "guru"), "unknown level 'guru'")


def test_roadmap_step_naming_an_unknown_phase_is_reported() -> None:
    text = mutate("phase: first", "phase: third")
    problem = the_problem(text, "areas[0].roadmap[0].phase")
    assert_located(problem, at(text, "phase: third"), "unknown phase 'third'; phases are first, second")


@pytest.mark.parametrize("threshold", ["4", "-1", "3.01"])
def test_expert_threshold_outside_the_scale_is_rejected(threshold: str) -> None:
    text = mutate("version: 1\n", f"version: 1\nexpert_threshold: {threshold}\n")
    problem = the_problem(text, "expert_threshold")
    assert_located(
        problem, at(text, "expert_threshold"), f"expert threshold {threshold} lies outside the scale (0 to 3)"
    )


def test_expert_threshold_inside_the_scale_is_used() -> None:
    q = load_text(mutate("version: 1\n", "version: 1\nexpert_threshold: 2.5\n"))
    assert q.expert_level == 2.5


def test_levels_may_be_mappings_with_labels() -> None:
    text = mutate("levels: [junior, senior]", "levels:\n  - {id: junior, label: Junior}\n  - {id: senior}")
    q = load_text(text)
    assert q.level_ids == ("junior", "senior")
    assert [level.name for level in q.levels] == ["Junior", "senior"]


# -- weights ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("weight", ["0", "-1", "-0.5", "0.0"])
def test_item_weight_must_be_positive(weight: str) -> None:
    text = mutate("        text: Item a2\n", f"        text: Item a2\n        weight: {weight}\n")
    problem = the_problem(text, "areas[0].items[1].weight")
    assert_located(problem, at(text, f"weight: {weight}"), "greater than 0")


@pytest.mark.parametrize("weight", ["0", "-2"])
def test_area_weight_must_be_positive(weight: str) -> None:
    text = mutate("    title: Beta\n", f"    title: Beta\n    weight: {weight}\n")
    problem = the_problem(text, "areas[1].weight")
    assert_located(problem, at(text, f"weight: {weight}"), "greater than 0")


def test_infinite_weight_is_rejected() -> None:
    text = mutate("    title: Beta\n", "    title: Beta\n    weight: .inf\n")
    assert the_problem(text, "areas[1].weight").line == at(text, "weight: .inf")[0]


# -- YAML-level rules ------------------------------------------------------------------------------------


def test_duplicate_yaml_key_is_reported_at_the_second_key() -> None:
    text = mutate("title: Demo\n", "title: Demo\ntitle: Demo again\n")
    problem = the_problem(text, "title")
    assert_located(problem, at(text, "title: Demo again"), "duplicate key 'title' (first at line 3)")


def test_duplicate_nested_yaml_key_is_reported() -> None:
    text = mutate("        text: Item b1\n", "        text: Item b1\n        text: Item b1 again\n")
    problem = the_problem(text, "areas[1].items[0].text")
    assert_located(problem, at(text, "text: Item b1 again"), "duplicate key 'text'")


def test_yaml_anchor_is_rejected() -> None:
    text = mutate("title: Demo\n", "title: &t Demo\n")
    (problem,) = problems_of(text)
    assert_located(problem, at(text, "&t"), "anchors")


def test_yaml_alias_is_rejected() -> None:
    text = mutate("title: Demo\n", "title: *t\n")
    (problem,) = problems_of(text)
    assert_located(problem, at(text, "*t"), "aliases")


def test_billion_laughs_alias_bomb_fails_without_expanding() -> None:
    lines = ['lol0: &lol0 "lol"']
    for level in range(1, 12):
        lines.append(f"lol{level}: &lol{level} [" + ", ".join([f"*lol{level - 1}"] * 10) + "]")
    bomb = "\n".join(lines) + "\n"
    # Expanded, lol11 would hold 10**11 strings: a loader that walks aliases never returns.
    (problem,) = problems_of(bomb)
    assert_located(problem, at(bomb, "&lol0"), "anchors")


@pytest.mark.parametrize(
    "value",
    ["!!python/name:os.system", "!!python/object/apply:os.system [echo]"],
    ids=["scalar", "sequence"],
)
def test_python_specific_tags_are_refused(value: str) -> None:
    text = mutate("title: Demo\n", f"title: {value}\n")
    (problem,) = problems_of(text)
    assert problem.line == at(text, "title:")[0]


def test_invalid_yaml_syntax_reports_its_line() -> None:
    text = mutate("    title: Beta\n", "    title: Beta: gamma\n")
    (problem,) = problems_of(text)
    assert problem.line == at(text, "title: Beta: gamma")[0]
    assert problem.message.startswith("invalid YAML")


def test_unclosed_flow_sequence_is_invalid_yaml() -> None:
    text = mutate("levels: [junior, senior]\n", "levels: [junior, senior\n")
    (problem,) = problems_of(text)
    assert problem.message.startswith("invalid YAML")
    assert problem.line >= at(text, "levels:")[0]


@pytest.mark.parametrize(
    ("text", "kind"),
    [("- a\n- b\n", "a list"), ("just words\n", "a str"), ("42\n", "a int")],
    ids=["list", "string", "number"],
)
def test_document_that_is_not_a_mapping_is_rejected(text: str, kind: str) -> None:
    (problem,) = problems_of(text)
    assert_located(problem, (1, 1), f"must be a mapping, not {kind}")


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"], ids=["empty", "blank", "comment"])
def test_empty_document_is_rejected(text: str) -> None:
    (problem,) = problems_of(text)
    assert_located(problem, (1, 1), "empty")


def test_several_documents_in_one_file_are_rejected() -> None:
    (problem,) = problems_of(VALID + "---\nid: other\n")
    assert problem.message.startswith("invalid YAML")
    assert problem.line == VALID.count("\n") + 1


# -- size limit ------------------------------------------------------------------------------------------


def _padded(size: int) -> str:
    """VALID followed by a comment so that the UTF-8 text is exactly `size` bytes."""
    filler = size - len(VALID.encode()) - len("#\n")
    return VALID + "#" + "x" * filler + "\n"


def test_text_over_256_kib_is_rejected_before_parsing() -> None:
    text = _padded(MAX_BYTES + 1)
    assert len(text.encode()) == 256 * 1024 + 1
    (problem,) = problems_of(text)
    assert_located(problem, (1, 1), "larger than 256 KiB")


def test_text_of_exactly_256_kib_is_accepted() -> None:
    text = _padded(MAX_BYTES)
    assert len(text.encode()) == 256 * 1024
    assert load_text(text).id == "demo"


def test_file_over_256_kib_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(_padded(MAX_BYTES + 1), encoding="utf-8")
    with pytest.raises(QuestionnaireError) as excinfo:
        load_file(path)
    (problem,) = excinfo.value.problems
    assert problem.file == str(path)
    assert "larger than 256 KiB" in problem.message


def test_missing_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(QuestionnaireError) as excinfo:
        load_file(tmp_path / "nope.yaml")
    assert "cannot read" in excinfo.value.problems[0].message


def test_file_that_is_not_utf8_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(VALID.replace("Demo", "Ökonomie").encode("latin-1"))
    with pytest.raises(QuestionnaireError) as excinfo:
        load_file(path)
    assert "not UTF-8" in excinfo.value.problems[0].message


# -- every problem at once -------------------------------------------------------------------------------


def test_file_with_several_problems_lists_all_of_them_in_line_order() -> None:
    text = VALID
    text = mutate("title: Demo\n", "", text)  # missing field
    text = mutate("        text: Item a2\n", "        text: Item a2\n        weight: 0\n", text)
    text = mutate("phase: first", "phase: nowhere", text)  # unknown phase
    text = mutate("targets: {junior: 1, senior: 3}", "targets: {junior: 1, senior: 9}", text)
    text = mutate("      - id: b1\n", "      - id: a1\n", text)  # duplicate item id
    text = mutate("        text: Item a1\n", "        text: Item a1\n        shade: blue\n", text)
    found = problems_of(text)
    expected = {
        ("title", (1, 1)),
        ("areas[0].items[0].shade", at(text, "shade")),
        ("areas[0].items[1].weight", at(text, "weight: 0")),
        ("areas[0].roadmap[0].phase", at(text, "phase: nowhere")),
        ("areas[1].targets.senior", at(text, "senior: 9")),
        ("areas[1].items[0].id", at(text, "id: a1", occurrence=2)),
    }
    assert {(p.path, (p.line, p.column)) for p in found} == expected
    assert [(p.line, p.column) for p in found] == sorted((p.line, p.column) for p in found)


def test_duplicate_yaml_key_is_listed_beside_schema_problems() -> None:
    text = mutate("title: Demo\n", "title: Demo\ntitle: Twice\n")
    text = mutate("phase: first", "phase: nowhere", text)
    assert {p.path for p in problems_of(text)} == {"title", "areas[0].roadmap[0].phase"}


# -- real files ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_framework_loads(path: Path) -> None:
    q = load_file(path)
    assert q.content_hash() == load_file(path).content_hash()


def test_odd_shape_fixture_loads() -> None:
    q = load_file(FIXTURES / "odd-shape.yaml")
    assert q.title == "Ökonomie – Grundlagen"
    assert q.scale_values == (1, 2, 3, 4)
    assert (q.lo, q.hi) == (1, 4)
    assert q.level_ids == ("apprentice", "journeyman", "master")
    assert [level.name for level in q.levels] == ["Lehrling", "Geselle", "Meister"]
    assert [phase.id for phase in q.phases] == ["grundlagen", "vertiefung", "meisterschaft"]
    assert q.phases[2].name == "meisterschaft"
    assert q.expert_level == 3.5
    assert [a.weight for a in q.areas] == [2, 1, 0.5, 1.5]
    kosten = q.area("kosten")
    assert kosten.title == "Kostenrechnung – Überblick"
    assert [(i.weight, i.reverse, i.optional) for i in kosten.items] == [
        (2, False, False),
        (1, True, False),
        (1, False, True),
    ]
    assert kosten.roadmap[0].resources[0].kind == "course"
    assert "„Kalkulation im Handwerk“" in kosten.roadmap[0].title


def test_canonical_json_keeps_non_ascii_text() -> None:
    q = load_file(FIXTURES / "odd-shape.yaml")
    assert "Ökonomie – Grundlagen" in q.canonical_json()
    assert len(q.content_hash()) == 64


def test_questionnaire_equality_does_not_depend_on_a_cached_hash() -> None:
    hashed, fresh = load_text(VALID), load_text(VALID)
    hashed.content_hash()
    # The same definition is the same questionnaire, whether or not its hash was asked for yet.
    assert hashed == fresh


def test_questionnaire_files_expands_folders_sorted_and_skips_other_files(tmp_path: Path) -> None:
    for name in ["b.yaml", "a.yml", "notes.txt", "c.yaml.bak"]:
        (tmp_path / name).write_text("x: 1\n")
    (tmp_path / "sub.yaml").mkdir()
    single = tmp_path / "notes.txt"
    assert questionnaire_files([tmp_path, single]) == [tmp_path / "a.yml", tmp_path / "b.yaml", single]
