"""Person and team PDFs: what they print, what they refuse to fetch, their metadata."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime
from pathlib import Path

import pypdf
import pytest

from competency.questionnaire import load_text
from competency.reports import pdf
from competency.reports.context import person_context
from competency.reports.render import person_pdf, render_person_html, render_team_html, team_pdf
from competency.reports.team_context import team_context
from competency.scoring import compare, score, team_area_stats

FRAMEWORK = """
id: data-eng
version: 3
title: "Data Engineer"
scale:
  - {value: 0, label: "None"}
  - {value: 1, label: "Aware"}
  - {value: 2, label: "Guided"}
  - {value: 3, label: "Independent"}
  - {value: 4, label: "Expert"}
levels: [junior, mid]
phases:
  - {id: foundation, label: "Foundation (0-3 months)"}
  - {id: practice, label: "Practice (3-6 months)"}
areas:
  - id: modelling
    title: "Data modelling"
    targets: {junior: 2, mid: 3}
    items:
      - {id: m1, text: "I design schemas."}
      - {id: m2, text: "I normalise tables."}
    roadmap:
      - id: modelling-book
        phase: practice
        title: "Read a book on dimensional modelling"
        resources:
          - {title: "The Data Warehouse Toolkit", url: "https://example.org/toolkit", kind: book}
      - id: modelling-course
        phase: foundation
        title: "Take a course on relational modelling"
  - id: sql
    title: "SQL & <queries>"
    targets: {junior: 1.5, mid: 2.5}
    items:
      - {id: s1, text: "I write joins."}
      - {id: s2, text: "I use window functions."}
    roadmap:
      - id: sql-practice
        phase: foundation
        min_gap: 1
        title: "Solve SQL exercises every week"
        detail: "Done when window functions feel routine."
  - id: pipelines
    title: "Pipelines"
    targets: {junior: 2, mid: 3}
    items:
      - {id: p1, text: "I schedule jobs."}
      - {id: p2, text: "I monitor jobs."}
    roadmap:
      - id: pipelines-project
        phase: practice
        title: "Build a scheduled pipeline"
"""

ANSWERS = {"m1": 3, "m2": 2, "s1": 1, "s2": 1, "p1": 4, "p2": 4}  # 2.50, 1.00, 4.00
MANAGER = {"m1": 3, "m2": 3, "s1": 2, "s2": 3, "p1": 4, "p2": 3}  # 3.00, 2.50, 3.50
HOSTILE = '<img src="file:///etc/passwd"> and <img src="http://example.com/x.png">'
NOW = datetime(2025, 3, 12, 9, 30, tzinfo=UTC)


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture(scope="module")
def questionnaire():
    return load_text(FRAMEWORK)


@pytest.fixture(scope="module")
def person_ctx(questionnaire):
    profile = score(questionnaire, ANSWERS, "mid")
    manager = score(questionnaire, MANAGER, "mid")
    return person_context(
        questionnaire,
        profile,
        person_name="Zoë O'Brien",
        person_email="zoe@example.com",
        submitted_at=NOW,
        manager_profile=manager,
        history=[(datetime(2024, 9, 1, tzinfo=UTC), 50.0), (NOW, profile.readiness)],
        notes={"sql": HOSTILE},
        generated_at=NOW,
    )


@pytest.fixture(scope="module")
def person_pdf_bytes(person_ctx):
    return person_pdf(person_ctx)


def test_person_pdf_prints_person_framework_and_rounded_numbers(person_pdf_bytes) -> None:
    text = pdf_text(person_pdf_bytes)
    for expected in ("Zoë O'Brien", "Data Engineer", "version 3", "Mid", "12 March 2025"):
        assert expected in text
    assert "74.4" in text  # readiness 100 * (2.5/3 + 1/2.5 + 1) / 3 = 74.44...
    for number in ("2.50", "1.00", "4.00", "3.00", "0.50", "1.50", "-1.00"):
        assert number in text
    assert "SQL & <queries>" in text


def test_plan_steps_print_in_phase_and_priority_order(person_pdf_bytes) -> None:
    text = pdf_text(person_pdf_bytes)
    # Phase order first (foundation, practice); within foundation, sql (gap 1.5) outranks modelling (0.5).
    order = [
        "Solve SQL exercises every week",
        "Take a course on relational modelling",
        "Read a book on dimensional modelling",
    ]
    positions = [text.index(title) for title in order]
    assert positions == sorted(positions)
    assert "Build a scheduled pipeline" not in text  # pipelines meets its target
    assert "The Data Warehouse Toolkit" in text


def test_plan_resources_are_clickable_links(person_pdf_bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(person_pdf_bytes))
    uris = [
        annot.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annot in page.get("/Annots") or []
        if "/A" in annot.get_object()
    ]
    assert "https://example.org/toolkit" in uris


def test_manager_comparison_flags_blind_spots(person_pdf_bytes) -> None:
    text = pdf_text(person_pdf_bytes)
    assert "+1.50" in text  # sql: manager 2.50 - self 1.00
    assert "blind spot" in text


def test_pdf_metadata_has_title_and_author(person_pdf_bytes) -> None:
    meta = pypdf.PdfReader(io.BytesIO(person_pdf_bytes)).metadata
    assert meta.title == "Development report: Zoë O'Brien – Data Engineer"
    assert meta.author == "competency"


def test_page_count_is_sensible(person_pdf_bytes) -> None:
    assert 2 <= len(pypdf.PdfReader(io.BytesIO(person_pdf_bytes)).pages) <= 5


def test_html_in_a_note_prints_as_text_and_is_never_fetched(person_ctx) -> None:
    asked: list[str] = []
    fetcher_class = type(pdf.url_fetcher())

    class Spy(fetcher_class):
        def fetch(self, url, headers=None):
            asked.append(url)
            return super().fetch(url, headers)

    html = render_person_html(person_ctx)
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    text = pdf_text(pdf.render_pdf(html, fetcher_factory=lambda deadline: Spy(deadline)))
    assert HOSTILE in text
    assert not [url for url in asked if url.startswith(("file:", "http"))]


def test_an_image_element_pointing_outside_is_refused(tmp_path: Path) -> None:
    asked: list[tuple[str, str]] = []
    fetcher_class = type(pdf.url_fetcher())

    class Spy(fetcher_class):
        def fetch(self, url, headers=None):
            try:
                response = super().fetch(url, headers)
            except pdf.RefusedURL:
                asked.append((url, "refused"))
                raise
            asked.append((url, "served"))
            return response

    pixel = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
        "YPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    )
    html = (
        '<html lang="en"><head><title>t</title></head><body><p>x</p>'
        '<img src="file:///etc/passwd"><img src="http://example.com/x.png">'
        f'<img src="{pixel}"></body></html>'
    )
    pdf.render_pdf(html, fetcher_factory=lambda deadline: Spy(deadline))
    assert ("file:///etc/passwd", "refused") in asked
    assert ("http://example.com/x.png", "refused") in asked
    assert (pixel, "served") in asked


def test_fetcher_serves_only_static_files_and_data_uris(tmp_path: Path) -> None:
    static = tmp_path / "static"
    static.mkdir()
    (static / "logo.svg").write_text("<svg/>")
    (tmp_path / "secret.txt").write_text("secret")
    assert pdf.fetch_url("static:logo.svg", static) == (b"<svg/>", "image/svg+xml")
    assert pdf.fetch_url("data:text/plain;base64,aGk=", static) == (b"hi", "text/plain")
    assert pdf.fetch_url("data:,a%20b", static) == (b"a b", "text/plain")
    for url in (
        "file:///etc/passwd",
        f"file://{static}/logo.svg",
        "http://example.com/x.png",
        "https://example.com/x.png",
        "ftp://example.com/x",
        "static:../secret.txt",
        "static:%2e%2e/secret.txt",
        f"static:{tmp_path}/secret.txt",
        "static:",
        "static:missing.css",
        "logo.svg",
        "/static/logo.svg",
    ):
        with pytest.raises(pdf.RefusedURL):
            pdf.fetch_url(url, static)


def test_weasyprint_fetcher_refuses_and_serves_like_fetch_url() -> None:
    fetcher = pdf.url_fetcher()
    with pytest.raises(pdf.RefusedURL):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(pdf.RefusedURL):
        fetcher.fetch("http://example.com/x.png")
    assert fetcher.fetch("static:reports.css").read().startswith(b"/*")


def test_a_render_over_its_time_limit_is_abandoned_and_the_next_one_works(person_ctx) -> None:
    with pytest.raises(pdf.RenderTimeout):
        person_pdf(person_ctx, timeout=0.01)
    time.sleep(0.2)  # a late delivery of the deadline would surface here
    assert person_pdf(person_ctx).startswith(b"%PDF")


@pytest.fixture(scope="module")
def team_pdf_bytes(questionnaire):
    q = questionnaire
    members = [
        ("Zoë O'Brien", "mid", score(q, ANSWERS, "mid").areas),
        ("Li Wei", "junior", score(q, MANAGER, "junior").areas),
        ("Nobody Yet", None, None),
    ]
    stats = {
        a.id: team_area_stats(
            a.id,
            [(r[a.id].score, r[a.id].target) for _, _, r in members if r and r[a.id].score is not None],
            3,
        )
        for a in q.areas
    }
    ctx = team_context(q, team_name="Data <Team>", members=members, stats=stats, generated_at=NOW)
    assert "Data &lt;Team&gt;" in render_team_html(ctx)
    return team_pdf(ctx)


def test_team_pdf_prints_heatmap_coverage_and_members(team_pdf_bytes) -> None:
    text = pdf_text(team_pdf_bytes)
    for expected in ("Data <Team>", "Zoë O'Brien", "Li Wei", "Nobody Yet", "not submitted"):
        assert expected in text
    for number in ("2.50", "1.00", "4.00", "3.50", "2.75"):  # cells and the modelling mean
        assert number in text
    assert "single point of expertise" in text  # modelling: only Li Wei (3.00) reaches 3
    assert "no expert" in text  # sql: 1.00 and 2.50
    assert "Below target by 1 or more" in text and "Target met" in text and "No score" in text
    meta = pypdf.PdfReader(io.BytesIO(team_pdf_bytes)).metadata
    assert meta.title == "Team report: Data <Team> – Data Engineer"


def test_comparison_is_computed_from_the_manager_profile_when_not_given(questionnaire) -> None:
    q = questionnaire
    profile, manager = score(q, ANSWERS, "mid"), score(q, MANAGER, "mid")
    common = {
        "person_name": "A",
        "person_email": "a@example.com",
        "submitted_at": NOW,
        "generated_at": NOW,
        "manager_profile": manager,
    }
    implicit = person_context(q, profile, **common)
    explicit = person_context(
        q,
        profile,
        comparison=compare(
            q, {k: r.score for k, r in profile.areas.items()}, {k: r.score for k, r in manager.areas.items()}
        ),
        **common,
    )
    assert implicit["comparison"] == explicit["comparison"]
    assert [row["delta"] for row in implicit["comparison"]["rows"]] == ["+0.50", "+1.50", "-0.50"]
