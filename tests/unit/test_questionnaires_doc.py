"""docs/questionnaires.md stays true: its examples load, its worked example is the fixture, its paths exist."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from competency.questionnaire import load_text

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "questionnaires.md").read_text(encoding="utf-8")
YAML_BLOCKS = re.findall(r"```yaml\n(.*?)```", DOC, flags=re.S)


def test_every_complete_example_in_the_reference_loads() -> None:
    complete = [block for block in YAML_BLOCKS if block.startswith("id: ")]
    assert len(complete) == 2
    assert [load_text(block).id for block in complete] == ["data-engineer", "product-engineering"]


def test_the_worked_example_is_the_two_track_fixture() -> None:
    fixture = (ROOT / "tests" / "fixtures" / "two-track.yaml").read_text(encoding="utf-8")
    without_comments = "".join(line for line in fixture.splitlines(keepends=True) if not line.startswith("#"))
    assert YAML_BLOCKS[-1] == without_comments


def test_every_yaml_excerpt_is_valid_yaml() -> None:
    for block in YAML_BLOCKS:
        yaml.safe_load(block.replace("...", "etc"))


def test_every_file_the_reference_names_is_in_the_repository() -> None:
    named = set(re.findall(r"`((?:src|tests|docs|bench|questionnaires)/[\w./-]+)`", DOC))
    named |= set(re.findall(r"\b(tests/fixtures/[\w./-]+\.yaml)\b", DOC))
    assert named, "the reference names no file"
    assert sorted(p for p in named if not (ROOT / p).exists()) == []
