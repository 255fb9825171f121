"""Browser tests: the app on a live local server, driven by Playwright in Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from werkzeug.serving import make_server

from competency import migrate
from competency.app import create_app
from competency.config import Settings
from competency.resources import resource_path
from competency.services import passwords

CHROMIUM = os.environ.get("COMPETENCY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(os.environ.get("COMPETENCY_SCREENSHOTS", "test-artifacts/screenshots"))


def _browser_required() -> bool:
    return os.environ.get("CI", "").lower() == "true" or bool(os.environ.get("COMPETENCY_REQUIRE_BROWSER"))


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: apt-get install -y chromium"
        if _browser_required():
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The app with the demo organisation on a SQLite file, served on a free local port."""
    from competency.db import create_db_engine, session_scope
    from competency.services import demo

    # The demo makes ~20 accounts; cheap hashing keeps the suite fast (production keeps OWASP cost).
    original = passwords._hasher, passwords._DUMMY_HASH
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    passwords._DUMMY_HASH = passwords._hasher.hash("dummy")
    folder = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{folder / 'live.db'}"
    migrate.upgrade(url)
    engine = create_db_engine(url)
    from competency.questionnaire import load_file, questionnaire_files

    frameworks = {q.id: q for q in map(load_file, questionnaire_files([resource_path("questionnaires")]))}
    with session_scope(engine) as session:
        logins = demo.load_demo(session, frameworks)
    engine.dispose()
    settings = Settings(
        env="test",
        database_url=url,
        secret_key="browser-test-secret-0123456789-abcdefghijklmnop",
        questionnaire_dir=resource_path("questionnaires"),
        instance_dir=folder / "instance",
    )
    app = create_app(settings=settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
    app.config["DEMO_LOGINS"] = logins
    yield app
    server.shutdown()
    app.extensions["competency.engine"].dispose()
    passwords._hasher, passwords._DUMMY_HASH = original


@pytest.fixture
def page(browser, live_app):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=live_app.config["LIVE_URL"], viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def shot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    """Full-page screenshot under test-artifacts/screenshots/, to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def clear_shots() -> None:
    shutil.rmtree(SHOTS, ignore_errors=True)
