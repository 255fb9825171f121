"""Report downloads, the cycle ZIP, the scores CSV and the audit trail, through the web."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from pypdf import PdfReader
from sqlmodel import select
from tests.web.conftest import login
from tests.web.world import answers_for, build_world

from competency import scoring
from competency.models import AuditEvent, User
from competency.services import assessments, profiles
from competency.web.requests import catalog, db


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_person_pdf_holds_the_profile_numbers_and_is_audited(app, make_user) -> None:  # type: ignore[no-untyped-def]
    world = build_world(app, make_user)
    client = app.test_client()
    login(client, world.hr.email)
    response = client.get(
        f"/reports/people/{world.subject.id}.pdf?questionnaire=ml-engineer",
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = pdf_text(response.data)
    with app.app_context():
        subject = db().get(User, world.subject.id)
        profile = profiles.person_profile(db(), subject, "ml-engineer")
        readiness = profile.current.profile.readiness
        event = db().exec(select(AuditEvent).where(AuditEvent.action == "report.person.download")).one()
    assert "Sam Subject" in text
    assert f"{readiness:.1f}" in text
    assert event.actor_id == world.hr.id and event.object == f"user:{world.subject.id}"
    assert event.remote_addr == "10.1.2.3" and event.details == {"questionnaire": "ml-engineer"}


@pytest.mark.parametrize(
    ("who", "status"), [("subject", 200), ("manager", 200), ("other_member", 404), ("other_manager", 404)]
)
def test_person_pdf_follows_profile_access(app, make_user, who: str, status: int) -> None:  # type: ignore[no-untyped-def]
    world = build_world(app, make_user)
    client = app.test_client()
    login(client, getattr(world, who).email)
    assert client.get(f"/reports/people/{world.subject.id}.pdf").status_code == status


def test_scores_csv_has_a_row_per_person_and_area_for_hr_only(app, make_user) -> None:  # type: ignore[no-untyped-def]
    world = build_world(app, make_user)
    member = app.test_client()
    login(member, world.subject.email)
    assert member.get("/exports/scores.csv").status_code == 404
    client = app.test_client()
    login(client, world.admin.email)
    response = client.get("/exports/scores.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    everything = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    # Sam's own assessment, and Mia's rating of Sam beside it (kind manager).
    assert {r["kind"] for r in everything} == {"self", "manager"}
    rows = [r for r in everything if r["kind"] == "self"]
    with app.app_context():
        questionnaire = catalog().get("ml-engineer")
    # Sam was assessed at mid: every area asked at mid, none other.
    assert [r["area"] for r in rows] == [a.id for a in questionnaire.areas_in_play("mid")]
    assert [r["area_title"] for r in rows] == [a.title for a in questionnaire.areas_in_play("mid")]
    assert {r["kind"] for r in rows} == {"self"} and {r["framework_title"] for r in rows} == {
        questionnaire.title
    }
    first = rows[0]
    assert (
        first["person"] == "Sam Subject" and first["email"] == "sam@example.org" and first["team"] == "Vision"
    )
    assert (
        first["framework"] == "ml-engineer"
        and first["version"] == str(questionnaire.version)
        and first["level"] == "mid"
    )
    area = questionnaire.areas[0]
    assert float(first["score"]) == pytest.approx(2.0)  # every answer 2, no reverse items in this area
    assert float(first["target"]) == area.targets["mid"]
    assert float(first["gap"]) == pytest.approx(area.targets["mid"] - 2.0)
    # Both parts of readiness and the level reached, as the profile API has them (2 decimals here).
    api = client.get(f"/api/people/{world.subject.id}/profile?questionnaire=ml-engineer").get_json()
    assert first["specialism"] == ""
    assert float(first["readiness"]) == pytest.approx(api["readiness"], abs=0.005)
    assert float(first["readiness_all"]) == pytest.approx(api["readiness_all"], abs=0.005)
    assert float(first["readiness_new"]) == pytest.approx(api["readiness_new"], abs=0.005)
    assert [r["reached"] for r in rows] == [api["areas"][r["area"]]["reached"] or "" for r in rows]
    with app.app_context():
        assert (
            db().exec(select(AuditEvent).where(AuditEvent.action == "export.scores")).one().actor_id
            == world.admin.id
        )


def test_csv_cells_cannot_become_spreadsheet_formulas(app, make_user) -> None:  # type: ignore[no-untyped-def]
    world = build_world(app, make_user)
    with app.app_context():
        subject = db().get(User, world.subject.id)
        subject.name = '=HYPERLINK("http://evil")'
        db().add(subject)
        db().commit()
    client = app.test_client()
    login(client, world.hr.email)
    rows = list(csv.reader(io.StringIO(client.get("/exports/scores.csv").get_data().decode("utf-8-sig"))))
    assert rows[1][0] == '\'=HYPERLINK("http://evil")'


def test_csv_numbers_stay_numbers_when_negative(app, make_user) -> None:  # type: ignore[no-untyped-def]
    world = build_world(app, make_user)
    with app.app_context():
        questionnaire = catalog().get("ml-engineer")
        other = db().get(User, world.other_member.id)
        assessments.record(
            db(),
            questionnaire,
            subject=other,
            assessor=other,
            kind="self",
            level="junior",
            answers=answers_for(questionnaire, 4, "junior"),
        )
        db().commit()
    client = app.test_client()
    login(client, world.hr.email)
    body = client.get("/exports/scores.csv").get_data().decode("utf-8-sig")
    rows = [r for r in csv.DictReader(io.StringIO(body)) if r["email"] == "olga@example.org"]
    # Above target everywhere: negative gaps, written as numbers (not guarded like text formulas).
    assert rows and all(float(r["gap"]) < 0 for r in rows)


def test_csv_for_people_opens_in_excel_and_raw_keeps_full_precision(app, make_user) -> None:  # type: ignore[no-untyped-def]
    world = build_world(app, make_user)
    with app.app_context():
        questionnaire = catalog().get("ml-engineer")
        session = db()
        subject = session.get(User, world.subject.id)
        subject.name = "Zoë Müller"
        manager = session.get(User, world.manager.id)
        # Uneven answers in an area whose mean then has more than two decimals: one statement at 1, the
        # others at 3 (the first area where that mean is not a two-decimal number).
        answers = answers_for(questionnaire, 3)

        def uneven(area: Any) -> dict[str, int]:
            return {**answers, questionnaire.items_in_play(area, "mid")[0].id: 1}

        area = next(
            a
            for a in questionnaire.areas_in_play("mid")
            if (s := scoring.area_score(questionnaire, a, uneven(a), "mid")) is not None and round(s, 2) != s
        )
        answers = uneven(area)
        _, rated = assessments.record(
            session,
            questionnaire,
            subject=subject,
            assessor=manager,
            kind="manager",
            level="mid",
            answers=answers,
        )
        session.commit()
    client = app.test_client()
    login(client, world.hr.email)
    human = client.get("/exports/scores.csv").get_data()
    # UTF-8 with a byte order mark: Excel shows "Zoë Müller", not "ZoÃ« MÃ¼ller".
    assert human.startswith(b"\xef\xbb\xbf") and "Zoë Müller".encode() in human
    rows = list(csv.DictReader(io.StringIO(human.decode("utf-8-sig"))))
    mine = [r for r in rows if r["email"] == world.subject.email]
    own, by_manager = [r for r in mine if r["kind"] == "self"], [r for r in mine if r["kind"] == "manager"]
    assert len(own) == len(by_manager) == len(questionnaire.areas_in_play("mid"))
    assert {r["assessor"] for r in by_manager} == {"Mia Manager"} and {r["assessor"] for r in own} == {""}
    exact = rated.areas[area.id].score
    assert exact is not None and round(exact, 2) != exact
    cell = next(r for r in by_manager if r["area"] == area.id)
    assert cell["area_title"] == area.title and cell["score"] == f"{exact:.2f}"
    assert all(len(r["target"].split(".")[1]) == 2 for r in rows)
    raw = client.get("/exports/scores.csv?raw=1").get_data()
    assert not raw.startswith(b"\xef\xbb\xbf")
    raw_cell = next(
        r
        for r in csv.DictReader(io.StringIO(raw.decode()))
        if r["email"] == world.subject.email and r["kind"] == "manager" and r["area"] == area.id
    )
    assert float(raw_cell["score"]) == exact


def make_team_member(app, team_id: int, user_id: int) -> None:  # type: ignore[no-untyped-def]
    from competency.models import Team
    from competency.services import users

    with app.app_context():
        users.add_member(db(), db().get(Team, team_id), db().get(User, user_id), "member")
        db().commit()


def test_audit_log_is_for_hr_and_admins(app, make_user) -> None:  # type: ignore[no-untyped-def]
    world = build_world(app, make_user)
    hr = app.test_client()
    login(hr, world.hr.email)
    hr.get(f"/reports/people/{world.subject.id}.pdf")
    page = hr.get("/audit").get_data(as_text=True)
    assert "report.person.download" in page and "hana@example.org" in page
    manager = app.test_client()
    login(manager, world.manager.email)
    assert manager.get("/audit").status_code == 404
