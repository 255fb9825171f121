"""A two-track ladder end to end in a real browser: an IC and a manager rate at their own levels, see only
what is in play for them, and their manager sees a team with mixed levels (issue 8)."""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlmodel import Session
from tests.browser.conftest import SHOTS
from werkzeug.serving import make_server

from competency import migrate
from competency.app import create_app
from competency.config import Settings
from competency.db import create_db_engine
from competency.questionnaire import load_file
from competency.services import assessments, users

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LADDER = load_file(FIXTURES / "two-track.yaml")
PASSWORD = "levels-browser-password"


@pytest.fixture(scope="module")
def ladder_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    folder = tmp_path_factory.mktemp("ladder")
    frameworks = folder / "frameworks"
    frameworks.mkdir()
    shutil.copy(FIXTURES / "two-track.yaml", frameworks / "two-track.yaml")
    shutil.copy(FIXTURES / "wide.yaml", frameworks / "wide.yaml")
    url = f"sqlite:///{folder / 'ladder.db'}"
    migrate.upgrade(url)
    engine = create_db_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        made = {}
        for email, name, level in [
            ("ida@example.org", "Ida Senior", "senior"),
            ("max@example.org", "Max Manager", "manager"),
            ("mona@example.org", "Mona Lead", "senior-manager"),
            ("wim@example.org", "Wim Wide", None),
        ]:
            user, _ = users.create_or_update_user(session, email=email, name=name, password=PASSWORD)
            user.default_level = level
            made[email] = user
        session.commit()
        team, _ = users.create_team(session, "Platform")
        for email in ("ida@example.org", "max@example.org"):
            users.add_member(session, team, made[email], "member")
        users.add_member(session, team, made["mona@example.org"], "manager")
        session.commit()
        # Max's self-assessment comes in through the service (his flow is the same as Ida's).
        answers = yaml.safe_load(
            (FIXTURES / "answers" / "two-track-manager.yaml").read_text(encoding="utf-8")
        )
        assessments.record(
            session, LADDER, subject=made["max@example.org"], assessor=made["max@example.org"],
            kind="self", level="manager", answers=answers,
        )  # fmt: skip
        wide = load_file(FIXTURES / "wide.yaml")
        wide_answers = yaml.safe_load((FIXTURES / "answers" / "wide.yaml").read_text(encoding="utf-8"))
        items = wide.items_by_id()
        level = next(
            lv for lv in wide.level_ids if all(wide.item_in_play(items[i][1], lv) for i in wide_answers)
        )
        assessments.record(
            session, wide, subject=made["wim@example.org"], assessor=made["wim@example.org"],
            kind="self", level=level, answers=wide_answers,
        )  # fmt: skip
        session.commit()
        ids = {email: user.id for email, user in made.items()}
    engine.dispose()
    settings = Settings(
        env="test",
        database_url=url,
        secret_key="ladder-browser-secret-0123456789-abcdefghijklmnop",
        questionnaire_dir=frameworks,
        instance_dir=folder / "instance",
    )
    app = create_app(settings=settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
    app.config["IDS"] = ids
    app.config["TEAM_ID"] = team.id
    yield app
    server.shutdown()
    app.extensions["competency.engine"].dispose()


def open_page(browser: Any, app: Any, width: int = 1280) -> Any:
    context = browser.new_context(base_url=app.config["LIVE_URL"], viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


def log_in(page: Any, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"levels-{name}.png"), full_page=True)


def test_ic_rates_only_what_is_in_play_and_sees_level_aware_results(browser: Any, ladder_app: Any) -> None:
    page = open_page(browser, ladder_app)
    log_in(page, "ida@example.org")
    page.goto("/assessments/new")
    card = page.locator("section.card", has=page.get_by_role("heading", name="Product Engineering"))
    # The choice first: labels, never ids, each with how long it takes; the person's own level
    # preselected; what each level means one click away, by track.
    level_select = card.locator("select")
    assert level_select.input_value() == "senior"
    options = level_select.locator("option").all_inner_texts()
    senior = sum(len(LADDER.items_in_play(a, "senior")) for a in LADDER.areas_in_play("senior"))
    minutes = -(-senior * 15 // 60)  # 15 seconds a statement, rounded up
    assert (
        f"Senior Engineer (Individual contributor): {senior} statements, about {minutes} minutes" in options
    )
    assert any(o.startswith("Engineering Manager (People manager): ") for o in options)
    assert not card.get_by_text("Owns a system end to end").is_visible()
    card.get_by_text("What each level means").click()
    assert card.get_by_text("Owns a system end to end").is_visible()
    assert card.get_by_text("Leads managers; shapes the organisation").is_visible()
    assert page.get_by_text("not a performance rating").is_visible()
    shot(page, "start")
    card.get_by_role("button", name="Start").click()
    page.wait_for_url(re.compile(r"/areas/"))

    answers = yaml.safe_load((FIXTURES / "answers" / "two-track-ic.yaml").read_text(encoding="utf-8"))
    seen = rate_every_page(page, answers, len(LADDER.areas_in_play("senior")), shots=True)
    # Exactly the items in play at senior: no staff behaviour, no manager-track one.
    assert sorted(seen) == sorted(answers)
    assert page.get_by_text("People leadership").count() == 0
    submit(page)

    body = page.locator("main").inner_text()
    assert "readiness for Senior Engineer" in body
    assert (
        "Meets 84.1 % of everything Senior Engineer expects and 82.5 % of what Senior Engineer adds to"
        in body
    )
    assert "Owns a system end to end" in body  # the level's description
    assert "People leadership" not in body  # not in play for an IC
    page.get_by_text("What Senior Engineer looks like").click()
    assert page.get_by_text("Designs modules others build on; their reviews teach.").is_visible()
    # The plan is for where Ida stands: at 3.0 aiming at 3.5, the 3->4 step, not the introductory course.
    plan = page.locator("ol.plan")
    assert plan.locator(
        "strong", has_text="Write and defend the design of a module others build on"
    ).is_visible()
    assert plan.locator("strong", has_text="Take an introductory course on testing").count() == 0
    # At both widths: both readiness parts, the ladder grid with its target column, the focus first.
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900 if width > 400 else 844})
        page.reload()  # plotly sizes a chart to its container when it draws it
        assert page.get_by_text(re.compile(r"^Meets 84\.1 % of everything")).is_visible()
        grid = page.locator("table.ladder")
        grid.scroll_into_view_if_needed()
        assert grid.is_visible()
        assert grid.locator("thead th.target-col").inner_text().startswith("Senior Engineer")
        assert grid.locator("tbody tr").count() == len(LADDER.areas_in_play("senior"))
        focus = page.get_by_role("heading", name="Start here: your focus")
        focus.scroll_into_view_if_needed()
        assert focus.is_visible()
        # The grid fits the phone's width or scrolls inside its own region, never the page.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shot(page, f"profile-{width}")
    page.context.close()


def rate_every_page(page: Any, answers: dict[str, Any], total: int, *, shots: bool = False) -> list[str]:
    """Answer every statement on every area page from `answers`; returns the item ids the pages asked."""
    seen: list[str] = []
    for number in range(1, total + 1):
        # Waits for the page (the URL of the one before matches /areas/ too).
        page.get_by_text(f"Area {number} of {total}").first.wait_for()
        names = page.locator("input[type=radio]").evaluate_all("els => [...new Set(els.map(e => e.name))]")
        asked = [name.removeprefix("item__") for name in names]
        seen += asked
        for item_id in asked:
            value = answers[item_id]
            chosen = "na" if value is None else value
            page.locator(f"input[name='item__{item_id}'][value='{chosen}']").check(force=True)
        if shots and number == 1:
            shot(page, "area-1")
        button = "Save and continue →" if number < total else "Save and review →"
        page.get_by_role("button", name=button).click()
        page.wait_for_url(re.compile(r"/(areas/|review)"))
    return seen


def submit(page: Any) -> None:
    page.get_by_role("button", name=re.compile("^Submit")).click()
    page.wait_for_url(re.compile(r"/people/"))


def test_manager_track_rates_people_leadership_and_no_ic_behaviour(browser: Any, ladder_app: Any) -> None:
    page = open_page(browser, ladder_app)
    log_in(page, "max@example.org")
    page.goto("/assessments/new")
    card = page.locator("section.card", has=page.get_by_role("heading", name="Product Engineering"))
    assert card.locator("select").input_value() == "manager"
    card.get_by_role("button", name="Start").click()
    page.wait_for_url(re.compile(r"/areas/"))
    answers = yaml.safe_load((FIXTURES / "answers" / "two-track-manager.yaml").read_text(encoding="utf-8"))
    seen = rate_every_page(page, answers, len(LADDER.areas_in_play("manager")))
    # The manager track's behaviours, and none of the senior or staff engineer's.
    assert sorted(seen) == sorted(answers)
    assert "code-design" not in seen and "arch-tradeoffs" not in seen
    submit(page)
    body = page.locator("main").inner_text()
    assert "readiness for Engineering Manager" in body
    assert "People leadership" in body and "Architecture" not in body
    page.context.close()


def test_manager_sees_a_team_with_mixed_levels(browser: Any, ladder_app: Any) -> None:
    page = open_page(browser, ladder_app)
    log_in(page, "mona@example.org")
    page.goto(f"/teams/{ladder_app.config['TEAM_ID']}?questionnaire=product-engineering")
    table = page.locator("table.heat-table")
    max_row = table.locator("tr", has_text="Max Manager").text_content() or ""
    # Architecture is not in play for an engineering manager: said so, never "not submitted".
    assert "not in play" in max_row
    assert "not submitted" not in max_row
    shot(page, "team")
    page.context.close()


def test_profile_with_24_areas_numbers_its_radar(browser: Any, ladder_app: Any) -> None:
    page = open_page(browser, ladder_app)
    log_in(page, "wim@example.org")
    page.goto(f"/people/{ladder_app.config['IDS']['wim@example.org']}")
    page.wait_for_selector("#radar .main-svg")
    shot(page, "wide-1280")
    ticks = page.locator("#radar .angularaxistick text").all_text_contents()
    assert len(ticks) >= 19
    assert ticks[:3] == ["1", "2", "3"]
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "wide-390")
    page.context.close()
