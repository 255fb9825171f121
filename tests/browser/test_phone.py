"""Every main page at a phone's width (390 x 844): no sideways scroll, a compact top bar, a readable radar."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.browser.walk import logged_in_pages, stops, wait_for_charts

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
#: Set to a folder to keep a screenshot of each page at 390 and 1280 px wide (to look at, not to assert).
SHOTS = os.environ.get("COMPETENCY_WALK_SHOTS")


#: The innermost elements that reach past the window's right edge, to say what makes a page too wide.
CULPRIT = """() => {
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.right <= window.innerWidth + 1 || box.width === 0) continue;
    if ([...el.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1)) continue;
    if (el.closest('.table-scroll, .js-plotly-plot, .picker-list')) continue;
    out.push(el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') + ' "' + (el.textContent || '').trim().slice(0, 30) + '"');
  }
  return out.slice(0, 4).join(', ');
}"""


@pytest.fixture(scope="module")
def phone_pages(browser, live_app):  # type: ignore[no-untyped-def]
    """role -> a logged-in page at phone size."""
    with logged_in_pages(browser, live_app, viewport=PHONE) as pages:
        yield pages


def test_no_page_scrolls_sideways_on_a_phone(phone_pages, live_app) -> None:  # type: ignore[no-untyped-def]
    wide = []
    for stop in stops(live_app):
        page = phone_pages[stop.role]
        page.goto(stop.path)
        wait_for_charts(page)
        scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        if scroll > inner:
            culprit = page.evaluate(CULPRIT)
            wide.append(f"{stop.name} ({stop.path}): {scroll} px wide in a {inner} px window, by {culprit}")
        if SHOTS:
            folder = Path(SHOTS)
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / f"{stop.role}-{stop.name}-390.png"), full_page=True)
            page.set_viewport_size({"width": 1280, "height": 900})
            page.reload()
            wait_for_charts(page)
            page.screenshot(path=str(folder / f"{stop.role}-{stop.name}-1280.png"), full_page=True)
            page.set_viewport_size(PHONE)
    assert not wide, "pages wider than a phone:\n" + "\n".join(wide)
    # The measure itself notices a page that is too wide.
    page = phone_pages["anonymous"]
    page.goto("/login")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<div style=\"width: 600px\">wide</div>')")
    assert page.evaluate("document.scrollingElement.scrollWidth > window.innerWidth")


def test_the_top_bar_stays_compact_on_a_phone(phone_pages) -> None:  # type: ignore[no-untyped-def]
    page = phone_pages["hr"]
    page.goto("/")
    height = page.locator("header.topbar").evaluate("node => node.getBoundingClientRect().height")
    assert height <= 64, f"the top bar is {height} px tall on a phone"
    # The navigation is one tap away, and every link is there.
    page.get_by_role("button", name="Menu").click()
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Reports").is_visible()
    assert nav.get_by_role("link", name="Home").is_visible()


def test_the_radar_is_readable_on_a_phone(phone_pages, live_app) -> None:  # type: ignore[no-untyped-def]
    page = phone_pages["manager"]
    profile = next(s for s in stops(live_app) if s.name == "profile-of-member")
    page.goto(profile.path)
    wait_for_charts(page)
    # The disc (plotly's polar background) takes about half the width of a 390 px screen, not 80 px.
    box = page.locator("#radar .polarsublayer.plotbg path").first.bounding_box()
    assert box is not None and min(box["width"], box["height"]) >= 180, f"the radar disc is {box} on a phone"
    # No two area titles overlap.
    boxes = page.evaluate(
        "[...document.querySelectorAll('#radar .angularaxistick text')].map(t => {"
        " const b = t.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; })"
    )
    assert len(boxes) >= 5
    overlaps = [
        (i, j)
        for i, a in enumerate(boxes)
        for j, b in enumerate(boxes)
        if i < j and a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1
    ]
    assert not overlaps, f"area titles overlap on the phone radar: {overlaps}"
