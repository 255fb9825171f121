"""Weekly work from home, in the browser: a manager goes from the inbox to a finished, released rating;
the member sees the release and marks plan steps, which the manager then sees; a person checks their
answers on the review page; HR downloads a cycle's statuses and is asked before closing it.

Uses the Forecasting and Platform teams of the demo, so the other browser tests keep their data."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from tests.browser.conftest import shot

from competency.services import demo

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "demo-password"
FRAMEWORK = demo.ENGINEER
MANAGER = next(p for p in demo.PEOPLE if (demo.FORECASTING, "manager") in p.teams)
HR = next(p for p in demo.PEOPLE if p.role == "hr")
REVIEWER = next(p for p in demo.PEOPLE if p.name == "Jonas Becker")


def log_in(page, email: str) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))


def both_widths(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Screenshots at 1280 and 390 px wide, to look at."""
    shot(page, f"{name}-1280")
    # Reload at each width: plotly sizes a chart to its container when it draws it.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    shot(page, f"{name}-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()


def test_manager_inbox_to_a_released_rating_and_plan_steps_followed(page, live_app) -> None:  # type: ignore[no-untyped-def]
    q = live_app.extensions["competency.catalog"].get(FRAMEWORK)
    log_in(page, MANAGER.email)
    team = page.locator(
        "section.inbox", has=page.get_by_role("heading", name=re.compile(f"Team {demo.FORECASTING}"))
    )
    unrated = team.locator("[data-list='unrated'] li")
    assert unrated.count() >= 1
    both_widths(page, "20-manager-home")
    entry = unrated.first
    name = entry.locator("strong").inner_text()
    entry.get_by_role("link", name=re.compile(r"^(Rate|Resume rating)")).click()
    if "/people/" in page.url:  # the start page: only the member's framework, at their level
        assert page.locator("section.card").count() == 1
        assert page.get_by_text(f"(what {name} chose)").is_visible()
        page.get_by_role("button", name="Start rating").click()
    page.wait_for_url(re.compile(r"/areas/"))
    assert page.get_by_text(f"How well does this describe {name} today?").is_visible()
    both_widths(page, "21-manager-area")
    # Every statement the member's level asks, page by page (the pages are those in play at that level).
    first_page = True
    while True:
        for group in page.locator("fieldset.item").all():
            group.locator("input[type=radio][value='2']").check()
        if first_page:
            page.locator("textarea").fill("Led the forecasting incident review; next: mentor on evaluation.")
            first_page = False
        forward = page.get_by_role("button", name="Save and continue →")
        if forward.count() == 0:
            page.get_by_role("button", name="Save and review →").click()
            break
        with page.expect_navigation():
            forward.click()
    page.wait_for_url(re.compile(r"/review$"))
    # The review lists every statement with the chosen label, beside the member's own (now that it is rated).
    table = page.locator("table.review-table")
    level = next(p for p in demo.PEOPLE if p.name == name).level
    asked = sum(len(q.items_in_play(a, level)) for a in q.areas_in_play(level))
    assert table.locator("tr[data-item]").count() == asked
    label = next(p.label for p in q.scale if p.value == 2)
    assert table.locator("tr[data-item] td.answer").first.inner_text() == f"2 {label}"
    assert page.get_by_text(f"{name} does not see it").is_visible()
    both_widths(page, "22-manager-review")
    page.get_by_role("button", name=f"Submit my rating of {name}").click()
    page.wait_for_url(re.compile(r"/people/\d+\?questionnaire="))
    person_id = int(re.search(r"/people/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    release = page.locator("#release")
    assert "not released" in release.inner_text()
    both_widths(page, "23-manager-profile-unreleased")

    # Before the release the member sees no manager column; after it, they do, and home says so.
    member = next(p for p in demo.PEOPLE if p.name == name)
    log_in(page, member.email)
    page.goto(f"/people/{person_id}?questionnaire={FRAMEWORK}")
    assert page.locator("table.areas").get_by_role("columnheader", name="Manager", exact=True).count() == 0
    log_in(page, MANAGER.email)
    page.goto(f"/people/{person_id}?questionnaire={FRAMEWORK}")
    page.get_by_role("button", name=f"Release to {name}").click()
    page.wait_for_url(re.compile(r"#release$"))
    assert "was released to" in page.locator("#release").inner_text()

    log_in(page, member.email)
    released = page.locator("[data-kind='released']")
    assert MANAGER.name in released.inner_text()
    both_widths(page, "24-member-home-released")
    released.get_by_role("link", name="See it on your profile").click()
    page.wait_for_url(re.compile(rf"/people/{person_id}"))
    assert page.locator("table.areas").get_by_role("columnheader", name="Manager", exact=True).is_visible()
    assert page.get_by_text("Led the forecasting incident review").is_visible()

    # The member marks the first plan step done and the second in progress.
    steps = page.locator("ol.plan > li")
    assert steps.count() >= 2
    first_id, second_id = steps.nth(0).get_attribute("data-step"), steps.nth(1).get_attribute("data-step")
    steps.nth(0).locator("select").select_option("done")
    steps.nth(0).get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(rf"#step-{re.escape(first_id or '')}$"))
    page.locator(f"#step-{second_id} select").select_option("in progress")
    page.locator(f"#step-{second_id}").get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(rf"#step-{re.escape(second_id or '')}$"))
    assert page.locator(f"#step-{first_id}").get_attribute("data-status") == "done"
    assert page.locator(f"#step-{second_id}").get_attribute("data-status") == "in progress"
    assert re.search(r"done \d{4}-\d\d-\d\d", page.locator(f"#step-{first_id} .pill").inner_text())
    page.locator(f"#step-{first_id}").scroll_into_view_if_needed()
    both_widths(page, "25-member-plan-marked")

    # The manager sees it: on home (done since the last visit), the dashboard and the profile.
    log_in(page, MANAGER.email)
    done = page.locator("[data-list='done-steps']")
    assert name in done.inner_text()
    page.goto(f"/people/{person_id}?questionnaire={FRAMEWORK}")
    assert page.locator(f"#step-{first_id}").get_attribute("data-status") == "done"
    assert page.locator(f"#step-{first_id} select").count() == 0
    team_link = page.goto("/teams")
    assert team_link is not None
    page.get_by_role("link", name=demo.FORECASTING, exact=True).click()
    page.wait_for_url(re.compile(r"/teams/\d+"))
    steps_card = page.locator("section", has=page.locator("#steps-h"))
    assert name in steps_card.inner_text()
    steps_card.scroll_into_view_if_needed()
    both_widths(page, "26-dashboard-steps-done")


def test_review_shows_every_answer_with_an_edit_link(page, live_app) -> None:  # type: ignore[no-untyped-def]
    q = live_app.extensions["competency.catalog"].get(FRAMEWORK)
    log_in(page, REVIEWER.email)
    page.goto(f"/assessments/new?questionnaire={FRAMEWORK}")
    card = page.locator("section.card", has=page.get_by_role("heading", name=q.title, exact=True))
    card.get_by_role("button", name="Start").click()
    page.wait_for_url(re.compile(r"/areas/"))
    # Jonas is a platform specialist: his last assessment's specialism is preselected, and asked.
    areas = q.areas_in_play(REVIEWER.level, REVIEWER.specialism)
    assert any(a.specialism == "platform" for a in areas)
    first = areas[0]
    page.goto(page.url.rsplit("/areas/", 1)[0] + f"/areas/{first.id}")
    for item in q.items_in_play(first, REVIEWER.level, REVIEWER.specialism):
        value = "na" if item.optional else "1"
        page.locator(f"#fs-{item.id} input[type=radio][value='{value}']").check()
    page.get_by_role("button", name="Save and finish later").click()
    page.wait_for_url(re.compile(r"/$"))
    # Home: one entry for this draft, with its progress.
    draft = page.locator("[data-kind='draft']")
    assert draft.count() == 1
    assert re.search(rf"\d+ of {len(areas)} areas", draft.inner_text())
    aid = draft.get_attribute("data-assessment")
    page.goto(f"/assessments/{aid}/review")
    body = page.locator(f"tbody[data-area='{first.id}']")
    label = next(p.label for p in q.scale if p.value == 1)
    for item in q.items_in_play(first, REVIEWER.level):
        expected = "not applicable" if item.optional else f"1 {label}"
        assert body.locator(f"tr[data-item='{item.id}'] td.answer").inner_text() == expected
    second = areas[1]
    assert page.locator(f"tbody[data-area='{second.id}'] td.answer").first.inner_text() in (
        "not answered",
        *(f"{p.value} {p.label}" for p in q.scale),
    )
    assert page.get_by_text("HR and administrators").is_visible()
    both_widths(page, "27-self-review")
    body.get_by_role("link", name=re.compile("^Edit")).click()
    page.wait_for_url(re.compile(rf"/areas/{re.escape(first.id)}$"))


def test_hr_downloads_a_cycles_statuses_and_is_asked_before_closing(page, live_app) -> None:  # type: ignore[no-untyped-def]
    log_in(page, HR.email)
    open_cycles = page.locator("table.open-cycles")
    assert open_cycles.locator("tbody tr").count() >= 1
    both_widths(page, "28-hr-home")
    row = open_cycles.locator("tbody tr").first
    cycle_name = row.get_by_role("rowheader").get_by_role("link").inner_text()
    row.get_by_role("link", name=cycle_name).click()
    page.wait_for_url(re.compile(r"/cycles/\d+$"))
    with page.expect_download() as info:
        page.get_by_role("link", name="Download statuses (CSV)").click()
    download = info.value
    assert download.suggested_filename.endswith("-statuses.csv")
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    shown = page.locator("table.statuses tbody tr").count()
    assert len(rows) == shown >= 1
    assert {r["cycle"] for r in rows} == {cycle_name}
    both_widths(page, "29-cycle-page")
    page.get_by_role("link", name="Close this cycle…").click()
    page.wait_for_url(re.compile(r"/close$"))
    assert page.get_by_role("button", name="Yes, close this cycle").is_visible()
    both_widths(page, "30-cycle-close-confirm")
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url(re.compile(r"/cycles/\d+$"))
    assert page.get_by_text("open", exact=True).is_visible()
