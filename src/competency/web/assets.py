"""Static files served compressed and cached for good: gzip and brotli prepared once, URLs carry a content hash.

At start-up every file under `static/` is read once: its content hash goes into the URLs `url_for('static')`
builds (`?v=HASH`), so a browser may keep it for a year and still sees a change at once. Compressed bodies are
prepared here, never per request: a `NAME.br` / `NAME.gz` lying beside a file (the vendored plotly bundle,
compressed at build time) is used as it is; small text files are compressed in memory at start-up.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, abort, request
from werkzeug.datastructures import Accept
from werkzeug.wrappers import Response

#: A year: the URL changes with the content, so the browser never needs to ask again.
IMMUTABLE = "public, max-age=31536000, immutable"
#: A URL without the current hash (an old page, a bookmark) is checked again each time.
REVALIDATE = "public, no-cache"
COMPRESSIBLE = {".js", ".css", ".svg", ".json", ".txt", ".html", ".map", ".ico"}
#: Smaller files gain nothing from compression (headers cost more).
MIN_COMPRESS = 512
#: Over this, a file is compressed only if its .br/.gz sibling was prepared at build time.
MAX_COMPRESS_AT_START = 256 * 1024

try:  # brotli is a dependency; without it (an odd install) gzip still serves.
    import brotli as _brotli
except ImportError:  # pragma: no cover - brotli is installed with the package
    _brotli = None


@dataclass(frozen=True)
class Asset:
    """One static file: its bytes in each encoding the server can send, and the content hash."""

    path: str
    mimetype: str
    digest: str
    bodies: dict[str, bytes] = field(default_factory=dict)

    def pick(self, accepted: Accept) -> str:
        """The best encoding the client accepts: brotli, then gzip, else the plain bytes."""
        for encoding in ("br", "gzip"):
            if encoding in self.bodies and accepted[encoding] > 0:
                return encoding
        return "identity"


#: (absolute path, mtime, size) -> Asset: the app factory runs often in tests; a file is prepared once.
_prepared: dict[tuple[str, int, int], Asset] = {}
_lock = threading.Lock()


def _prepare(root: Path, file: Path) -> Asset:
    stat = file.stat()
    key = (str(file), stat.st_mtime_ns, stat.st_size)
    with _lock:
        cached = _prepared.get(key)
    if cached is not None:
        return cached
    data = file.read_bytes()
    relative = file.relative_to(root).as_posix()
    mimetype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    if mimetype.startswith("text/") or mimetype == "application/javascript":
        mimetype += "; charset=utf-8"
    bodies = {"identity": data}
    if file.suffix in COMPRESSIBLE and len(data) >= MIN_COMPRESS:
        for encoding, suffix in (("br", ".br"), ("gzip", ".gz")):
            sibling = file.with_name(file.name + suffix)
            if sibling.exists():
                bodies[encoding] = sibling.read_bytes()
            elif len(data) <= MAX_COMPRESS_AT_START:
                packed = _compress(encoding, data)
                if packed is not None and len(packed) < len(data):
                    bodies[encoding] = packed
    asset = Asset(relative, mimetype, hashlib.sha256(data).hexdigest()[:16], bodies)
    with _lock:
        _prepared[key] = asset
    return asset


def _compress(encoding: str, data: bytes) -> bytes | None:
    if encoding == "gzip":
        return gzip.compress(data, compresslevel=9, mtime=0)
    if _brotli is not None:
        return bytes(_brotli.compress(data, quality=11))
    return None


def collect(root: Path) -> dict[str, Asset]:
    """Every servable file under `root` (the .br/.gz siblings are encodings of another file, not files)."""
    assets = {}
    for folder, _, names in os.walk(root):
        for name in names:
            file = Path(folder) / name
            if file.suffix in (".br", ".gz") and file.with_suffix("").exists():
                continue
            asset = _prepare(root, file)
            assets[asset.path] = asset
    return assets


def init_app(app: Flask) -> None:
    """Serve `static/` from prepared bodies and put each file's hash into the URLs that name it."""
    root = Path(app.static_folder or "static")
    assets = collect(root) if root.is_dir() else {}
    app.extensions["competency.assets"] = assets

    @app.url_defaults
    def _hash_static_urls(endpoint: str, values: dict[str, str]) -> None:
        if endpoint == "static" and "v" not in values:
            asset = assets.get(values.get("filename", ""))
            if asset is not None:
                values["v"] = asset.digest

    def serve(filename: str) -> Response:
        asset = assets.get(filename)
        if asset is None:
            abort(404)
        encoding = asset.pick(request.accept_encodings)
        etag = f"{asset.digest}-{encoding}"
        current = request.args.get("v") == asset.digest
        if request.if_none_match.contains(etag):
            response = Response(status=304)
        else:
            response = Response(asset.bodies[encoding], mimetype=asset.mimetype)
            if encoding != "identity":
                response.headers["Content-Encoding"] = encoding
        response.set_etag(etag)
        response.headers["Vary"] = "Accept-Encoding"
        response.headers["Cache-Control"] = IMMUTABLE if current else REVALIDATE
        return response

    app.view_functions["static"] = serve
