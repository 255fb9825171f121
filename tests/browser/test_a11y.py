"""Checkers nobody here wrote, on every page of the walk: axe-core in Chromium (no serious or critical
violation) and the Nu HTML Checker (no error in the HTML the server sends).

Both are pinned in tools/package.json (`npm ci` in tools/); the Nu checker runs on Java. Locally a missing
checker skips these tests; in CI (CI=true or COMPETENCY_REQUIRE_BROWSER) it fails them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from tests.browser.conftest import _browser_required
from tests.browser.walk import logged_in_pages, stops, wait_for_charts

pytestmark = pytest.mark.browser

TOOLS = Path(__file__).resolve().parents[2] / "tools" / "node_modules"
AXE = TOOLS / "axe-core" / "axe.min.js"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
#: axe impacts that fail the test (minor and moderate ones are printed, not failed).
FAILING = {"serious", "critical"}


def _require(present: bool, message: str) -> None:
    if not present:
        if _browser_required():
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def role_pages(browser, live_app):  # type: ignore[no-untyped-def]
    """role -> a logged-in page; CSP is bypassed so that axe's script can be injected."""
    with logged_in_pages(
        browser, live_app, viewport={"width": 1280, "height": 900}, bypass_csp=True
    ) as pages:
        yield pages


def test_axe_finds_no_serious_violation_on_any_page(role_pages, live_app) -> None:  # type: ignore[no-untyped-def]
    _require(AXE.exists(), f"axe-core is missing ({AXE}): run `npm ci` in tools/")
    found = []
    for stop in stops(live_app):
        page = role_pages[stop.role]
        page.goto(stop.path)
        wait_for_charts(page)
        # Folded parts (a table behind "Show as a table", the scale's descriptions) are checked too.
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        for violation in result["violations"]:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
            line = f"{stop.name} ({stop.path}): {violation['impact']} {violation['id']}: {violation['help']} at {targets}"
            if violation["impact"] in FAILING:
                found.append(line)
            else:
                print(line)
    assert not found, "axe-core violations:\n" + "\n".join(found)


def test_the_nu_html_checker_finds_no_error_on_any_page(role_pages, live_app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    java = shutil.which("java")
    _require(java is not None, "java is missing: apt-get install -y default-jre-headless")
    _require(VNU.exists(), f"vnu.jar is missing ({VNU}): run `npm ci` in tools/")
    files = {}
    for stop in stops(live_app):
        # The HTML the server sends (not the DOM after scripts): that is what the checker judges.
        response = role_pages[stop.role].request.get(stop.path)
        assert response.status in (200, 404), f"{stop.path}: {response.status}"
        path = tmp_path / f"{stop.role}-{stop.name}.html"
        path.write_bytes(response.body())
        files[str(path)] = stop.name
    # A page with a known error: the run must report it, or it checked nothing.
    canary = tmp_path / "canary.html"
    canary.write_text('<!doctype html><html lang="en"><title>x</title><p id="a"></p><p id="a"></p></html>')
    # One Java run for every page: starting the checker costs more than checking a page.
    run = subprocess.run(
        [str(java), "-jar", str(VNU), "--format", "json", "--errors-only", *files, str(canary)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
    )
    messages = json.loads(run.stderr or "{}").get("messages", [])
    assert run.returncode in (0, 1), run.stderr[-2000:]
    errors = []
    for m in messages:
        if m.get("type") not in ("error", "non-document-error"):
            continue
        name = files.get(m.get("url", "").removeprefix("file:"), m.get("url", ""))
        errors.append(
            (name, f"{name}: line {m.get('lastLine')}: {m.get('message')} [{m.get('extract', '')[:80]}]")
        )
    assert any("canary.html" in name for name, _ in errors), (
        "the checker did not report the canary's duplicate id"
    )
    found = [line for name, line in errors if "canary.html" not in name]
    assert not found, "Nu HTML Checker errors:\n" + "\n".join(found)
