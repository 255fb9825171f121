"""A demo manager opens the team dashboard, reads the radar and heatmap, toggles a member on the radar,
rates that member, and finds the blind spots on the member's profile."""

from __future__ import annotations

import re

import pytest
from tests.browser.conftest import shot

from competency.questionnaire import Questionnaire
from competency.services import demo

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "demo-password"
FRAMEWORK = demo.ENGINEER
TEAM = demo.VISION
MANAGER = next(p for p in demo.PEOPLE if (TEAM, "manager") in p.teams)


def log_in(page, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))


def wait_drawn(page, element_id: str) -> None:  # type: ignore[no-untyped-def]
    """Wait until static/js/charts.js has drawn the plotly figure into #element_id."""
    page.locator(f"#{element_id}[data-drawn='true']").wait_for(state="attached", timeout=30_000)
    assert page.locator(f"#{element_id} svg.main-svg").count() >= 1


def manager_ratings(
    q: Questionnaire, own: dict[str, float | None], level: str, specialism: str | None = None
) -> tuple[dict[str, int], set[str]]:
    """Radio values per item asked at `level`, and the areas that must come out as blind spots.

    Every other area (0, 2, 4, ...) is rated at the far end of the scale from the member's own score,
    so it differs by half the scale or more; the others are rated at the member's score rounded, so
    they differ by at most half a point. Reverse items are answered mirrored so each area scores
    exactly the value chosen for it.
    """
    middle = (q.lo + q.hi) / 2
    answers: dict[str, int] = {}
    blind: set[str] = set()
    for index, area in enumerate(q.areas_in_play(level, specialism)):
        score = own.get(area.id)
        if score is None:
            value = round(middle)
        elif index % 2 == 0:
            value = q.hi if score < middle else q.lo
            assert abs(value - score) >= 1
            blind.add(area.id)
        else:
            value = round(score)
            assert abs(value - score) < 1
        for item in q.items_in_play(area, level, specialism):
            answers[item.id] = q.lo + q.hi - value if item.reverse else value
    return answers, blind


def test_manager_dashboard_radar_toggle_rating_and_blind_spots(page, live_app) -> None:  # type: ignore[no-untyped-def]
    q: Questionnaire = live_app.extensions["competency.catalog"].get(FRAMEWORK)
    log_in(page, MANAGER.email)

    # Home → Teams (main navigation) → the team the demo manager manages.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Teams").click()
    page.wait_for_url(re.compile(r"/teams$"))
    team_row = page.get_by_role("row").filter(has=page.get_by_role("link", name=TEAM, exact=True))
    assert "manager" in team_row.inner_text()
    team_row.get_by_role("link", name=TEAM, exact=True).click()
    page.wait_for_url(re.compile(r"/teams/\d+"))
    team_id = int(re.search(r"/teams/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    assert page.get_by_role("heading", name=TEAM, level=1).is_visible()

    wait_drawn(page, "radar")
    wait_drawn(page, "heatmap")

    # The heatmap: a row per member; exactly the members who submitted carry scores.
    response = page.request.get(f"/api/teams/{team_id}/summary?questionnaire={FRAMEWORK}")
    assert response.ok
    summary = response.json()
    members = summary["members"]
    submitted = [m["name"] for m in members if m["submitted"]]
    assert len(submitted) == summary["submitted_count"] >= 3
    expected_rows = [m["name"] if m["submitted"] else f"{m['name']} (not submitted)" for m in members]
    drawn_rows = page.locator("#heatmap .yaxislayer-above .ytick text").all_text_contents()
    assert sorted(drawn_rows) == sorted(expected_rows)
    assert page.locator("[data-stat='submitted']").inner_text() == f"{len(submitted)} / {len(members)}"
    # The accessible table twin, behind "Show as a table", says the same.
    page.get_by_text("Show as a table", exact=True).click()
    assert page.locator("table.heat-table").is_visible()
    table_rows = page.locator("table.heat-table tbody tr")
    assert table_rows.count() == len(members)
    # Rows without scores say why: not submitted, or the member takes another framework.
    scored_rows = table_rows.filter(
        has_not=page.get_by_text(re.compile(r"\((not submitted|takes another framework)\)"))
    )
    assert sorted(scored_rows.get_by_role("rowheader").all_text_contents()) == sorted(submitted)
    shot(page, "10-manager-dashboard")

    # The member to rate: submitted a self-assessment, no manager rating yet.
    member = next(m for m in members if m["submitted"] and m["role"] == "member" and not m.get("manager"))
    name = member["name"]

    # The member picker beside the radar: ticking a member (by keyboard) draws their trace over the team's,
    # whose mean, band and target stay; unticking removes it again.
    radar_traces = page.locator("#radar .scatterlayer .trace")
    before = radar_traces.count()
    team_traces = page.evaluate("document.getElementById('radar').data.map(t => t.name)")
    assert "Team mean" in team_traces and "Lowest to highest" in team_traces
    picker = page.get_by_role("group", name="Members on the radar")
    box = picker.get_by_role("checkbox", name=name, exact=True)
    assert not box.is_checked()
    box.focus()
    page.keyboard.press("Space")
    page.wait_for_function(f"document.querySelectorAll('#radar .scatterlayer .trace').length > {before}")
    assert radar_traces.count() == before + 1
    names = page.evaluate("document.getElementById('radar').data.map(t => t.name)")
    assert names == [*team_traces, name]
    assert page.get_by_text("double-click").count() == 0
    shot(page, "11-manager-radar-member-shown")
    page.locator("#radar").screenshot(
        path=str(shot(page, "11-manager-radar-member-shown").with_name("11b-radar.png"))
    )

    # The member's own scores, as the profile API gives them to their manager.
    response = page.request.get(f"/api/people/{member['id']}/profile?questionnaire={FRAMEWORK}")
    assert response.ok
    before_profile = response.json()
    assert "manager" not in before_profile
    own = {area_id: area["score"] for area_id, area in before_profile["areas"].items()}
    # A manager rates at the member's own level: the same areas and items the member was asked.
    level, specialism = before_profile["target_level"], before_profile["specialism"]
    areas = q.areas_in_play(level, specialism)
    answers, blind = manager_ratings(q, own, level, specialism)
    assert blind

    # Rate the member: members table → Rate → framework card → one page per area → review → submit.
    page.get_by_role("link", name=f"Rate {name}", exact=True).click()
    page.wait_for_url(re.compile(r"/people/\d+/assess"))
    assert page.get_by_role("heading", name=f"Rate {name}", level=1).is_visible()
    card = page.locator("section.card", has=page.get_by_role("heading", name=q.title, exact=True))
    card.get_by_role("button", name="Start rating").click()
    for index, area in enumerate(areas):
        page.wait_for_url(re.compile(rf"/areas/{re.escape(area.id)}$"))
        assert page.get_by_text(f"Area {index + 1} of {len(areas)}", exact=True).is_visible()
        assert page.get_by_role("heading", name=area.title, level=1).is_visible()
        assert page.get_by_text(re.compile(rf"rating\s+{re.escape(name)}")).first.is_visible()
        for item in q.items_in_play(area, level, specialism):
            page.locator(f"#fs-{item.id} input[type=radio][value='{answers[item.id]}']").check()
        if index == 0:
            page.get_by_label("Evidence and notes (optional)").fill("Rated in the browser test.")
        last = index + 1 == len(areas)
        page.get_by_role("button", name="Save and review →" if last else "Save and continue →").click()
    page.wait_for_url(re.compile(r"/review$"))
    assert page.get_by_text("Every statement has an answer.").is_visible()
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(re.compile(rf"/people/{member['id']}\?questionnaire={FRAMEWORK}"))

    # The member's profile now has the manager's column and a blind-spot flag per expected area.
    assert page.get_by_role("heading", name=name, level=1).is_visible()
    areas_table = page.locator("table.areas")
    assert areas_table.get_by_role("columnheader", name="Manager", exact=True).is_visible()
    assert areas_table.get_by_role("columnheader", name="Blind spot", exact=True).is_visible()
    flagged = areas_table.locator("tbody tr").filter(has=page.get_by_text(re.compile(r"^blind spot \(")))
    # By area id: the member may have taken an earlier version, whose titles the page shows.
    assert sorted(flagged.evaluate_all("rows => rows.map(r => r.dataset.area)")) == sorted(blind)
    for area_id in blind:
        row = areas_table.locator(f"tbody tr[data-area='{area_id}']")
        delta = row.locator(".flag").inner_text()
        assert re.fullmatch(r"blind spot \([+-]\d+\.\d\d\)", delta), delta
    assert page.get_by_text(re.compile(rf"Manager rating by {re.escape(MANAGER.name)} on ")).is_visible()
    wait_drawn(page, "radar")
    assert page.locator("#radar .legend .traces").filter(has_text="Manager").count() == 1
    after = page.request.get(f"/api/people/{member['id']}/profile?questionnaire={FRAMEWORK}").json()
    assert set(after["manager"]["blind_spots"]) == blind
    shot(page, "12-member-profile-with-manager")
