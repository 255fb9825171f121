"""The team dashboard and its JSON twin: who sees what, and numbers worked out by hand.

Answers are chosen so that every item of an area has the same value, which makes the area score
that value; the expected team numbers are then computed here with `statistics` from those values.
"""

from __future__ import annotations

import html
import json
import re
import statistics
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from tests.web.conftest import counting

from competency.models import User
from competency.questionnaire import Questionnaire
from competency.services import assessments
from competency.services import users as users_service
from competency.web.requests import catalog, db

ML = "ml-engineer"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


# -- helpers ---------------------------------------------------------------------------------------

PASSWORD = "correct horse battery"


def login(client: FlaskClient, email: str) -> None:
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    assert token
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert response.status_code == 302


def framework(app: Flask, key: str = ML) -> Questionnaire:
    with app.app_context():
        q = catalog().get(key)
    assert q is not None
    return q


def answers(
    q: Questionnaire, values: Mapping[str, int], default: int | None = None, level: str = "mid"
) -> dict[str, int]:
    """Every item asked at `level` in area `a` answered so that its item value is values[a] (reverse items flipped)."""
    out = {}
    for area in q.areas_in_play(level):
        value = values.get(area.id, q.lo if default is None else default)
        for item in q.items_in_play(area, level):
            out[item.id] = q.lo + q.hi - value if item.reverse else value
    return out


def submit(
    app: Flask,
    subject: User,
    values: Mapping[str, int],
    *,
    key: str = ML,
    level: str = "mid",
    assessor: User | None = None,
    default: int | None = None,
    when: datetime | None = None,
) -> None:
    q = framework(app, key)
    with app.app_context():
        session = db()
        me = session.get(User, subject.id)
        by = session.get(User, assessor.id) if assessor else me
        assessments.record(
            session,
            q,
            subject=me,
            assessor=by,
            kind="manager" if assessor else "self",
            level=level,
            answers=answers(q, values, default, level),
            submitted_at=when,
        )
        session.commit()


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def cells(text: str, area_id: str) -> dict[str, str]:
    """The coverage table row of an area, as {stat: visible text}."""
    row = re.search(rf'<tr data-area="{re.escape(area_id)}"[^>]*>(.*?)</tr>', text, re.S)
    assert row, f"no coverage row for {area_id}"
    out = {}
    for stat, content in re.findall(r'data-stat="([a-z]+)">(.*?)</td>', row.group(1), re.S):
        out[stat] = html.unescape(re.sub(r"<[^>]+>", " ", content)).split()
    return {k: " ".join(v) for k, v in out.items()}


def two(value: float) -> str:
    return f"{value:.2f}"


@pytest.fixture
def ml(app: Flask) -> Questionnaire:
    return framework(app)


@pytest.fixture
def team_of(make_user: Callable[..., User], make_team: Callable[..., int]) -> Callable[..., Any]:
    """team_of("Vision", ["ann", "ben"], manager="mia") -> (team id, {name: user}, manager)."""

    def _make(
        name: str, people: list[str], manager: str | None = "mia"
    ) -> tuple[int, dict[str, User], User | None]:
        users = {p: make_user(f"{p}.{name.lower()}@example.org", p.title()) for p in people}
        boss = make_user(f"{manager}.{name.lower()}@example.org", manager.title()) if manager else None
        team_id = make_team(name, members=list(users.values()), managers=[boss] if boss else [])
        return team_id, users, boss

    return _make


# -- numbers: page, API and hand-computed agree ---------------------------------------------------------


def test_manager_sees_team_numbers_that_equal_the_api_and_hand_computed_ones(
    app: Flask, ml: Questionnaire, team_of: Callable[..., Any], login_as: Callable[[User], FlaskClient]
) -> None:
    team_id, people, mia = team_of("Vision", ["ann", "ben", "cat", "dan"])
    first, second = ml.areas[0], ml.areas[1]
    submit(app, people["ann"], {first.id: 1, second.id: 4}, level="junior")
    submit(app, people["ben"], {first.id: 3, second.id: 2}, level="mid")
    submit(app, people["cat"], {first.id: 4, second.id: 3}, level="senior")
    client = login_as(mia)

    api = client.get(f"/api/teams/{team_id}/summary?questionnaire={ML}")
    assert api.status_code == 200
    data = api.get_json()
    text = page(client, f"/teams/{team_id}?questionnaire={ML}")

    expert = ml.expert_level  # second-highest scale value: 3
    for area, values, levels in (
        (first, [1, 3, 4], ["junior", "mid", "senior"]),
        (second, [4, 2, 3], ["junior", "mid", "senior"]),
    ):
        expected = {
            "mean": statistics.fmean(values),
            "median": statistics.median(values),
            "min": min(values),
            "max": max(values),
            "n": 3,
            "coverage": sum(1 for v, lv in zip(values, levels, strict=True) if v >= area.targets[lv]),
            "experts": sum(1 for v in values if v >= expert),
        }
        got = data["areas"][area.id]
        for stat in ("mean", "median", "min", "max"):
            assert got[stat] == pytest.approx(expected[stat])
        assert (got["n"], got["coverage"], got["experts"]) == (3, expected["coverage"], expected["experts"])
        row = cells(text, area.id)
        assert row["mean"] == two(got["mean"]) and row["median"] == two(got["median"])
        assert row["range"] == f"{two(got['min'])}–{two(got['max'])}"
        assert row["n"] == "3"
        assert row["coverage"] == f"{got['coverage']} of 3"
        assert row["experts"] == str(got["experts"])

    # Dan has not submitted: listed as such, in the API and on the page, and left out of the numbers.
    dan = next(m for m in data["members"] if m["name"] == "Dan")
    assert dan["submitted"] is False and "scores" not in dan
    assert re.search(r"Dan</a>.*?not submitted", text, re.S)
    assert "Dan (not submitted)" in text  # heatmap row
    assert {m["name"] for m in data["members"]} == {"Ann", "Ben", "Cat", "Dan", "Mia"}
    assert data["submitted_count"] == 3 and data["visibility"] == "individuals"


def test_the_latest_submission_counts_and_drafts_do_not(
    app: Flask, ml: Questionnaire, team_of: Callable[..., Any], login_as: Callable[[User], FlaskClient]
) -> None:
    team_id, people, mia = team_of("Vision", ["ann", "ben"])
    area = ml.areas[0]
    now = datetime.now(UTC)
    submit(app, people["ann"], {area.id: 1}, when=now - timedelta(days=60))
    submit(app, people["ann"], {area.id: 3}, when=now - timedelta(days=1))
    submit(app, people["ben"], {area.id: 2})
    with app.app_context():
        me = db().get(User, people["ben"].id)
        assessments.start(db(), ml, subject=me, assessor=me, level="mid")
    got = login_as(mia).get(f"/api/teams/{team_id}/summary?questionnaire={ML}").get_json()
    assert got["areas"][area.id]["mean"] == pytest.approx(statistics.fmean([3, 2]))
    assert got["areas"][area.id]["n"] == 2


# -- who sees what ------------------------------------------------------------------------------------


def test_manager_of_another_team_gets_404(
    app: Flask, ml: Questionnaire, team_of: Callable[..., Any], login_as: Callable[[User], FlaskClient]
) -> None:
    team_id, people, _ = team_of("Vision", ["ann"])
    _, _, max_ = team_of("Forecasting", ["olga"], manager="max")
    submit(app, people["ann"], {ml.areas[0].id: 2})
    client = login_as(max_)
    assert client.get(f"/teams/{team_id}").status_code == 404
    assert client.get(f"/api/teams/{team_id}/summary?questionnaire={ML}").status_code == 404
    assert client.get("/teams/999999").status_code == 404


def test_a_member_of_another_team_gets_404(
    app: Flask, team_of: Callable[..., Any], login_as: Callable[[User], FlaskClient]
) -> None:
    team_id, _, _ = team_of("Vision", ["ann"])
    _, others, _ = team_of("Forecasting", ["olga"], manager="max")
    client = login_as(others["olga"])
    assert client.get(f"/teams/{team_id}").status_code == 404
    assert client.get(f"/api/teams/{team_id}/summary").status_code == 404


def test_anonymous_is_sent_to_login(app: Flask, client: FlaskClient, team_of: Callable[..., Any]) -> None:
    team_id, _, _ = team_of("Vision", ["ann"])
    for url in (f"/teams/{team_id}", "/teams", f"/api/teams/{team_id}/summary"):
        response = client.get(url)
        assert response.status_code in (302, 401)
        if response.status_code == 302:
            assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["hr", "admin"])
def test_hr_and_admins_see_every_team_with_individuals(
    app: Flask,
    ml: Questionnaire,
    role: str,
    make_user: Callable[..., User],
    team_of: Callable[..., Any],
    login_as: Callable[[User], FlaskClient],
) -> None:
    team_id, people, _ = team_of("Vision", ["ann", "ben"])
    submit(app, people["ann"], {ml.areas[0].id: 3})
    client = login_as(make_user(f"{role}@example.org", role.upper(), role=role))
    text = page(client, f"/teams/{team_id}?questionnaire={ML}")
    assert "Ann" in text and "Ben" in text and 'id="heatmap"' in text
    assert "Vision" in page(client, "/teams")
    data = client.get(f"/api/teams/{team_id}/summary?questionnaire={ML}").get_json()
    assert len(data["members"]) == 3
    # HR and admins rate nobody: no Rate link.
    assert "/assess?" not in text


def test_plain_member_sees_the_aggregate_only_once_enough_have_submitted(
    app: Flask, ml: Questionnaire, team_of: Callable[..., Any], login_as: Callable[[User], FlaskClient]
) -> None:
    names = ["ann", "ben", "cat", "dan", "eve"]
    team_id, people, _ = team_of("Vision", names)
    area = ml.areas[0]
    values = [0, 1, 2, 3, 4]
    for name, value in zip(names, values, strict=True):
        submit(app, people[name], {area.id: value})
    client = login_as(people["ann"])
    text = page(client, f"/teams/{team_id}?questionnaire={ML}")
    assert cells(text, area.id)["mean"] == two(statistics.fmean(values))
    for other in ("Ben", "Cat", "Dan", "Eve", "Mia"):
        assert other not in text
    assert 'id="heatmap"' not in text and "/assess?" not in text
    data = client.get(f"/api/teams/{team_id}/summary?questionnaire={ML}").get_json()
    assert data["members"] == [] and data["visibility"] == "aggregate"
    # The mean, but no order statistics: with their own score, a median and a range would give the
    # others' scores away.
    assert data["areas"][area.id]["mean"] == pytest.approx(statistics.fmean(values))
    assert {data["areas"][a][k] for a in data["areas"] for k in ("median", "min", "max")} == {None}
    # The radar has the mean and the target: no band (an order statistic), no member traces.
    radar = re.search(r'id="radar-data"[^>]*>(.*?)</script>', text, re.S)
    assert radar and "legendonly" not in radar.group(1)
    figure = json.loads(html.unescape(radar.group(1)))
    assert [t["name"][:8] for t in figure["data"]] == ["Target (", "Team mea"]
    assert "Lowest to highest" not in text
    # Every trace on the same spokes, in the order the axis fixes (numbered: the framework has many areas).
    spokes = figure["layout"]["polar"]["angularaxis"]["categoryarray"]
    assert len(spokes) == len(ml.areas) and spokes[0] == "1"
    assert all(trace["theta"][:-1] == spokes for trace in figure["data"])


def test_plain_member_below_the_threshold_is_told_why_nothing_is_shown(
    app: Flask, ml: Questionnaire, team_of: Callable[..., Any], login_as: Callable[[User], FlaskClient]
) -> None:
    names = ["ann", "ben", "cat", "dan", "eve"]
    team_id, people, _ = team_of("Vision", names)
    area = ml.areas[0]
    for name in names[:4]:
        submit(app, people[name], {area.id: 2})
    client = login_as(people["ann"])
    text = page(client, f"/teams/{team_id}?questionnaire={ML}")
    assert "at least 5 members have submitted" in text and "(4 so far)" in text
    assert f'data-area="{area.id}"' not in text and 'id="radar"' not in text
    data = client.get(f"/api/teams/{team_id}/summary?questionnaire={ML}").get_json()
    assert data["visibility"] == "hidden" and data["areas"] == {} and data["members"] == []
    assert "at least 5" in data["message"]


@pytest.mark.parametrize(
    ("setting", "submitted", "shown"), [(1, 2, False), (1, 3, True), (4, 3, False), (4, 4, True)]
)
def test_the_aggregate_threshold_follows_the_setting_but_never_drops_below_three(
    make_app: Callable[..., Flask],
    make_user: Callable[..., User],
    setting: int,
    submitted: int,
    shown: bool,
) -> None:
    app = make_app(None, TEAM_AGGREGATE_MIN=setting)
    q = framework(app)
    people = []
    with app.app_context():
        team, _ = users_service.create_team(db(), "Vision")
        for i in range(5):
            user, _ = users_service.create_or_update_user(
                db(), email=f"p{i}@example.org", name=f"P{i}", password=PASSWORD
            )
            users_service.add_member(db(), team, user)
            people.append(user)
        db().commit()
        team_id = team.id
    for user in people[:submitted]:
        submit(app, user, {q.areas[0].id: 2})
    client = app.test_client()
    login(client, people[0].email)
    data = client.get(f"/api/teams/{team_id}/summary?questionnaire={ML}").get_json()
    assert (data["visibility"] == "aggregate") is shown


def test_teams_index_lists_only_the_teams_a_member_belongs_to(
    app: Flask, team_of: Callable[..., Any], login_as: Callable[[User], FlaskClient]
) -> None:
    _, people, _ = team_of("Vision", ["ann"])
    team_of("Forecasting", ["olga"], manager="max")
    text = page(login_as(people["ann"]), "/teams")
    assert "Vision" in text and "Forecasting" not in text


# -- coverage, mentors, self vs manager -------------------------------------------------------------------


def test_single_point_of_expertise_and_no_expertise_are_flagged(
    app: Flask, ml: Questionnaire, team_of: Callable[..., Any], login_as: Callable[[User], FlaskClient]
) -> None:
    team_id, people, mia = team_of("Vision", ["ann", "ben", "cat"])
    single, nobody, many = ml.areas[0], ml.areas[1], ml.areas[2]
    submit(app, people["ann"], {single.id: 4, nobody.id: 2, many.id: 3})
    submit(app, people["ben"], {single.id: 2, nobody.id: 1, many.id: 4})
    submit(app, people["cat"], {single.id: 1, nobody.id: 2, many.id: 3})
    text = page(login_as(mia), f"/teams/{team_id}?questionnaire={ML}")
    assert cells(text, single.id)["flag"] == "single point of expertise"
    assert cells(text, single.id)["experts"] == "1" and cells(text, single.id)["who"] == "Ann"
    assert cells(text, nobody.id)["flag"] == "no expert"
    assert cells(text, nobody.id)["experts"] == "0"
    assert cells(text, many.id)["flag"] == ""
    assert cells(text, many.id)["who"] == "Ben, Ann, Cat"  # highest score first


def test_mentors_are_suggested_for_each_members_top_gaps(
    app: Flask, ml: Questionnaire, team_of: Callable[..., Any], login_as: Callable[[User], FlaskClient]
) -> None:
    team_id, people, mia = team_of("Vision", ["ann", "ben", "cat"])
    # Everyone meets every target except Ann in the first area; Ben and Cat are experts there.
    top = ml.areas[0]
    submit(app, people["ann"], {top.id: 0}, default=4, level="senior")
    submit(app, people["ben"], {top.id: 4}, default=4, level="senior")
    submit(app, people["cat"], {top.id: 3}, default=4, level="senior")
    client = login_as(mia)
    text = page(client, f"/teams/{team_id}?questionnaire={ML}")
    row = re.search(rf'<tr data-member="{people["ann"].id}" data-area="{top.id}">(.*?)</tr>', text, re.S)
    assert row, "no mentor suggestion for Ann's top gap"
    mentors = re.sub(r"<[^>]+>", "", row.group(1))
    assert "Ben (4.00), Cat (3.00)" in html.unescape(mentors)
    assert two(top.targets["senior"] - 0) in mentors
    # Ben and Cat have no gap: nothing suggested for them.
    assert f'data-member="{people["ben"].id}" data-area=' not in text


def test_a_top_gap_nobody_covers_says_so(
    app: Flask, ml: Questionnaire, team_of: Callable[..., Any], login_as: Callable[[User], FlaskClient]
) -> None:
    team_id, people, mia = team_of("Vision", ["ann", "ben"])
    top = ml.areas[0]
    submit(app, people["ann"], {top.id: 0}, default=4, level="senior")
    submit(app, people["ben"], {top.id: 1}, default=4, level="senior")
    text = page(login_as(mia), f"/teams/{team_id}?questionnaire={ML}")
    row = re.search(rf'<tr data-member="{people["ann"].id}" data-area="{top.id}">(.*?)</tr>', text, re.S)
    assert row and "no expert in the team" in row.group(1)


def test_self_and_manager_side_by_side_with_blind_spots_and_a_rate_link(
    app: Flask, ml: Questionnaire, team_of: Callable[..., Any], login_as: Callable[[User], FlaskClient]
) -> None:
    team_id, people, mia = team_of("Vision", ["ann", "ben"])
    a, b, c = ml.areas[0], ml.areas[1], ml.areas[2]
    submit(app, people["ann"], {a.id: 1, b.id: 3, c.id: 2})
    # Manager: +2 on a (blind spot), -1 on b (blind spot), same on c.
    submit(app, people["ann"], {a.id: 3, b.id: 2, c.id: 2}, assessor=mia)
    client = login_as(mia)
    text = page(client, f"/teams/{team_id}?questionnaire={ML}")
    block = re.search(
        rf'<details class="svm" data-member="{people["ann"].id}"[^>]*>(.*?)</details>', text, re.S
    )
    assert block
    for area, own, manager, flagged in ((a, 1, 3, True), (b, 3, 2, True), (c, 2, 2, False)):
        row = re.search(rf'<tr data-area="{area.id}"( class="blind-spot")?>(.*?)</tr>', block.group(1), re.S)
        assert row
        shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(2)))
        assert f"{two(own)} {two(manager)} {manager - own:+.2f}" in shown  # never averaged
        assert bool(row.group(1)) is flagged
    assert "2 blind spots" in block.group(1)
    # Ben was not rated; both get a Rate link, the manager does not rate herself.
    for person in (people["ann"], people["ben"]):
        assert f'href="/people/{person.id}/assess?questionnaire={ML}"' in text
    assert f"/people/{mia.id}/assess" not in text
    data = client.get(f"/api/teams/{team_id}/summary?questionnaire={ML}").get_json()
    ann = next(m for m in data["members"] if m["name"] == "Ann")
    assert ann["manager"]["blind_spots"] == [a.id, b.id]
    assert ann["manager"]["scores"][a.id] == 3 and ann["scores"][a.id] == 1
    # The Rate link leads to the manager assessment flow.
    assert client.get(f"/people/{people['ben'].id}/assess").status_code == 200


# -- SQL statements do not grow with the team ------------------------------------------------------------


def _big_team(app: Flask, q: Questionnaire, name: str, size: int) -> tuple[int, User]:
    """A team of `size` members, each with a submitted self-assessment, half with a manager rating."""
    from competency.services import cycles

    with app.app_context():
        session = db()
        team, _ = users_service.create_team(session, name)
        boss, _ = users_service.create_or_update_user(
            session,
            email=f"boss.{name.lower()}@example.org",
            name=f"Boss {name}",
            password=PASSWORD,
        )
        users_service.add_member(session, team, boss, "manager")
        for i in range(size):
            user, _ = users_service.create_or_update_user(
                session, email=f"m{i}.{name.lower()}@example.org", name=f"M{i:03d}"
            )
            users_service.add_member(session, team, user)
            values = {area.id: (i + j) % (q.hi + 1) for j, area in enumerate(q.areas)}
            if i % 10 != 9:  # some never submit
                assessments.record(
                    session,
                    q,
                    subject=user,
                    assessor=user,
                    kind="self",
                    level="mid",
                    answers=answers(q, values),
                )
            if i % 2 == 0:
                assessments.record(
                    session,
                    q,
                    subject=user,
                    assessor=boss,
                    kind="manager",
                    level="mid",
                    answers=answers(q, values, 1),
                )
        session.commit()
        cycles.open_cycle(
            session,
            session.get(User, boss.id),
            name=f"{name} spring",
            questionnaire_key=q.id,
            team_id=team.id,
            due_at=datetime.now(UTC) + timedelta(days=7),
        )
        session.expunge(boss)
        return team.id or 0, boss


def test_the_dashboard_issues_as_many_statements_for_200_members_as_for_5(
    app: Flask, ml: Questionnaire
) -> None:
    small_id, small_boss = _big_team(app, ml, "Small", 5)
    large_id, large_boss = _big_team(app, ml, "Large", 200)
    counts = {}
    for team_id, boss in ((small_id, small_boss), (large_id, large_boss)):
        client = app.test_client()
        login(client, boss.email)
        client.get(f"/teams/{team_id}?questionnaire={ML}")  # warm caches (snapshot parsing, catalog)
        with counting(app) as statements:
            response = client.get(f"/teams/{team_id}?questionnaire={ML}")
        assert response.status_code == 200
        with counting(app) as api_statements:
            assert client.get(f"/api/teams/{team_id}/summary?questionnaire={ML}").status_code == 200
        counts[team_id] = (len(statements), len(api_statements))
        text = response.get_data(as_text=True)
        assert "M004" in text
    assert counts[small_id] == counts[large_id], counts
    # 16, and since round 2 of the security review the audit row of the view (one INSERT, any team size).
    assert counts[large_id][0] <= 17, counts


# -- another shape of framework --------------------------------------------------------------------------


def test_a_framework_of_another_shape_uses_its_own_scale_levels_and_expert_threshold(
    make_app: Callable[..., Flask], odd_shape_dir: Path
) -> None:
    app = make_app(odd_shape_dir)
    q = framework(app, "oekonomie-handwerk")
    with app.app_context():
        session = db()
        team, _ = users_service.create_team(session, "Werkstatt")
        people = {}
        for name in ("anna", "bert", "chris", "mia"):
            user, _ = users_service.create_or_update_user(
                session, email=f"{name}@example.org", name=name.title(), password=PASSWORD
            )
            users_service.add_member(session, team, user, "manager" if name == "mia" else "member")
            people[name] = user
        session.commit()
        team_id = team.id
    kosten = q.area("kosten")  # expert threshold 3.5 on a 1-4 scale
    submit(app, people["anna"], {"kosten": 4, "markt": 2}, key=q.id, level="master", default=1)
    submit(app, people["bert"], {"kosten": 3, "markt": 3}, key=q.id, level="journeyman", default=1)
    submit(app, people["chris"], {"kosten": 2, "markt": 4}, key=q.id, level="apprentice", default=1)
    client = app.test_client()
    login(client, people["mia"].email)
    data = client.get(f"/api/teams/{team_id}/summary?questionnaire={q.id}").get_json()
    got = data["areas"]["kosten"]
    assert got["mean"] == pytest.approx(3.0) and got["median"] == pytest.approx(3.0)
    assert got["experts"] == 1  # only 4 >= 3.5
    levels = {"anna": "master", "bert": "journeyman", "chris": "apprentice"}
    values = {"anna": 4, "bert": 3, "chris": 2}
    assert got["coverage"] == sum(1 for p, v in values.items() if v >= kosten.targets[levels[p]])
    assert data["areas"]["markt"]["experts"] == 1 and data["expert_level"] == 3.5
    text = page(client, f"/teams/{team_id}?questionnaire={q.id}")
    assert "Kostenrechnung – Überblick" in text
    assert cells(text, "kosten")["flag"] == "single point of expertise"
    assert cells(text, "recht")["flag"] == "no expert"
    radar = re.search(r'id="radar-data"[^>]*>(.*?)</script>', text, re.S)
    # The radar runs on the framework's own scale, with the target of the most common level (a tie:
    # the lowest one, "Lehrling").
    assert radar and '"range":[1,4]' in radar.group(1) and "Target (Lehrling)" in radar.group(1)


def test_members_on_different_versions_are_aggregated_per_area_with_current_titles(
    make_app: Callable[..., Flask], odd_shape_dir: Path
) -> None:
    app = make_app(odd_shape_dir)
    current = framework(app, "oekonomie-handwerk")
    # An earlier version had an extra area and another title for "kosten".
    data = current.model_dump(mode="json")
    data["version"] = 2
    data["areas"][0]["title"] = "Kosten (alt)"
    extra = dict(data["areas"][2], id="altlast", title="Altlast")
    extra["items"] = [dict(i, id=f"alt-{i['id']}") for i in extra["items"]]
    extra["roadmap"] = [dict(s, id=f"alt-{s['id']}") for s in extra["roadmap"]]
    data["areas"].append(extra)
    older = Questionnaire.model_validate(data)
    with app.app_context():
        session = db()
        team, _ = users_service.create_team(session, "Werkstatt")
        people = {}
        for name in ("anna", "bert", "mia"):
            user, _ = users_service.create_or_update_user(
                session, email=f"{name}@example.org", name=name.title(), password=PASSWORD
            )
            users_service.add_member(session, team, user, "manager" if name == "mia" else "member")
            people[name] = user
        session.commit()
        team_id = team.id
        old_answers = answers(older, {"kosten": 2, "altlast": 4}, default=1)
        assessments.record(
            session,
            older,
            subject=people["anna"],
            assessor=people["anna"],
            kind="self",
            level="master",
            answers=old_answers,
        )
        session.commit()
    submit(app, people["bert"], {"kosten": 4}, key=current.id, level="master", default=1)
    client = app.test_client()
    login(client, people["mia"].email)
    got = client.get(f"/api/teams/{team_id}/summary?questionnaire={current.id}").get_json()
    assert got["questionnaire"]["version"] == current.version
    assert got["areas"]["kosten"]["mean"] == pytest.approx(3.0) and got["areas"]["kosten"]["n"] == 2
    assert got["areas"]["altlast"]["n"] == 1
    order = [a["id"] for a in got["area_order"]]
    assert order == [a.id for a in current.areas] + ["altlast"]
    text = page(client, f"/teams/{team_id}?questionnaire={current.id}")
    assert "Kostenrechnung – Überblick" in text and "Kosten (alt)" not in text
    assert "Altlast" in text and "not in the current version" in text


def test_a_framework_no_longer_in_the_folder_is_shown_from_its_newest_snapshot(
    make_app: Callable[..., Flask], odd_shape_dir: Path, app: Flask, login_as: Callable[[User], FlaskClient]
) -> None:
    with_file = make_app(odd_shape_dir)
    q = framework(with_file, "oekonomie-handwerk")
    with with_file.app_context():
        session = db()
        team, _ = users_service.create_team(session, "Werkstatt")
        anna, _ = users_service.create_or_update_user(
            session, email="anna@example.org", name="Anna", password=PASSWORD
        )
        mia, _ = users_service.create_or_update_user(
            session, email="mia@example.org", name="Mia", password=PASSWORD
        )
        users_service.add_member(session, team, anna)
        users_service.add_member(session, team, mia, "manager")
        session.commit()
        team_id = team.id
    submit(with_file, anna, {"kosten": 4}, key=q.id, level="master", default=1)
    # `app` serves the shipped frameworks only, from the same database.
    client = login_as(mia)
    text = page(client, f"/teams/{team_id}?questionnaire={q.id}")
    assert "Kostenrechnung – Überblick" in text and cells(text, "kosten")["mean"] == "4.00"
    assert client.get(f"/teams/{team_id}?questionnaire=no-such-framework").status_code == 404


def test_a_team_without_members_or_submissions_still_renders(
    app: Flask,
    make_user: Callable[..., User],
    make_team: Callable[..., int],
    login_as: Callable[[User], FlaskClient],
) -> None:
    hr = make_user("hana@example.org", "Hana", role="hr")
    empty = make_team("Empty")
    client = login_as(hr)
    text = page(client, f"/teams/{empty}")
    assert "Nobody in this team has submitted" in text
    data = client.get(f"/api/teams/{empty}/summary?questionnaire={ML}").get_json()
    assert data["members"] == [] and data["submitted_count"] == 0
    assert all(stats["n"] == 0 and stats["mean"] is None for stats in data["areas"].values())
