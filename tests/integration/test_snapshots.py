"""Questionnaire snapshots: versions and text-only revisions; the definition a result was taken against never changes."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, func, select

from competency import migrate
from competency.db import create_db_engine
from competency.models import QuestionnaireVersion
from competency.questionnaire import Questionnaire, load_file, load_text
from competency.services.snapshots import (
    PLAIN_CONFLICT,
    SnapshotConflict,
    ensure_snapshot,
    snapshot_questionnaire,
    status,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
#: Definitions exactly as the release before the level-aware format stored them (canonical JSON).
OLD_RELEASE = FIXTURES / "snapshots"
OLD_FILES = [
    (FIXTURES / "odd-shape.yaml", OLD_RELEASE / "odd-shape-v3.json"),
    (OLD_RELEASE / "ml-engineer-v1.yaml", OLD_RELEASE / "ml-engineer-v1.json"),
    (OLD_RELEASE / "ml-team-manager-v1.yaml", OLD_RELEASE / "ml-team-manager-v1.json"),
]


@pytest.fixture
def odd() -> Questionnaire:
    return load_file(FIXTURES / "odd-shape.yaml")


def edited(q: Questionnaire, **changes: object) -> Questionnaire:
    return Questionnaire.model_validate({**q.model_dump(), **changes})


def count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(QuestionnaireVersion)).one()


# -- an untouched file keeps its snapshot across the format change ----------------------------------


@pytest.mark.parametrize(("yaml_file", "stored_json"), OLD_FILES, ids=lambda p: p.name)
def test_untouched_file_hashes_as_the_previous_release_stored_it(yaml_file: Path, stored_json: Path) -> None:
    old_text = stored_json.read_text(encoding="utf-8")
    q = load_file(yaml_file)
    assert q.canonical_json() == old_text
    assert q.content_hash() == hashlib.sha256(old_text.encode("utf-8")).hexdigest()


def test_snapshot_stored_by_the_previous_release_survives_the_upgrade(empty_db_url: str) -> None:
    """A database populated at revision 0001 (as the previous release wrote it), upgraded, then used."""
    migrate.upgrade(empty_db_url, "0001")
    engine = create_db_engine(empty_db_url)
    old_text = (OLD_RELEASE / "ml-engineer-v1.json").read_text(encoding="utf-8")
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO questionnaire_version (key, version, content_hash, title, definition, created_at)"
                    " VALUES (:key, 1, :hash, :title, :definition, :at)"
                ),
                {
                    "key": "ml-engineer",
                    "hash": hashlib.sha256(old_text.encode("utf-8")).hexdigest(),
                    "title": json.loads(old_text)["title"],
                    "definition": old_text,
                    "at": datetime(2026, 1, 5, tzinfo=UTC),
                },
            )
        migrate.upgrade(empty_db_url)
        with Session(engine) as session:
            before = session.exec(select(QuestionnaireVersion)).one()
            assert (before.version, before.revision, before.structure_hash) == (1, 1, None)
            row = ensure_snapshot(session, load_file(OLD_RELEASE / "ml-engineer-v1.yaml"))
            session.commit()
            assert row.id == before.id
            assert count(session) == 1
            assert snapshot_questionnaire(row).content_hash() == row.content_hash
    finally:
        engine.dispose()


# -- first use ---------------------------------------------------------------------------------------


def test_first_use_stores_key_version_revision_and_hashes(session: Session, odd: Questionnaire) -> None:
    row = ensure_snapshot(session, odd)
    session.commit()
    stored = session.exec(select(QuestionnaireVersion)).one()
    assert stored.id == row.id
    assert (stored.key, stored.version, stored.revision) == ("oekonomie-handwerk", 3, 1)
    assert stored.title == "Ökonomie – Grundlagen"
    assert stored.content_hash == hashlib.sha256(odd.canonical_json().encode("utf-8")).hexdigest()
    assert stored.structure_hash is not None and len(stored.structure_hash) == 64
    assert stored.definition == json.loads(odd.canonical_json())
    assert stored.created_at.tzinfo is not None


def test_same_content_returns_the_same_row(session: Session, odd: Questionnaire) -> None:
    first = ensure_snapshot(session, odd)
    session.commit()
    again = ensure_snapshot(session, load_file(FIXTURES / "odd-shape.yaml"))
    session.commit()
    assert again.id == first.id
    assert count(session) == 1


def test_same_content_in_a_new_session_returns_the_stored_row(engine: sa.Engine, odd: Questionnaire) -> None:
    with Session(engine, expire_on_commit=False) as first_session:
        first = ensure_snapshot(first_session, odd)
        first_session.commit()
    with Session(engine, expire_on_commit=False) as second_session:
        again = ensure_snapshot(second_session, odd)
        second_session.commit()
        assert again.id == first.id
        assert count(second_session) == 1


# -- revisions: text-only changes -------------------------------------------------------------------


def test_text_only_change_is_stored_as_the_next_revision(session: Session, odd: Questionnaire) -> None:
    first = ensure_snapshot(session, odd)
    session.commit()
    reworded = edited(odd, title="Ökonomie – Grundlagen (neu)")
    assert status(session, reworded).state == "revision"
    second = ensure_snapshot(session, reworded)
    session.commit()
    assert (second.version, second.revision) == (3, 2)
    assert second.id != first.id
    assert second.structure_hash == first.structure_hash
    assert second.content_hash != first.content_hash
    # The earlier revision keeps its own text.
    session.expire_all()
    assert session.get(QuestionnaireVersion, first.id).title == "Ökonomie – Grundlagen"  # type: ignore[union-attr]


def test_reworded_item_help_and_step_detail_are_text(session: Session, odd: Questionnaire) -> None:
    ensure_snapshot(session, odd)
    session.commit()
    data = odd.model_dump()
    data["areas"][0]["items"][0]["text"] = "Ich kalkuliere Stückkosten selbst und prüfe sie nach."
    data["areas"][0]["items"][0]["help"] = "Stückkosten: Kosten je gefertigtem Teil."
    data["areas"][0]["roadmap"][0]["detail"] = "Fertig, wenn ein Auftrag nachkalkuliert ist."
    data["areas"][0]["expectations"] = {"master": "Kalkuliert Angebote ohne Hilfe."}
    data["levels"][0]["description"] = "Im ersten Lehrjahr."
    row = ensure_snapshot(session, Questionnaire.model_validate(data))
    assert row.revision == 2


def test_going_back_to_an_earlier_revision_reuses_its_row(session: Session, odd: Questionnaire) -> None:
    first = ensure_snapshot(session, odd)
    ensure_snapshot(session, edited(odd, title="Neu"))
    session.commit()
    assert ensure_snapshot(session, odd).id == first.id
    assert count(session) == 2


# -- structural changes ------------------------------------------------------------------------------


def test_changed_target_without_a_version_bump_is_refused_naming_the_change(
    session: Session, odd: Questionnaire
) -> None:
    ensure_snapshot(session, odd)
    session.commit()
    data = odd.model_dump()
    data["areas"][0]["targets"]["master"] = 4.0
    with pytest.raises(SnapshotConflict) as excinfo:
        ensure_snapshot(session, Questionnaire.model_validate(data))
    assert excinfo.value.detail == (
        "oekonomie-handwerk: areas[0].targets.master: 3.5 -> 4 changed the structure of version 3; set version: 4"
    )
    # What an engineer reads says nothing of versions.
    assert str(excinfo.value) == PLAIN_CONFLICT
    session.rollback()
    assert count(session) == 1


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["areas"][0]["items"][0].update(weight=3.0), "areas[0].items[0].weight: 2 -> 3"),
        (
            lambda d: d["areas"][0]["items"][1].update(reverse=False),
            "areas[0].items[1].reverse: True -> False",
        ),
        (lambda d: d["areas"][0]["roadmap"][0].update(min_gap=1.0), "areas[0].roadmap[0].min_gap: 0.5 -> 1"),
        (
            lambda d: d["areas"][0]["roadmap"][0].update(band=(1, 3)),
            "areas[0].roadmap[0].band: [1, 4] -> [1, 3]",
        ),
        (lambda d: d["areas"][0]["items"].pop(), "areas[0].items[2]: 'k-deckungsbeitrag' removed"),
        (lambda d: d.update(expert_threshold=3.0), "expert_threshold: 3.5 -> 3"),
    ],
)
def test_each_structural_change_is_refused(
    session: Session, odd: Questionnaire, change, expected: str
) -> None:  # type: ignore[no-untyped-def]
    ensure_snapshot(session, odd)
    session.commit()
    data = odd.model_dump()
    change(data)
    with pytest.raises(SnapshotConflict) as excinfo:
        ensure_snapshot(session, Questionnaire.model_validate(data))
    assert expected in excinfo.value.detail


def test_version_older_than_the_newest_stored_is_refused(session: Session, odd: Questionnaire) -> None:
    ensure_snapshot(session, odd)
    ensure_snapshot(session, edited(odd, version=4, title="v4"))
    session.commit()
    with pytest.raises(SnapshotConflict) as excinfo:
        ensure_snapshot(session, edited(odd, title="another v3 text"))
    assert "version 3 is older than the stored version 4" in excinfo.value.detail


def test_older_version_that_matches_a_stored_snapshot_is_served(session: Session, odd: Questionnaire) -> None:
    v3 = ensure_snapshot(session, odd)
    ensure_snapshot(session, edited(odd, version=4, title="v4"))
    session.commit()
    assert ensure_snapshot(session, odd).id == v3.id


def test_bumped_version_stores_a_second_row(session: Session, odd: Questionnaire) -> None:
    v3 = ensure_snapshot(session, odd)
    session.commit()
    data = odd.model_dump()
    data["version"] = 4
    data["areas"][0]["targets"]["master"] = 4.0
    v4 = ensure_snapshot(session, Questionnaire.model_validate(data))
    session.commit()
    assert v4.id != v3.id
    rows = session.exec(select(QuestionnaireVersion).order_by(QuestionnaireVersion.version)).all()
    assert [(r.key, r.version, r.revision) for r in rows] == [
        ("oekonomie-handwerk", 3, 1),
        ("oekonomie-handwerk", 4, 1),
    ]
    assert rows[0].structure_hash != rows[1].structure_hash


def test_same_version_of_another_framework_is_stored_separately(session: Session, odd: Questionnaire) -> None:
    ensure_snapshot(session, odd)
    ensure_snapshot(session, edited(odd, id="anderes-handwerk"))
    session.commit()
    assert count(session) == 2


def test_snapshot_round_trips_to_an_equal_questionnaire(session: Session, odd: Questionnaire) -> None:
    row = ensure_snapshot(session, odd)
    session.commit()
    stored = session.get(QuestionnaireVersion, row.id)
    assert stored is not None
    session.expire(stored)  # read the JSON back from the database, not from memory
    restored = snapshot_questionnaire(stored)
    assert restored == odd
    assert restored.content_hash() == stored.content_hash


def test_shipped_style_yaml_round_trips_through_the_database(session: Session) -> None:
    text = (FIXTURES / "odd-shape.yaml").read_text(encoding="utf-8")
    q = load_text(text.replace("version: 3", "version: 7"))
    row = ensure_snapshot(session, q)
    session.commit()
    fresh = session.exec(select(QuestionnaireVersion).where(QuestionnaireVersion.version == 7)).one()
    restored = Questionnaire.model_validate(fresh.definition)
    assert restored.model_dump() == q.model_dump()
    assert restored.content_hash() == q.content_hash() == fresh.content_hash
    assert fresh.id == row.id
