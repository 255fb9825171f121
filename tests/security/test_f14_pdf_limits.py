"""F14: one member cannot starve the site with parallel PDF requests: one render per person at a time
(429) and a small cap per process (503), each with Retry-After; others' pages are unaffected."""

from __future__ import annotations

import threading

from tests.security.support import ML, submit

from competency.reports import render as report_render


def test_parallel_pdf_requests_are_limited(
    make_app, questionnaire_dir, make_user, login_as, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    app = make_app(questionnaire_dir, PDF_RENDERS_PER_PROCESS=2)
    ann, ben, cat = (make_user(f"{n}@example.org", n.title()) for n in ("ann", "ben", "cat"))
    for person in (ann, ben, cat):
        submit(app, person, 2)
    rendering = threading.Event()
    release = threading.Event()
    started = []

    def slow_pdf(*args, **kwargs) -> bytes:  # type: ignore[no-untyped-def]
        # Stands in for a long WeasyPrint render: holds its slot until the test lets it go.
        started.append(1)
        if len(started) >= 2:
            rendering.set()
        release.wait(30)
        return b"%PDF-1.7 test"

    monkeypatch.setattr(report_render, "person_pdf", slow_pdf)
    clients = {p.email: login_as(p) for p in (ann, ben, cat)}
    results: dict[str, int] = {}

    def fetch(person) -> None:  # type: ignore[no-untyped-def]
        response = clients[person.email].get(f"/reports/people/{person.id}.pdf?questionnaire={ML}")
        results[person.email] = response.status_code

    threads = [threading.Thread(target=fetch, args=(p,)) for p in (ann, ben)]
    for thread in threads:
        thread.start()
    assert rendering.wait(30)
    try:
        again = clients[ann.email].get(f"/reports/people/{ann.id}.pdf?questionnaire={ML}")
        assert again.status_code == 429 and int(again.headers["Retry-After"]) > 0
        assert "still being prepared" in again.get_data(as_text=True)
        busy = clients[cat.email].get(f"/reports/people/{cat.id}.pdf?questionnaire={ML}")
        assert busy.status_code == 503 and busy.headers["Retry-After"]
        # Pages keep answering while the renders run.
        assert clients[cat.email].get("/").status_code == 200
    finally:
        release.set()
        for thread in threads:
            thread.join(30)
    assert results == {ann.email: 200, ben.email: 200}
    assert clients[cat.email].get(f"/reports/people/{cat.id}.pdf?questionnaire={ML}").status_code == 200


def test_one_render_per_person_holds_across_processes_on_postgresql(
    make_app, questionnaire_dir, make_user, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Two app instances stand for two gunicorn workers: on PostgreSQL an advisory lock keeps a person to
    one render across them; SQLite (one machine, development) limits within a process only."""
    from tests.web.conftest import login

    first, second = make_app(questionnaire_dir), make_app(questionnaire_dir)
    dan = make_user("dan@example.org", "Dan")
    submit(first, dan, 2)
    rendering, release = threading.Event(), threading.Event()

    def slow_pdf(*args, **kwargs) -> bytes:  # type: ignore[no-untyped-def]
        if not rendering.is_set():  # the first render holds on; a second one (SQLite) finishes at once
            rendering.set()
            release.wait(30)
        return b"%PDF-1.7 test"

    monkeypatch.setattr(report_render, "person_pdf", slow_pdf)
    a, b = first.test_client(), second.test_client()
    login(a, dan.email)
    login(b, dan.email)
    url = f"/reports/people/{dan.id}.pdf?questionnaire={ML}"
    thread = threading.Thread(target=lambda: a.get(url))
    thread.start()
    assert rendering.wait(30)
    try:
        status = b.get(url).status_code
    finally:
        release.set()
        thread.join(30)
    postgres = first.extensions["competency.engine"].dialect.name == "postgresql"
    assert status == (429 if postgres else 200)
