"""Static files: compressed as the client accepts, prepared once, cached for a year under a content-hashed URL."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import brotli
import pytest
from flask import Flask

from competency.web import assets

STATIC = Path(assets.__file__).resolve().parent.parent / "static"
BUNDLE = STATIC / "vendor" / "plotly.min.js"


@pytest.fixture
def client(make_app, questionnaire_dir):  # type: ignore[no-untyped-def]
    app: Flask = make_app(questionnaire_dir)
    return app.test_client()


def hashed_url(client, filename: str) -> str:  # type: ignore[no-untyped-def]
    with client.application.test_request_context():
        from flask import url_for

        return url_for("static", filename=filename)


def test_urls_carry_the_content_hash_and_are_cached_for_a_year(client) -> None:  # type: ignore[no-untyped-def]
    url = hashed_url(client, "css/app.css")
    assert re.fullmatch(r"/static/css/app\.css\?v=[0-9a-f]{16}", url)
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/css"
    assert response.headers["Cache-Control"] == assets.IMMUTABLE
    assert "Accept-Encoding" in response.headers["Vary"]
    # An old or bare URL is checked again, so a changed file is never served stale.
    assert client.get("/static/css/app.css?v=0000").headers["Cache-Control"] == assets.REVALIDATE


def test_brotli_then_gzip_then_plain_as_the_client_accepts(client) -> None:  # type: ignore[no-untyped-def]
    url = hashed_url(client, "vendor/plotly.min.js")
    plain = BUNDLE.read_bytes()
    br = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert br.headers["Content-Encoding"] == "br" and brotli.decompress(br.data) == plain
    gz = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip" and gzip.decompress(gz.data) == plain
    identity = client.get(url)
    assert "Content-Encoding" not in identity.headers and identity.data == plain
    # The charts' JavaScript is a partial bundle: far smaller than plotly's full 4.8 MB, and a third of that sent.
    assert len(plain) < 1_500_000 and len(br.data) < 400_000


def test_small_text_files_are_compressed_once_at_start_up(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(hashed_url(client, "css/app.css"), headers={"Accept-Encoding": "br"})
    assert response.headers["Content-Encoding"] == "br"
    assert brotli.decompress(response.data) == (STATIC / "css" / "app.css").read_bytes()
    # Prepared once per file version: the same bytes object serves every request.
    asset = client.application.extensions["competency.assets"]["css/app.css"]
    assert assets._prepare(STATIC, STATIC / "css" / "app.css") is asset


def test_a_repeat_visit_gets_not_modified(client) -> None:  # type: ignore[no-untyped-def]
    url = hashed_url(client, "js/charts.js")
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data


def test_unknown_files_are_404(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/static/nope.js").status_code == 404
    assert client.get("/static/../app.py").status_code == 404


def test_the_vendored_bundle_ships_its_licence_and_matching_compressed_copies() -> None:
    assert "Permission is hereby granted" in (STATIC / "vendor" / "plotly.LICENSE.txt").read_text()
    plain = BUNDLE.read_bytes()
    assert brotli.decompress((STATIC / "vendor" / "plotly.min.js.br").read_bytes()) == plain
    assert gzip.decompress((STATIC / "vendor" / "plotly.min.js.gz").read_bytes()) == plain


def test_the_old_plotly_address_points_at_the_bundle(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/vendor/plotly.min.js")
    assert response.status_code == 301 and "/static/vendor/plotly.min.js?v=" in response.headers["Location"]
