"""`competency questionnaires validate` on a generated 250-item two-track framework.

.venv/bin/python -m bench.validate [--items 250] [--runs 10]

Three numbers: the whole command without a database (process start included), the whole command
comparing with a stored snapshot in a migrated SQLite database, and the loader alone in-process
(parse, validate, every rule), which is what the running service pays when a file changes.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench._support import machine, write_section

LEVELS = [
    ("engineer-1", None),
    ("engineer-2", None),
    ("senior", "ic"),
    ("staff", "ic"),
    ("principal", "ic"),
    ("manager", "manager"),
    ("senior-manager", "manager"),
    ("director", "manager"),
]


def framework(items: int, per_area: int = 10) -> str:
    """A ladder in the shape of the real ones: tracks, described levels, groups, expectations, bands."""
    lines = [
        "id: bench-ladder",
        "version: 1",
        "title: Bench ladder",
        "summary: A generated framework of the size of the largest real ladders, and then some.",
        "source: {title: Generated, url: https://example.org/ladder, licence: CC0-1.0}",
        "scale:",
        *(f"  - {{value: {v}, label: Point {v}, description: What point {v} means.}}" for v in range(5)),
        "tracks: [{id: ic, label: Individual contributor}, {id: manager, label: People manager}]",
        "levels:",
    ]
    for level, track in LEVELS:
        on = f", track: {track}" if track else ""
        lines.append(
            f"  - {{id: {level}, label: {level.title()}, description: Scope and autonomy of {level}.{on}}}"
        )
    lines += [
        "target: 2",
        "groups: [{id: craft, label: Craft}, {id: impact, label: Impact}, {id: people, label: People}]",
        "phases: [{id: now, label: Now}, {id: next, label: Next}, {id: later, label: Later}]",
        "areas:",
    ]
    areas = (items + per_area - 1) // per_area
    made = 0
    for a in range(areas):
        lines += [
            f"  - id: area-{a}",
            f"    title: Area {a}",
            f"    description: What area {a} covers and why it matters for the role.",
            f"    group: {['craft', 'impact', 'people'][a % 3]}",
            "    targets: {"
            + ", ".join(f"{lv}: {1 + (n % 3) * 0.5}" for n, (lv, _) in enumerate(LEVELS))
            + "}",
            "    expectations:",
            *(f"      {lv}: What {lv} looks like in area {a}." for lv, _ in LEVELS),
            "    items:",
        ]
        for i in range(min(per_area, items - made)):
            level = LEVELS[i % len(LEVELS)][0] if i % 3 else None
            tag = f", level: {level}" if level else ""
            lines.append(
                f"      - {{id: item-{a}-{i}, text: I show behaviour {i} of area {a} in my daily work.{tag},"
                f" help: A longer hint that explains the jargon of behaviour {i}.}}"
            )
            made += 1
        lines.append("    roadmap:")
        for s, (phase, band) in enumerate([("now", "[0, 2]"), ("next", "[2, 3]"), ("later", "[3, 4]")]):
            lines.append(
                f"      - {{id: step-{a}-{s}, phase: {phase}, band: {band}, title: Step {s} of area {a},"
                f" resources: [{{title: A course, url: 'https://example.org/{a}/{s}', kind: course}}]}}"
            )
    return "\n".join(lines) + "\n"


def timed(command: list[str], env: dict[str, str], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system) seconds of each run: on a shared machine the CPU time is the
    steadier of the two."""
    subprocess.run(command, check=True, capture_output=True, env=env)  # warm the file cache
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return walls, cpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=250)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    from competency import migrate
    from competency.db import create_db_engine, session_scope
    from competency.questionnaire import load_file
    from competency.services import snapshots

    competency = str(Path(sys.executable).parent / "competency")
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "bench-ladder.yaml"
        path.write_text(framework(args.items), encoding="utf-8")
        q = load_file(path)
        size_kib = path.stat().st_size / 1024
        count = sum(len(area.items) for area in q.areas)

        loads, load_cpus = [], []
        for _ in range(args.runs):
            started, cpu = time.perf_counter(), time.process_time()
            load_file(path)
            loads.append(time.perf_counter() - started)
            load_cpus.append(time.process_time() - cpu)

        database = f"sqlite:///{Path(scratch) / 'bench.db'}"
        migrate.upgrade(database)
        engine = create_db_engine(database)
        with session_scope(engine) as session:
            snapshots.ensure_snapshot(session, q)
        engine.dispose()
        env = {**os.environ, "DATABASE_URL": database}
        without = timed(
            [competency, "questionnaires", "validate", "--no-database", str(path)], env, args.runs
        )
        compared = timed([competency, "questionnaires", "validate", str(path)], env, args.runs)

    def row(name: str, walls: list[float], cpus: list[float]) -> str:
        ms = [f"{statistics.median(t) * 1000:.0f} ms | {max(t) * 1000:.0f} ms" for t in (walls, cpus)]
        return f"| {name} | {ms[0]} | {ms[1]} |"

    table = "\n".join(
        [
            "## Validating a framework (issue: levels)",
            "",
            f"`python -m bench.validate --items {args.items} --runs {args.runs}`: a generated two-track ladder of "
            f"{count} items in {len(q.areas)} areas, {len(q.levels)} levels, expectations, bands and resources "
            f"({size_kib:.0f} KiB), {machine()}. CPU is user + system time of the process.",
            "",
            "| measure | wall median | wall slowest | CPU median | CPU slowest |",
            "| --- | ---: | ---: | ---: | ---: |",
            row("`competency questionnaires validate --no-database FILE` (whole process)", *without),
            row(
                "`competency questionnaires validate FILE`, compared with its stored snapshot (SQLite)",
                *compared,
            ),
            row("loader alone, in-process (`load_file`: parse, validate, every rule)", loads, load_cpus),
        ]
    )
    print(table)
    write_section("validate", table)


if __name__ == "__main__":
    main()
