"""`competency questionnaires validate` warns where a PDF would print an empty box (a glyph the embedded
PDF font, DejaVu Sans, does not have), and still passes the file."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from competency.cli import main

FRAMEWORK = """\
id: emo
version: 1
title: "Rockets 🚀"
scale:
  - {value: 0, label: "No"}
  - {value: 1, label: Some}
  - {value: 2, label: "Yes"}
levels: [one]
target: 1
areas:
  - id: a
    title: "Ärger ✓ – naïve"
    items:
      - {id: i, text: Text}
"""


def test_an_emoji_in_a_title_is_a_warning_with_its_place_and_the_file_still_validates(tmp_path: Path) -> None:
    path = tmp_path / "emo.yaml"
    path.write_text(FRAMEWORK, encoding="utf-8")
    result = CliRunner().invoke(main, ["questionnaires", "validate", "--no-database", str(path)])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stdout.splitlines() if ": warning: " in line]
    # Only the rocket: accented letters, the check mark and the dash are in DejaVu Sans.
    assert warnings == [
        f"{path}:3:17: warning: '🚀' (U+1F680) is not in the PDF font (DejaVu Sans): PDF reports print an "
        "empty box for it; the web pages show it"
    ]


def test_a_bare_no_as_a_label_is_told_to_be_quoted(tmp_path: Path) -> None:
    path = tmp_path / "bare.yaml"
    path.write_text(FRAMEWORK.replace('label: "No"', "label: No"), encoding="utf-8")
    result = CliRunner().invoke(main, ["questionnaires", "validate", "--no-database", str(path)])
    assert result.exit_code == 1
    assert (
        f"{path}:5:16: scale[0].label: must be text: YAML reads a bare yes/no/on/off/true/false as true or "
        "false, so put it in quotes"
    ) in result.stdout
