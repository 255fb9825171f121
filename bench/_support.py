"""Shared bench plumbing: a scratch database, a gunicorn server with a timing header, a logged-in client."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(database_url: str, workdir: Path, workers: int = 2, source: str | None = None) -> Iterator[str]:
    """Serve bench.timed_app on a free port; yields the base URL. `source`: another checkout's src folder."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-secret-key-" + "z" * 32,
        "COMPETENCY_INSTANCE_DIR": str(workdir / "instance"),
        "COMPETENCY_QUESTIONNAIRE_DIR": str(ROOT / "questionnaires"),
        "PYTHONPATH": os.pathsep.join([source, str(ROOT)] if source else [str(ROOT)]),
        # The bench talks plain http on loopback.
        "COMPETENCY_ENV": "development",
    }
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "bench.timed_app:create_timed_app()",
        ],
        env=env,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


class Client:
    """A cookie-keeping HTTP client that logs in through the real form."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[str, float]:
        with self.opener.open(self.base + path, timeout=30) as response:
            body = response.read().decode()
            return body, float(response.headers["X-Server-Time"])

    def login(self, email: str, password: str) -> None:
        page, _ = self.get("/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert token
        data = urllib.parse.urlencode(
            {"email": email, "password": password, "csrf_token": token.group(1)}
        ).encode()
        with self.opener.open(self.base + "/login", data=data, timeout=30) as response:
            response.read()


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def measure(client: Client, path: str, requests: int, warmup: int = 20) -> tuple[float, float]:
    for _ in range(warmup):
        client.get(path)
    return percentiles([client.get(path)[1] for _ in range(requests)])


PERFORMANCE = ROOT / "docs" / "performance.md"


def write_section(name: str, markdown: str) -> None:
    """Replace this bench's section of docs/performance.md (between its markers), or append it."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{markdown.strip()}\n{end}"
    text = PERFORMANCE.read_text() if PERFORMANCE.exists() else "# Performance\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        _, after = rest.split(end, 1)
        text = before + block + after
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    PERFORMANCE.write_text(text)


def machine() -> str:
    import platform

    return f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, {platform.machine()}"
