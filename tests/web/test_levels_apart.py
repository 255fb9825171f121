"""Specialisms, the ladder grid and a person's own focus through the web (issue "Results that tell levels
apart"), on the converted UK DDaT data ladder: two specialisms, an item asked `until` senior."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select
from tests.web.conftest import csrf_token, login

from competency.models import Assessment, AuditEvent, FocusChoice
from competency.questionnaire import load_file
from competency.web.requests import db

LADDER = Path(__file__).resolve().parents[1] / "fixtures" / "ladders" / "ddat-data.yaml"
Q = load_file(LADDER)


@pytest.fixture
def ddat_app(make_app, tmp_path: Path) -> Flask:  # type: ignore[no-untyped-def]
    folder = tmp_path / "frameworks"
    folder.mkdir()
    shutil.copy(LADDER, folder / LADDER.name)
    return make_app(folder)


def post(client: FlaskClient, path: str, data: dict[str, object], token_from: str) -> object:
    return client.post(path, data={**data, "csrf_token": csrf_token(client, token_from)})


def start(client: FlaskClient, level: str, specialism: str | None) -> int:
    data: dict[str, object] = {"questionnaire": Q.id, "level": level}
    if specialism is not None:
        data["specialism"] = specialism
    response = post(client, "/assessments/new", data, "/assessments/new")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]  # type: ignore[attr-defined]
    return int(re.search(r"/assessments/(\d+)", response.headers["Location"]).group(1))  # type: ignore[attr-defined,union-attr]


def rate_everything(
    client: FlaskClient, assessment_id: int, value: int, *, own_level_value: int | None = None
) -> None:
    with client.application.app_context():
        assessment = db().get(Assessment, assessment_id)
        assert assessment is not None
        level, specialism = assessment.target_level, assessment.specialism
    for area in Q.areas_in_play(level, specialism):
        url = f"/assessments/{assessment_id}/areas/{area.id}"
        answers = {
            f"item__{i.id}": str(
                own_level_value if own_level_value is not None and i.level == level else value
            )
            for i in Q.items_in_play(area, level, specialism)
        }
        response = post(client, url, {**answers, "go": "next"}, url)
        assert response.status_code == 302  # type: ignore[attr-defined]
    review = f"/assessments/{assessment_id}/review"
    assert post(client, f"/assessments/{assessment_id}/submit", {}, review).status_code == 302  # type: ignore[attr-defined]


def test_the_start_page_offers_the_specialisms_with_their_descriptions_and_none(
    ddat_app: Flask, make_user
) -> None:  # type: ignore[no-untyped-def]
    client = ddat_app.test_client()
    login(client, make_user("ada@example.org", level="senior").email)
    page = client.get("/assessments/new").get_data(as_text=True)
    assert 'name="specialism" value=""' in page and "None (a generalist)" in page
    for specialism in Q.specialisms:
        assert f'name="specialism" value="{specialism.id}"' in page
        assert specialism.name in page
        first_line = (specialism.description or "").splitlines()[0]
        assert first_line[:40] in page
    # Each level says how long it takes.
    count = sum(len(Q.items_in_play(a, "senior")) for a in Q.areas_in_play("senior"))
    assert f"{Q.level('senior').name}: {count} statements, about" in page


def test_a_specialist_is_asked_only_what_is_in_play_for_them(ddat_app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    client = ddat_app.test_client()
    login(client, make_user("eng@example.org", level="senior").email)
    assessment_id = start(client, "senior", "data-engineering")
    # The data engineer rates data integration and the streaming item, never statistics.
    areas = [a.id for a in Q.areas_in_play("senior", "data-engineering")]
    assert "data-integration" in areas and "statistics" not in areas
    assert client.get(f"/assessments/{assessment_id}/areas/statistics").status_code == 404
    page = client.get(f"/assessments/{assessment_id}/areas/programming").get_data(as_text=True)
    assert 'name="item__prog-streaming"' in page
    # prog-follow-designs is asked until senior: still asked at senior.
    assert 'name="item__prog-follow-designs"' in page
    with ddat_app.app_context():
        assert db().get(Assessment, assessment_id).specialism == "data-engineering"  # type: ignore[union-attr]


def test_an_unknown_specialism_is_refused_with_a_clear_message(ddat_app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    client = ddat_app.test_client()
    login(client, make_user("odd@example.org", level="senior").email)
    response = post(
        client,
        "/assessments/new",
        {"questionnaire": Q.id, "level": "senior", "specialism": "astrology"},
        "/assessments/new",
    )
    page = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Choose a target level (and a specialism, or none) from the lists." in page
    with ddat_app.app_context():
        assert db().exec(select(Assessment)).first() is None


def test_the_profile_shows_both_readiness_parts_and_the_ladder_grid(ddat_app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    client = ddat_app.test_client()
    person = make_user("lead@example.org", level="lead")
    login(client, person.email)
    # Strong on everything inherited, nothing of what lead brings.
    assessment_id = start(client, "lead", "data-science")
    rate_everything(client, assessment_id, 3, own_level_value=0)
    api = client.get(f"/api/people/{person.id}/profile?questionnaire={Q.id}").get_json()
    assert api["specialism"] == "data-science"
    assert api["readiness"] == min(api["readiness_all"], api["readiness_new"])
    assert api["readiness_new"] < 50 < api["readiness_all"]
    page = client.get(f"/people/{person.id}?questionnaire={Q.id}").get_data(as_text=True)
    lead, senior = Q.level("lead").name, Q.level("senior").name
    assert (
        f"Meets {api['readiness_all']:.1f} % of everything {lead} expects and "
        f"{api['readiness_new']:.1f} % of what {lead} adds to {senior}."
    ) in page
    grid = page.split('id="ladder-h"')[1].split("</table>")[0]
    # One column per level of the path, the target's marked; a row per area in play, with what was reached.
    for level_id in Q.path("lead"):
        assert Q.level(level_id).name in grid
    assert grid.count('class="badge">target<') == 1
    assert grid.count("<tr>") == len(api["areas"]) + 2  # + the header and the footer rows
    for area_id, result in api["areas"].items():
        row = grid.split(Q.area(area_id).title)[1].split("</tr>")[0]
        reached = Q.level(result["reached"]).name if result["reached"] else "none yet"
        assert f"<strong>{reached}</strong>" in row
        assert row.count('✓<span class="cell-word"> met</span>') == sum(
            1 for met in result["ladder"].values() if met
        )


def test_a_person_chooses_their_focus_and_their_manager_sees_it(
    ddat_app: Flask, make_user, make_team
) -> None:  # type: ignore[no-untyped-def]
    person = make_user("sam@example.org", level="senior")
    manager = make_user("mia@example.org", level="senior")
    make_team("Data", members=[person], managers=[manager])
    client = ddat_app.test_client()
    login(client, person.email)
    assessment_id = start(client, "senior", None)
    rate_everything(client, assessment_id, 1)
    url = f"/people/{person.id}?questionnaire={Q.id}"
    before = client.get(f"/api/people/{person.id}/profile?questionnaire={Q.id}").get_json()
    chosen = ["innovation", "impact"]
    assert set(chosen) <= set(before["areas"])
    post(client, f"/people/{person.id}/plan/{Q.id}/focus", {"area": chosen}, url)
    after = client.get(f"/api/people/{person.id}/profile?questionnaire={Q.id}").get_json()
    assert set(after["focus_areas"]) == set(chosen)
    assert {step for step in after["focus"]} <= set(after["plan"])
    assert all(step_area(step) in chosen for step in after["focus"])
    manager_client = ddat_app.test_client()
    login(manager_client, manager.email)
    seen = manager_client.get(url).get_data(as_text=True)
    assert "The areas sam@example.org chose on" in seen or re.search(
        r"The areas [^<]+ chose on \d{4}-\d\d-\d\d", seen
    )
    with ddat_app.app_context():
        assert db().exec(select(FocusChoice)).one().areas == chosen
        assert db().exec(select(AuditEvent).where(AuditEvent.action == "plan.focus")).first() is not None
    # Too many areas: refused, nothing changes.
    limit = Q.focus_size.areas
    too_many = list(before["areas"])[: limit + 1]
    post(client, f"/people/{person.id}/plan/{Q.id}/focus", {"area": too_many}, url)
    with ddat_app.app_context():
        assert db().exec(select(FocusChoice)).one().areas == chosen
    # The manager cannot choose for them.
    assert (
        post(manager_client, f"/people/{person.id}/plan/{Q.id}/focus", {"area": ["impact"]}, url).status_code
        == 404
    )  # type: ignore[attr-defined]
    # A new assessment starts again from the suggested focus.
    again = start(client, "senior", None)
    rate_everything(client, again, 1)
    fresh = client.get(f"/api/people/{person.id}/profile?questionnaire={Q.id}").get_json()
    assert fresh["focus"] == before["focus"]


def step_area(step_id: str) -> str:
    for area in Q.areas:
        if any(step.id == step_id for step in area.roadmap):
            return area.id
    raise KeyError(step_id)


def test_the_area_list_jumps_to_an_area_after_saving_the_page(ddat_app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    client = ddat_app.test_client()
    login(client, make_user("jo@example.org", level="senior").email)
    assessment_id = start(client, "senior", None)
    areas = Q.areas_in_play("senior")
    url = f"/assessments/{assessment_id}/areas/{areas[0].id}"
    page = client.get(url).get_data(as_text=True)
    nav = page.split('class="area-nav"')[1]
    # Numbered 1..n in order, each other area a button that saves this page and goes there.
    assert [int(v) for v in re.findall(r'<li value="(\d+)"', nav)] == list(range(1, len(areas) + 1))
    assert f'value="area:{areas[-1].id}"' in nav
    first_item = Q.items_in_play(areas[0], "senior")[0]
    response = post(client, url, {f"item__{first_item.id}": "2", "go": f"area:{areas[-1].id}"}, url)
    assert response.headers["Location"].endswith(f"/areas/{areas[-1].id}")  # type: ignore[attr-defined]
    saved = client.get(url).get_data(as_text=True)
    assert re.search(
        rf'<input checked id="[^"]+" name="item__{first_item.id}" type="radio" value="2">', saved
    )
