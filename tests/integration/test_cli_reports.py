"""`competency report person|team` and `competency export scores` write what the web serves."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from sqlmodel import Session, select

from competency.cli import main
from competency.models import AuditEvent
from competency.questionnaire import load_file
from competency.resources import resource_path
from competency.services import assessments, users

ML = load_file(resource_path("questionnaires") / "ml-engineer.yaml")


@pytest.fixture
def org(engine, db_url, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("COMPETENCY_QUESTIONNAIRE_DIR", str(resource_path("questionnaires")))
    with Session(engine, expire_on_commit=False) as session:
        team, _ = users.create_team(session, "Vision")
        for email, name, value in (("ana@example.org", "Ana Álvarez", 1), ("bo@example.org", "Bo Berg", 3)):
            person, _ = users.create_or_update_user(session, email=email, name=name)
            users.add_member(session, team, person, "member")
            answers = {
                item.id: value for area in ML.areas_in_play("mid") for item in ML.items_in_play(area, "mid")
            }
            assessments.record(
                session, ML, subject=person, assessor=person, kind="self", level="mid", answers=answers
            )
        session.commit()
    return engine


def text_of(path) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_report_person_writes_their_pdf_and_audits_it(org, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "ana.pdf"
    result = CliRunner().invoke(main, ["report", "person", "ANA@example.org", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = text_of(out)
    assert "Ana Álvarez" in text and "Machine Learning Engineer" in text
    with Session(org) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "report.person.download")).one()
    assert event.details["via"] == "cli"


def test_report_team_writes_the_team_pdf(org, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "team.pdf"
    result = CliRunner().invoke(main, ["report", "team", "Vision", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = text_of(out)
    assert "Vision" in text and "Ana Álvarez" in text and "Bo Berg" in text


def test_export_scores_writes_a_row_per_person_and_area(org, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "scores.csv"
    result = CliRunner().invoke(main, ["export", "scores", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # for Excel
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    # Both were assessed at mid: a row for each area asked there.
    asked = ML.areas_in_play("mid")
    assert len(rows) == 2 * len(asked)
    assert {r["person"] for r in rows} == {"Ana Álvarez", "Bo Berg"}
    assert [r["area_title"] for r in rows[: len(asked)]] == [a.title for a in asked]
    raw = tmp_path / "raw.csv"
    assert CliRunner().invoke(main, ["export", "scores", "--raw", "-o", str(raw)]).exit_code == 0
    assert not raw.read_bytes().startswith(b"\xef\xbb\xbf")
    assert len(list(csv.DictReader(io.StringIO(raw.read_text(encoding="utf-8"))))) == len(rows)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "person", "nobody@example.org"], "no account with email"),
        (["report", "team", "Nowhere"], "no team named"),
    ],
)
def test_unknown_names_exit_1_with_a_message(org, tmp_path, args, message) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1 and message in result.output
    assert not (tmp_path / "x.pdf").exists()
