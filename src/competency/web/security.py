"""Request-wide defences: the client address behind trusted proxies, input the app never accepts
(control characters, numbers beyond 64 bits), CSRF, and response headers (no inline script, no
framing, no caching of personal data, HSTS in production)."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Response, abort, current_app, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import NotFound
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

csrf = CSRFProtect()

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # plotly.js sets inline styles on the SVG it draws.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HSTS = "max-age=31536000; includeSubDomains"
#: The largest whole number any column holds (PostgreSQL bigint, SQLite integer): query-string bound.
MAX_ID = 2**63 - 1
#: The largest id the tables' primary keys hold (PostgreSQL integer); a larger one names no row.
MAX_ROW_ID = 2**31 - 1
#: Responses that may be cached: static files and the vendored plotly.js. Everything else is personal.
CACHEABLE = {"static", "main.plotly_js"}

#: C0 controls and DEL; a form may hold tabs and line breaks (notes), a query string may not.
_ARG_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_FORM_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INTEGER = re.compile(r"[+-]?\d+")


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` that answers 404, not 500, for an id no row can have: the id columns are 32-bit on
    PostgreSQL, which raises "integer out of range" for 2**31 and more instead of finding nothing."""

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ROW_ID:
            raise NotFound()
        return number


def _refuse_bad_input() -> None:
    """400 for what no field of this app accepts: control characters anywhere (a NUL byte cannot even be
    stored by PostgreSQL), and whole numbers beyond 64 bits in the query string (page=, ids)."""
    if _ARG_CONTROL.search(request.path):
        abort(400)
    for key, value in request.args.items(multi=True):
        if _ARG_CONTROL.search(key) or _ARG_CONTROL.search(value):
            abort(400)
        if _INTEGER.fullmatch(value) and abs(int(value)) > MAX_ID:
            abort(400)
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        for key, value in request.form.items(multi=True):
            if _ARG_CONTROL.search(key) or _FORM_CONTROL.search(value):
                abort(400)


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.endpoint not in CACHEABLE:
        # Pages, JSON, PDFs, CSVs and ZIPs hold personal data: never kept by a browser or proxy cache.
        response.headers["Cache-Control"] = "no-store"
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        # Production (cookies are Secure there, so the site is served over TLS).
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app: Flask) -> None:
    settings: Any = app.config["COMPETENCY_SETTINGS"]
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    # Before any blueprint registers a rule, so every <int:...> uses it.
    app.url_map.converters["int"] = BoundedIntConverter
    csrf.init_app(app)
    app.before_request(_refuse_bad_input)
    app.after_request(_headers)
