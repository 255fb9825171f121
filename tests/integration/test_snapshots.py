"""Questionnaire snapshots: the definition an assessment was taken against never changes under it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, func, select

from competency.models import QuestionnaireVersion
from competency.questionnaire import Questionnaire, load_file, load_text
from competency.services.snapshots import SnapshotConflict, ensure_snapshot, snapshot_questionnaire

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def odd() -> Questionnaire:
    return load_file(FIXTURES / "odd-shape.yaml")


def edited(q: Questionnaire, **changes: object) -> Questionnaire:
    return Questionnaire.model_validate({**q.model_dump(), **changes})


def count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(QuestionnaireVersion)).one()


def test_first_use_stores_key_version_and_hash_of_the_canonical_json(
    session: Session, odd: Questionnaire
) -> None:
    row = ensure_snapshot(session, odd)
    session.commit()
    stored = session.exec(select(QuestionnaireVersion)).one()
    assert stored.id == row.id
    assert (stored.key, stored.version, stored.title) == ("oekonomie-handwerk", 3, "Ökonomie – Grundlagen")
    canonical = json.dumps(
        odd.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    assert stored.content_hash == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert stored.definition == json.loads(canonical)
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


def test_changed_content_without_a_version_bump_is_refused(session: Session, odd: Questionnaire) -> None:
    ensure_snapshot(session, odd)
    session.commit()
    changed = edited(odd, title="Ökonomie – Grundlagen (neu)")
    with pytest.raises(SnapshotConflict, match="content changed without a version bump"):
        ensure_snapshot(session, changed)
    session.rollback()
    stored = session.exec(select(QuestionnaireVersion)).one()
    assert stored.title == "Ökonomie – Grundlagen"


def test_changed_target_without_a_version_bump_is_refused(session: Session, odd: Questionnaire) -> None:
    ensure_snapshot(session, odd)
    session.commit()
    data = odd.model_dump()
    data["areas"][0]["targets"]["master"] = 4.0
    with pytest.raises(SnapshotConflict) as excinfo:
        ensure_snapshot(session, Questionnaire.model_validate(data))
    assert "oekonomie-handwerk version 3" in str(excinfo.value)


def test_bumped_version_stores_a_second_row(session: Session, odd: Questionnaire) -> None:
    v3 = ensure_snapshot(session, odd)
    session.commit()
    v4 = ensure_snapshot(session, edited(odd, version=4, title="Ökonomie – Grundlagen 2"))
    session.commit()
    assert v4.id != v3.id
    rows = session.exec(select(QuestionnaireVersion).order_by(QuestionnaireVersion.version)).all()
    assert [(r.key, r.version) for r in rows] == [("oekonomie-handwerk", 3), ("oekonomie-handwerk", 4)]
    assert rows[0].content_hash != rows[1].content_hash
    assert rows[0].title == "Ökonomie – Grundlagen"


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
