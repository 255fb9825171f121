"""Server time of the questionnaire area page and the profile page under gunicorn, beside a hello-world
template route on the same server in the same run. Writes p50/p95 and the ratio to docs/performance.md.

    .venv/bin/python -m bench.web_pages [--requests 300]
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench._support import Client, gunicorn, machine, measure, write_section

PASSWORD = "bench-password-1"


def seed(database_url: str) -> tuple[str, int, int, str]:
    """One engineer with three submitted assessments, a manager rating and an open draft."""
    from competency import migrate
    from competency.config import questionnaire_dir
    from competency.db import create_db_engine, session_scope
    from competency.questionnaire import load_file
    from competency.services import assessments, users

    migrate.upgrade(database_url)
    questionnaire = load_file(questionnaire_dir() / "ml-engineer.yaml")
    engine = create_db_engine(database_url)
    with session_scope(engine) as session:
        engineer, _ = users.create_or_update_user(
            session, email="eng@bench.test", name="Bench Engineer", password=PASSWORD
        )
        manager, _ = users.create_or_update_user(
            session, email="mgr@bench.test", name="Bench Manager", password=PASSWORD
        )
        team, _ = users.create_team(session, "Bench")
        users.add_member(session, team, engineer, "member")
        users.add_member(session, team, manager, "manager")
        now = datetime.now(UTC)
        items = [
            item
            for area in questionnaire.areas_in_play("mid")
            for item in questionnaire.items_in_play(area, "mid")
        ]
        for round_ in range(3):
            answers = {item.id: min(4, (i + round_) % 5) for i, item in enumerate(items)}
            assessments.record(
                session,
                questionnaire,
                subject=engineer,
                assessor=engineer,
                kind="self",
                level="mid",
                answers=answers,
                submitted_at=now - timedelta(days=200 - 90 * round_),
            )
        assessments.record(
            session,
            questionnaire,
            subject=engineer,
            assessor=manager,
            kind="manager",
            level="mid",
            answers={item.id: (i % 4) + 1 for i, item in enumerate(items)},
        )
        draft, _ = assessments.start(
            session, questionnaire, subject=engineer, assessor=engineer, level="senior"
        )
        area_url = f"/assessments/{draft.id}/areas/{questionnaire.areas[2].id}"
        engineer_id = engineer.id
    engine.dispose()
    return "eng@bench.test", engineer_id or 0, draft.id or 0, area_url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url = f"sqlite:///{workdir / 'bench.db'}"
        email, person_id, _draft, area_url = seed(url)
        with gunicorn(url, workdir) as base:
            client = Client(base)
            client.login(email, PASSWORD)
            rows = {
                "hello-world template route": measure(client, "/bench/hello", args.requests),
                "questionnaire area page": measure(client, area_url, args.requests),
                "profile page": measure(
                    client, f"/people/{person_id}?questionnaire=ml-engineer", args.requests
                ),
            }
    hello_p50, hello_p95 = rows["hello-world template route"]
    lines = [
        "## Web pages (issue: self-assessment flow)",
        "",
        f"`python -m bench.web_pages --requests {args.requests}`: gunicorn, 2 sync workers, SQLite, one client on "
        f"loopback, server time from a WSGI timer (X-Server-Time). {machine()}. "
        "Budget: form and profile pages p95 <= 50 ms.",
        "",
        "| route | p50 ms | p95 ms | p50 / hello | p95 / hello |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, (p50, p95) in rows.items():
        lines.append(
            f"| {name} | {p50 * 1000:.2f} | {p95 * 1000:.2f} | {p50 / hello_p50:.1f}x | {p95 / hello_p95:.1f}x |"
        )
    table = "\n".join(lines)
    print(table)
    write_section("web_pages", table)


if __name__ == "__main__":
    main()
