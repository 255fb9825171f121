"""Frameworks at start-up: loaded before the first request; a worker started while a file is broken
serves the last stored version; every file error is shown to admins (issue 10, F9-F11)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from sqlmodel import Session
from tests.web.conftest import login

from competency.models import User
from competency.questionnaire import load_file
from competency.services.snapshots import ensure_snapshot

ODD = Path(__file__).resolve().parents[1] / "fixtures" / "odd-shape.yaml"


def test_frameworks_are_loaded_when_the_app_is_created(
    make_app: Callable[..., Flask], odd_shape_dir: Path
) -> None:
    app = make_app(odd_shape_dir)
    catalog = app.extensions["competency.catalog"]
    # Loaded in the factory: nothing waits for a first request to read the folder.
    assert [q.id for q in catalog._good.values()] == ["oekonomie-handwerk"]


def test_worker_started_while_the_file_is_broken_serves_the_stored_version(
    make_app: Callable[..., Flask],
    tmp_path: Path,
    make_user: Callable[..., User],
) -> None:
    folder = tmp_path / "frameworks"
    folder.mkdir()
    shutil.copy(ODD, folder / "odd-shape.yaml")
    first = make_app(folder)
    with Session(first.extensions["competency.engine"]) as session:
        ensure_snapshot(session, load_file(ODD))
        session.commit()
    # The file breaks; then a new worker process starts.
    (folder / "odd-shape.yaml").write_text(ODD.read_text(encoding="utf-8") + "areas: [\n", encoding="utf-8")
    worker = make_app(folder)
    served = worker.extensions["competency.catalog"].get("oekonomie-handwerk")
    assert served is not None and served.content_hash() == load_file(ODD).content_hash()

    make_user("admin@example.org", role="admin")
    client = worker.test_client()
    login(client, "admin@example.org")
    page = client.get("/admin/questionnaires").get_data(as_text=True)
    assert "1 problem" in page
    assert "keeps serving" in page


def test_deeply_nested_file_is_shown_to_admins_and_serves_no_500(
    make_app: Callable[..., Flask],
    tmp_path: Path,
    make_user: Callable[..., User],
) -> None:
    folder = tmp_path / "frameworks"
    folder.mkdir()
    shutil.copy(ODD, folder / "odd-shape.yaml")
    (folder / "deep.yaml").write_text(
        "id: deep\nsummary: " + "[" * 3000 + "]" * 3000 + "\n", encoding="utf-8"
    )
    app = make_app(folder)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    make_user("admin@example.org", role="admin")
    login(client, "admin@example.org")
    page = client.get("/admin/questionnaires").get_data(as_text=True)
    assert "deep.yaml" in page
    assert "nested" in page
