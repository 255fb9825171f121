"""Issue 19, finding 1: plain members cannot work out a colleague's scores from team figures.

Members see published figures (services.team_figures): each area's mean to half a scale point and how many
scored it, no order statistics, no band; republished only once the aggregate minimum of contributions
changed. The attacks of the finding: order statistics, differencing a submission, a resubmission, a
departure, a late submission into a trend point; and what differencing two publications can still tell.
"""

from __future__ import annotations

import math
from typing import Any

from flask import Flask
from tests.security.support import ML, figures, make_cycle, submit

from competency.models import Cycle, Team, User
from competency.services import cycles, team_figures, users
from competency.web.requests import db

THRESHOLD = 5


def team(app: Flask, make_user: Any, make_team: Any, size: int = 8) -> tuple[int, list[User], User]:
    people = [make_user(f"p{i}@example.org", f"Person {i}") for i in range(size)]
    manager = make_user("boss@example.org", "Boss")
    return make_team("Vision", members=people, managers=[manager]), people, manager


def seen(client: Any, team_id: int) -> dict[str, Any]:
    """Everything a member's JSON gives per area, and the count."""
    api = client.get(f"/api/teams/{team_id}/summary?questionnaire={ML}").get_json()
    return {"areas": api["areas"], "submitted": api["submitted_count"], "visibility": api["visibility"]}


def test_members_get_no_order_statistics_no_band_and_coarse_means(
    app, make_user, make_team, login_as
) -> None:  # type: ignore[no-untyped-def]
    team_id, people, _ = team(app, make_user, make_team)
    for person, value in zip(people[:5], (0, 1, 2, 3, 4), strict=True):
        submit(app, person, value)
    viewer = login_as(people[7])
    view = seen(viewer, team_id)
    assert view["visibility"] == "aggregate"
    for stats in view["areas"].values():
        assert stats["median"] is None and stats["min"] is None and stats["max"] is None
        assert stats["coverage"] == 0 and stats["experts"] == 0
        if stats["mean"] is not None:
            assert stats["mean"] * 2 == round(stats["mean"] * 2)  # to half a point
    html = viewer.get(f"/teams/{team_id}?questionnaire={ML}").get_data(as_text=True)
    radar = figures(html)["radar"]
    assert [t["name"] for t in radar["data"]][1:] == ["Team mean"]
    assert "Lowest to highest" not in html


def test_one_submission_resubmission_or_departure_moves_nothing_a_member_sees(
    app, make_user, make_team, login_as
) -> None:  # type: ignore[no-untyped-def]
    team_id, people, _ = team(app, make_user, make_team)
    for person, value in zip(people[:5], (1, 2, 2, 3, 1), strict=True):
        submit(app, person, value)
    viewer = login_as(people[7])
    before = seen(viewer, team_id)
    # A sixth person submits (far from the mean), one resubmits, one leaves: never fewer than k changes
    # since the publication, so the figures stay as published.
    submit(app, people[5], 4)
    assert seen(viewer, team_id) == before
    submit(app, people[0], 4)
    assert seen(viewer, team_id) == before
    with app.app_context():
        users.remove_member(db(), db().get(Team, team_id), db().get(User, people[1].id))
        db().commit()
    assert seen(viewer, team_id) == before


def test_figures_are_republished_once_the_minimum_of_contributions_changed(
    app, make_user, make_team, login_as
) -> None:  # type: ignore[no-untyped-def]
    team_id, people, _ = team(app, make_user, make_team)
    for person in people[:5]:
        submit(app, person, 1)
    viewer = login_as(people[7])
    before = seen(viewer, team_id)
    for person in people[:4]:
        submit(app, person, 3)
    assert seen(viewer, team_id) == before  # four changes: still the old figures
    submit(app, people[4], 3)
    after = seen(viewer, team_id)
    assert after != before
    assert {s["mean"] for s in after["areas"].values() if s["mean"] is not None} == {3.0}


def test_differencing_two_publications_recovers_no_score_within_half_a_point(
    app, make_user, make_team, login_as
) -> None:  # type: ignore[no-untyped-def]
    # The strongest case: four colluders know their own answers, the only unknown in the republished
    # figures is the victim's. Each mean is published to half a point over n >= 5 people, so the victim's
    # area score is only known to lie in an interval of width n * 0.5 (less at the scale's ends): wider
    # than a point, so no guess is within 0.5 of every score the figures allow.
    team_id, people, _ = team(app, make_user, make_team)
    for person in people[:5]:
        submit(app, person, 2)
    viewer = login_as(people[7])
    seen(viewer, team_id)  # published over five people
    colluders, victim = people[:4], people[4]
    for person in colluders:
        submit(app, person, 1)
    submit(app, victim, 3)  # the fifth change: republished
    view = seen(viewer, team_id)
    for area_id, stats in view["areas"].items():
        if stats["mean"] is None:
            continue
        n = stats["n"]
        known = 4 * 1.0  # the colluders' area scores (every answer 1)
        low = max(0.0, (stats["mean"] - 0.25) * n - known)
        high = min(4.0, (stats["mean"] + 0.25) * n - known)
        assert high - low >= 1.0, (area_id, low, high)


def test_a_late_submission_moves_no_trend_point_of_a_closed_cycle(
    app, make_user, make_team, login_as
) -> None:  # type: ignore[no-untyped-def]
    team_id, people, manager = team(app, make_user, make_team)
    cycle_id = make_cycle(app, team_id, "Autumn", opened_days=60)
    for person in people[:5]:
        submit(app, person, 2, cycle_id=cycle_id, days_ago=30)
    with app.app_context():
        cycles.close_cycle(db(), db().get(User, manager.id), db().get(Cycle, cycle_id), threshold=THRESHOLD)
    viewer = login_as(people[7])
    html = viewer.get(f"/teams/{team_id}?questionnaire={ML}").get_data(as_text=True)
    point = html.split('<table class="trend">')[1].split("Autumn")[1].split("</tr>")[0]
    # A late submission into the closed cycle (an import), and another member's: the point stays.
    submit(app, people[5], 4, cycle_id=cycle_id, days_ago=1)
    later = viewer.get(f"/teams/{team_id}?questionnaire={ML}").get_data(as_text=True)
    assert later.split('<table class="trend">')[1].split("Autumn")[1].split("</tr>")[0] == point
    trend = figures(later).get("trend")
    assert trend is not None
    with app.app_context():
        stored = team_figures.trend(db(), team_id, ML)
        assert [f.cycle_id for f in stored] == [cycle_id] and stored[0].contributors == 5


def test_coarse_rounds_to_the_nearest_step() -> None:
    assert [team_figures.coarse(v, 0.5) for v in (2.24, 2.25, 2.74, 2.75, 0.1)] == [2.0, 2.5, 2.5, 3.0, 0.0]
    assert team_figures.coarse(67.4, 5.0) == 65.0 and math.isclose(team_figures.coarse(67.5, 5.0), 70.0)
