"""The pages a person can open, per role, on the demo organisation: what the checkers and phone tests visit.

One representative page per route of the access matrix (tests/web/test_access_matrix.py) and role that may
see it, each with data: a member with a draft and a history, a manager with a team, HR, an admin.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Flask

from competency.services import demo

DEMO_PASSWORD = "demo-password"


def _email(name: str) -> str:
    return next(p.email for p in demo.PEOPLE if p.name == name)


#: role -> demo login (None: not logged in).
LOGINS = {
    "anonymous": None,
    "member": _email("Lucía Fernández"),  # a draft to resume, submitted history, a team
    "manager": _email("Ingrid Halvorsen"),  # manages Vision
    "hr": next(p.email for p in demo.PEOPLE if p.role == "hr"),
    "admin": next(p.email for p in demo.PEOPLE if p.role == "admin"),
}


@dataclass(frozen=True)
class Stop:
    role: str
    path: str
    name: str


def stops(app: Flask) -> list[Stop]:
    """Every page of the walk, with the ids it needs looked up in the demo database."""
    engine = app.extensions["competency.engine"]
    with engine.connect() as c:

        def one(sql: str, **params: object) -> int:
            return int(c.execute(sa.text(sql), params).scalar_one())

        member = one('SELECT id FROM "user" WHERE email = :e', e=LOGINS["member"])
        subject = one('SELECT id FROM "user" WHERE email = :e', e=_email("Zoë Müller"))
        team = one("SELECT id FROM team WHERE name = :n", n=demo.VISION)
        draft = one(
            "SELECT id FROM assessment WHERE subject_id = :s AND kind = 'self' AND status = 'draft'",
            s=member,
        )
        cycle = one("SELECT id FROM cycle WHERE team_id = :t ORDER BY opens_at DESC LIMIT 1", t=team)
    return [
        Stop("anonymous", "/login", "login"),
        Stop("anonymous", "/account/forgot", "forgot-password"),
        Stop("member", "/", "home"),
        Stop("member", "/account/password", "password"),
        Stop("member", "/account/two-factor", "two-factor"),
        Stop("member", "/account/notifications", "mail-preferences"),
        Stop("member", "/assessments/new", "start"),
        Stop("member", f"/assessments/{draft}", "area"),  # resumes on the first area left to rate
        Stop("member", f"/assessments/{draft}/review", "review"),
        Stop("member", f"/people/{member}", "profile-own"),
        Stop("member", "/teams", "teams"),
        Stop("member", f"/teams/{team}", "dashboard-member"),
        Stop("member", "/cycles", "cycles-member"),
        Stop("member", "/no-such-page", "not-found"),
        Stop("manager", "/", "home-manager"),
        Stop("manager", f"/teams/{team}", "dashboard"),
        Stop("manager", f"/people/{subject}", "profile-of-member"),
        Stop("manager", f"/people/{subject}/assess", "start-manager"),
        Stop("manager", "/cycles/new", "cycle-new"),
        Stop("manager", f"/cycles/{cycle}", "cycle"),
        Stop("manager", f"/cycles/{cycle}/close", "cycle-close"),
        Stop("hr", "/", "home-hr"),
        Stop("hr", "/reports", "reports"),
        Stop("hr", "/audit", "audit"),
        Stop("hr", "/cycles", "cycles"),
        Stop("hr", f"/teams/{team}", "dashboard-hr"),
        Stop("admin", "/admin/", "admin"),
        Stop("admin", "/admin/users", "admin-users"),
        Stop("admin", f"/admin/users/{subject}", "admin-user"),
        Stop("admin", "/admin/teams", "admin-teams"),
        Stop("admin", f"/admin/teams/{team}/members/{member}/remove", "admin-remove-member"),
        Stop("admin", "/admin/import", "admin-import"),
        Stop("admin", "/admin/questionnaires", "admin-questionnaires"),
        Stop("admin", "/admin/jobs", "admin-jobs"),
    ]


@contextmanager
def logged_in_pages(browser, app: Flask, **options: Any) -> Iterator[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """role -> a page logged in as that role's demo person (`options` go to the browser context)."""
    pages, contexts = {}, []
    try:
        for role, email in LOGINS.items():
            context = browser.new_context(base_url=app.config["LIVE_URL"], **options)
            contexts.append(context)
            page = context.new_page()
            page.set_default_timeout(20_000)
            if email:
                log_in(page, email)
            pages[role] = page
        yield pages
    finally:
        for context in contexts:
            context.close()


def log_in(page, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))


def wait_for_charts(page) -> None:  # type: ignore[no-untyped-def]
    """Every plotly chart on the page drawn (static/js/charts.js marks each with data-drawn).

    Waits on selectors, not on a polled expression: the CSP forbids the eval that polling needs.
    """
    targets = page.evaluate("[...document.querySelectorAll('script.figure-data')].map(n => n.dataset.target)")
    for target in targets:
        page.locator(f"#{target}[data-drawn='true']").wait_for(state="attached", timeout=30_000)
