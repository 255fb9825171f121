"""Round 2, lows: ids beyond any row are 404 on every route (PostgreSQL raised "integer out of range"), the
team ZIP refuses a framework that does not exist, and a draft of a cycle that closed is not submitted into it
(its answers are kept)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlmodel import select
from tests.security.support import ML, make_cycle
from tests.web.conftest import csrf_token

from competency.models import Answer, Assessment, Cycle, Job, User, utcnow
from competency.services import assessments
from competency.web.requests import catalog, db

#: The first id a 32-bit id column cannot hold, one far beyond, and the last a 64-bit one can.
HUGE = [2**31, 2**31 + 12345, 2**63 - 1]


def int_routes(app: Flask) -> list[tuple[str, str, dict[str, object]]]:
    """(endpoint, method, arguments) of every route that takes an <int:...> id: each id 1, any other "x"."""
    found = []
    for rule in app.url_map.iter_rules():
        ints = {
            name for name, conv in rule._converters.items() if type(conv).__name__ == "BoundedIntConverter"
        }
        if ints:
            method = "GET" if "GET" in (rule.methods or ()) else "POST"
            found.append((rule.endpoint, method, {n: 1 if n in ints else "x" for n in rule.arguments}))
    return found


def test_ids_beyond_any_row_are_404_on_every_route(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    admin = make_user("ids@example.org", role="admin")
    client = app.test_client()
    from tests.web.conftest import login

    login(client, admin.email)
    routes = int_routes(app)
    assert len(routes) >= 15
    with app.test_request_context():
        from flask import url_for

        for endpoint, method, arguments in routes:
            for huge in HUGE:
                path = url_for(endpoint, **arguments)
                # Put the huge id where url_for put the 1s (url_for itself refuses out-of-range values).
                path = re.sub(r"(?<=/)1(?=[/.]|$)", str(huge), path)
                status = client.open(path, method=method).status_code
                assert status == 404, (endpoint, path, status)


def test_the_team_zip_refuses_a_framework_that_does_not_exist(app: Flask, make_user, make_team) -> None:  # type: ignore[no-untyped-def]
    boss = make_user("zipboss@example.org")
    team_id = make_team("Zippers", members=[make_user("zm@example.org")], managers=[boss])
    from tests.web.conftest import login

    client = app.test_client()
    login(client, boss.email)
    token = csrf_token(client, f"/teams/{team_id}")
    for key in ("no-such-framework", "x" * 5000, "../../etc/passwd"):
        response = client.post(f"/teams/{team_id}/pdfs", data={"csrf_token": token, "questionnaire": key})
        assert response.status_code == 404
    with app.app_context():
        assert db().exec(select(Job)).all() == []


def draft_in_cycle(app: Flask, user: User, cycle_id: int) -> int:
    with app.app_context():
        session = db()
        q = catalog().get(ML)
        me = session.get(User, user.id)
        draft, _ = assessments.start(session, q, subject=me, assessor=me, level="mid", cycle_id=cycle_id)
        taken = assessments.load(session, draft.id or 0)
        for area in q.areas_in_play("mid"):
            asked = {item.id: 3 for item in q.items_in_play(area, "mid")}
            assessments.save_area(session, taken, area, asked, "evidence", actor=me)
        return draft.id or 0


@pytest.mark.parametrize("closed", [True, False])
def test_a_draft_of_a_closed_cycle_is_not_submitted_into_it(app: Flask, make_user, closed: bool) -> None:  # type: ignore[no-untyped-def]
    user = make_user("late@example.org")
    cycle_id = make_cycle(app, None, "Spring", opened_days=5)
    draft_id = draft_in_cycle(app, user, cycle_id)
    if closed:
        with app.app_context():
            cycle = db().get(Cycle, cycle_id)
            cycle.closed_at = utcnow()  # type: ignore[union-attr]
            db().commit()
    from tests.web.conftest import login

    client = app.test_client()
    login(client, user.email)
    path = f"/assessments/{draft_id}/submit"
    token = csrf_token(client, f"/assessments/{draft_id}/review")
    first = client.post(path, data={"csrf_token": token})
    with app.app_context():
        row = db().get(Assessment, draft_id)
        answers = db().exec(select(Answer).where(Answer.assessment_id == draft_id)).all()
        status, cycle_of = row.status, row.cycle_id  # type: ignore[union-attr]
    if not closed:
        assert status == "submitted" and cycle_of == cycle_id
        return
    assert status == "draft" and cycle_of is None and answers
    page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "closed on" in page and "Your answers are kept" in page
    # Submitting again records it outside the cycle.
    token = csrf_token(client, f"/assessments/{draft_id}/review")
    client.post(path, data={"csrf_token": token})
    with app.app_context():
        row = db().get(Assessment, draft_id)
        assert row.status == "submitted" and row.cycle_id is None  # type: ignore[union-attr]
