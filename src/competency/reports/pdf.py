"""HTML to PDF with WeasyPrint: shared fonts and stylesheets, a locked-down URL fetcher, a time limit.

WeasyPrint takes about a second to import, so it is imported inside the functions that need it.

Fetching: a report may only load `data:` URIs and files of the project's static folder,
addressed as `static:NAME` (for example `static:reports.css`). Everything else (`file:`,
`http(s):`, relative URLs without a base) is refused before any I/O, so text typed by a user
can never make the server read a local file or call out to the network.

Time limit: the rendering runs in the caller's thread; a watchdog thread raises an
asynchronous exception in it (`PyThreadState_SetAsyncExc`) once `timeout` seconds have passed,
and repeats every 50 ms until the render stops (WeasyPrint swallows exceptions while drawing
an SVG). This bounds the wall time of any render to `timeout` plus the longest single C call
(Pango, HarfBuzz: milliseconds) without signals, so it also works off the main thread, and
it costs one short-lived thread per render instead of a process. The URL fetcher checks the
deadline too.
"""

from __future__ import annotations

import atexit
import base64
import ctypes
import gc
import mimetypes
import threading
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, unquote_to_bytes

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
STATIC_SCHEME = "static:"
REPORT_STYLESHEETS = ("reports.css",)
#: PDF/UA-1: tagged structure, document title shown in the title bar, natural language set.
PDF_VARIANT = "pdf/ua-1"
#: The shared image cache is dropped when it grows beyond this many entries (worker memory stays flat).
CACHE_LIMIT = 64
_WATCHDOG_REPEAT = 0.05


class RenderTimeout(RuntimeError):
    """The PDF took longer than its time limit and was abandoned."""


class RefusedURL(ValueError):
    """A report asked for a resource it may not load."""


class _Deadline(BaseException):
    # A BaseException so that WeasyPrint's `except Exception` handlers let it through.
    pass


# -- fetching ---------------------------------------------------------------------------------


def static_path(url: str, root: Path = STATIC_DIR) -> Path:
    """The file a `static:` URL names, refusing anything that resolves outside `root`."""
    if not url.startswith(STATIC_SCHEME):
        raise RefusedURL(f"not a static URL: {url[:200]}")
    name = unquote(url[len(STATIC_SCHEME) :].split("?", 1)[0].split("#", 1)[0]).lstrip("/")
    base = root.resolve()
    path = (base / name).resolve()
    if not name or not path.is_relative_to(base) or not path.is_file():
        raise RefusedURL(f"no such static file: {url[:200]}")
    return path


def fetch_url(url: str, root: Path = STATIC_DIR) -> tuple[bytes, str]:
    """(body, mime type) of an allowed URL; RefusedURL for anything else, before any I/O."""
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "data":
        return _decode_data_uri(url)
    if scheme == "static":
        path = static_path(url, root)
        return path.read_bytes(), mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    raise RefusedURL(f"reports load only static: and data: URLs, not {url[:200]}")


def _decode_data_uri(url: str) -> tuple[bytes, str]:
    header, sep, payload = url[len("data:") :].partition(",")
    if not sep:
        raise RefusedURL("malformed data: URI")
    params = header.split(";")
    mime = params[0] or "text/plain"
    raw = unquote_to_bytes(payload)
    if params[-1].lower() == "base64":
        try:
            return base64.b64decode(raw, validate=False), mime
        except ValueError as exc:
            raise RefusedURL("malformed base64 in data: URI") from exc
    return raw, mime


@cache
def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ReportURLFetcher(URLFetcher):  # type: ignore[misc]
        """Serves static: and data: URLs only; refuses the rest (WeasyPrint logs and skips them)."""

        def __init__(self, deadline: float | None = None, root: Path = STATIC_DIR) -> None:
            super().__init__(allowed_protocols={"data", "static"}, allow_redirects=False)
            self.deadline = deadline
            self.root = root

        def fetch(self, url: str, headers: Any = None) -> Any:
            if self.deadline is not None and time.monotonic() > self.deadline:
                raise _Deadline
            body, mime = fetch_url(url, self.root)
            return URLFetcherResponse(url, body, {"Content-Type": mime})

    return ReportURLFetcher


def url_fetcher(deadline: float | None = None, root: Path = STATIC_DIR) -> Any:
    """A WeasyPrint URL fetcher object for reports (imports WeasyPrint)."""
    return _fetcher_class()(deadline, root)


# -- shared WeasyPrint state ------------------------------------------------------------------

_lock = threading.Lock()
_local = threading.local()
_stylesheets: dict[str, Any] = {}
_image_cache: dict[str, Any] = {}


def _font_config() -> Any:
    # Pango font maps are not documented as thread-safe: one per thread, reused across renders.
    config = getattr(_local, "font_config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _local.font_config = FontConfiguration()
    return config


def _stylesheet(name: str) -> Any:
    with _lock:
        css = _stylesheets.get(name)
        if css is None:
            from weasyprint import CSS

            text = static_path(STATIC_SCHEME + name).read_text(encoding="utf-8")
            css = _stylesheets[name] = CSS(
                string=text, base_url=STATIC_SCHEME + name, url_fetcher=url_fetcher(), font_config=None
            )
        return css


@atexit.register
def _release_shared_state() -> None:
    # Pango objects finalised during interpreter teardown, after WeasyPrint's libraries are
    # gone, crash the process on exit (seen as a SIGSEGV in g_object_unref): free them first.
    _local.font_config = None
    _stylesheets.clear()
    _image_cache.clear()
    gc.collect()


def _reset_shared_state() -> None:
    """After an interrupted render, drop the images it may have left half-cached.

    The font configuration is kept: it only changes inside Pango calls, which an
    asynchronous exception cannot split, and dropping it would run its finaliser in the
    middle of a later render.
    """
    _image_cache.clear()


# -- rendering --------------------------------------------------------------------------------


def render_pdf(
    html: str,
    *,
    base_url: str | None = None,
    timeout: float = 30,
    stylesheets: tuple[str, ...] = REPORT_STYLESHEETS,
    fetcher_factory: Callable[[float], Any] | None = None,
) -> bytes:
    """The PDF of `html` with the report stylesheets; RenderTimeout after `timeout` seconds.

    Title and author come from the document's <title> and <meta name="author">.
    `fetcher_factory(deadline)` replaces the report URL fetcher (tests use it to spy).
    """
    deadline = time.monotonic() + timeout
    watchdog = _Watchdog(timeout)
    timed_out = False
    try:
        try:
            pdf = _write_pdf(html, base_url, stylesheets, fetcher_factory, deadline)
        finally:
            # A deadline delivered while the watchdog is being stopped lands here and is absorbed;
            # once stop() has returned, nothing more can be delivered to this thread.
            while True:
                try:
                    watchdog.stop()
                    break
                except _Deadline:
                    timed_out = True
    except _Deadline:
        timed_out = True
    if timed_out:
        _reset_shared_state()
        raise RenderTimeout(f"the PDF took longer than {timeout:g} s to render and was abandoned")
    return pdf


def _write_pdf(
    html: str,
    base_url: str | None,
    stylesheets: tuple[str, ...],
    fetcher_factory: Callable[[float], Any] | None,
    deadline: float,
) -> bytes:
    from weasyprint import HTML

    css = [_stylesheet(name) for name in stylesheets]
    if len(_image_cache) > CACHE_LIMIT:
        _image_cache.clear()
    fetcher = fetcher_factory(deadline) if fetcher_factory else url_fetcher(deadline)
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(
        stylesheets=css,
        font_config=_font_config(),
        cache=_image_cache,
        pdf_variant=PDF_VARIANT,
        pdf_tags=True,
    )
    return pdf


def _async_raise(thread_id: int, exception: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exception) if exception else None
    )


class _Watchdog:
    """Raises _Deadline in the creating thread after `seconds`, again every 50 ms until stopped."""

    def __init__(self, seconds: float) -> None:
        self.target = threading.get_ident()
        self.done = threading.Event()
        self.lock = threading.Lock()
        self.fired = False
        self.seconds = seconds
        threading.Thread(target=self._run, name="pdf-deadline", daemon=True).start()

    def _run(self) -> None:
        wait = self.seconds
        while not self.done.wait(wait):
            with self.lock:
                if self.done.is_set():
                    return
                self.fired = True
                _async_raise(self.target, _Deadline)
            wait = _WATCHDOG_REPEAT

    def stop(self) -> None:
        with self.lock:
            self.done.set()
            if self.fired:
                _async_raise(self.target, None)  # drop a delivery still pending for this thread
