"""A demo engineer takes a self-assessment in a real browser, with a break in the middle."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select
from tests.browser.conftest import shot

from competency.models import Assessment, Membership, User

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "demo-password"


def fresh_engineer(live_app) -> User:  # type: ignore[no-untyped-def]
    """A demo member who is no team's manager and has no assessment yet (a new one once they are used up)."""
    from competency.services import users

    with Session(live_app.extensions["competency.engine"], expire_on_commit=False) as session:
        busy = set(session.exec(select(Assessment.subject_id)).all())
        managers = set(session.exec(select(Membership.user_id).where(Membership.role == "manager")).all())
        for user in session.exec(select(User).where(User.role == "member").order_by(User.id)).all():
            if user.id not in busy and user.id not in managers:
                return user
        count = len(session.exec(select(User.id)).all())
        user, _ = users.create_or_update_user(
            session, email=f"newcomer{count}@example.com", name=f"Newcomer {count}", password=DEMO_PASSWORD
        )
        session.commit()
        return user


def log_in(page, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def rate_current_area(page, point: str = "2", *, skip: int = 0) -> int:  # type: ignore[no-untyped-def]
    """Pick `point` in every item's radio group but the last `skip`; returns how many were rated."""
    groups = page.locator("fieldset.item")
    count = groups.count()
    for index in range(count - skip):
        groups.nth(index).locator(f"input[type=radio][value='{point}']").check()
    return count - skip


def test_engineer_rates_pauses_resumes_submits_and_sees_radar_and_plan(page, live_app) -> None:  # type: ignore[no-untyped-def]
    engineer = fresh_engineer(live_app)
    log_in(page, engineer.email)
    page.wait_for_url(re.compile(r"/$"))
    shot(page, "01-home")

    page.get_by_role("link", name="New assessment").click()
    card = page.locator("section.card", has=page.get_by_role("heading", name="Machine Learning Engineer"))
    card.get_by_role("button", name="Start").click()
    page.wait_for_url(re.compile(r"/areas/"))
    assert page.get_by_text(re.compile(r"Area 1 of \d+")).is_visible()
    shot(page, "02-area-1")
    rate_current_area(page, "2")
    page.get_by_label("Evidence and notes (optional)").fill(
        "Reviewed A/B test statistics for the pricing team."
    )
    page.get_by_role("button", name="Save and continue →").click()
    page.wait_for_url(re.compile(r"/areas/"))
    assert page.get_by_text(re.compile(r"Area 2 of \d+")).is_visible()
    rated = rate_current_area(page, "3", skip=1)
    page.get_by_role("button", name="Save and finish later").click()
    page.wait_for_url(re.compile(r"/$"))

    # Log out, come back, resume where we stopped.
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/login"))
    log_in(page, engineer.email)
    page.get_by_role("link", name="Resume").first.click()
    page.wait_for_url(re.compile(r"/areas/"))
    assert page.get_by_text(re.compile(r"Area 2 of \d+")).is_visible()
    assert page.locator("input[type=radio][value='3']:checked").count() == rated

    # Finish every area (modestly, so that gaps and a plan appear) and submit.
    while True:
        rate_current_area(page, "1")
        next_button = page.get_by_role("button", name="Save and continue →")
        if next_button.count() == 0:
            page.get_by_role("button", name="Save and review →").click()
            break
        next_button.click()
        page.wait_for_url(re.compile(r"/areas/"))
    page.wait_for_url(re.compile(r"/review"))
    shot(page, "03-review")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(re.compile(r"/people/\d+"))

    # The server's drawing shows first; plotly's interactive chart replaces it once plotly.js is in.
    page.locator("#radar .main-svg").first.wait_for(state="attached")
    assert page.locator("#radar .scatterlayer .trace").count() >= 2  # target and self
    assert page.get_by_role("heading", name="Development plan").is_visible()
    assert page.locator("ol.plan li").count() >= 1
    shot(page, "04-profile")
    page.locator("#radar").screenshot(path=str(shot(page, "04-profile").with_name("04b-radar.png")))


def test_unsaved_answers_survive_an_expired_session(page, live_app, browser) -> None:  # type: ignore[no-untyped-def]
    engineer = fresh_engineer(live_app)
    log_in(page, engineer.email)
    page.wait_for_url(re.compile(r"/$"))
    page.get_by_role("link", name="New assessment").click()
    card = page.locator("section.card", has=page.get_by_role("heading", name="Machine Learning Engineer"))
    card.get_by_role("button", name="Start").click()
    page.wait_for_url(re.compile(r"/areas/"))
    area_url = page.url
    rated = rate_current_area(page, "4")
    page.get_by_label("Evidence and notes (optional)").fill("typed just before the session ended")
    # The session ends (idle timeout, server restart, cookie cleared) while the person is typing.
    page.context.clear_cookies()
    page.get_by_role("button", name="Save and continue →").click()
    page.wait_for_url(re.compile(r"/login"))
    page.get_by_label("Email").fill(engineer.email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(area_url)
    # Nothing typed was lost: the page restores it and asks to save.
    assert page.locator("input[type=radio][value='4']:checked").count() == rated
    assert (
        page.get_by_label("Evidence and notes (optional)").input_value()
        == "typed just before the session ended"
    )
    assert page.get_by_text(re.compile(r"We restored \d+ unsaved answer")).is_visible()
    shot(page, "05-restored-after-expiry")
    page.get_by_role("button", name="Save and continue →").click()
    page.wait_for_url(re.compile(r"/areas/"))
    assert page.url != area_url
