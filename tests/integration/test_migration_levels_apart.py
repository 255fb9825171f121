"""Migration 0006 (specialism, readiness parts, new score and level reached, focus choices) on a database
that holds results taken under the earlier rules: every submitted result is scored again from its answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from competency import migrate
from competency.db import create_db_engine
from competency.questionnaire import load_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def submitted_at_senior(
    db: sa.Connection, key: str, content_hash: str, title: str, definition: str, *, readiness: float
) -> None:
    """Ada, a snapshot holding `definition`, and Ada's self-assessment at senior submitted on it, with the
    readiness the earlier rules stored (ids 1)."""
    db.execute(
        sa.text(
            'INSERT INTO "user" (id, email, name, password_hash, role, active, session_version, created_at) '
            "VALUES (1, 'ada@example.org', 'Ada', '', 'member', true, 1, CURRENT_TIMESTAMP)"
        )
    )
    db.execute(
        sa.text(
            "INSERT INTO questionnaire_version (id, key, version, revision, content_hash, title, definition, created_at) "
            "VALUES (1, :key, 1, 1, :hash, :title, :definition, CURRENT_TIMESTAMP)"
        ),
        {"key": key, "hash": content_hash, "title": title, "definition": definition},
    )
    db.execute(
        sa.text(
            "INSERT INTO assessment (id, subject_id, assessor_id, kind, questionnaire_version_id, target_level, "
            "status, created_at, updated_at, submitted_at, readiness) VALUES "
            "(1, 1, 1, 'self', 1, 'senior', 'submitted', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, :r)"
        ),
        {"r": readiness},
    )


def test_0006_rescores_stored_results_with_the_new_rules_and_downgrades_without_losing_them(
    empty_db_url: str,
) -> None:
    q = load_file(FIXTURES / "two-track.yaml")
    answers = yaml.safe_load((FIXTURES / "answers" / "two-track-ic.yaml").read_text(encoding="utf-8"))
    migrate.upgrade(empty_db_url, "0005")
    engine = create_db_engine(empty_db_url)
    try:
        with engine.begin() as db:
            submitted_at_senior(db, q.id, q.content_hash(), q.title, q.canonical_json(), readiness=84.0659)
            for item_id, value in answers.items():
                db.execute(
                    sa.text("INSERT INTO answer (assessment_id, item_id, value) VALUES (1, :i, :v)"),
                    {"i": item_id, "v": value},
                )
            # As the earlier release stored it: rounded to 9 places, no new score, no level reached.
            db.execute(
                sa.text(
                    "INSERT INTO area_score (assessment_id, area_id, score, target, gap, attainment) "
                    "VALUES (1, 'coding', 3.0, 3.5, 0.5, 0.857142857)"
                )
            )
        migrate.upgrade(empty_db_url)
        migrate.check(empty_db_url)
        with engine.connect() as db:
            readiness, r_all, r_new, specialism = db.execute(
                sa.text(
                    "SELECT readiness, readiness_all, readiness_new, specialism FROM assessment WHERE id = 1"
                )
            ).one()
            # Hand-worked in tests/unit/test_levels_scoring.py.
            assert r_all == pytest.approx(15300 / 182)
            assert r_new == pytest.approx(2600 / 31.5)
            assert readiness == pytest.approx(2600 / 31.5)
            assert specialism is None
            coding = db.execute(
                sa.text("SELECT attainment, new_score, reached FROM area_score WHERE area_id = 'coding'")
            ).one()
            assert coding == (pytest.approx(6 / 7), 3.0, "engineer-2")
            stored = dict(db.execute(sa.text("SELECT item_id, value FROM answer")).all())
            assert stored == answers
        engine.dispose()
        migrate.downgrade(empty_db_url, "0005")
        with engine.connect() as db:
            assert db.execute(sa.text("SELECT count(*) FROM answer")).scalar() == len(answers)
            assert "focus_choice" not in sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_0006_keeps_the_numbers_of_a_snapshot_it_cannot_read(empty_db_url: str) -> None:
    migrate.upgrade(empty_db_url, "0005")
    engine = create_db_engine(empty_db_url)
    try:
        with engine.begin() as db:
            submitted_at_senior(db, "gone", "x", "Gone", json.dumps({"id": "gone"}), readiness=61.5)
        migrate.upgrade(empty_db_url)
        with engine.connect() as db:
            assert db.execute(sa.text("SELECT readiness FROM assessment")).scalar() == 61.5
    finally:
        engine.dispose()
