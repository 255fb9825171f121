"""Time a rating page with 40 items in play (issue: levels): the server's time for GET and for a save.

    python -m bench.rating_page [--runs 200]

A generated two-level framework whose first area asks 40 statements at the higher level (10 of them
level-tagged), rendered through the app in-process (Flask's test client: server time, no network).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import textwrap
import time
from pathlib import Path

from bench._support import machine, write_section


def framework(items: int = 40) -> str:
    lines = [
        f"      - {{id: i{n}, text: Statement number {n} about the work of this area., "
        f"help: What statement {n} means.{', level: senior' if n % 4 == 0 else ''}}}"
        for n in range(items)
    ]
    return (
        textwrap.dedent(
            """\
        id: bench-rating
        version: 1
        title: Bench framework
        scale:
          - {value: 0, label: None, description: I have not done this.}
          - {value: 1, label: Aware, description: I know what it is.}
          - {value: 2, label: Guided, description: I have done it with help.}
          - {value: 3, label: Independent, description: I do it on my own.}
          - {value: 4, label: Expert, description: I teach it.}
        levels:
          - {id: mid, label: Mid, description: Delivers on their own.}
          - {id: senior, label: Senior, description: Leads the work of others.}
        target: 2
        areas:
          - id: big
            title: A big area
            items:
        """
        )
        + "\n".join(lines)
        + "\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()

    from competency import migrate
    from competency.app import create_app
    from competency.config import Settings
    from competency.services import users

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "frameworks"
        folder.mkdir()
        (folder / "bench.yaml").write_text(framework(), encoding="utf-8")
        url = f"sqlite:///{tmp}/bench.db"
        migrate.upgrade(url)
        settings = Settings(
            env="test",
            database_url=url,
            secret_key="bench-rating-secret-0123456789-abcdefghijklmnop",
            questionnaire_dir=folder,
            instance_dir=Path(tmp) / "instance",
        )
        app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False}, settings=settings)
        from sqlmodel import Session

        with Session(app.extensions["competency.engine"]) as session:
            users.create_or_update_user(
                session, email="bench@example.org", name="Bench", password="bench-rating-password-1"
            )
            session.commit()
        client = app.test_client()
        client.post("/login", data={"email": "bench@example.org", "password": "bench-rating-password-1"})
        start = client.post("/assessments/new", data={"questionnaire": "bench-rating", "level": "senior"})
        page = start.headers["Location"]
        page = client.get(page).headers.get("Location", page)
        body = client.get(page).get_data(as_text=True)
        asked = body.count('type="radio" value="0"')
        gets, saves = [], []
        form = {f"item__i{n}": str(n % 5) for n in range(40)} | {"go": "next", "note": ""}
        for _ in range(args.runs):
            began = time.perf_counter()
            client.get(page)
            gets.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            client.post(page, data=form)
            saves.append((time.perf_counter() - began) * 1000)

    def p95(values: list[float]) -> float:
        return statistics.quantiles(values, n=20)[18]

    print(f"statements on the page: {asked}")
    print(
        f"GET  rating page: p50 {statistics.median(gets):.1f} ms, p95 {p95(gets):.1f} ms ({args.runs} runs)"
    )
    print(f"POST save (40 answers): p50 {statistics.median(saves):.1f} ms, p95 {p95(saves):.1f} ms")
    load = os.getloadavg()[0]
    write_section(
        "rating_page",
        "\n".join(
            [
                "## A rating page with 40 statements in play (issue: levels)",
                "",
                f"`python -m bench.rating_page --runs {args.runs}`: a generated two-level framework whose one area "
                f"asks {asked} statements at the higher level (10 of them level-tagged), through the app in-process "
                f"(Flask's test client: server time only), SQLite, {machine()}, load average {load:.1f}. "
                "Budget: form pages p95 <= 50 ms.",
                "",
                "| request | p50 | p95 |",
                "| --- | ---: | ---: |",
                f"| GET the rating page ({asked} statements, the scale once, descriptions on demand) "
                f"| {statistics.median(gets):.1f} ms | {p95(gets):.1f} ms |",
                f"| POST a save of {asked} answers (upsert under the assessment's lock) "
                f"| {statistics.median(saves):.1f} ms | {p95(saves):.1f} ms |",
            ]
        ),
    )


if __name__ == "__main__":
    main()
