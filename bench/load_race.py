"""Load with racing writers on PostgreSQL: 16 clients take assessments area by area (save, review, submit,
start again, look at their profile and team) for 60 s, while racer clients, logged in as the same people in
other sessions, save and submit the very assessments the first clients are working on. Afterwards the
database is checked: every acknowledged save is stored, every submitted assessment's stored scores are the
scores of its stored answers (nothing changed after a submit), and no request answered 500.

    .venv/bin/python -m bench.load_race [--seconds 60] [--clients 16] [--racers 4] [--workers 4]

Needs a PostgreSQL server (COMPETENCY_BENCH_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres);
a scratch database is created and dropped.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

from bench._support import gunicorn, machine, percentiles, write_section

PASSWORD = "bench-load-racer-1"
KEY = "ml-engineer"
TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def expected_value(assessment_id: int, area_id: str) -> int:
    """Every writer writes the same value to an area of an assessment, so the final value is known."""
    return zlib.crc32(f"{assessment_id}:{area_id}".encode()) % 5


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Session:
    """One browser: its cookies, the status of every answer, and the time the server took."""

    def __init__(self, base: str, stats: Stats) -> None:
        self.base = base
        self.stats = stats
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        """(status, body, Location) without following redirects."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        started = time.perf_counter()
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as response:
                status, text, location = response.status, response.read().decode(), ""
        except urllib.error.HTTPError as exc:
            status, text, location = (
                exc.code,
                exc.read().decode(errors="replace"),
                exc.headers.get("Location", ""),
            )
        self.stats.record(path, "POST" if data is not None else "GET", status, time.perf_counter() - started)
        return status, text, location

    def token(self, path: str) -> str:
        _, text, _ = self.request(path)
        found = TOKEN.search(text)
        return found.group(1) if found else ""

    def login(self, email: str) -> None:
        status, _, _ = self.request(
            "/login", {"email": email, "password": PASSWORD, "csrf_token": self.token("/login")}
        )
        assert status == 302, f"login of {email} answered {status}"


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: Counter[tuple[str, int]] = Counter()
        self.times: list[float] = []
        self.errors: list[str] = []
        #: (assessment id, area id) of every save the server acknowledged (302).
        self.saved: set[tuple[int, str]] = set()
        self.submitted: set[int] = set()
        #: Page loads that found the assessment already submitted by the other session (so no form to post).
        self.stale = 0

    def record(self, path: str, method: str, status: int, seconds: float) -> None:
        kind = re.sub(r"\d+", "N", path.split("?")[0])
        kind = re.sub(r"/areas/[^/]+", "/areas/A", kind)
        with self.lock:
            self.statuses[(f"{method} {kind}", status)] += 1
            self.times.append(seconds)
            if status >= 500:
                self.errors.append(f"{method} {path} -> {status}")


def seed(database_url: str, people: int) -> tuple[list[str], int, dict[str, list[tuple[str, list[str]]]]]:
    from competency import migrate
    from competency.config import questionnaire_dir
    from competency.db import create_db_engine, session_scope
    from competency.questionnaire import load_file
    from competency.services import users

    migrate.upgrade(database_url)
    q = load_file(questionnaire_dir() / f"{KEY}.yaml")
    engine = create_db_engine(database_url)
    emails = [f"engineer{i}@load.test" for i in range(people)]
    with session_scope(engine) as session:
        team, _ = users.create_team(session, "Load")
        for email in emails:
            person, _ = users.create_or_update_user(
                session, email=email, name=email.split("@")[0].title(), password=PASSWORD
            )
            users.add_member(session, team, person, "member")
        team_id = team.id or 0
    engine.dispose()
    areas = [
        (area.id, [item.id for item in area.items if getattr(item, "level", None) in (None, "junior", "mid")])
        for area in q.areas
    ]
    return emails, team_id, {KEY: areas}


def answers_form(assessment_id: int, area_id: str, items: list[str], token: str, go: str) -> dict[str, str]:
    value = str(expected_value(assessment_id, area_id))
    form = {f"item__{item}": value for item in items}
    form.update({"csrf_token": token, "go": go, "note": f"evidence for {area_id}"})
    return form


def worker(
    base: str,
    email: str,
    team_id: int,
    areas: list[tuple[str, list[str]]],
    stats: Stats,
    current: dict[str, int],
    deadline: float,
) -> None:
    """Take assessments one after another, area by area, and look at one's profile and team now and then."""
    s = Session(base, stats)
    s.login(email)
    rng = random.Random(email)
    while time.time() < deadline:
        token = s.token("/assessments/new")
        status, _, location = s.request(
            "/assessments/new", {"questionnaire": KEY, "level": "mid", "csrf_token": token}
        )
        found = re.search(r"/assessments/(\d+)", location)
        if status != 302 or not found:
            continue
        assessment_id = int(found.group(1))
        current[email] = assessment_id
        for area_id, items in areas:
            if time.time() >= deadline:
                return
            path = f"/assessments/{assessment_id}/areas/{area_id}"
            token = s.token(path)
            if not token:
                # Redirected: a racer submitted it meanwhile. Start another, as a person would.
                with stats.lock:
                    stats.stale += 1
                break
            status, _, _ = s.request(path, answers_form(assessment_id, area_id, items, token, "next"))
            if status == 302:
                with stats.lock:
                    stats.saved.add((assessment_id, area_id))
            elif status == 409:
                break  # a racer submitted it: start another
            if rng.random() < 0.15:
                s.request(f"/teams/{team_id}?questionnaire={KEY}")
        else:
            token = s.token(f"/assessments/{assessment_id}/review")
            status, _, _ = s.request(f"/assessments/{assessment_id}/submit", {"csrf_token": token})
            if status == 302:
                with stats.lock:
                    stats.submitted.add(assessment_id)
            s.request("/")


def racer(
    base: str,
    emails: list[str],
    areas: list[tuple[str, list[str]]],
    stats: Stats,
    current: dict[str, int],
    deadline: float,
) -> None:
    """In other sessions of the same people: save random areas of their current assessment and submit it."""
    sessions = {}
    for email in emails:
        sessions[email] = Session(base, stats)
        sessions[email].login(email)
    rng = random.Random(len(emails))
    while time.time() < deadline:
        email = rng.choice(emails)
        assessment_id = current.get(email)
        if assessment_id is None:
            time.sleep(0.01)
            continue
        s = sessions[email]
        area_id, items = rng.choice(areas)
        path = f"/assessments/{assessment_id}/areas/{area_id}"
        token = s.token(path)
        if not token:
            # The page redirected: the assessment was submitted meanwhile. A browser shows that page, not a form.
            with stats.lock:
                stats.stale += 1
            continue
        status, _, _ = s.request(path, answers_form(assessment_id, area_id, items, token, "exit"))
        if status == 302:
            with stats.lock:
                stats.saved.add((assessment_id, area_id))
        if rng.random() < 0.2:
            status, _, _ = s.request(f"/assessments/{assessment_id}/submit", {"csrf_token": token})
            if status == 302:
                with stats.lock:
                    stats.submitted.add(assessment_id)


def check(database_url: str, stats: Stats) -> dict[str, int]:
    """Nothing lost, nothing changed after a submit: the numbers for the report."""
    import sqlalchemy as sa

    from competency import scoring
    from competency.db import create_db_engine
    from competency.models import Answer, AreaScore, Assessment
    from competency.services import assessments

    engine = create_db_engine(database_url)
    lost = mismatched = 0
    from sqlmodel import Session as DbSession

    with DbSession(engine) as session:
        stored: dict[tuple[int, str], set[int | None]] = {}
        rows = session.execute(sa.select(Answer.assessment_id, Answer.item_id, Answer.value)).all()
        item_area = {}
        by_assessment: dict[int, dict[str, int | None]] = {}
        for assessment_id, item_id, value in rows:
            by_assessment.setdefault(assessment_id, {})[item_id] = value
        for assessment_id, area_id in stats.saved:
            taken = assessments.load(session, assessment_id)
            area = next(a for a in taken.questionnaire.areas if a.id == area_id)
            item_area.update({i.id: area.id for i in area.items})
            values = {
                by_assessment.get(assessment_id, {}).get(i.id, -1)
                for i in area.items
                if getattr(i, "level", None) in (None, "junior", "mid")
            }
            stored[(assessment_id, area_id)] = values
            if values != {expected_value(assessment_id, area_id)}:
                lost += 1
        submitted = (
            session.execute(sa.select(Assessment.id).where(Assessment.status == "submitted")).scalars().all()
        )
        for assessment_id in submitted:
            taken = assessments.load(session, assessment_id)
            again = scoring.score(
                taken.questionnaire, by_assessment.get(assessment_id, {}), taken.assessment.target_level
            )
            scores = dict(
                session.execute(
                    sa.select(AreaScore.area_id, AreaScore.score).where(
                        AreaScore.assessment_id == assessment_id
                    )
                ).all()
            )
            if scores != {a: r.score for a, r in again.areas.items()}:
                mismatched += 1
        not_submitted = sum(1 for a in stats.submitted if a not in set(submitted))
    engine.dispose()
    return {
        "acknowledged saves": len(stats.saved),
        "acknowledged saves not stored as sent": lost,
        "submitted assessments": len(submitted),
        "acknowledged submits not stored": not_submitted,
        "submitted assessments whose scores differ from their answers": mismatched,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--racers", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    admin = os.environ.get("COMPETENCY_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"competency_bench_{uuid.uuid4().hex[:12]}"
    from competency.db import create_db_engine

    server = create_db_engine(admin, isolation_level="AUTOCOMMIT")
    with server.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    try:
        emails, team_id, areas_by_key = seed(url, args.clients)
        areas = areas_by_key[KEY]
        stats = Stats()
        current: dict[str, int] = {}
        with tempfile.TemporaryDirectory() as tmp, gunicorn(url, Path(tmp), workers=args.workers) as base:
            deadline = time.time() + args.seconds
            threads = [
                threading.Thread(target=worker, args=(base, e, team_id, areas, stats, current, deadline))
                for e in emails
            ]
            share = [emails[i :: args.racers] for i in range(args.racers)]
            threads += [
                threading.Thread(target=racer, args=(base, group, areas, stats, current, deadline))
                for group in share
            ]
            started = time.time()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.time() - started
        result = check(url, stats)
    finally:
        with server.connect() as c:
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()
    p50, p95 = percentiles(stats.times)
    total = sum(stats.statuses.values())
    by_status = Counter()
    for (_, status), n in stats.statuses.items():
        by_status[status] += n
    lines = [
        "## Load with racing saves and submits (issue: security and integrity)",
        "",
        f"`python -m bench.load_race --seconds {args.seconds} --clients {args.clients} --racers {args.racers} "
        f"--workers {args.workers}`: gunicorn with {args.workers} sync workers on PostgreSQL; {args.clients} clients "
        f"take assessments area by area and submit them, while {args.racers} racer clients, logged in as the same "
        "people in other sessions, save and submit the same assessments. Client-side times over loopback, "
        f"everything on one machine ({machine()}).",
        "",
        f"- {total} requests in {elapsed:.0f} s ({total / elapsed:.0f}/s); p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms",
        "- answers by status: " + ", ".join(f"{s}: {n}" for s, n in sorted(by_status.items())),
        "- 4xx by request: "
        + ", ".join(
            f"{route} {status}: {n}"
            for (route, status), n in sorted(stats.statuses.items())
            if 400 <= status < 500
        ),
        f"- area pages that found the assessment already submitted by the other session: {stats.stale}",
        f"- machine load average (1 min) at the end: {os.getloadavg()[0]:.1f}",
        f"- 5xx answers: {len(stats.errors)}",
    ]
    lines += [f"- {k}: {v}" for k, v in result.items()]
    lines += [
        "",
        "409 is a save or submit that lost the race with a submit of the same assessment (the person is told it was",
        "submitted elsewhere and shown where). Every save the server acknowledged is stored, and every submitted",
        "assessment's stored scores are the scores of its stored answers. The machine was shared with other",
        "builds during the run (load average above), so the times say little; the counts are the result.",
    ]
    text = "\n".join(lines)
    print(text)
    for error in stats.errors[:20]:
        print(error)
    write_section("load_race", text)


if __name__ == "__main__":
    main()
