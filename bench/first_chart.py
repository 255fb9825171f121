"""Time to the first chart and bytes transferred, in headless Chromium on loopback, cold and warm cache:
the profile page and the team dashboard of the demo organisation, served by gunicorn. Writes docs/performance.md.

    .venv/bin/python -m bench.first_chart [--runs 15] [--compare OTHER_CHECKOUT/src]

`--compare` also serves another checkout's code (for example the commit before a change) on a second server
and visits both in turn, so that both see the same load on a shared machine.
"Cold" is a new browser profile each run (empty cache, already logged in); "warm" reopens the same page in it.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import re
import statistics
import tempfile
from pathlib import Path

from bench._support import gunicorn, machine, write_section

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "demo-password"
#: The first chart on screen: the radar's SVG (the server's drawing, or plotly's). Read in the frame it appears.
SHOWN = "document.querySelector('#radar svg') ? performance.now() : false"
#: The interactive chart: static/js/charts.js marks the container once plotly has drawn it.
DRAWN = "document.querySelector('#radar[data-drawn]') ? performance.now() : false"
BYTES = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  return performance.getEntriesByType('resource').reduce((sum, r) => sum + r.transferSize, nav.transferSize);
}"""


def seed(url: str) -> tuple[int, int, str, str]:
    """The demo organisation; returns (a member's id, their team's id, the manager's and the member's login)."""
    import sqlalchemy as sa

    from competency import migrate
    from competency.db import create_db_engine, session_scope
    from competency.questionnaire import load_file, questionnaire_files
    from competency.resources import resource_path
    from competency.services import demo

    migrate.upgrade(url)
    engine = create_db_engine(url)
    frameworks = {q.id: q for q in map(load_file, questionnaire_files([resource_path("questionnaires")]))}
    with session_scope(engine) as session:
        demo.load_demo(session, frameworks, password=PASSWORD)
    member = next(p for p in demo.PEOPLE if p.name == "Zoë Müller")
    manager = next(p for p in demo.PEOPLE if (demo.VISION, "manager") in p.teams)
    with engine.connect() as c:
        person = c.execute(
            sa.text('SELECT id FROM "user" WHERE email = :e'), {"e": member.email}
        ).scalar_one()
        team = c.execute(sa.text("SELECT id FROM team WHERE name = :n"), {"n": demo.VISION}).scalar_one()
    engine.dispose()
    return person, team, manager.email, member.email


def log_in(context, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    """Through the form, with the context's request API: the browser's cache stays empty."""
    page = context.request.get(base + "/login").text()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token, "no form token on /login"
    response = context.request.post(
        base + "/login", form={"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert response.ok and "/login" not in response.url, "login failed"


def visit(page, url: str) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    """(ms from navigation start to the first chart shown, to the interactive chart, bytes transferred)."""
    page.goto(url, wait_until="commit")
    shown = page.wait_for_function(SHOWN, polling="raf", timeout=60_000).json_value()
    drawn = page.wait_for_function(DRAWN, polling="raf", timeout=60_000).json_value()
    page.wait_for_load_state("load")
    return float(shown), float(drawn), int(page.evaluate(BYTES))


def run(
    servers: dict[str, str], paths: dict[str, str], email: str, runs: int
) -> dict[str, dict[str, list[float]]]:
    from playwright.sync_api import sync_playwright

    out: dict[str, dict[str, list[float]]] = {
        name + label: {"cold": [], "cold_js": [], "warm": [], "cold_bytes": [], "warm_bytes": []}
        for name in paths
        for label in servers
    }
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        for _ in range(runs):
            for (page_name, path), (label, base) in itertools.product(paths.items(), servers.items()):
                name = page_name + label
                # CSP forbids eval; the timing probe is evaluated by Playwright, so it is let through here.
                context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
                log_in(context, base, email)
                page = context.new_page()
                shown, drawn, size = visit(page, base + path)
                out[name]["cold"].append(shown)
                out[name]["cold_js"].append(drawn)
                out[name]["cold_bytes"].append(size)
                shown, drawn, size = visit(page, base + path)
                out[name]["warm"].append(drawn)
                out[name]["warm_bytes"].append(size)
                context.close()
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--compare", help="also serve the competency package from this src folder")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/performance.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url = f"sqlite:///{workdir / 'bench.db'}"
        person, team, manager, _ = seed(url)
        paths = {
            "profile": f"/people/{person}?questionnaire=ml-engineer",
            "team dashboard": f"/teams/{team}?questionnaire=ml-engineer",
        }
        with contextlib.ExitStack() as stack:
            servers = {"": stack.enter_context(gunicorn(url, workdir))}
            if args.compare:
                other = str(Path(args.compare).resolve())
                servers[" (compared)"] = stack.enter_context(gunicorn(url, workdir, source=other))
            results = run(servers, paths, manager, args.runs)
    lines = [
        "## First chart (issue: fast, accessible, phone-friendly pages)",
        "",
        f"`python -m bench.first_chart --runs {args.runs}`: headless Chromium (Debian) on loopback, gunicorn with 2 "
        f"sync workers, SQLite, the demo organisation, a manager logged in, {machine()}. Time from navigation start "
        "to the radar on screen (first chart: the server's SVG drawing where the page has one, else plotly's) and to "
        "the interactive plotly chart; cold = a new browser profile each run, warm = the same page again "
        "(interactive). Budget: cold first chart <= 0.8 s.",
        "",
        "| page | first chart cold, median ms | p95 ms | interactive cold, median ms | interactive warm, median ms "
        "| bytes cold | bytes warm |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in results.items():
        cold = sorted(r["cold"])
        lines.append(
            f"| {name} | {statistics.median(cold):.0f} | {cold[round(0.95 * (len(cold) - 1))]:.0f} | "
            f"{statistics.median(r['cold_js']):.0f} | "
            f"{statistics.median(r['warm']):.0f} | {statistics.median(r['cold_bytes']):,.0f} | "
            f"{statistics.median(r['warm_bytes']):,.0f} |"
        )
    table = "\n".join(lines)
    print(table)
    if not args.no_write:
        write_section("first_chart", table)


if __name__ == "__main__":
    main()
