"""The app as benchmarked: the real create_app() plus a hello-world template route, and a server-time header."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, render_template_string

from competency.app import create_app

HELLO = "<!doctype html><html><head><title>{{ title }}</title></head><body><p>Hello, {{ name }}!</p></body></html>"


class _ServerTime:
    """WSGI middleware: X-Server-Time is the seconds spent inside the app for this request."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        started = time.perf_counter()

        def timed_start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers.append(("X-Server-Time", f"{time.perf_counter() - started:.6f}"))
            return start_response(status, headers, exc_info)

        return self.app(environ, timed_start)


def create_timed_app() -> Flask:
    app = create_app()

    @app.route("/bench/hello")
    def hello() -> str:
        return render_template_string(HELLO, title="hello", name="world")

    app.wsgi_app = _ServerTime(app.wsgi_app)  # type: ignore[method-assign]
    return app
