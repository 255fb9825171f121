"""HR logs in and downloads a person's PDF; it opens and holds the right person. (The cycle ZIP: test_jobs_flow.)"""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader
from tests.browser.conftest import shot

from competency.services import demo

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "demo-password"
PDF_TIMEOUT_MS = 120_000
HR = next(p for p in demo.PEOPLE if p.role == "hr")
#: Somebody with a submitted self-assessment and a name that is not plain ASCII (fonts, extraction).
PERSON = next(p for p in demo.PEOPLE if p.name == "Zoë Müller")


def log_in(page, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 1
    # Collapse whitespace: extraction may break lines anywhere.
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def smallest_cycle(engine: sa.Engine) -> tuple[int, str, list[str], int]:
    """The cycle with the fewest (but at least two) people who submitted a self-assessment in it:
    (id, name, their names, active people in its scope), straight from the tables, independently of
    the report code."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT c.id, c.name, u.name FROM cycle c"
                " JOIN assessment a ON a.cycle_id = c.id AND a.kind = 'self' AND a.status = 'submitted'"
                ' JOIN "user" u ON u.id = a.subject_id'
                " WHERE u.active"
                " GROUP BY c.id, c.name, u.id, u.name"
            )
        ).all()
    cycles: dict[int, tuple[str, list[str]]] = {}
    for cycle_id, cycle_name, person in rows:
        cycles.setdefault(cycle_id, (cycle_name, []))[1].append(person)
    cycle_id = min((len(people), cid) for cid, (_, people) in cycles.items() if len(people) >= 2)[1]
    name, people = cycles[cycle_id]
    with engine.connect() as connection:
        in_scope = connection.execute(
            sa.text(
                # Who the cycle asks: its scope (a team or everyone) narrowed by its audience.
                'SELECT count(DISTINCT u.id) FROM cycle c, "user" u'
                " WHERE c.id = :cycle AND u.active AND ("
                "  (c.audience = 'everyone' AND (c.team_id IS NULL OR EXISTS ("
                "    SELECT 1 FROM membership m WHERE m.team_id = c.team_id AND m.user_id = u.id)))"
                "  OR (c.audience = 'managers' AND EXISTS (SELECT 1 FROM membership m WHERE m.user_id = u.id"
                "    AND m.role = 'manager' AND (c.team_id IS NULL OR m.team_id = c.team_id)))"
                "  OR (c.audience = 'members' AND ("
                "    (c.team_id IS NOT NULL AND EXISTS (SELECT 1 FROM membership m WHERE m.user_id = u.id"
                "      AND m.team_id = c.team_id AND m.role = 'member'))"
                "    OR (c.team_id IS NULL AND EXISTS (SELECT 1 FROM membership m WHERE m.user_id = u.id)"
                "      AND NOT EXISTS (SELECT 1 FROM membership m WHERE m.user_id = u.id AND m.role = 'manager')))))"
            ),
            {"cycle": cycle_id},
        ).scalar_one()
    return cycle_id, name, sorted(people), in_scope


def test_hr_downloads_a_person_pdf_finds_the_cycle_zip_and_sees_the_download_audited(
    page, live_app, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    engine = live_app.extensions["competency.engine"]
    cycle_id, cycle_name, _people, _in_scope = smallest_cycle(engine)

    log_in(page, HR.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.wait_for_url(re.compile(r"/reports$"))
    assert page.get_by_role("heading", name="Reports and exports", level=1).is_visible()
    shot(page, "20-hr-reports")

    # A person's PDF from the People table.
    people = page.locator("section", has=page.get_by_role("heading", name="People", exact=True))
    row = people.get_by_role("row").filter(has=page.get_by_role("rowheader", name=PERSON.name, exact=True))
    assert PERSON.email in row.inner_text()
    profile_href = row.get_by_role("link", name="profile", exact=True).get_attribute("href") or ""
    person_id = int(profile_href.rsplit("/", 1)[-1])
    # A fresh render (the first download fills the PDF cache) can take long on a busy shared machine.
    with page.expect_download(timeout=PDF_TIMEOUT_MS) as info:
        row.get_by_role("link", name="PDF", exact=True).click(timeout=PDF_TIMEOUT_MS)
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename.endswith(".pdf")
    person_file = tmp_path / download.suggested_filename
    download.save_as(person_file)
    data = person_file.read_bytes()
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert PERSON.name in text
    assert "readiness" in text.lower()
    # The readiness figure is the one the profile API gives (rounded for display).
    profile = page.request.get(f"/api/people/{person_id}/profile").json()
    assert f"{profile['readiness']:.1f}" in text

    # The cycle's ZIP is a job now (tests/browser/test_jobs_flow.py): the Cycles list leads to its page.
    link = page.locator(f"a[href$='/cycles/{cycle_id}#reports-zip']")
    assert link.count() == 1 and link.inner_text() == "all PDFs (ZIP)"
    assert cycle_name in page.get_by_role("listitem").filter(has=link).inner_text()

    # The download is in the audit log, as HR's.
    page.get_by_role("link", name="audit log").click()
    page.wait_for_url(re.compile(r"/audit"))
    assert page.get_by_role("heading", name="Audit log", level=1).is_visible()
    rows = page.locator("table tbody tr")
    person_row = rows.filter(has=page.get_by_text("report.person.download", exact=True)).filter(
        has=page.get_by_role("cell", name=f"user:{person_id}", exact=True)
    )
    assert person_row.count() == 1
    assert HR.email in person_row.inner_text()
    assert "questionnaire=ml-engineer" in person_row.inner_text()
    shot(page, "21-hr-audit")
