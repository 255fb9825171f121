"""The `competency` command line: validate frameworks, score answers, migrate the database."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from sqlmodel import SQLModel

from competency.cli import main
from competency.db import create_db_engine

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ODD = FIXTURES / "odd-shape.yaml"
ODD_ANSWERS = FIXTURES / "answers" / "odd-shape.yaml"
VENV_BIN = Path(sys.executable).parent

INVALID = textwrap.dedent(
    """\
    id: broken
    version: 1
    scale:
      - {value: 0, label: None}
      - {value: 1, label: Some}
      - {value: 2, label: Good}
    levels: [mid]
    phases: [{id: first}]
    areas:
      - id: alpha
        title: Alpha
        targets: {mid: 5}
        items:
          - {id: a1, text: Item a1, weight: 0}
        roadmap:
          - {id: s1, phase: later, title: Step}
    """
)


def at(needle: str) -> str:
    """LINE:COL (1-based) where `needle` starts in INVALID."""
    index = INVALID.index(needle)
    line = INVALID.count("\n", 0, index) + 1
    return f"{line}:{index - INVALID.rfind(chr(10), 0, index)}"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def odd_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "frameworks"
    folder.mkdir()
    shutil.copy(ODD, folder / "odd-shape.yaml")
    return folder


def write_answers(tmp_path: Path, answers: dict[str, Any], suffix: str = ".yaml") -> Path:
    path = tmp_path / f"answers{suffix}"
    path.write_text(json.dumps(answers), encoding="utf-8")  # JSON is YAML too
    return path


# -- questionnaires validate --------------------------------------------------------------------------------


def test_validate_accepts_a_valid_file() -> None:
    result = run("questionnaires", "validate", str(ODD))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "oekonomie-handwerk v3, 4 areas, 10 items" in result.stderr


def test_validate_accepts_a_folder_of_valid_files(odd_copy: Path) -> None:
    (odd_copy / "second.yml").write_text(
        ODD.read_text(encoding="utf-8").replace("id: oekonomie-handwerk", "id: zweites-handwerk"),
        encoding="utf-8",
    )
    result = run("questionnaires", "validate", str(odd_copy))
    assert result.exit_code == 0, result.output
    assert result.stderr.count("ok  ") == 2


def test_validate_reads_the_configured_folder_by_default(odd_copy: Path) -> None:
    result = run("questionnaires", "validate", env={"COMPETENCY_QUESTIONNAIRE_DIR": str(odd_copy)})
    assert result.exit_code == 0, result.output
    assert "oekonomie-handwerk" in result.stderr


def test_validate_lists_every_problem_as_file_line_column_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(INVALID, encoding="utf-8")
    result = run("questionnaires", "validate", str(path))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}:1:1: title: required field is missing",
        f"{path}:{at('mid: 5')}: areas[0].targets.mid: target 5 lies outside the scale (0 to 2)",
        f"{path}:{at('weight: 0')}: areas[0].items[0].weight: must be greater than 0",
        f"{path}:{at('phase: later')}: areas[0].roadmap[0].phase: unknown phase 'later'; phases are first",
    ]
    assert "1 of 1 file(s) invalid" in result.stderr


def test_validate_reports_the_bad_file_of_a_folder_and_still_checks_the_others(
    odd_copy: Path,
) -> None:
    (odd_copy / "broken.yaml").write_text(INVALID, encoding="utf-8")
    result = run("questionnaires", "validate", str(odd_copy))
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 4
    assert all(line.startswith(f"{odd_copy / 'broken.yaml'}:") for line in result.stdout.splitlines())
    assert "ok  " in result.stderr
    assert "1 of 2 file(s) invalid" in result.stderr


def test_validate_refuses_the_same_id_in_two_files(odd_copy: Path) -> None:
    shutil.copy(ODD, odd_copy / "zz-copy.yaml")
    result = run("questionnaires", "validate", str(odd_copy))
    assert result.exit_code == 1
    assert result.stdout.startswith(
        f"{odd_copy / 'zz-copy.yaml'}:1:1: id: 'oekonomie-handwerk' is already used"
    )


def test_validate_fails_on_a_missing_path(tmp_path: Path) -> None:
    result = run("questionnaires", "validate", str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert "no such file or folder" in result.stderr


def test_validate_fails_on_a_folder_without_frameworks(tmp_path: Path) -> None:
    result = run("questionnaires", "validate", str(tmp_path))
    assert result.exit_code == 1
    assert "no .yaml or .yml files" in result.stderr


# -- score ----------------------------------------------------------------------------------------------------

# Hand-worked scores of answers/odd-shape.yaml on the 1..4 scale (reverse: 1 + 4 - answer):
#   kosten   (W 2):   k-stueckkosten 2 (w 2), k-ueberblick 1 -> 4 (w 1), k-deckungsbeitrag N/A
#                     score (2*2 + 1*4) / 3 = 8/3
#   markt    (W 1):   1 (w 1), 2 (w 3)                 -> (1 + 6) / 4 = 1.75
#   recht    (W 0.5): 2 (w 1), N/A (w 1): half answered -> 2
#   fuehrung (W 1.5): 1 (w .5), 4 -> 1 (w 1.5), 2 (w 1) -> (0.5 + 1.5 + 2) / 3 = 4/3
EXPECTED = {
    "journeyman": {
        "areas": {
            # target 2.5: gap -1/6, attainment clamped to 1
            "kosten": {
                "score": 8 / 3,
                "target": 2.5,
                "gap": 2.5 - 8 / 3,
                "met": True,
                "attainment": 1.0,
                "priority": 0.0,
            },
            # target 2: gap 0.25, attainment (1.75 - 1) / (2 - 1), priority 1 * 0.25
            "markt": {
                "score": 1.75,
                "target": 2.0,
                "gap": 0.25,
                "met": False,
                "attainment": 0.75,
                "priority": 0.25,
            },
            # target 1 is the bottom of the scale: attainment 1
            "recht": {
                "score": 2.0,
                "target": 1.0,
                "gap": -1.0,
                "met": True,
                "attainment": 1.0,
                "priority": 0.0,
            },
            # target 2: gap 2/3, attainment (4/3 - 1) / 1, priority 1.5 * 2/3
            "fuehrung": {
                "score": 4 / 3,
                "target": 2.0,
                "gap": 2 / 3,
                "met": False,
                "attainment": 1 / 3,
                "priority": 1.0,
            },
        },
        # R_all = 100 * (2*1 + 1*0.75 + 0.5*1 + 1.5*1/3) / 5 = 75. What journeyman adds to apprentice: the
        # raised targets of kosten, markt and fuehrung (recht stays at 1), no behaviours of its own, so
        # their scores: R_new = 100 * (2*1 + 1*0.75 + 1.5*1/3) / 4.5 = 72.2; readiness is the lower.
        "readiness": 100 * 3.25 / 4.5,
        "readiness_all": 75.0,
        "readiness_new": 100 * 3.25 / 4.5,
        # kosten and recht meet both levels; markt (1.75 < 2) and fuehrung (4/3 < 2) only apprentice.
        "reached": {
            "kosten": "journeyman",
            "markt": "apprentice",
            "recht": "journeyman",
            "fuehrung": "apprentice",
        },
        # grundlagen: fuehrung (priority 1) before markt (0.25); f-coaching needs a gap of 1.
        # meisterschaft: f-team; m-mentor needs a gap of 1.
        "plan": ["f-feedback", "m-lesen", "f-team"],
        "strengths": ["recht", "kosten"],  # margins 1 and 1/6
        "top_gaps": ["fuehrung", "markt"],
    },
    "master": {
        "areas": {
            # target 3.5: gap 5/6, attainment (8/3 - 1) / 2.5 = 2/3, priority 2 * 5/6
            "kosten": {
                "score": 8 / 3,
                "target": 3.5,
                "gap": 5 / 6,
                "met": False,
                "attainment": 2 / 3,
                "priority": 5 / 3,
            },
            # target 3: gap 1.25, attainment 0.75 / 2
            "markt": {
                "score": 1.75,
                "target": 3.0,
                "gap": 1.25,
                "met": False,
                "attainment": 0.375,
                "priority": 1.25,
            },
            # target 2: exactly met, attainment (2 - 1) / (2 - 1)
            "recht": {
                "score": 2.0,
                "target": 2.0,
                "gap": 0.0,
                "met": True,
                "attainment": 1.0,
                "priority": 0.0,
            },
            # target 4: gap 8/3, attainment (1/3) / 3, priority 1.5 * 8/3
            "fuehrung": {
                "score": 4 / 3,
                "target": 4.0,
                "gap": 8 / 3,
                "met": False,
                "attainment": 1 / 9,
                "priority": 4.0,
            },
        },
        # 100 * (2*2/3 + 1*0.375 + 0.5*1 + 1.5/9) / 5 = 100 * 2.375 / 5; master raises every target, so
        # it adds every area and both parts agree.
        "readiness": 47.5,
        "readiness_all": 47.5,
        "readiness_new": 47.5,
        "reached": {
            "kosten": "journeyman",
            "markt": "apprentice",
            "recht": "master",
            "fuehrung": "apprentice",
        },
        "plan": ["f-coaching", "f-feedback", "k-kurs", "m-lesen", "f-team", "m-mentor"],
        "strengths": ["recht"],
        "top_gaps": ["fuehrung", "kosten", "markt"],
    },
}


AREA_KEYS = [
    "score",
    "target",
    "gap",
    "met",
    "attainment",
    "priority",
    "added",
    "new_score",
    "new_attainment",
    "reached",
    "ladder",
]
OLD_KEYS = AREA_KEYS[:6]


def approx_profile(expected: dict[str, Any]) -> dict[str, Any]:
    areas = {
        area_id: {k: (v if isinstance(v, bool) else pytest.approx(v)) for k, v in values.items()}
        for area_id, values in expected["areas"].items()
    }
    out = {k: v for k, v in expected.items() if k not in ("reached",)}
    for part in ("readiness", "readiness_all", "readiness_new"):
        out[part] = pytest.approx(expected[part])
    return {**out, "areas": areas}


def comparable(profile: dict[str, Any]) -> dict[str, Any]:
    """The printed profile without what the expectations pin separately (focus, ladder, new scores)."""
    out = {
        k: v for k, v in profile.items() if k not in ("focus", "focus_areas", "previous_level", "specialism")
    }
    out["areas"] = {a: {k: v[k] for k in OLD_KEYS} for a, v in profile["areas"].items()}
    return out


@pytest.mark.parametrize("level", ["journeyman", "master"])
def test_score_json_prints_the_documented_profile(level: str) -> None:
    result = run(
        "score", "--questionnaire", str(ODD), "--answers", str(ODD_ANSWERS), "--level", level, "--json"
    )
    assert result.exit_code == 0, result.output
    profile = json.loads(result.stdout)
    assert comparable(profile) == approx_profile(EXPECTED[level])
    assert {a: v["reached"] for a, v in profile["areas"].items()} == EXPECTED[level]["reached"]
    assert list(profile["areas"]) == ["kosten", "markt", "recht", "fuehrung"]
    for values in profile["areas"].values():
        assert list(values) == AREA_KEYS


def test_score_reads_a_json_answers_file(tmp_path: Path) -> None:
    import yaml

    answers = yaml.safe_load(ODD_ANSWERS.read_text(encoding="utf-8"))
    path = write_answers(tmp_path, answers, suffix=".json")
    result = run(
        "score", "--questionnaire", str(ODD), "--answers", str(path), "--level", "journeyman", "--json"
    )
    assert result.exit_code == 0, result.output
    assert comparable(json.loads(result.stdout)) == approx_profile(EXPECTED["journeyman"])


def test_score_without_json_prints_a_readable_summary() -> None:
    result = run("score", "--questionnaire", str(ODD), "--answers", str(ODD_ANSWERS), "--level", "journeyman")
    assert result.exit_code == 0, result.output
    # Labels, not ids; readiness with both of its parts in words; the focus before the rest of the plan.
    assert "Ökonomie – Grundlagen (v3), target level Geselle" in result.stdout
    assert (
        "readiness: 72.2 % (meets 75.0 % of everything Geselle expects and 72.2 % of what Geselle adds "
        "to Lehrling)"
    ) in result.stdout
    assert "  Märkte & Preise              1.75 / 2       +0.25  Lehrling" in result.stdout
    focus = result.stdout.split("focus (start here):\n")[1]
    assert focus.startswith("  [grundlagen] Wöchentlich Feedback einholen")


def test_score_of_nothing_answered_has_no_readiness(tmp_path: Path) -> None:
    path = write_answers(tmp_path, {})
    result = run("score", "--questionnaire", str(ODD), "--answers", str(path), "--level", "master", "--json")
    assert result.exit_code == 0, result.output
    profile = json.loads(result.stdout)
    assert profile["readiness"] is None
    assert profile["plan"] == []
    assert {k: profile["areas"]["kosten"][k] for k in OLD_KEYS} == {
        "score": None,
        "target": 3.5,
        "gap": None,
        "met": None,
        "attainment": None,
        "priority": None,
    }


@pytest.mark.parametrize(
    ("answers", "named", "says"),
    [
        ({"k-stueckkosten": 2, "k-unbekannt": 3}, "k-unbekannt", "unknown item"),
        ({"m-preise": 5}, "m-preise", "not on the scale (1, 2, 3, 4)"),
        ({"m-preise": 0}, "m-preise", "not on the scale"),
        ({"m-preise": 2.5}, "m-preise", "not on the scale"),
        ({"m-preise": True}, "m-preise", "not on the scale"),
        ({"m-preise": None}, "m-preise", "required"),
    ],
    ids=["unknown-item", "above-scale", "below-scale", "between-points", "boolean", "null-on-required"],
)
def test_score_refuses_bad_answers_naming_the_item(
    tmp_path: Path, answers: dict[str, Any], named: str, says: str
) -> None:
    path = write_answers(tmp_path, answers)
    result = run("score", "--questionnaire", str(ODD), "--answers", str(path), "--level", "master", "--json")
    assert result.exit_code == 1
    assert result.stdout == ""
    problem_lines = [
        line.strip() for line in result.stderr.splitlines() if line.strip().startswith(f"{named}:")
    ]
    assert problem_lines, result.stderr
    assert says in problem_lines[0]


def test_score_accepts_null_on_an_optional_item(tmp_path: Path) -> None:
    path = write_answers(tmp_path, {"r-agb": None, "r-vertrag": 3})
    result = run("score", "--questionnaire", str(ODD), "--answers", str(path), "--level", "master", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["areas"]["recht"]["score"] == 3.0


def test_score_refuses_an_unknown_level() -> None:
    result = run("score", "--questionnaire", str(ODD), "--answers", str(ODD_ANSWERS), "--level", "senior")
    assert result.exit_code == 1
    assert "unknown level 'senior'" in result.stderr
    assert "apprentice, journeyman, master" in result.stderr


def test_score_refuses_an_answers_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text("- 1\n- 2\n", encoding="utf-8")
    result = run("score", "--questionnaire", str(ODD), "--answers", str(path), "--level", "master")
    assert result.exit_code == 1
    assert "expected a mapping of item id to value" in result.stderr


def test_score_refuses_an_invalid_questionnaire(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(INVALID, encoding="utf-8")
    result = run("score", "--questionnaire", str(broken), "--answers", str(ODD_ANSWERS), "--level", "mid")
    assert result.exit_code == 1
    assert f"{broken}:{at('phase: later')}: areas[0].roadmap[0].phase" in result.stderr


# -- db upgrade / downgrade ------------------------------------------------------------------------------------


def table_names(url: str) -> set[str]:
    engine = create_db_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_db_upgrade_creates_the_tables_of_database_url(empty_db_url: str) -> None:
    result = run("db", "upgrade", env={"DATABASE_URL": empty_db_url})
    assert result.exit_code == 0, result.output
    assert {t.name for t in SQLModel.metadata.sorted_tables} | {"alembic_version"} == table_names(
        empty_db_url
    )
    assert "database at head" in result.stderr


def test_db_downgrade_to_base_removes_the_tables(empty_db_url: str) -> None:
    assert run("db", "upgrade", env={"DATABASE_URL": empty_db_url}).exit_code == 0
    result = run("db", "downgrade", "base", env={"DATABASE_URL": empty_db_url})
    assert result.exit_code == 0, result.output
    assert table_names(empty_db_url) <= {"alembic_version"}


# -- the installed entry point ---------------------------------------------------------------------------------


def test_installed_competency_help_lists_the_foundation_commands() -> None:
    completed = subprocess.run(
        [str(VENV_BIN / "competency"), "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert completed.returncode == 0, completed.stderr
    for command in ("questionnaires", "score", "db"):
        assert f"  {command}" in completed.stdout
