"""HR logs in, downloads a person's PDF and a cycle's ZIP; both open and hold the right people."""

from __future__ import annotations

import io
import re
import time
import zipfile

import pytest
import sqlalchemy as sa
from pypdf import PdfReader
from tests.browser.conftest import shot

from competency.services import demo

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "demo-password"
HR = next(p for p in demo.PEOPLE if p.role == "hr")
#: Somebody with a submitted self-assessment and a name that is not plain ASCII (fonts, extraction).
PERSON = next(p for p in demo.PEOPLE if p.name == "Zoë Müller")
#: Rendering a demo cycle's PDFs takes a while on a small machine.
ZIP_TIMEOUT_MS = 180_000


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


def test_hr_downloads_person_pdf_and_cycle_zip_and_sees_them_audited(page, live_app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = live_app.extensions["competency.engine"]
    cycle_id, cycle_name, cycle_people, in_scope = smallest_cycle(engine)

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
    with page.expect_download(timeout=60_000) as info:
        row.get_by_role("link", name="PDF", exact=True).click()
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

    # The cycle's ZIP from the Cycles list: one PDF per person who submitted in it, and a README.
    link = page.locator(f"a[href$='/reports/cycles/{cycle_id}.zip']")
    assert link.count() == 1
    assert link.inner_text() == "all PDFs (ZIP)"
    assert cycle_name in page.get_by_role("listitem").filter(has=link).inner_text()
    started = time.monotonic()
    with page.expect_download(timeout=ZIP_TIMEOUT_MS) as info:
        link.click()
    download = info.value
    zip_file = tmp_path / download.suggested_filename
    download.save_as(zip_file)  # waits for the streamed body to finish
    assert download.failure() is None
    seconds = time.monotonic() - started
    assert zip_file.suffix == ".zip"
    with zipfile.ZipFile(zip_file) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert len(names) == len(set(names))
        assert "README.txt" in names
        readme = archive.read("README.txt").decode()
        assert readme.startswith(f"{cycle_name}: {len(cycle_people)} report(s).")
        pdfs = sorted(n for n in names if n.endswith(".pdf"))
        assert sorted(names) == sorted([*pdfs, "README.txt"])
        assert len(pdfs) == len(cycle_people), (pdfs, cycle_people)
        found = []
        for name in pdfs:
            text = pdf_text(archive.read(name))
            holders = [person for person in cycle_people if person in text]
            assert len(holders) == 1, (name, holders)
            assert "readiness" in text.lower()
            found.append(holders[0])
        assert sorted(found) == cycle_people
        # The README names everyone in the cycle's scope who did not submit.
        assert len(re.findall(r"^- .+ <.+@.+>$", readme, flags=re.M)) == in_scope - len(cycle_people)
    print(f"cycle {cycle_name!r}: {len(pdfs)} PDFs in {seconds:.1f} s")

    # Both downloads are in the audit log, newest first, as HR's.
    page.get_by_role("link", name="audit log").click()
    page.wait_for_url(re.compile(r"/audit"))
    assert page.get_by_role("heading", name="Audit log", level=1).is_visible()
    rows = page.locator("table tbody tr")
    cycle_row = rows.filter(has=page.get_by_text("report.cycle.download", exact=True)).filter(
        has=page.get_by_role("cell", name=f"cycle:{cycle_id}", exact=True)
    )
    person_row = rows.filter(has=page.get_by_text("report.person.download", exact=True)).filter(
        has=page.get_by_role("cell", name=f"user:{person_id}", exact=True)
    )
    assert cycle_row.count() == 1
    assert person_row.count() == 1
    assert HR.email in cycle_row.inner_text()
    assert HR.email in person_row.inner_text()
    assert f"people={len(cycle_people)}" in cycle_row.inner_text()
    assert "questionnaire=ml-engineer" in person_row.inner_text()
    # Newest first: the ZIP came after the PDF.
    texts = rows.all_inner_texts()
    assert texts.index(cycle_row.inner_text()) < texts.index(person_row.inner_text())
    shot(page, "21-hr-audit")
