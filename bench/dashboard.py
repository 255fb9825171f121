"""Team dashboard server time for teams of 10, 50, 200 and 1000 members (gunicorn, same server), and
the SQL statements it issues. Writes docs/performance.md.

    .venv/bin/python -m bench.dashboard [--sizes 10 50 200 1000] [--requests 60]
"""

from __future__ import annotations

import argparse
import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench._support import Client, gunicorn, machine, measure, write_section

PASSWORD = "bench-password-1"


def seed(database_url: str, sizes: list[int]) -> dict[int, int]:
    """A team per size, each member with a submitted self-assessment; one manager manages them all."""
    from sqlalchemy import insert

    from competency import migrate, scoring
    from competency.config import questionnaire_dir
    from competency.db import create_db_engine, session_scope
    from competency.models import Answer, AreaScore, Assessment, Membership, User
    from competency.questionnaire import load_file
    from competency.services import users
    from competency.services.snapshots import ensure_snapshot

    migrate.upgrade(database_url)
    questionnaire = load_file(questionnaire_dir() / "ml-engineer.yaml")
    items = [
        item
        for area in questionnaire.areas_in_play("mid")
        for item in questionnaire.items_in_play(area, "mid")
    ]
    rng = random.Random(11)
    engine = create_db_engine(database_url)
    teams = {}
    with session_scope(engine) as session:
        manager, _ = users.create_or_update_user(
            session, email="mgr@bench.test", name="Bench Manager", password=PASSWORD
        )
        snapshot = ensure_snapshot(session, questionnaire)
        now = datetime.now(UTC)
        for size in sizes:
            team, _ = users.create_team(session, f"Team of {size}")
            users.add_member(session, team, manager, "manager")
            for index in range(size):
                # Bulk rows: the bench measures reading, not the seeding path.
                user = User(email=f"t{size}-{index}@bench.test", name=f"Member {size}-{index:04d}")
                session.add(user)
                session.flush()
                session.add(Membership(team_id=team.id, user_id=user.id, role="member"))
                answers = {item.id: rng.randint(0, 4) for item in items}
                profile = scoring.score(questionnaire, answers, "mid")
                assessment = Assessment(
                    subject_id=user.id,
                    assessor_id=user.id,
                    kind="self",
                    questionnaire_version_id=snapshot.id,
                    target_level="mid",
                    status="submitted",
                    submitted_at=now - timedelta(days=1),
                    readiness=profile.readiness,
                    readiness_all=profile.readiness_all,
                    readiness_new=profile.readiness_new,
                )
                session.add(assessment)
                session.flush()
                session.execute(
                    insert(Answer),
                    [{"assessment_id": assessment.id, "item_id": k, "value": v} for k, v in answers.items()],
                )
                session.execute(
                    insert(AreaScore),
                    [
                        {
                            "assessment_id": assessment.id,
                            "area_id": a,
                            "score": r.score,
                            "target": r.target,
                            "gap": r.gap,
                            "attainment": r.attainment,
                            "new_score": r.new_score,
                            "reached": r.reached,
                        }
                        for a, r in profile.areas.items()
                    ],
                )
            teams[size] = team.id or 0
    engine.dispose()
    return teams


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 50, 200, 1000])
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url = f"sqlite:///{workdir / 'bench.db'}"
        teams = seed(url, args.sizes)
        from competency.config import questionnaire_dir
        from competency.questionnaire import load_file

        shipped = load_file(questionnaire_dir() / "ml-engineer.yaml")
        rows = {}
        with gunicorn(url, workdir) as base:
            client = Client(base)
            client.login("mgr@bench.test", PASSWORD)
            hello = measure(client, "/bench/hello", args.requests)
            for size, team_id in teams.items():
                rows[size] = measure(
                    client, f"/teams/{team_id}?questionnaire=ml-engineer", args.requests, warmup=5
                )
    lines = [
        "## Team dashboard (issue: managers)",
        "",
        f"`python -m bench.dashboard --requests {args.requests}`: gunicorn, 2 sync workers, SQLite, every member "
        f"with a submitted self-assessment of ml-engineer version {shipped.version} at mid "
        f"({len(shipped.areas_in_play('mid'))} areas asked), {machine()}. "
        f"Hello-world template route on the same server: p50 {hello[0] * 1000:.2f} ms, p95 {hello[1] * 1000:.2f} ms. "
        "Budget: 50 members <= 150 ms, 1,000 members p95 <= 300 ms (the member sections show 50 a page).",
        "",
        "| members | p50 ms | p95 ms |",
        "| ---: | ---: | ---: |",
    ]
    lines += [f"| {size} | {p50 * 1000:.1f} | {p95 * 1000:.1f} |" for size, (p50, p95) in rows.items()]
    table = "\n".join(lines)
    print(table)
    write_section("dashboard", table)


if __name__ == "__main__":
    main()
