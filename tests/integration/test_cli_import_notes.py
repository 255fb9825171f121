"""`competency assessments import --notes`: evidence notes come in with the answers, checked like them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from click.testing import CliRunner, Result
from sqlmodel import Session, select

from competency.cli import main
from competency.models import AreaNote, Assessment
from competency.services import passwords

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(autouse=True)
def cli_env(monkeypatch: pytest.MonkeyPatch, db_url: str, engine: sa.Engine, tmp_path: Path) -> None:
    folder = tmp_path / "frameworks"
    folder.mkdir()
    shutil.copy(FIXTURES / "odd-shape.yaml", folder / "odd-shape.yaml")
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("COMPETENCY_QUESTIONNAIRE_DIR", str(folder))
    fast = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", fast)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", fast.hash("dummy"))
    result = run(
        "users",
        "create",
        "--email",
        "ute@example.org",
        "--name",
        "Ute",
        "--password",
        "Werkbank-Nachkalkulation-7",
    )
    assert result.exit_code == 0, result.output


def run(*args: str) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def import_with(notes: Path) -> Result:
    return run(
        "assessments", "import", "--email", "ute@example.org", "--questionnaire", "oekonomie-handwerk",
        "--level", "journeyman", "--answers", FIXTURES / "answers" / "odd-shape.yaml", "--notes", notes,
    )  # fmt: skip


def test_notes_are_stored_with_the_assessment(tmp_path: Path, engine: sa.Engine) -> None:
    notes = tmp_path / "notes.yaml"
    notes.write_text("kosten: Drei Aufträge nachkalkuliert.\nmarkt: '  '\n", encoding="utf-8")
    result = import_with(notes)
    assert result.exit_code == 0, result.output
    with Session(engine) as session:
        assessment = session.exec(select(Assessment)).one()
        stored = session.exec(select(AreaNote).where(AreaNote.assessment_id == assessment.id)).all()
        # A blank note is no note.
        assert [(n.area_id, n.text) for n in stored] == [("kosten", "Drei Aufträge nachkalkuliert.")]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("lager: Inventur\n", "lager: unknown area"),
        ("kosten: 3\n", "kosten: a note is text, not int"),
        ("kosten: " + "x" * 5001 + "\n", "kosten: the note is longer than"),
        ("[kosten]\n", "expected a mapping of area id to note text"),
    ],
)
def test_bad_notes_are_refused_by_name_and_nothing_is_stored(
    tmp_path: Path, engine: sa.Engine, body: str, message: str
) -> None:
    notes = tmp_path / "notes.yaml"
    notes.write_text(body, encoding="utf-8")
    result = import_with(notes)
    assert result.exit_code == 1
    assert message in result.output
    with Session(engine) as session:
        assert session.exec(select(Assessment)).all() == []


def test_an_imported_assessment_can_be_attached_to_a_cycle_of_its_framework(engine: sa.Engine) -> None:
    from datetime import UTC, datetime, timedelta

    from competency.models import Cycle

    with Session(engine) as session:
        now = datetime.now(UTC)
        ours = Cycle(
            name="2025", questionnaire_key="oekonomie-handwerk", opens_at=now, due_at=now + timedelta(days=9)
        )
        other = Cycle(
            name="Other", questionnaire_key="ml-engineer", opens_at=now, due_at=now + timedelta(days=9)
        )
        session.add_all([ours, other])
        session.commit()
        ours_id, other_id = ours.id, other.id
    base = (
        "assessments", "import", "--email", "ute@example.org", "--questionnaire", "oekonomie-handwerk",
        "--level", "journeyman", "--answers", FIXTURES / "answers" / "odd-shape.yaml",
    )  # fmt: skip
    refused = run(*base, "--cycle", other_id)
    assert refused.exit_code != 0 and "asks ml-engineer, not oekonomie-handwerk" in refused.output
    assert run(*base, "--cycle", 999_999).exit_code != 0
    result = run(*base, "--cycle", ours_id)
    assert result.exit_code == 0, result.output
    with Session(engine) as session:
        assert session.exec(select(Assessment.cycle_id)).all() == [ours_id]
