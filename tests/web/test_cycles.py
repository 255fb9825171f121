"""Cycles: who may open and close them, each person's status, home's pending list and the team trend."""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from competency.models import Assessment, AuditEvent, Cycle, User
from competency.questionnaire import Questionnaire
from competency.services import assessments
from competency.web.requests import catalog, db

ML = "ml-engineer"


# -- helpers ---------------------------------------------------------------------------------------


def framework(app: Flask, key: str = ML) -> Questionnaire:
    with app.app_context():
        q = catalog().get(key)
    assert q is not None
    return q


def uniform(q: Questionnaire, value: int, level: str = "mid") -> dict[str, int]:
    """Every item asked at `level` answered `value`."""
    return {item.id: value for area in q.areas_in_play(level) for item in q.items_in_play(area, level)}


def submit(
    app: Flask,
    subject: User,
    value: int = 2,
    *,
    cycle_id: int | None = None,
    when: datetime | None = None,
    assessor: User | None = None,
) -> float | None:
    """A submitted assessment (self unless `assessor`); returns its readiness."""
    q = framework(app)
    with app.app_context():
        session = db()
        me = session.get(User, subject.id)
        by = session.get(User, assessor.id) if assessor else me
        _, profile = assessments.record(
            session,
            q,
            subject=me,
            assessor=by,
            kind="manager" if assessor else "self",
            level="mid",
            answers=uniform(q, value),
            submitted_at=when,
            cycle_id=cycle_id,
        )
        session.commit()
        return profile.readiness


def draft(app: Flask, subject: User) -> int:
    q = framework(app)
    with app.app_context():
        me = db().get(User, subject.id)
        assessment, _ = assessments.start(db(), q, subject=me, assessor=me, level="mid")
        return assessment.id or 0


def make_cycle(
    app: Flask,
    *,
    team_id: int | None,
    name: str = "Spring",
    opened: timedelta = timedelta(days=10),
    due: timedelta = timedelta(days=10),
    closed: bool = False,
    audience: str = "everyone",
) -> int:
    """A cycle opened `opened` ago and due in `due` (negative: past due), written directly."""
    now = datetime.now(UTC)
    with app.app_context():
        cycle = Cycle(
            name=name,
            questionnaire_key=ML,
            team_id=team_id,
            opens_at=now - opened,
            due_at=now + due,
            closed_at=now - timedelta(minutes=1) if closed else None,
            audience=audience,
        )
        db().add(cycle)
        db().commit()
        return cycle.id or 0


def cycles_in_db(app: Flask) -> list[Cycle]:
    with app.app_context():
        return list(db().exec(select(Cycle)).all())


def csrf(client: FlaskClient, path: str) -> str:
    text = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def open_form(client: FlaskClient, **fields: Any) -> Any:
    due = (datetime.now(UTC) + timedelta(days=14)).date().isoformat()
    data = {"name": "Spring review", "questionnaire": ML, "due": due, **fields}
    data["csrf_token"] = csrf(client, "/cycles")  # the base layout's logout form carries one
    return client.post("/cycles/new", data=data)


def states(text: str) -> dict[str, str]:
    """{person name: state} from a cycle's status table."""
    out = {}
    for row in re.findall(r'<tr data-person="\d+" data-state="([a-z ]+)">(.*?)</tr>', text, re.S):
        name = re.search(r">([^<]+)</a>", row[1])
        assert name
        out[name.group(1)] = row[0]
    return out


@pytest.fixture
def org(make_user: Callable[..., User], make_team: Callable[..., int]) -> dict[str, Any]:
    """Vision (Ann, Ben, Cat; managed by Mia) and Forecasting (Olga; managed by Max), HR and an admin."""
    people = {
        n: make_user(f"{n}@example.org", n.title()) for n in ("ann", "ben", "cat", "mia", "olga", "max")
    }
    people["hana"] = make_user("hana@example.org", "Hana", role="hr")
    people["ada"] = make_user("ada@example.org", "Ada", role="admin")
    people["vision"] = make_team(
        "Vision", members=[people["ann"], people["ben"], people["cat"]], managers=[people["mia"]]
    )
    people["forecasting"] = make_team("Forecasting", members=[people["olga"]], managers=[people["max"]])
    return people


# -- opening -------------------------------------------------------------------------------------------


def test_a_manager_opens_a_cycle_for_their_own_team(
    app: Flask, org: dict[str, Any], login_as: Callable[[User], FlaskClient]
) -> None:
    client = login_as(org["mia"])
    assert client.get("/cycles/new").status_code == 200
    response = open_form(client, scope=str(org["vision"]))
    assert response.status_code == 302
    [cycle] = cycles_in_db(app)
    assert (cycle.team_id, cycle.questionnaire_key, cycle.created_by_id) == (org["vision"], ML, org["mia"].id)
    assert cycle.due_at.hour == 23 and cycle.closed_at is None
    assert response.headers["Location"].endswith(f"/cycles/{cycle.id}")
    with app.app_context():
        events = db().exec(select(AuditEvent).where(AuditEvent.action == "cycle.open")).all()
    assert [e.object for e in events] == [f"cycle:{cycle.id}"]


@pytest.mark.parametrize("scope", ["forecasting", "all"])
def test_a_manager_cannot_open_a_cycle_for_another_team_or_everyone(
    app: Flask, org: dict[str, Any], login_as: Callable[[User], FlaskClient], scope: str
) -> None:
    value = "all" if scope == "all" else str(org[scope])
    response = open_form(login_as(org["mia"]), scope=value)
    assert response.status_code == 404
    assert cycles_in_db(app) == []


def test_a_plain_member_cannot_open_cycles(
    app: Flask, org: dict[str, Any], login_as: Callable[[User], FlaskClient]
) -> None:
    client = login_as(org["ann"])
    assert client.get("/cycles/new").status_code == 404
    assert open_form(client, scope=str(org["vision"])).status_code == 404
    assert "Open a cycle" not in client.get("/cycles").get_data(as_text=True)
    assert cycles_in_db(app) == []


@pytest.mark.parametrize("who", ["hana", "ada"])
def test_hr_and_admins_open_cycles_for_everyone_or_any_team(
    app: Flask, org: dict[str, Any], login_as: Callable[[User], FlaskClient], who: str
) -> None:
    client = login_as(org[who])
    assert open_form(client, scope="all").status_code == 302
    assert open_form(client, scope=str(org["forecasting"]), name="Forecasting review").status_code == 302
    assert sorted((c.team_id or 0) for c in cycles_in_db(app)) == [0, org["forecasting"]]


def test_a_due_date_in_the_past_is_refused_with_a_message_and_the_form_kept(
    app: Flask, org: dict[str, Any], login_as: Callable[[User], FlaskClient]
) -> None:
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    response = open_form(login_as(org["mia"]), scope=str(org["vision"]), due=yesterday, name="Late one")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "choose a date in the future" in text and 'value="Late one"' in text
    assert cycles_in_db(app) == []


def test_a_second_open_cycle_for_the_same_team_and_framework_is_refused(
    app: Flask, org: dict[str, Any], login_as: Callable[[User], FlaskClient]
) -> None:
    client = login_as(org["mia"])
    assert open_form(client, scope=str(org["vision"])).status_code == 302
    response = open_form(client, scope=str(org["vision"]), name="Again")
    assert response.status_code == 200 and "Close it before you open another" in response.get_data(
        as_text=True
    )
    assert len(cycles_in_db(app)) == 1


# -- closing -------------------------------------------------------------------------------------------


def _close(client: FlaskClient, cycle_id: int) -> Any:
    return client.post(f"/cycles/{cycle_id}/close", data={"csrf_token": csrf(client, "/cycles")})


def test_only_the_teams_manager_hr_and_admins_close_a_team_cycle(
    app: Flask, org: dict[str, Any], login_as: Callable[[User], FlaskClient]
) -> None:
    cycle_id = make_cycle(app, team_id=org["vision"])
    for outsider in ("max", "ann", "olga"):
        assert _close(login_as(org[outsider]), cycle_id).status_code == 404
    assert all(c.closed_at is None for c in cycles_in_db(app))
    client = login_as(org["mia"])
    assert _close(client, cycle_id).status_code == 302
    [cycle] = cycles_in_db(app)
    assert cycle.closed_at is not None
    # Closing twice says so.
    assert "already closed" in client.get(_close(client, cycle_id).headers["Location"]).get_data(as_text=True)
    org_wide = make_cycle(app, team_id=None, name="Everyone")
    assert _close(client, org_wide).status_code == 404  # managers do not run organisation-wide cycles
    assert _close(login_as(org["hana"]), org_wide).status_code == 302


def test_cycle_status_pages_are_for_managers_of_the_team_hr_and_admins(
    app: Flask, org: dict[str, Any], login_as: Callable[[User], FlaskClient]
) -> None:
    cycle_id = make_cycle(app, team_id=org["vision"])
    for outsider in ("max", "ann"):
        assert login_as(org[outsider]).get(f"/cycles/{cycle_id}").status_code == 404
    for insider in ("mia", "hana", "ada"):
        assert login_as(org[insider]).get(f"/cycles/{cycle_id}").status_code == 200
    assert login_as(org["mia"]).get("/cycles/999999").status_code == 404


# -- statuses ------------------------------------------------------------------------------------------


def test_each_person_is_not_started_draft_submitted_or_overdue(
    app: Flask, org: dict[str, Any], login_as: Callable[[User], FlaskClient]
) -> None:
    open_id = make_cycle(app, team_id=org["vision"], name="On time")
    submit(app, org["ann"], cycle_id=open_id)
    draft(app, org["ben"])  # started outside the cycle, still open: counts as the cycle's draft
    client = login_as(org["mia"])
    text = client.get(f"/cycles/{open_id}").get_data(as_text=True)
    assert states(text) == {"Ann": "submitted", "Ben": "draft", "Cat": "not started", "Mia": "not started"}

    late_id = make_cycle(
        app, team_id=org["vision"], name="Late", opened=timedelta(days=40), due=-timedelta(days=1)
    )
    text = client.get(f"/cycles/{late_id}").get_data(as_text=True)
    # Ann's submission carries the other cycle's id; Ben's open draft counts for both open cycles.
    assert states(text) == {"Ann": "overdue", "Ben": "overdue", "Cat": "overdue", "Mia": "overdue"}
    assert "draft, overdue" in text and "not started, overdue" in text
    filtered = client.get(f"/cycles/{late_id}?state=overdue").get_data(as_text=True)
    assert len(states(filtered)) == 4


def test_a_submission_outside_any_cycle_counts_only_inside_the_cycle_window(
    app: Flask, org: dict[str, Any], login_as: Callable[[User], FlaskClient]
) -> None:
    cycle_id = make_cycle(app, team_id=org["vision"], opened=timedelta(days=5))
    now = datetime.now(UTC)
    submit(app, org["ann"], when=now - timedelta(days=1))  # during the cycle
    submit(app, org["ben"], when=now - timedelta(days=9))  # before it opened
    text = login_as(org["hana"]).get(f"/cycles/{cycle_id}").get_data(as_text=True)
    assert states(text)["Ann"] == "submitted" and states(text)["Ben"] == "not started"


def test_an_organisation_wide_cycle_shows_a_manager_only_their_teams(
    app: Flask, org: dict[str, Any], login_as: Callable[[User], FlaskClient]
) -> None:
    cycle_id = make_cycle(app, team_id=None, name="Everyone")
    mine = states(login_as(org["mia"]).get(f"/cycles/{cycle_id}").get_data(as_text=True))
    assert set(mine) == {"Ann", "Ben", "Cat", "Mia"}
    everyone = states(login_as(org["hana"]).get(f"/cycles/{cycle_id}").get_data(as_text=True))
    assert set(everyone) == {"Ann", "Ben", "Cat", "Mia", "Olga", "Max", "Hana", "Ada"}


def test_the_cycles_list_shows_members_their_own_status(
    app: Flask, org: dict[str, Any], login_as: Callable[[User], FlaskClient]
) -> None:
    team_cycle = make_cycle(app, team_id=org["vision"], name="Vision spring")
    make_cycle(app, team_id=org["forecasting"], name="Forecasting spring")
    submit(app, org["ann"], cycle_id=team_cycle)
    text = login_as(org["ann"]).get("/cycles").get_data(as_text=True)
    assert "Vision spring" in text and "Forecasting spring" not in text
    row = re.search(rf'<tr data-cycle="{team_cycle}">(.*?)</tr>', text, re.S)
    assert row and "submitted" in row.group(1)
    assert f'href="/cycles/{team_cycle}"' not in text  # no status page for plain members
    hr_text = login_as(org["hana"]).get("/cycles").get_data(as_text=True)
    row = re.search(rf'<tr data-cycle="{team_cycle}">(.*?)</tr>', hr_text, re.S)
    assert row and "1 of 4" in row.group(1)


# -- home, starting an assessment ----------------------------------------------------------------------


def test_home_lists_an_open_cycle_as_pending_until_it_is_submitted(
    app: Flask, org: dict[str, Any], login_as: Callable[[User], FlaskClient]
) -> None:
    cycle_id = make_cycle(app, team_id=org["vision"], name="Vision spring", due=-timedelta(days=1))
    make_cycle(app, team_id=org["forecasting"], name="Forecasting spring")
    make_cycle(app, team_id=org["vision"], name="Old closed one", closed=True)
    client = login_as(org["ann"])
    text = client.get("/").get_data(as_text=True)
    assert "Vision spring" in text and "overdue" in text
    assert "Forecasting spring" not in text and "Old closed one" not in text
    assert f'href="/assessments/new?questionnaire={ML}#q-{ML}"' in text
    submit(app, org["ann"], cycle_id=cycle_id)
    assert "Vision spring" not in client.get("/").get_data(as_text=True)


def test_a_self_assessment_started_during_a_cycle_belongs_to_it(
    app: Flask, org: dict[str, Any], login_as: Callable[[User], FlaskClient]
) -> None:
    everyone = make_cycle(app, team_id=None, name="Everyone")
    team_cycle = make_cycle(app, team_id=org["vision"], name="Vision spring")
    client = login_as(org["ann"])
    token = csrf(client, "/assessments/new")
    response = client.post(
        "/assessments/new", data={"questionnaire": ML, "level": "mid", "csrf_token": token}
    )
    assert response.status_code == 302
    olga = login_as(org["olga"])
    token = csrf(olga, "/assessments/new")
    olga.post("/assessments/new", data={"questionnaire": ML, "level": "mid", "csrf_token": token})
    mia = login_as(org["mia"])
    token = csrf(mia, f"/people/{org['ann'].id}/assess")
    mia.post(
        f"/people/{org['ann'].id}/assess", data={"questionnaire": ML, "level": "mid", "csrf_token": token}
    )
    with app.app_context():
        rows = db().exec(select(Assessment)).all()
        linked = {(db().get(User, a.subject_id).name, a.kind): a.cycle_id for a in rows}
    # The team's own cycle before the organisation's; manager ratings belong to no cycle.
    assert linked == {("Ann", "self"): team_cycle, ("Olga", "self"): everyone, ("Ann", "manager"): None}


def test_no_open_cycle_leaves_a_new_self_assessment_unlinked(
    app: Flask, org: dict[str, Any], login_as: Callable[[User], FlaskClient]
) -> None:
    make_cycle(app, team_id=org["vision"], closed=True)
    client = login_as(org["ann"])
    token = csrf(client, "/assessments/new")
    client.post("/assessments/new", data={"questionnaire": ML, "level": "mid", "csrf_token": token})
    with app.app_context():
        [assessment] = db().exec(select(Assessment)).all()
    assert assessment.cycle_id is None


# -- on the team dashboard ---------------------------------------------------------------------------------


def test_the_dashboard_shows_completion_of_the_open_cycle(
    app: Flask, org: dict[str, Any], login_as: Callable[[User], FlaskClient]
) -> None:
    cycle_id = make_cycle(app, team_id=org["vision"], name="Vision spring")
    submit(app, org["ann"], cycle_id=cycle_id)
    draft(app, org["ben"])
    text = login_as(org["mia"]).get(f"/teams/{org['vision']}?questionnaire={ML}").get_data(as_text=True)
    counts = dict(re.findall(r'data-state="([a-z ]+)">(\d+)<', text))
    assert counts == {"submitted": "1", "draft": "1", "not started": "2", "overdue": "0"}
    assert "Not submitted yet: Ben (draft), Cat (not started), Mia (not started)." in text


def test_the_team_trend_has_one_point_per_cycle(
    app: Flask, org: dict[str, Any], login_as: Callable[[User], FlaskClient]
) -> None:
    now = datetime.now(UTC)
    autumn = make_cycle(app, team_id=org["vision"], name="Autumn", opened=timedelta(days=200), closed=True)
    spring = make_cycle(app, team_id=None, name="Spring", opened=timedelta(days=20))
    make_cycle(app, team_id=org["forecasting"], name="Not ours", opened=timedelta(days=30))
    readiness: Mapping[str, list[float | None]] = {
        "Autumn": [
            submit(app, org["ann"], 1, cycle_id=autumn, when=now - timedelta(days=190)),
            submit(app, org["ben"], 2, cycle_id=autumn, when=now - timedelta(days=189)),
        ],
        "Spring": [
            submit(app, org["ann"], 3, cycle_id=spring, when=now - timedelta(days=10)),
            submit(app, org["ben"], 3, cycle_id=spring, when=now - timedelta(days=9)),
            submit(app, org["cat"], 4, cycle_id=spring, when=now - timedelta(days=8)),
        ],
    }
    submit(app, org["olga"], 4, cycle_id=spring)  # not in the team
    text = login_as(org["mia"]).get(f"/teams/{org['vision']}?questionnaire={ML}").get_data(as_text=True)
    table = re.search(r'<table class="trend">(.*?)</table>', text, re.S)
    assert table
    rows = re.findall(
        r'<tr><th scope="row">([^<]+)</th>.*?<td class="num">(\d+)</td><td class="num">([\d.]+) %',
        table.group(1),
    )
    expected = [
        (name, str(len(values)), f"{statistics.fmean(v for v in values if v is not None):.1f}")
        for name, values in readiness.items()
    ]
    assert rows == expected
    assert 'id="trend-data"' in text


# -- audience ------------------------------------------------------------------------------------------


def pending_on_home(login_as: Callable[[User], FlaskClient], person: User, name: str) -> bool:
    """The cycle is in the person's own to-do (a manager's team section and HR's open cycles list it too)."""
    page = login_as(person).get("/").get_data(as_text=True)
    return name in page.split('id="todo-h"')[1].split("</section>")[0]


def test_a_members_cycle_does_not_ask_the_teams_manager(
    app: Flask, org: dict[str, Any], login_as: Callable[[User], FlaskClient]
) -> None:
    cycle_id = make_cycle(app, team_id=org["vision"], name="Engineers only", audience="members")
    assert pending_on_home(login_as, org["ann"], "Engineers only")
    assert not pending_on_home(login_as, org["mia"], "Engineers only")
    listed = states(login_as(org["hana"]).get(f"/cycles/{cycle_id}").get_data(as_text=True))
    assert set(listed) == {"Ann", "Ben", "Cat"}


def test_an_organisation_wide_managers_cycle_asks_every_manager_and_nobody_else(
    app: Flask, org: dict[str, Any], login_as: Callable[[User], FlaskClient]
) -> None:
    cycle_id = make_cycle(app, team_id=None, name="Manager review", audience="managers")
    for person, asked in (("mia", True), ("max", True), ("ann", False), ("olga", False), ("hana", False)):
        assert pending_on_home(login_as, org[person], "Manager review") is asked, person
    listed = states(login_as(org["hana"]).get(f"/cycles/{cycle_id}").get_data(as_text=True))
    assert set(listed) == {"Mia", "Max"}


def test_the_open_form_stores_who_is_asked(
    app: Flask, org: dict[str, Any], login_as: Callable[[User], FlaskClient]
) -> None:
    response = open_form(login_as(org["hana"]), scope="all", audience="managers")
    assert response.status_code == 302
    [cycle] = cycles_in_db(app)
    assert (cycle.team_id, cycle.audience) == (None, "managers")
