"""Each role's weekly work from home: inbox, manager rating and its release, plan progress, cycles."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select
from tests.web.conftest import PASSWORD, counting, csrf_token, login

from competency import scoring
from competency.models import Assessment, Cycle, PlanStepEvent, User
from competency.questionnaire import Questionnaire
from competency.services import assessments
from competency.services import reports as report_service
from competency.services import users as users_service
from competency.web.requests import catalog, db

ML = "ml-engineer"
MGR = "ml-team-manager"
DAY = timedelta(days=1)


def every(q: Questionnaire, value: int, level: str = "mid") -> dict[str, int]:
    """Every statement `level` asks, answered `value`."""
    return {item.id: value for area in q.areas_in_play(level) for item in q.items_in_play(area, level)}


@dataclass
class Org:
    app: Flask
    q: Questionnaire
    aiko: User  # member with a self-assessment
    ben: User  # member who takes the other framework
    mia: User  # manager of team Vision
    hana: User  # HR
    team_id: int
    cycle_id: int


@pytest.fixture
def org(app: Flask, make_user: Callable[..., User], make_team: Callable[..., int]) -> Org:
    aiko = make_user("aiko@example.org", "Aiko Tanaka")
    ben = make_user("ben@example.org", "Ben Brown")
    mia = make_user("mia@example.org", "Mia Manager")
    hana = make_user("hana@example.org", "Hana HR", role="hr")
    team_id = make_team("Vision", members=[aiko, ben], managers=[mia])
    with app.app_context():
        session = db()
        q = catalog().get(ML)
        other = catalog().get(MGR)
        assert q is not None and other is not None
        me = session.get(User, aiko.id)
        assessments.record(
            session,
            q,
            subject=me,
            assessor=me,
            kind="self",
            level="mid",
            answers=every(q, 1),
            submitted_at=datetime.now(UTC) - 10 * DAY,
        )
        b = session.get(User, ben.id)
        assessments.record(
            session,
            other,
            subject=b,
            assessor=b,
            kind="self",
            level=other.level_ids[0],
            answers=every(other, 1, other.level_ids[0]),
            submitted_at=datetime.now(UTC) - 5 * DAY,
        )
        cycle = Cycle(
            name="Autumn review",
            questionnaire_key=ML,
            team_id=team_id,
            audience="members",
            opens_at=datetime.now(UTC) - 3 * DAY,
            due_at=datetime.now(UTC) + 14 * DAY,
        )
        session.add(cycle)
        session.commit()
        return Org(app, q, aiko, ben, mia, hana, team_id, cycle.id or 0)


def client_for(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    login(client, user.email)
    return client


def post(client: FlaskClient, path: str, data: dict[str, Any] | None = None, token_from: str = "/") -> Any:
    return client.post(path, data={"csrf_token": csrf_token(client, token_from), **(data or {})})


def rate(org: Org, value: int, *, released: bool = False) -> int:
    with org.app.app_context():
        session = db()
        subject, manager = session.get(User, org.aiko.id), session.get(User, org.mia.id)
        rating, _ = assessments.record(
            session,
            org.q,
            subject=subject,
            assessor=manager,
            kind="manager",
            level="mid",
            answers=every(org.q, value),
        )
        if released:
            rating.released_at = datetime.now(UTC)
        session.commit()
        return rating.id or 0


# -- home ---------------------------------------------------------------------------------------------------


def test_home_lists_a_draft_once_with_its_progress_and_due_date(org: Org) -> None:
    client = client_for(org.app, org.aiko)
    # Start the cycle's draft and answer the first area completely.
    start = post(client, "/assessments/new", {"questionnaire": ML, "level": "mid"}, "/assessments/new")
    draft_url = start.headers["Location"]
    aid = int(re.search(r"/assessments/(\d+)", draft_url).group(1))  # type: ignore[union-attr]
    first = org.q.areas[0]
    area_url = f"/assessments/{aid}/areas/{first.id}"
    values = {f"item__{item.id}": "1" for item in org.q.items_in_play(first, "mid")}
    assert post(client, area_url, {**values, "go": "exit"}, area_url).status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert page.count(f'data-assessment="{aid}"') == 1
    assert f"1 of {len(org.q.areas_in_play('mid'))} areas" in page
    assert "Autumn review, due " in page
    # The cycle is not listed a second time as something to start.
    assert 'data-kind="cycle"' not in page


def test_manager_inbox_lists_what_each_team_needs_and_links_to_it(org: Org) -> None:
    rate(org, 3)  # a rating two points above Aiko's self-assessment everywhere: blind spots
    with org.app.app_context():
        session = db()
        me = session.get(User, org.aiko.id)
        assessments.record(  # a newer self-assessment: the rating is older than it
            session,
            org.q,
            subject=me,
            assessor=me,
            kind="self",
            level="mid",
            answers=every(org.q, 1),
        )
        session.commit()
    page = client_for(org.app, org.mia).get("/").get_data(as_text=True)
    assert "Team Vision" in page
    unrated = page.split('data-list="unrated"')[1].split("</ul>")[0]
    assert "Aiko Tanaka" in unrated and f"/people/{org.aiko.id}/assess?questionnaire={ML}" in unrated
    not_submitted = page.split('data-list="not-submitted"')[1].split("</ul>")[0]
    assert "Aiko Tanaka" in not_submitted or "Ben Brown" in not_submitted
    assert f"/cycles/{org.cycle_id}" in not_submitted


def test_blind_spots_leave_the_inbox_once_marked_discussed(org: Org) -> None:
    rating = rate(org, 3)
    mia = client_for(org.app, org.mia)
    page = mia.get("/").get_data(as_text=True)
    spots = page.split('data-list="blind-spots"')[1].split("</ul>")[0]
    assert spots.count("<li") == len(org.q.areas_in_play("mid"))
    with org.app.app_context():
        own = (
            db()
            .exec(
                select(Assessment.id).where(Assessment.subject_id == org.aiko.id, Assessment.kind == "self")
            )
            .first()
        )
    area = org.q.areas[0]
    response = post(
        mia,
        f"/people/{org.aiko.id}/blind-spots",
        {"questionnaire": ML, "self_id": own, "manager_id": rating, "area_id": area.id},
    )
    assert response.status_code == 302
    spots = mia.get("/").get_data(as_text=True).split('data-list="blind-spots"')[1].split("</ul>")[0]
    assert spots.count("<li") == len(org.q.areas_in_play("mid")) - 1
    assert area.title not in spots
    profile = mia.get(f"/people/{org.aiko.id}?questionnaire={ML}").get_data(as_text=True)
    assert "discussed " in profile
    # Another member cannot mark anything: 404.
    ben = client_for(org.app, org.ben)
    assert (
        post(
            ben,
            f"/people/{org.aiko.id}/blind-spots",
            {"questionnaire": ML, "self_id": own, "manager_id": rating, "area_id": area.id},
        ).status_code
        == 404
    )


def test_hr_home_shows_open_cycles_with_completion(org: Org) -> None:
    page = client_for(org.app, org.hana).get("/").get_data(as_text=True)
    row = page.split(f'data-cycle="{org.cycle_id}"')[1].split("</tr>")[0]
    assert "Autumn review" in row and "0 of 2 submitted" in row


# -- the manager rating, its release ----------------------------------------------------------------------


def test_manager_rates_only_the_members_framework_at_their_level(org: Org) -> None:
    mia = client_for(org.app, org.mia)
    page = mia.get(f"/people/{org.aiko.id}/assess").get_data(as_text=True)
    assert 'value="ml-engineer"' in page and 'value="ml-team-manager"' not in page
    assert '<input type="hidden" name="level" value="mid">' in page
    assert "does not see your rating or notes until you release them" in page
    # A posted level other than the member's own is ignored: both rate the same statements.
    started = post(
        mia,
        f"/people/{org.aiko.id}/assess",
        {"questionnaire": ML, "level": "senior"},
        f"/people/{org.aiko.id}/assess",
    )
    aid = int(re.search(r"/assessments/(\d+)", started.headers["Location"]).group(1))  # type: ignore[union-attr]
    with org.app.app_context():
        assert db().get(Assessment, aid).target_level == "mid"  # type: ignore[union-attr]
    # Another framework is refused for this member.
    refused = post(
        mia,
        f"/people/{org.aiko.id}/assess",
        {"questionnaire": MGR, "level": "mid"},
        f"/people/{org.aiko.id}/assess",
    )
    assert refused.status_code == 302 and "/assess" in refused.headers["Location"]


def test_the_members_own_rating_shows_only_after_the_manager_rated_the_area(org: Org) -> None:
    mia = client_for(org.app, org.mia)
    started = post(
        mia,
        f"/people/{org.aiko.id}/assess",
        {"questionnaire": ML, "level": "mid"},
        f"/people/{org.aiko.id}/assess",
    )
    aid = int(re.search(r"/assessments/(\d+)", started.headers["Location"]).group(1))  # type: ignore[union-attr]
    area = org.q.areas[0]
    url = f"/assessments/{aid}/areas/{area.id}"
    before = mia.get(url).get_data(as_text=True)
    assert "How well does this describe Aiko Tanaka today?" in before
    assert "own rating:" not in before
    values = {f"item__{item.id}": "2" for item in org.q.items_in_play(area, "mid")}
    post(mia, url, {**values, "go": "exit"}, url)
    after = mia.get(url).get_data(as_text=True)
    assert after.count("Aiko Tanaka's own rating: 1") == len(org.q.items_in_play(area, "mid"))
    review = mia.get(f"/assessments/{aid}/review").get_data(as_text=True)
    assert "Aiko Tanaka does not see it" in review


def test_a_manager_rating_reaches_the_member_only_when_released(org: Org) -> None:
    rating = rate(org, 3)
    aiko = client_for(org.app, org.aiko)
    api = aiko.get(f"/api/people/{org.aiko.id}/profile?questionnaire={ML}").get_json()
    assert "manager" not in api
    page = aiko.get(f"/people/{org.aiko.id}?questionnaire={ML}").get_data(as_text=True)
    assert "Mia Manager" not in page and "blind spot" not in page
    with org.app.app_context():
        context = report_service.person_context(
            db(), db().get(User, org.aiko.id), ML, viewer=db().get(User, org.aiko.id)
        )
        assert context["comparison"] is None
    assert "released their rating" not in aiko.get("/").get_data(as_text=True)
    # The manager sees it, with a Release button; HR sees it too.
    mia = client_for(org.app, org.mia)
    assert "Release to Aiko Tanaka" in mia.get(f"/people/{org.aiko.id}?questionnaire={ML}").get_data(
        as_text=True
    )
    hr_api = (
        client_for(org.app, org.hana).get(f"/api/people/{org.aiko.id}/profile?questionnaire={ML}").get_json()
    )
    assert hr_api["manager"]["released_at"] is None
    # Another member of the team may not release it.
    assert post(client_for(org.app, org.ben), f"/assessments/{rating}/release").status_code == 404
    assert post(mia, f"/assessments/{rating}/release").status_code == 302
    api = aiko.get(f"/api/people/{org.aiko.id}/profile?questionnaire={ML}").get_json()
    assert api["manager"]["assessor"] == "Mia Manager" and api["manager"]["released_at"]
    home = aiko.get("/").get_data(as_text=True)
    assert "Mia Manager</strong> released their rating of you" in home
    assert "Mia Manager" in aiko.get(f"/people/{org.aiko.id}?questionnaire={ML}").get_data(as_text=True)


def test_a_newer_unreleased_rating_does_not_replace_the_released_one_for_the_member(org: Org) -> None:
    rate(org, 3, released=True)
    rate(org, 0)
    api = (
        client_for(org.app, org.aiko).get(f"/api/people/{org.aiko.id}/profile?questionnaire={ML}").get_json()
    )
    assert api["manager"]["released_at"] is not None
    hr = client_for(org.app, org.hana).get(f"/api/people/{org.aiko.id}/profile?questionnaire={ML}").get_json()
    assert hr["manager"]["released_at"] is None
    assert hr["manager"]["scores"] != api["manager"]["scores"]


# -- plan progress --------------------------------------------------------------------------------------


def plan_of(org: Org, value: int = 1) -> list[str]:
    return [e.step.id for e in scoring.score(org.q, every(org.q, value), "mid").plan]


def test_a_person_marks_plan_steps_and_their_manager_follows(org: Org) -> None:
    steps = plan_of(org)
    aiko = client_for(org.app, org.aiko)
    profile_url = f"/people/{org.aiko.id}?questionnaire={ML}"
    base = f"/people/{org.aiko.id}/plan/{ML}/steps"
    assert post(aiko, f"{base}/{steps[0]}", {"status": "in progress"}, profile_url).status_code == 302
    assert post(aiko, f"{base}/{steps[0]}", {"status": "done"}, profile_url).status_code == 302
    assert post(aiko, f"{base}/{steps[1]}", {"status": "in progress"}, profile_url).status_code == 302
    page = aiko.get(profile_url).get_data(as_text=True)
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    assert f'data-step="{steps[0]}" data-status="done"' in page and f"done {today}" in page
    assert f"1 of {len(steps)} steps done" in page
    # A step not in the current plan, or a made-up status, is refused with a message.
    post(aiko, f"{base}/not-a-step", {"status": "done"}, profile_url)
    post(aiko, f"{base}/{steps[2]}", {"status": "finished"}, profile_url)
    with org.app.app_context():
        events = db().exec(select(PlanStepEvent).where(PlanStepEvent.user_id == org.aiko.id)).all()
        assert [(e.step_id, e.status) for e in events] == [
            (steps[0], "in progress"),
            (steps[0], "done"),
            (steps[1], "in progress"),
        ]
    assert "what was done when (3 changes)" in aiko.get(profile_url).get_data(as_text=True)
    # The manager sees the statuses (read-only), on the profile, the dashboard and home.
    mia = client_for(org.app, org.mia)
    seen = mia.get(profile_url).get_data(as_text=True)
    assert f'data-step="{steps[0]}" data-status="done"' in seen and 'name="status"' not in seen
    dashboard = mia.get(f"/teams/{org.team_id}?questionnaire={ML}").get_data(as_text=True)
    assert (
        "Plan steps done since" in dashboard and "Aiko Tanaka</strong>" in dashboard.split('id="steps-h"')[1]
    )
    assert "Aiko Tanaka" in mia.get("/").get_data(as_text=True).split('data-list="done-steps"')[1]
    # The manager cannot mark the member's steps.
    assert post(mia, f"{base}/{steps[1]}", {"status": "done"}, profile_url).status_code == 404
    # The PDF context carries each step's status.
    with org.app.app_context():
        context = report_service.person_context(db(), db().get(User, org.aiko.id), ML)
        # The focus in full, the rest of the plan by phase: every step carries its status.
        listed = context["focus"] + [s for phase in context["plan"] for s in phase["steps"]]
        statuses = {s["id"]: s["status"] for s in listed}
        assert statuses[steps[0]] == "done" and statuses[steps[1]] == "in progress"


def test_a_step_done_stays_done_when_the_next_assessment_recommends_it_again(org: Org) -> None:
    steps = plan_of(org)
    aiko = client_for(org.app, org.aiko)
    profile_url = f"/people/{org.aiko.id}?questionnaire={ML}"
    post(aiko, f"/people/{org.aiko.id}/plan/{ML}/steps/{steps[0]}", {"status": "done"}, profile_url)
    with org.app.app_context():
        me = db().get(User, org.aiko.id)
        assessments.record(
            db(), org.q, subject=me, assessor=me, kind="self", level="mid", answers=every(org.q, 1)
        )
        db().commit()
    page = aiko.get(profile_url).get_data(as_text=True)
    assert f'data-step="{steps[0]}" data-status="done"' in page


# -- profile explains itself ------------------------------------------------------------------------------


def test_profile_explains_readiness_gap_order_and_changes(org: Org) -> None:
    with org.app.app_context():
        me = db().get(User, org.aiko.id)
        answers = every(org.q, 1)
        for item in org.q.items_in_play(org.q.areas[0], "mid"):
            answers[item.id] = 3
        assessments.record(db(), org.q, subject=me, assessor=me, kind="self", level="mid", answers=answers)
        db().commit()
    page = (
        client_for(org.app, org.aiko).get(f"/people/{org.aiko.id}?questionnaire={ML}").get_data(as_text=True)
    )
    mid, junior = org.q.level("mid").name, org.q.level("junior").name
    assert f"Readiness is the lower of two shares, each weighted by area: of everything {mid} expects" in page
    assert f"of what {mid} adds to {junior} (its own behaviours and raised targets)" in page
    # Both parts in words, with the numbers the JSON has.
    data = (
        client_for(org.app, org.aiko).get(f"/api/people/{org.aiko.id}/profile?questionnaire={ML}").get_json()
    )
    assert (
        f"Meets {data['readiness_all']:.1f} % of everything {mid} expects and "
        f"{data['readiness_new']:.1f} % of what {mid} adds to {junior}."
    ) in page
    assert "In order of weight × gap" in page
    earlier = (datetime.now(UTC) - 10 * DAY).strftime("%Y-%m-%d")
    assert (
        f"Since the self-assessment of {earlier}: better in 1 area, lower in 0, unchanged in {len(org.q.areas_in_play('mid')) - 1}."
        in page
    )
    assert "+0.00" not in page and "unchanged</span>" in page
    assert "Score per area in each self-assessment" in page
    assert f"/reports/people/{org.aiko.id}.pdf?questionnaire={ML}" in page


# -- team dashboard -------------------------------------------------------------------------------------------


def test_dashboard_names_members_on_another_framework_and_offers_the_team_pdf(org: Org) -> None:
    page = client_for(org.app, org.mia).get(f"/teams/{org.team_id}?questionnaire={ML}").get_data(as_text=True)
    members = page.split('<table class="members">')[1]
    ben = members.split(f'data-member="{org.ben.id}"')[1].split("</tr>")[0]
    assert "takes" in ben and "Manager of an ML team" in ben and "not submitted" not in ben
    assert "not submitted" not in page.split("Ben Brown")[1].split("</th>")[0]
    assert f"/reports/teams/{org.team_id}.pdf?questionnaire={ML}" in page
    tabs = page.split('aria-label="Frameworks"')[1].split("</nav>")[0]
    assert "ML" in tabs  # only the frameworks the members take
    titles = {q.id: q.title for q in (catalog_titles(org.app))}
    assert all(title in tabs for title in titles.values())  # both are taken in this team


def catalog_titles(app: Flask) -> list[Questionnaire]:
    with app.app_context():
        return catalog().all()


# -- cycles ----------------------------------------------------------------------------------------------------


def test_managers_see_their_teams_cycles_and_download_statuses(
    org: Org, make_user: Callable[..., User], make_team: Callable[..., int]
) -> None:
    # Mia is not asked herself (members only), yet her team's cycle is listed for her.
    mia = client_for(org.app, org.mia)
    assert f'data-cycle="{org.cycle_id}"' in mia.get("/cycles").get_data(as_text=True)
    response = mia.get(f"/cycles/{org.cycle_id}/statuses.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {r["name"] for r in rows} == {"Aiko Tanaka", "Ben Brown"}
    assert {r["state"] for r in rows} == {"not started"}
    # A manager of another team does not see it.
    other = make_user("max@example.org", "Max Manager")
    make_team("Forecasting", managers=[other])
    max_client = client_for(org.app, other)
    assert f'data-cycle="{org.cycle_id}"' not in max_client.get("/cycles").get_data(as_text=True)
    assert max_client.get(f"/cycles/{org.cycle_id}/statuses.csv").status_code == 404


def test_closing_asks_first_and_then_says_missed(org: Org) -> None:
    mia = client_for(org.app, org.mia)
    detail = mia.get(f"/cycles/{org.cycle_id}").get_data(as_text=True)
    assert f'action="/cycles/{org.cycle_id}/close"' not in detail  # the button only leads to the question
    ask = mia.get(f"/cycles/{org.cycle_id}/close").get_data(as_text=True)
    assert "Yes, close this cycle" in ask and "2 of 2" in ask and "missed" in ask
    assert (
        post(mia, f"/cycles/{org.cycle_id}/close", token_from=f"/cycles/{org.cycle_id}/close").status_code
        == 302
    )
    detail = mia.get(f"/cycles/{org.cycle_id}").get_data(as_text=True)
    assert "not started, missed" in detail and "overdue" not in detail
    rows = list(
        csv.DictReader(io.StringIO(mia.get(f"/cycles/{org.cycle_id}/statuses.csv").get_data(as_text=True)))
    )
    assert {r["state"] for r in rows} == {"missed"}


def test_admin_remove_asks_first(
    app: Flask, make_user: Callable[..., User], make_team: Callable[..., int]
) -> None:
    admin = make_user("ada@example.org", "Ada Admin", role="admin")
    kim = make_user("kim@example.org", "Kim Member")
    team_id = make_team("Vision", members=[kim])
    client = client_for(app, admin)
    teams = client.get("/admin/teams").get_data(as_text=True)
    assert f'href="/admin/teams/{team_id}/members/{kim.id}/remove"' in teams
    ask = client.get(f"/admin/teams/{team_id}/members/{kim.id}/remove").get_data(as_text=True)
    assert "Yes, remove Kim Member" in ask


# -- SQL statements on home do not grow with the team ---------------------------------------------------------


def _team_of(app: Flask, q: Questionnaire, name: str, size: int) -> User:
    with app.app_context():
        session = db()
        team, _ = users_service.create_team(session, name)
        boss, _ = users_service.create_or_update_user(
            session, email=f"boss.{name.lower()}@example.org", name=f"Boss {name}", password=PASSWORD
        )
        users_service.add_member(session, team, boss, "manager")
        for i in range(size):
            user, _ = users_service.create_or_update_user(
                session, email=f"m{i}.{name.lower()}@example.org", name=f"M{i:03d}"
            )
            users_service.add_member(session, team, user)
            assessments.record(
                session, q, subject=user, assessor=user, kind="self", level="mid", answers=every(q, i % 4)
            )
            if i % 2 == 0:
                assessments.record(
                    session, q, subject=user, assessor=boss, kind="manager", level="mid", answers=every(q, 3)
                )
        session.add(
            Cycle(
                name=f"{name} cycle",
                questionnaire_key=q.id,
                team_id=team.id,
                opens_at=datetime.now(UTC) - DAY,
                due_at=datetime.now(UTC) + DAY,
            )
        )
        session.commit()
        session.expunge(boss)
        return boss


def test_home_issues_as_many_statements_for_60_members_as_for_4(app: Flask) -> None:
    with app.app_context():
        q = catalog().get(ML)
    assert q is not None
    counts = []
    for name, size in (("Small", 4), ("Large", 60)):
        boss = _team_of(app, q, name, size)
        client = client_for(app, boss)
        client.get("/")  # warm caches
        with counting(app) as statements:
            page = client.get("/").get_data(as_text=True)
        assert "M001" in page
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
