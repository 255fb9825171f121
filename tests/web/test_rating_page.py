"""The rating page's per-definition work (choices per statement) is done once and reused, never served stale."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.web.conftest import counting, login
from tests.web.test_assessment_flow import area_data, assessment_id, start

from competency.questionnaire import load_file
from competency.services import snapshots
from competency.web import assess_forms

OLD_TEXT = "Ich kalkuliere Stückkosten für Aufträge selbst."
NEW_TEXT = "Ich kalkuliere Stückkosten und prüfe sie nach."


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Item ids each time a statement is built for a page, from an empty cache."""
    made: list[str] = []

    class CountingStatement(assess_forms.Statement):
        def __init__(self, item, name, choices) -> None:  # type: ignore[no-untyped-def]
            made.append(item.id)
            super().__init__(item, name, choices)

    monkeypatch.setattr(assess_forms, "_classes", {})
    monkeypatch.setattr(assess_forms, "Statement", CountingStatement)
    return made


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Content hashes each time a stored snapshot is parsed, from an empty cache."""
    seen: list[str] = []
    real = snapshots.Questionnaire

    class CountingQuestionnaire:
        @staticmethod
        def model_validate(data, **kwargs):  # type: ignore[no-untyped-def]
            questionnaire = real.model_validate(data, **kwargs)
            seen.append(questionnaire.content_hash())
            return questionnaire

    monkeypatch.setattr(snapshots, "_parsed", {})
    monkeypatch.setattr(snapshots, "Questionnaire", CountingQuestionnaire)
    return seen


def test_statements_and_snapshot_are_built_once_and_reused_across_requests(  # type: ignore[no-untyped-def]
    make_app, make_user, odd_shape_dir: Path, built: list[str], parsed: list[str]
) -> None:
    app = make_app(odd_shape_dir)
    odd = load_file(odd_shape_dir / "odd-shape.yaml")
    client = app.test_client()
    login(client, make_user("once@example.org", level="journeyman").email)
    url = start(client, odd.id, "journeyman")
    first = client.get(url).get_data(as_text=True)
    asked = [i.id for i in odd.items_in_play(odd.areas[0], "journeyman")]
    assert built == asked and len(parsed) == 1
    with counting(app) as statements:
        for _ in range(3):
            assert client.get(url).status_code == 200
    assert built == asked, "a later request built the statements again"
    assert len(parsed) == 1, "a later request parsed the stored snapshot again"
    assert statements and not [s for s in statements if "questionnaire_version.definition" in s], (
        "a later request read the stored definition again"
    )
    # The cached choices render as the fields they stand for: one radio per scale point, N/A when optional.
    for item in odd.items_in_play(odd.areas[0], "journeyman"):
        values = [str(p.value) for p in odd.scale] + (["na"] if item.optional else [])
        for index, value in enumerate(values):
            assert (
                f'id="item__{item.id}-{index}" name="item__{item.id}" type="radio" value="{value}"' in first
            )


def test_a_new_revision_gets_its_own_page_and_old_drafts_keep_theirs(  # type: ignore[no-untyped-def]
    make_app, make_user, odd_shape_dir: Path, built: list[str]
) -> None:
    app = make_app(odd_shape_dir)
    odd = load_file(odd_shape_dir / "odd-shape.yaml")
    early = app.test_client()
    login(early, make_user("early@example.org", level="journeyman").email)
    early_url = start(early, odd.id, "journeyman")
    before = early.get(early_url).get_data(as_text=True)
    assert OLD_TEXT in before

    # A text-only change to the file: stored as the next revision when someone starts with it.
    path = odd_shape_dir / "odd-shape.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(OLD_TEXT, NEW_TEXT), encoding="utf-8")
    app.extensions["competency.catalog"].refresh(force=True)
    late = app.test_client()
    login(late, make_user("late@example.org", level="journeyman").email)
    late_url = start(late, odd.id, "journeyman")
    assert assessment_id(late_url) != assessment_id(early_url)

    late_page = late.get(late_url).get_data(as_text=True)
    assert NEW_TEXT in late_page and OLD_TEXT not in late_page
    # The draft started before keeps the definition it was taken against, from its own cached form.
    early_page = early.get(early_url).get_data(as_text=True)
    assert OLD_TEXT in early_page and NEW_TEXT not in early_page
    assert early_page.count('type="radio"') == before.count('type="radio"')
    assert built.count("k-stueckkosten") == 2, "one statement list per revision"


def test_saved_answers_come_back_checked_on_their_own_radio(make_app, make_user, odd_shape_dir: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(odd_shape_dir)
    odd = load_file(odd_shape_dir / "odd-shape.yaml")
    client = app.test_client()
    login(client, make_user("back@example.org", level="journeyman").email)
    url = start(client, odd.id, "journeyman")
    answers = {"k-stueckkosten": "2", "k-deckungsbeitrag": "na"}
    assert client.post(url, data=area_data(client, url, answers, go="exit")).status_code == 302
    page = client.get(url).get_data(as_text=True)
    checked = re.findall(r"<input checked ([^>]*)>", page)
    # The scale starts at 1, so value 2 is the second radio; N/A follows the four points.
    assert checked == [
        'id="item__k-stueckkosten-1" name="item__k-stueckkosten" type="radio" value="2"',
        'id="item__k-deckungsbeitrag-4" name="item__k-deckungsbeitrag" type="radio" value="na"',
    ]
    assert '<label class="point na" for="item__k-deckungsbeitrag-4">' in page
    assert 'title="Mit Anleitung, gelegentlich."' in page  # the scale point's description
