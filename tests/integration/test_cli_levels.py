"""The command line on level-aware frameworks: score at two tracks' levels, validate against the stored
snapshots of the configured database, list, and diff two versions.

The database tests run on every configured backend: a brand-new database is migrated with
`competency db upgrade`, and snapshots are stored the way the service stores them, by importing an
assessment with `competency assessments import`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from competency.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TWO_TRACK = FIXTURES / "two-track.yaml"
WIDE = FIXTURES / "wide.yaml"
IC_ANSWERS = FIXTURES / "answers" / "two-track-ic.yaml"
MANAGER_ANSWERS = FIXTURES / "answers" / "two-track-manager.yaml"
UNREACHABLE = "postgresql://postgres@127.0.0.1:1/competency"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def ok(*args: str | Path) -> Result:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result


def edited(text: str, *changes: tuple[str, str]) -> str:
    for old, new in changes:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def line_of(path: Path, prefix: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.startswith(prefix))


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A framework folder holding copies of both fixtures, configured for the commands."""
    path = tmp_path / "frameworks"
    path.mkdir()
    shutil.copy(TWO_TRACK, path / "two-track.yaml")
    shutil.copy(WIDE, path / "wide.yaml")
    monkeypatch.setenv("COMPETENCY_QUESTIONNAIRE_DIR", str(path))
    return path


@pytest.fixture
def migrated(empty_db_url: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """DATABASE_URL on a database migrated by `competency db upgrade`."""
    monkeypatch.setenv("DATABASE_URL", empty_db_url)
    ok("db", "upgrade")
    return empty_db_url


def import_answers(email: str, level: str, answers: Path, key: str = "product-engineering") -> None:
    ok("users", "create", "--email", email, "--name", email.split("@")[0], "--level", level)
    ok(
        "assessments",
        "import",
        "--email",
        email,
        "--questionnaire",
        key,
        "--level",
        level,
        "--answers",
        answers,
    )


# -- score ------------------------------------------------------------------------------------------------


def score_json(questionnaire: Path, answers: Path, level: str) -> dict[str, Any]:
    result = ok("score", "--questionnaire", questionnaire, "--answers", answers, "--level", level, "--json")
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_score_an_ic_at_senior_prints_the_hand_worked_profile() -> None:
    # Worked out in tests/unit/test_levels_scoring.py.
    profile = score_json(TWO_TRACK, IC_ANSWERS, "senior")
    assert list(profile["areas"]) == ["coding", "operations", "delivery", "architecture", "mentoring"]
    assert profile["areas"]["coding"] == {
        "score": 3.0,
        "target": 3.5,
        "gap": 0.5,
        "met": False,
        "attainment": pytest.approx(6 / 7),
        "priority": 1.0,
        "added": True,
        "new_score": 3.0,
        "new_attainment": pytest.approx(6 / 7),
        "reached": "engineer-2",
        "ladder": {"engineer-1": True, "engineer-2": True, "senior": False},
    }
    assert profile["areas"]["delivery"]["score"] == 1.5  # del-heroics reversed
    assert profile["readiness_all"] == pytest.approx(15300 / 182)
    assert profile["readiness_new"] == pytest.approx(2600 / 31.5)
    assert profile["readiness"] == pytest.approx(2600 / 31.5)
    assert profile["plan"] == ["del-slicing", "arch-adr", "code-design-doc", "code-standards-lead"]
    assert profile["strengths"] == ["operations", "mentoring"]
    assert profile["top_gaps"] == ["architecture", "coding", "delivery"]


def test_score_a_manager_at_manager_prints_the_hand_worked_profile() -> None:
    profile = score_json(TWO_TRACK, MANAGER_ANSWERS, "manager")
    assert list(profile["areas"]) == ["coding", "operations", "delivery", "people-leadership", "mentoring"]
    assert profile["areas"]["people-leadership"] == {
        "score": 2.0,
        "target": 2.5,
        "gap": 0.5,
        "met": False,
        "attainment": 0.8,
        "priority": 0.75,
        "added": True,
        "new_score": 2.0,
        "new_attainment": 0.8,
        "reached": None,
        "ladder": {"manager": False},
    }
    assert profile["readiness_all"] == pytest.approx(16100 / 195)
    assert profile["readiness"] == pytest.approx(2800 / 37.5)
    assert profile["plan"] == ["code-intro", "lead-coach", "mentor-program"]


def test_score_the_wide_framework_at_professional() -> None:
    profile = score_json(WIDE, FIXTURES / "answers" / "wide.yaml", "professional")
    assert len(profile["areas"]) == 22
    assert profile["readiness"] == pytest.approx(100 * 21.925 / 23.5)
    assert profile["plan"] == ["observability-basics", "testing-basics", "planning-basics", "debugging-depth"]


def test_score_refuses_an_answer_not_in_play_naming_the_item(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(IC_ANSWERS.read_text(encoding="utf-8") + "lead-hiring: 3\n", encoding="utf-8")
    result = run("score", "--questionnaire", TWO_TRACK, "--answers", answers, "--level", "senior", "--json")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "error: bad answers:\n"
        "  lead-hiring: not asked at level 'senior' (expected from level 'manager' on another track)\n"
    )


def test_score_refuses_a_staff_answer_for_a_junior(tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"code-tests": 1, "code-standards": 3}), encoding="utf-8")
    result = run("score", "--questionnaire", TWO_TRACK, "--answers", answers, "--level", "engineer-1")
    assert result.exit_code == 1
    assert "code-standards: not asked at level 'engineer-1' (expected from level 'staff')" in result.stderr


# -- validate against the configured database ---------------------------------------------------------------


def test_validate_without_a_database_file_says_so_and_passes(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'missing.db'}")
    result = ok("questionnaires", "validate")
    assert "not compared with stored snapshots" in result.stderr
    assert "product-engineering v1, 6 areas, 17 items\n" in result.stderr
    assert "platform-engineering v1, 24 areas, 48 items\n" in result.stderr


def test_validate_with_an_unreachable_database_says_so_and_is_not_fatal(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE)
    result = ok("questionnaires", "validate")
    assert "note: database postgresql://postgres@127.0.0.1:1/competency not reachable" in result.stderr
    assert "not compared with stored snapshots" in result.stderr
    assert result.stdout == ""


def test_validate_says_a_framework_is_new_then_stored(migrated: str, folder: Path) -> None:
    before = ok("questionnaires", "validate")
    assert (
        "product-engineering v1, 6 areas, 17 items, new version: will be stored on first use" in before.stderr
    )
    import_answers("ic@example.org", "senior", IC_ANSWERS)
    after = ok("questionnaires", "validate")
    assert "product-engineering v1, 6 areas, 17 items, stored as revision 1" in after.stderr
    assert "platform-engineering v1, 24 areas, 48 items, new version" in after.stderr


def test_structural_change_without_a_bump_fails_at_the_version_line(migrated: str, folder: Path) -> None:
    import_answers("ic@example.org", "senior", IC_ANSWERS)
    path = folder / "two-track.yaml"
    path.write_text(
        edited(
            path.read_text(encoding="utf-8"), ("engineer-2: 2, senior: 3.5,", "engineer-2: 2, senior: 3,")
        ),
        encoding="utf-8",
    )
    result = run("questionnaires", "validate")
    assert result.exit_code == 1
    assert result.stdout == (
        f"{path}:{line_of(path, 'version:')}:1: version: areas[0].targets.senior: 3.5 -> 3 "
        "changed the structure of version 1; set version: 2\n"
    )
    assert "1 of 2 file(s) invalid" in result.stderr
    # The bump the message asks for is accepted.
    path.write_text(
        edited(path.read_text(encoding="utf-8"), ("\nversion: 1\n", "\nversion: 2\n")), encoding="utf-8"
    )
    assert "product-engineering v2, 6 areas, 17 items, new version" in ok("questionnaires", "validate").stderr


@pytest.mark.parametrize(
    ("old", "new", "first_change"),
    [
        (
            "acted on., level: engineer-2}",
            "acted on., level: engineer-1}",
            "areas[0].items[1].level: 'engineer-2' -> 'engineer-1'",
        ),
        ("band: [2, 3]", "band: [2, 3.5]", "areas[0].roadmap[1].band: [2, 3] -> [2, 3.5]"),
        (
            "  - {id: mastery, label: Mastery (9+ months)}\n",
            "",
            "phases: ['foundation', 'growth', 'mastery'] -> ['foundation', 'growth']",
        ),
        (
            "      - id: code-intro\n",
            "      - {id: code-pairing, phase: foundation, band: [0, 1], title: Pair with a colleague}\n"
            "      - id: code-intro\n",
            "areas[0].roadmap[0]: 'code-pairing' added",
        ),
        (
            "      - {id: code-tests, text: I write automated tests for the code I change.}\n",
            "",
            "areas[0].targets.engineer-1: 1.5 -> (removed)",
        ),
        (
            "{id: ops-shadow, phase: foundation, band: [0, 2], title: Shadow two on-call shifts}\n"
            "      - {id: ops-postmortem, phase: growth, title: Write the post-mortem of an incident}\n",
            "{id: ops-postmortem, phase: growth, title: Write the post-mortem of an incident}\n"
            "      - {id: ops-shadow, phase: foundation, band: [0, 2], title: Shadow two on-call shifts}\n",
            "areas[1].roadmap[0]: 'ops-shadow' -> 'ops-postmortem' (reordered)",
        ),
    ],
    ids=["item-level", "band", "phase", "inserted-step", "area-leaves-a-level", "reordered-steps"],
)
def test_each_kind_of_structural_change_names_itself(
    migrated: str, folder: Path, old: str, new: str, first_change: str
) -> None:
    import_answers("ic@example.org", "senior", IC_ANSWERS)
    path = folder / "two-track.yaml"
    text = edited(path.read_text(encoding="utf-8"), (old, new))
    if old.startswith("  - {id: mastery"):  # the steps of the removed phase move to another one
        text = text.replace("phase: mastery", "phase: growth")
    path.write_text(text, encoding="utf-8")
    result = run("questionnaires", "validate", path)
    assert result.exit_code == 1
    assert (
        result.stdout
        == f"{path}:5:1: version: {first_change} changed the structure of version 1; set version: 2\n"
    )


def test_text_only_change_passes_as_a_revision(migrated: str, folder: Path) -> None:
    import_answers("ic@example.org", "senior", IC_ANSWERS)
    path = folder / "two-track.yaml"
    path.write_text(
        edited(
            path.read_text(encoding="utf-8"),
            ("title: Coding and testing", "title: Coding, testing and review"),
            ("      senior: Designs modules", "      senior: Designs the modules"),
            ("label: Role model", "label: Sets the bar"),
            ("{id: people, label: People}", "{id: people, label: People and teams}"),
        ),
        encoding="utf-8",
    )
    result = ok("questionnaires", "validate", path)
    assert result.stdout == ""
    assert (
        "product-engineering v1, 6 areas, 17 items, text-only change: will be stored as revision 2"
        in result.stderr
    )


def test_a_version_older_than_the_stored_one_is_refused_as_such(migrated: str, folder: Path) -> None:
    path = folder / "two-track.yaml"
    original = path.read_text(encoding="utf-8")
    import_answers("ic@example.org", "senior", IC_ANSWERS)
    path.write_text(
        edited(original, ("\nversion: 1\n", "\nversion: 2\n"), ("senior: 3.5,", "senior: 3,")),
        encoding="utf-8",
    )
    ok(
        "assessments",
        "import",
        "--email",
        "ic@example.org",
        "--questionnaire",
        "product-engineering",
        "--level",
        "senior",
        "--answers",
        IC_ANSWERS,
    )
    # Back to version 1 with yet another structure: matches none of version 1's snapshots.
    path.write_text(edited(original, ("senior: 3.5,", "senior: 4,")), encoding="utf-8")
    result = run("questionnaires", "validate", path)
    assert result.exit_code == 1
    assert result.stdout == (
        f"{path}:5:1: version: version 1 is older than the stored version 2, and matches none of "
        "version 1's snapshots; set version: 3\n"
    )
    # The untouched version 1 still matches its stored snapshot: old results keep being served.
    path.write_text(original, encoding="utf-8")
    assert (
        "product-engineering v1, 6 areas, 17 items, stored as revision 1"
        in ok("questionnaires", "validate", path).stderr
    )


# -- list --------------------------------------------------------------------------------------------------


def test_list_without_a_database_shows_the_files(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE)
    result = ok("questionnaires", "list")
    assert result.stdout.splitlines() == [
        "product-engineering v1 — Product Engineering [two-track.yaml]: in folder",
        "platform-engineering v1 — Platform Engineering [wide.yaml]: in folder",
    ]
    assert "not reachable" in result.stderr


def test_list_shows_stored_versions_revisions_and_status(migrated: str, folder: Path) -> None:
    path = folder / "two-track.yaml"
    import_answers("ic@example.org", "senior", IC_ANSWERS)
    path.write_text(
        edited(path.read_text(encoding="utf-8"), ("title: Delivery", "title: Delivering")), encoding="utf-8"
    )
    # The next person to start uses the reworded file: it is stored as revision 2.
    import_answers("next@example.org", "senior", IC_ANSWERS)
    (folder / "wide.yaml").write_text("id: broken\n", encoding="utf-8")
    lines = ok("questionnaires", "list").stdout.splitlines()
    assert lines[0] == "product-engineering v1 — Product Engineering [two-track.yaml]: stored as revision 2"
    assert lines[1].startswith("    stored v1 revision 1, ")
    assert lines[2].startswith("    stored v1 revision 2, ")
    assert lines[3].startswith("wide.yaml: broken (")
    assert len(lines) == 4


# -- diff --------------------------------------------------------------------------------------------------


def version_two(tmp_path: Path) -> Path:
    """The ladder's next version: a principal level, a changed target, an item and a step changed."""
    text = edited(
        TWO_TRACK.read_text(encoding="utf-8"),
        ("\nversion: 1\n", "\nversion: 2\n"),
        (
            "  - id: manager\n    label: Engineering Manager\n",
            "  - {id: principal, label: Principal Engineer, track: ic}\n"
            "  - id: manager\n    label: Engineering Manager\n",
        ),
        ("senior: 3.5, staff: 3.5,", "senior: 3, staff: 3.5, principal: 4,"),
        ("targets: {senior: 3, staff: 3.5}", "targets: {senior: 3, staff: 3.5, principal: 4}"),
        ("staff: 3, manager: 3,", "staff: 3, principal: 3.5, manager: 3,"),
        ("acted on., level: engineer-2}", "acted on., level: engineer-1}"),
        (
            "      - {id: mentor-sponsor, text: I sponsor engineers on other teams for bigger scope., level: staff}\n",
            "",
        ),
        (
            "{id: ops-shadow, phase: foundation, band: [0, 2],",
            "{id: ops-shadow, phase: foundation, band: [0, 1.5],",
        ),
        (
            "title: Write the post-mortem of an incident}",
            "title: Write the post-mortem of an incident}\n      - {id: ops-game-day, phase: growth, title: Run a game day}",
        ),
    )
    text += (
        "  - id: security\n    title: Security\n    group: craft\n    items:\n"
        "      - {id: sec-threats, text: I model the threats to the services I build.}\n"
    )
    path = tmp_path / "two-track-v2.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_diff_lists_what_was_added_removed_and_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE)
    result = ok("questionnaires", "diff", TWO_TRACK, version_two(tmp_path))
    assert result.stdout.splitlines() == [
        "level principal added",
        "area security added",
        "area coding: target at senior 3.5 -> 3",
        "area coding: item code-review: level engineer-2 -> engineer-1",
        "area operations: step ops-game-day added",
        "area operations: step ops-shadow: band [0, 2] -> [0, 1.5]",
        "area mentoring: item mentor-sponsor removed",
        "",
        # Another id and version: no bump to ask for; the first structural change is named.
        "structural (levels[4]: 'principal' added)",
    ]
    assert "not reachable" in result.stderr


def test_diff_of_a_text_only_change_says_a_revision_is_enough(tmp_path: Path) -> None:
    new = tmp_path / "reworded.yaml"
    new.write_text(
        edited(TWO_TRACK.read_text(encoding="utf-8"), ("title: Delivery", "title: Delivering")),
        encoding="utf-8",
    )
    result = ok("questionnaires", "diff", TWO_TRACK, new)
    assert result.stdout.splitlines() == [
        "area delivery: title, description or expectations reworded",
        "",
        "text only: a revision of the same version is enough",
    ]


def test_diff_of_a_structural_change_under_the_same_version_asks_for_a_bump(tmp_path: Path) -> None:
    new = tmp_path / "targets.yaml"
    new.write_text(
        edited(TWO_TRACK.read_text(encoding="utf-8"), ("targets: 2\n", "targets: 2.5\n")), encoding="utf-8"
    )
    result = ok("questionnaires", "diff", TWO_TRACK, new)
    changed = [
        f"area operations: target at {level} 2 -> 2.5"
        for level in ("engineer-1", "engineer-2", "senior", "staff", "manager", "senior-manager")
    ]
    assert result.stdout.splitlines() == [
        *changed,
        "",
        "structural (areas[1].targets.engineer-1: 2 -> 2.5): set version: 2",
    ]


def test_diff_counts_the_people_whose_latest_results_see_another_target(
    migrated: str, tmp_path: Path
) -> None:
    import_answers("ic@example.org", "senior", IC_ANSWERS)
    import_answers("manager@example.org", "manager", MANAGER_ANSWERS)
    import_answers("junior@example.org", "engineer-1", write(tmp_path, "junior.yaml", "code-tests: 1\n"))
    # Only coding's senior target changes: the IC sees it; the manager and the junior do not.
    result = ok("questionnaires", "diff", TWO_TRACK, version_two(tmp_path))
    assert result.stdout.splitlines()[-1] == "1 person's latest result would see a different target"
    # Against the stored snapshot, the same.
    stored = ok("questionnaires", "diff", "stored:product-engineering:1", version_two(tmp_path))
    assert stored.stdout == result.stdout


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_diff_lists_a_removed_level_a_reworded_one_and_a_changed_weight(tmp_path: Path) -> None:
    text = edited(
        TWO_TRACK.read_text(encoding="utf-8"),
        (
            "  - id: senior-manager\n    label: Senior Engineering Manager\n    track: manager\n"
            "    description: Leads managers; shapes the organisation and its plans across several teams.\n",
            "",
        ),
        (", manager: 2, senior-manager: 2}", ", manager: 2}"),
        (
            "    weight: 1.5\n    targets: {manager: 2.5, senior-manager: 3.5}",
            "    weight: 2\n    targets: {manager: 2.5}",
        ),
        ("      senior-manager: Grows managers and designs how teams are organised.\n", ""),
        (
            "      - {id: lead-org-design, text: I design how teams are organised and who leads them.,"
            " level: senior-manager}\n",
            "",
        ),
        ("manager: 3, senior-manager: 3.5}", "manager: 3}"),
        ("    label: Engineering Manager\n", "    label: Team Lead\n"),
    )
    result = ok("questionnaires", "diff", TWO_TRACK, write(tmp_path, "smaller.yaml", text))
    assert result.stdout.splitlines() == [
        "level senior-manager removed",
        "level manager: label or description reworded",
        "area people-leadership: weight 1.5 -> 2",
        "area people-leadership: title, description or expectations reworded",
        "area people-leadership: item lead-org-design removed",
        "",
        "structural (levels[5]: 'senior-manager' removed): set version: 2",
    ]
