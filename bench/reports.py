"""PDF reports: a person's PDF beside WeasyPrint alone on the same final HTML, and worker memory across
100 renders (the cycle ZIP is a job now: bench/jobs.py). Writes docs/performance.md.

    .venv/bin/python -m bench.reports [--people 100] [--repeat 10]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench._support import machine, write_section


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def seed(database_url: str, people: int) -> int:
    """`people` engineers in one team and one cycle, each with a submitted self-assessment in it."""
    import random

    from competency import migrate
    from competency.config import questionnaire_dir
    from competency.db import create_db_engine, session_scope
    from competency.models import Cycle
    from competency.questionnaire import load_file
    from competency.services import assessments, users

    migrate.upgrade(database_url)
    questionnaire = load_file(questionnaire_dir() / "ml-engineer.yaml")
    items = [
        item
        for area in questionnaire.areas_in_play("mid")
        for item in questionnaire.items_in_play(area, "mid")
    ]
    rng = random.Random(7)
    engine = create_db_engine(database_url)
    with session_scope(engine) as session:
        team, _ = users.create_team(session, "Bench")
        now = datetime.now(UTC)
        cycle = Cycle(
            name="Bench cycle",
            questionnaire_key=questionnaire.id,
            team_id=team.id,
            opens_at=now - timedelta(days=30),
            due_at=now + timedelta(days=30),
        )
        session.add(cycle)
        session.flush()
        for index in range(people):
            person, _ = users.create_or_update_user(
                session, email=f"p{index}@bench.test", name=f"Person {index:03d}"
            )
            users.add_member(session, team, person, "member")
            answers = {item.id: rng.randint(0, 4) for item in items}
            assessments.record(
                session,
                questionnaire,
                subject=person,
                assessor=person,
                kind="self",
                level="mid",
                answers=answers,
                cycle_id=cycle.id,
            )
        cycle_id = cycle.id
    engine.dispose()
    return cycle_id or 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()

    import weasyprint
    from sqlmodel import Session, select

    from competency.db import create_db_engine
    from competency.models import Cycle, User
    from competency.reports.pdf import STATIC_DIR
    from competency.reports.render import render_person_html
    from competency.services import reports

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        cycle_id = seed(url, args.people)
        engine = create_db_engine(url)
        with Session(engine) as session:
            subject = session.exec(select(User).order_by(User.id)).first()
            assert subject is not None
            reports.person_pdf(session, subject, "ml-engineer")  # warm: imports, fonts, stylesheets
            ours, alone = [], []
            html = render_person_html(reports.person_context(session, subject, "ml-engineer"))
            # The same document: the final HTML with the same stylesheet, WeasyPrint's defaults otherwise.
            stylesheet = str(STATIC_DIR / "reports.css")
            weasyprint.HTML(string=html).write_pdf(stylesheets=[stylesheet])
            for _ in range(args.repeat):
                started = time.perf_counter()
                reports.person_pdf(session, subject, "ml-engineer")
                ours.append(time.perf_counter() - started)
                started = time.perf_counter()
                weasyprint.HTML(string=html).write_pdf(stylesheets=[stylesheet])
                alone.append(time.perf_counter() - started)

            memory = [rss_mib()]
            people = session.exec(select(User).order_by(User.id)).all()
            for index, person in enumerate(people[:100]):
                reports.person_pdf(session, person, "ml-engineer")
                if index in (9, 49, 99):
                    memory.append(rss_mib())
            assert session.get(Cycle, cycle_id) is not None
        engine.dispose()

    ours_p50, alone_p50 = statistics.median(ours), statistics.median(alone)
    lines = [
        "## PDF reports (issue: PDF development reports)",
        "",
        f"`python -m bench.reports --people {args.people} --repeat {args.repeat}`, SQLite, {machine()}. "
        "Budget: person PDF <= 1.3x WeasyPrint alone on the same final HTML (the cycle ZIP: bench.jobs); "
        "worker memory flat over 100 PDFs.",
        "",
        "| measure | value |",
        "| --- | ---: |",
        f"| person PDF, whole path (profile from the database, HTML, PDF), median | {ours_p50 * 1000:.0f} ms |",
        f"| WeasyPrint alone on the same final HTML and stylesheet, median | {alone_p50 * 1000:.0f} ms |",
        f"| ratio | {ours_p50 / alone_p50:.2f}x |",
        f"| RSS before / after 10 / 50 / 100 person PDFs | {' / '.join(f'{m:.0f}' for m in memory)} MiB |",
    ]
    table = "\n".join(lines)
    print(table)
    write_section("reports", table)


if __name__ == "__main__":
    main()
