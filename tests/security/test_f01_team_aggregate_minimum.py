"""F1: a plain member never sees a figure computed from fewer people than the aggregate minimum."""

from __future__ import annotations

from typing import Any

from tests.security.support import ML, figures, make_cycle, submit

THRESHOLD = 5


def _numbers(value: Any) -> list[float]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [float(value)]
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    return []


def test_one_submission_in_a_new_cycle_is_not_shown_to_plain_members(
    app, make_user, make_team, login_as
) -> None:  # type: ignore[no-untyped-def]
    people = [make_user(f"m{i}@example.org", f"Member {i}") for i in range(6)]
    manager = make_user("boss@example.org", "Boss")
    team_id = make_team("Vision", members=people, managers=[manager])
    old = make_cycle(app, team_id, "Autumn", opened_days=200)
    for person in people[:5]:
        submit(app, person, 2, cycle_id=old, days_ago=150)
    new = make_cycle(app, team_id, "Spring", opened_days=10)
    # The only submission of the new cycle: answers of 4 make an area mean of exactly 4.0 there.
    submit(app, people[0], 4, cycle_id=new, days_ago=1)

    viewer = login_as(people[5])
    html = viewer.get(f"/teams/{team_id}?questionnaire={ML}").get_data(as_text=True)
    charts = figures(html)
    # Every member-visible output: the radar and the trend figures, the trend table, the JSON twin.
    assert "trend" not in charts or all(
        y is None for trace in charts["trend"]["data"] for y in trace["y"][1:]
    ), "the new cycle's point holds the one person's scores"
    # Members see a cycle's trend point only once it closed (frozen then): the open one shows nothing.
    assert '<table class="trend">' not in html or "Spring" not in html.split('<table class="trend">')[1]
    api = viewer.get(f"/api/teams/{team_id}/summary?questionnaire={ML}").get_json()
    assert api["members"] == []
    for area_id, stats in api["areas"].items():
        assert stats["n"] == 0 or stats["n"] >= THRESHOLD, area_id
    # The aggregate still counts the five latest self-assessments (one person's newest is the 4s).
    assert api["submitted_count"] == 5

    # The manager, who sees individuals anyway, keeps the whole trend.
    boss = figures(login_as(manager).get(f"/teams/{team_id}?questionnaire={ML}").get_data(as_text=True))
    assert any(4.0 in _numbers(trace["y"]) for trace in boss["trend"]["data"])


def test_an_area_scored_by_too_few_is_withheld_from_plain_members() -> None:
    from competency import scoring
    from competency.services import teams

    class Q:  # the parts of a questionnaire the summary needs
        areas: list[Any] = []

    stats = {
        "wide": scoring.TeamAreaStats("wide", 2.0, 2.0, 1.0, 3.0, 6, 3, 1),
        "narrow": scoring.TeamAreaStats("narrow", 3.5, 3.5, 3.5, 3.5, 1, 1, 1),
    }
    titles = {"wide": "Wide", "narrow": "Narrow"}
    summary = teams.TeamSummary(1, "T", Q(), [], stats, titles, counts=(6, 6))  # type: ignore[arg-type]
    shown = teams.aggregate_only(summary, THRESHOLD)
    assert shown.stats["wide"].mean == stats["wide"].mean and shown.stats["wide"].n == 6
    # No order statistics for plain members.
    assert (shown.stats["wide"].median, shown.stats["wide"].min, shown.stats["wide"].max) == (
        None,
        None,
        None,
    )
    assert shown.stats["narrow"].mean is None and shown.stats["narrow"].experts == 0
    assert shown.withheld == {"narrow"}
