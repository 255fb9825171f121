"""The self-assessment flow through the web: start, rate area by area, resume, review, submit, profile."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from tests.web.conftest import csrf_token, login

from competency.models import Answer, AreaNote, AreaScore, Assessment
from competency.questionnaire import load_file
from competency.resources import resource_path
from competency.services import assessments
from competency.web.requests import db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ML = load_file(resource_path("questionnaires") / "ml-engineer.yaml")
#: The level the tests aim at, and what it asks: senior and staff behaviours are not asked of a mid.
LEVEL = "mid"
AREAS = ML.areas_in_play(LEVEL)


def asked(area):  # type: ignore[no-untyped-def]
    return ML.items_in_play(area, LEVEL)


def start(client, key: str = "ml-engineer", level: str = "mid") -> str:  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/assessments/new")
    response = client.post(
        "/assessments/new", data={"questionnaire": key, "level": level, "csrf_token": token}
    )
    assert response.status_code == 302
    first = client.get(response.headers["Location"])
    assert first.status_code == 302
    return first.headers["Location"]


def area_data(client, url: str, answers: dict[str, str], go: str = "next", note: str = "") -> dict[str, str]:  # type: ignore[no-untyped-def]
    data = {f"item__{k}": v for k, v in answers.items()}
    data.update(csrf_token=csrf_token(client, url), go=go, note=note)
    return data


def checked(page: str) -> int:
    """How many radio buttons the page renders as selected."""
    return len(re.findall(r"<input[^>]*\bchecked\b[^>]*>", page))


def assessment_id(url: str) -> int:
    match = re.search(r"/assessments/(\d+)", url)
    assert match
    return int(match.group(1))


def test_engineer_rates_resumes_and_submits(app, client, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("eve@example.org", "Eve Engineer", level="mid")
    login(client, user.email)
    url = start(client)
    first, second = AREAS[0], AREAS[1]
    assert url.endswith(f"/areas/{first.id}")
    page = client.get(url).get_data(as_text=True)
    assert f"Area 1 of {len(AREAS)}" in page
    assert asked(first)[0].text.replace("'", "&#39;") in page
    # Targets stay hidden while rating.
    assert "Target" not in page and f"target level {ML.level(LEVEL).name}" in page

    answers = {item.id: "3" for item in asked(first)}
    response = client.post(url, data=area_data(client, url, answers, note="Built <b>a</b> pipeline"))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/areas/{second.id}")

    # Stop, come back later: home offers to resume, and resuming lands on the last saved area.
    home = client.get("/").get_data(as_text=True)
    aid = assessment_id(url)
    assert f"/assessments/{aid}" in home and "Resume" in home
    assert client.get(f"/assessments/{aid}").headers["Location"].endswith(f"/areas/{first.id}")
    back = client.get(url).get_data(as_text=True)
    assert checked(back) == len(asked(first))
    assert "Built &lt;b&gt;a&lt;/b&gt; pipeline" in back

    review = client.get(f"/assessments/{aid}/review").get_data(as_text=True)
    assert "Not answered yet" in review and second.title in review

    # Answer the rest, then submit.
    for area in AREAS[1:]:
        area_url = f"/assessments/{aid}/areas/{area.id}"
        values = {item.id: ("na" if item.optional else "1") for item in asked(area)}
        assert client.post(area_url, data=area_data(client, area_url, values, go="review")).status_code == 302
    review = client.get(f"/assessments/{aid}/review").get_data(as_text=True)
    assert "Every statement has an answer" in review
    token = csrf_token(client, f"/assessments/{aid}/review")
    response = client.post(f"/assessments/{aid}/submit", data={"csrf_token": token})
    assert response.status_code == 302 and f"/people/{user.id}" in response.headers["Location"]

    with app.app_context():
        stored = db().get(Assessment, aid)
        assert stored.status == "submitted" and stored.submitted_at is not None
        rows = db().exec(select(AreaScore).where(AreaScore.assessment_id == aid)).all()
        assert {r.area_id for r in rows} == {a.id for a in AREAS}
        first_row = next(r for r in rows if r.area_id == first.id)
        expected = _expected_area_score(first, {i.id: 3 for i in asked(first)})
        assert first_row.score == pytest.approx(expected)

    profile = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Skill radar" in profile and "Development plan" in profile
    api = client.get(f"/api/people/{user.id}/profile?questionnaire=ml-engineer").get_json()
    assert api["areas"][first.id]["score"] == pytest.approx(expected)
    assert f"{api['readiness']:.1f} %" in profile
    # The page leads with the API's focus, then lists the rest of its plan, each in the API's order.
    titles = {s.id: s.title for a in ML.areas for s in a.roadmap}
    assert api["focus"] and set(api["focus"]) <= set(api["plan"])
    rest = [step for step in api["plan"] if step not in api["focus"]]
    positions = [profile.find(_html(titles[step])) for step in api["focus"] + rest]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    assert profile.find("Start here: your focus") < positions[0]


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("'", "&#39;").replace('"', "&#34;").replace("<", "&lt;")


def _expected_area_score(area, answers: dict[str, int]) -> float:  # type: ignore[no-untyped-def]
    lo, hi = ML.lo, ML.hi
    num = sum(i.weight * (lo + hi - answers[i.id] if i.reverse else answers[i.id]) for i in asked(area))
    return num / sum(i.weight for i in asked(area))


def test_submitted_assessment_cannot_change(app, client, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("sub@example.org")
    login(client, user.email)
    url = start(client)
    aid = assessment_id(url)
    for area in AREAS:
        area_url = f"/assessments/{aid}/areas/{area.id}"
        client.post(
            area_url, data=area_data(client, area_url, {i.id: "2" for i in asked(area) if not i.optional})
        )
    token = csrf_token(client, f"/assessments/{aid}/review")
    client.post(f"/assessments/{aid}/submit", data={"csrf_token": token})
    # A later POST to an area of the submitted assessment changes nothing.
    token = csrf_token(client, "/")
    area = AREAS[0]
    response = client.post(
        f"/assessments/{aid}/areas/{area.id}",
        data={f"item__{asked(area)[0].id}": "4", "csrf_token": token, "go": "next"},
    )
    assert response.status_code == 409  # a conflict, said as such, with a link to the submitted result
    with app.app_context():
        value = (
            db()
            .exec(
                select(Answer.value).where(Answer.assessment_id == aid, Answer.item_id == asked(area)[0].id)
            )
            .one()
        )
        assert value == 2
        with pytest.raises(assessments.AlreadySubmitted):
            taken = assessments.load(db(), aid)
            assessments.save_area(db(), taken, area, {asked(area)[0].id: 4}, None)


def test_tampered_value_is_refused_and_nothing_is_saved(app, client, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("tam@example.org")
    login(client, user.email)
    url = start(client)
    area = AREAS[0]
    good = {item.id: "2" for item in asked(area)}
    tampered = {**good, asked(area)[1].id: "99"}
    response = client.post(url, data=area_data(client, url, tampered, note="my evidence"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Not saved" in page and "Not a valid choice" in page
    # What was chosen stays selected, and the note stays typed.
    assert "my evidence" in page
    assert checked(page) == len(asked(area)) - 1
    with app.app_context():
        assert db().exec(select(Answer).where(Answer.assessment_id == assessment_id(url))).all() == []


def test_not_applicable_is_only_offered_for_optional_items(app, client, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("na@example.org")
    login(client, user.email)
    aid = assessment_id(start(client))
    area = next(a for a in AREAS if any(i.optional for i in asked(a)))
    url = f"/assessments/{aid}/areas/{area.id}"
    page = client.get(url).get_data(as_text=True)
    optional = next(i for i in asked(area) if i.optional)
    required = next(i for i in asked(area) if not i.optional)
    assert f'name="item__{optional.id}" type="radio" value="na"' in page
    assert f'name="item__{required.id}" type="radio" value="na"' not in page
    response = client.post(url, data=area_data(client, url, {required.id: "na", optional.id: "na"}))
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)
    response = client.post(url, data=area_data(client, url, {required.id: "1", optional.id: "na"}))
    assert response.status_code == 302
    with app.app_context():
        saved = assessments.answers_of(db(), aid)
    assert saved == {required.id: 1, optional.id: None}


def test_expired_form_token_keeps_what_was_typed(app, client, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("csrf@example.org")
    login(client, user.email)
    url = start(client)
    area = AREAS[0]
    data = {f"item__{i.id}": "3" for i in asked(area)}
    data.update(note="typed before the token expired", go="next", csrf_token="expired-or-forged")
    response = client.post(url, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "nothing was saved yet" in page
    assert "typed before the token expired" in page
    assert checked(page) == len(asked(area))
    # The page carries a fresh token, so pressing Save again works.
    fresh = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert fresh
    data["csrf_token"] = fresh.group(1)
    assert client.post(url, data=data).status_code == 302


def test_expired_session_sends_to_login_and_back_without_losing_the_draft(app, client, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("idle@example.org")
    login(client, user.email)
    url = start(client)
    area = AREAS[0]
    client.post(url, data=area_data(client, url, {i.id: "2" for i in asked(area)}))
    with client.session_transaction() as session:
        session["seen_at"] -= app.config["SESSION_IDLE_TIMEOUT"].total_seconds() + 1
    response = client.get(url)
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your session expired" in login_page
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)  # type: ignore[union-attr]
    response = client.post(
        response.headers["Location"],
        data={"email": user.email, "password": "correct horse battery", "csrf_token": token},
    )
    assert response.headers["Location"].endswith(url)
    with app.app_context():
        assert len(assessments.answers_of(db(), assessment_id(url))) == len(asked(area))


def test_absolute_session_lifetime_ends_the_session(app, client, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("abs@example.org")
    login(client, user.email)
    with client.session_transaction() as session:
        session["login_at"] -= timedelta(hours=12, seconds=1).total_seconds()
    assert "/login" in client.get("/").headers["Location"]


def test_huge_upload_gets_a_clear_message(app, client, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("big@example.org")
    login(client, user.email)
    url = start(client)
    data = area_data(client, url, {}, note="x" * (app.config["MAX_CONTENT_LENGTH"] + 10))
    response = client.post(url, data=data)
    assert response.status_code == 413
    assert "larger than this service accepts" in response.get_data(as_text=True)


def test_note_longer_than_the_limit_is_refused_with_a_message(app, client, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("long@example.org")
    login(client, user.email)
    url = start(client)
    response = client.post(url, data=area_data(client, url, {}, note="y" * 5001))
    assert response.status_code == 200
    assert "Field cannot be longer than 5000 characters" in response.get_data(as_text=True)


def test_a_framework_of_another_shape_works_end_to_end(make_app, make_user, odd_shape_dir) -> None:  # type: ignore[no-untyped-def]
    odd_app = make_app(odd_shape_dir)
    odd = load_file(odd_shape_dir / "odd-shape.yaml")
    user = make_user("odd@example.org", "Ödön Ürgé", level="journeyman")
    client = odd_app.test_client()
    login(client, user.email)
    page = client.get("/assessments/new").get_data(as_text=True)
    assert "Ökonomie – Grundlagen" in page and "Geselle" in page
    url = start(client, odd.id, "journeyman")
    aid = assessment_id(url)
    answers = {"k-stueckkosten": "2", "k-ueberblick": "1", "k-deckungsbeitrag": "na"}
    client.post(url, data=area_data(client, url, answers))
    for area in odd.areas[1:]:
        area_url = f"/assessments/{aid}/areas/{area.id}"
        client.post(
            area_url, data=area_data(client, area_url, {i.id: "2" for i in area.items if not i.optional})
        )
    token = csrf_token(client, f"/assessments/{aid}/review")
    assert client.post(f"/assessments/{aid}/submit", data={"csrf_token": token}).status_code == 302
    api = client.get(f"/api/people/{user.id}/profile?questionnaire={odd.id}").get_json()
    # (2 * 2 + 1 * (1 + 4 - 1)) / 3 = 8 / 3; the optional item is not applicable.
    assert api["areas"]["kosten"]["score"] == pytest.approx(8 / 3)
    assert api["target_level"] == "journeyman"
    profile = client.get(f"/people/{user.id}?questionnaire={odd.id}").get_data(as_text=True)
    assert "Kostenrechnung – Überblick" in profile and "Ödön Ürgé" in profile
    with odd_app.app_context():
        notes = db().exec(select(AreaNote)).all()
        assert notes == []
