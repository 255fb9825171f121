"""Jobs: a cycle ZIP through `competency worker` on Redis with 1 and 2 worker processes (time, speed-up,
peak worker memory), a cached person PDF against a fresh render, and reminder mails to an SMTP server on
loopback. Writes its section of docs/performance.md.

    .venv/bin/python -m bench.jobs [--people 200] [--mails 1000] [--workers 1 2]
    .venv/bin/python -m bench.jobs --zip-only --people 1000 [--workers 2]   # its own section

Needs Redis on 127.0.0.1:6379 (or COMPETENCY_TEST_REDIS_URL).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench._support import machine, write_section
from bench.reports import seed

BIN = Path(sys.executable).parent
REDIS = os.environ.get("COMPETENCY_TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                children = [int(p) for p in (task / "children").read_text().split()]
            except OSError:
                continue
            for child in children:
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def zip_run(
    database_url: str, cycle_id: int, hr_id: int, workers: int, folder: Path
) -> tuple[float, float, int, float]:
    """(seconds from the request to the finished ZIP, peak RSS of one worker process in MiB, ZIP bytes,
    CPU seconds the worker processes spent after the request)."""
    from sqlmodel import Session, delete

    from competency import queue
    from competency.config import Settings
    from competency.db import create_db_engine
    from competency.models import Cycle, Job, StoredFile, User
    from competency.services import jobs

    name = f"competency-bench-{uuid.uuid4().hex[:8]}"
    instance = folder / f"instance-{workers}"
    settings = Settings(
        env="production", database_url=database_url, instance_dir=instance, queue_url=REDIS, queue_name=name
    )
    engine = create_db_engine(database_url)
    with Session(engine) as session:  # every run renders every PDF: an empty cache, as on a first ZIP
        session.exec(delete(StoredFile))  # type: ignore[call-overload]
        session.commit()
    queue.configure(settings, engine)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "COMPETENCY_QUEUE_URL": REDIS,
        "COMPETENCY_QUEUE_NAME": name,
        "COMPETENCY_INSTANCE_DIR": str(instance),
    }
    worker = subprocess.Popen(
        [str(BIN / "competency"), "worker", "--workers", str(workers), "--max-jobs", "100", "--no-periodic"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    peak = 0
    cpu_before: dict[int, float] = {}
    cpu_seen: dict[int, float] = {}
    try:
        time.sleep(2)  # the consumer and its processes start (not part of a request's wait)
        cpu_before = {pid: cpu_seconds(pid) for pid in descendants(worker.pid)}
        started = time.perf_counter()
        with Session(engine) as session:
            job = jobs.start_cycle_zip(session, session.get(User, hr_id), session.get(Cycle, cycle_id))
            job_id = job.id
        while True:
            for pid in descendants(worker.pid):
                peak = max(peak, rss_kib(pid))
                cpu_seen[pid] = max(cpu_seen.get(pid, 0.0), cpu_seconds(pid))
            with Session(engine) as session:
                job = session.get(Job, job_id)
                if job.state in ("done", "failed"):
                    seconds = time.perf_counter() - started
                    size = session.get(StoredFile, job.file_id).size if job.file_id else 0
                    assert job.state == "done", job.error
                    break
            time.sleep(0.25)
    finally:
        worker.terminate()
        worker.wait(timeout=120)
        queue.huey.storage.flush_all()
        engine.dispose()
    cpu = sum(seen - cpu_before.get(pid, 0.0) for pid, seen in cpu_seen.items())
    return seconds, peak / 1024, size, cpu


def cache_run(database_url: str, folder: Path, repeat: int) -> tuple[float, float]:
    """(median fresh render ms, median cached ms) of one person's PDF through the cache."""
    from sqlmodel import Session, delete, select

    from competency.config import Settings
    from competency.db import create_db_engine
    from competency.models import StoredFile, User
    from competency.services import report_cache, storage

    settings = Settings(env="production", database_url=database_url, instance_dir=folder / "cache")
    engine = create_db_engine(database_url)
    fresh, cached = [], []
    with Session(engine) as session:
        subject = session.exec(select(User).where(User.email == "p0@bench.test")).one()
        report_cache.person_pdf(session, settings, subject, "ml-engineer")  # warm imports and fonts
        for _ in range(repeat):
            session.exec(delete(StoredFile))  # type: ignore[call-overload]
            session.commit()
            started = time.perf_counter()
            stored = report_cache.person_pdf(session, settings, subject, "ml-engineer")
            storage.read_bytes(settings, stored)
            fresh.append(time.perf_counter() - started)
        for _ in range(repeat * 5):
            started = time.perf_counter()
            stored = report_cache.person_pdf(session, settings, subject, "ml-engineer")
            storage.read_bytes(settings, stored)
            cached.append(time.perf_counter() - started)
    engine.dispose()
    return statistics.median(fresh) * 1000, statistics.median(cached) * 1000


def mail_run(database_url: str, folder: Path, mails: int) -> tuple[float, float]:
    """(seconds to queue the reminders, seconds until the SMTP server has every one) with 2 consumer threads."""
    import socket

    from aiosmtpd.controller import Controller
    from sqlmodel import Session

    from competency import queue
    from competency.config import Settings
    from competency.db import create_db_engine, session_scope
    from competency.models import Cycle
    from competency.services import cycle_mail, users

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            received.append(len(envelope.content))
            return "250 OK"

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    smtp = Controller(Handler(), hostname="127.0.0.1", port=port)
    smtp.start()
    settings = Settings(
        env="production",
        database_url=database_url,
        instance_dir=folder / "mail",
        queue_url=REDIS,
        queue_name=f"competency-bench-{uuid.uuid4().hex[:8]}",
        smtp_url=f"smtp://127.0.0.1:{port}",
        base_url="https://competency.example.org",
    )
    engine = create_db_engine(database_url)
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        team, _ = users.create_team(session, "Reminded")
        for index in range(mails):
            person, _ = users.create_or_update_user(
                session, email=f"r{index}@bench.test", name=f"Reminded {index:04d}"
            )
            users.add_member(session, team, person, "member")
        cycle = Cycle(
            name="Reminder bench",
            questionnaire_key="ml-engineer",
            team_id=team.id,
            opens_at=now - timedelta(days=20),
            due_at=now + timedelta(days=2),
        )
        session.add(cycle)
    queue.configure(settings, engine)
    consumer = queue.thread_consumer(workers=2)
    try:
        started = time.perf_counter()
        with Session(engine) as session:
            queued = cycle_mail.remind(session, settings, now + timedelta(days=1, hours=12))
        assert queued == mails, queued
        queued_at = time.perf_counter() - started
        while len(received) < mails:
            time.sleep(0.05)
        delivered = time.perf_counter() - started
    finally:
        queue.stop_thread_consumer(consumer)
        queue.huey.storage.flush_all()
        smtp.stop()
        engine.dispose()
    return queued_at, delivered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--mails", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--zip-only", action="store_true", help="only the cycle ZIP (its own section of the notes)"
    )
    args = parser.parse_args()

    from competency.db import create_db_engine, session_scope
    from competency.services import users

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'bench.db'}"
        cycle_id = seed(url, args.people)
        engine = create_db_engine(url)
        with session_scope(engine) as session:
            hr, _ = users.create_or_update_user(session, email="hr@bench.test", name="HR", role="hr")
            hr_id = hr.id or 0
        engine.dispose()
        runs = {workers: zip_run(url, cycle_id, hr_id, workers, folder) for workers in args.workers}
        if not args.zip_only:
            fresh_ms, cached_ms = cache_run(url, folder, args.repeat)
            queued_s, delivered_s = mail_run(url, folder, args.mails)

    load_after = os.getloadavg()[0]
    command = (
        f"`python -m bench.jobs --zip-only --people {args.people} --workers {' '.join(map(str, args.workers))}`"
        if args.zip_only
        else f"`python -m bench.jobs --people {args.people} --mails {args.mails}`"
    )
    lines = [
        f"## Jobs: a cycle ZIP of {args.people:,} people"
        if args.zip_only
        else "## Jobs: cycle ZIP, PDF cache, reminder mail (issue: background work and email)",
        "",
        f"{command}, SQLite, Redis on loopback, "
        f"`competency worker` process workers (each replaced after 100 jobs), {machine()}. "
        "Budget: a cycle ZIP scales with the workers (>= 1.8x from 1 to 2); a cached PDF is served without rendering; "
        "worker memory flat.",
        f"Load average (1 min) before and after: {load_before:.1f}, {load_after:.1f} "
        "(other work shared the 2 cores when it is above 2).",
        "",
        f"| cycle ZIP of {args.people:,} people | time from request to finished ZIP | PDFs per second | worker CPU per PDF | peak RSS of one worker process |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for workers, (seconds, peak, _size, cpu) in runs.items():
        lines.append(
            f"| {workers} worker process{'es' if workers > 1 else ''} | {seconds:.1f} s | {args.people / seconds:.2f} "
            f"| {cpu / args.people:.2f} s | {peak:.0f} MiB |"
        )
    last = runs[args.workers[-1]]
    if 1 in runs and 2 in runs:
        lines += [
            "",
            f"Speed-up from 1 to 2 workers: **{runs[1][0] / runs[2][0]:.2f}x** (ZIP {last[2] / 1e6:.1f} MB).",
        ]
    else:
        lines += ["", f"ZIP {last[2] / 1e6:.1f} MB."]
    if args.zip_only:
        write_section(f"jobs-zip-{args.people}", "\n".join(lines))
        print("\n".join(lines))
        return
    lines += [
        "",
        "| measure | median |",
        "| --- | ---: |",
        f"| person PDF, fresh render into the cache | {fresh_ms:.0f} ms |",
        f"| person PDF, cached (key from the profile, file read) | {cached_ms:.1f} ms |",
        f"| {args.mails} reminder mails: rendered, claimed and queued | {queued_s:.1f} s |",
        f"| {args.mails} reminder mails: until the SMTP server on loopback had all (2 consumer threads) | {delivered_s:.1f} s ({args.mails / delivered_s:.0f} mails/s) |",
    ]
    write_section("jobs", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
