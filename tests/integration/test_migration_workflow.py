"""Revision 0004 on a populated database: manager ratings people could already read stay readable."""

from __future__ import annotations

import sqlalchemy as sa

from competency import migrate
from competency.db import create_db_engine

T0 = "2026-01-10 09:00:00+00:00"


def _populate(url: str) -> None:
    engine = create_db_engine(url)
    try:
        with engine.begin() as c:
            for uid, email in ((1, "aiko@example.org"), (2, "mia@example.org")):
                c.execute(
                    sa.text(
                        'INSERT INTO "user" (id, email, name, password_hash, role, active, session_version,'
                        " created_at) VALUES (:id, :e, :e, '', 'member', true, 1, :t)"
                    ),
                    {"id": uid, "e": email, "t": T0},
                )
            c.execute(
                sa.text(
                    "INSERT INTO questionnaire_version (id, key, version, content_hash, title, definition,"
                    " created_at) VALUES (1, 'ml', 1, 'h', 'ML', '{}', :t)"
                ),
                {"t": T0},
            )
            rows = [
                (1, 1, 1, "self", "submitted", T0),
                (2, 1, 2, "manager", "submitted", T0),
                (3, 1, 2, "manager", "draft", None),
            ]
            for aid, subject, assessor, kind, status, submitted in rows:
                c.execute(
                    sa.text(
                        "INSERT INTO assessment (id, subject_id, assessor_id, kind, questionnaire_version_id,"
                        " target_level, status, created_at, updated_at, submitted_at)"
                        " VALUES (:id, :s, :a, :k, 1, 'mid', :st, :t, :t, :sub)"
                    ),
                    {
                        "id": aid,
                        "s": subject,
                        "a": assessor,
                        "k": kind,
                        "st": status,
                        "t": T0,
                        "sub": submitted,
                    },
                )
    finally:
        engine.dispose()


def _released(url: str) -> dict[int, bool]:
    engine = create_db_engine(url)
    try:
        with engine.connect() as c:
            rows = c.execute(sa.text("SELECT id, released_at FROM assessment ORDER BY id")).all()
            return {aid: released is not None for aid, released in rows}
    finally:
        engine.dispose()


def test_submitted_manager_ratings_are_released_by_the_upgrade_and_drafts_are_not(empty_db_url: str) -> None:
    migrate.upgrade(empty_db_url, "0001")
    _populate(empty_db_url)
    migrate.upgrade(empty_db_url, "0004")
    # They were visible to their subject before the release step existed; the self-assessment and the
    # draft rating are not released.
    assert _released(empty_db_url) == {1: False, 2: True, 3: False}
    migrate.upgrade(empty_db_url)
    migrate.check(empty_db_url)


def test_downgrade_from_0004_keeps_the_assessments(empty_db_url: str) -> None:
    migrate.upgrade(empty_db_url, "0001")
    _populate(empty_db_url)
    migrate.upgrade(empty_db_url, "0004")
    migrate.downgrade(empty_db_url, "0001")
    engine = create_db_engine(empty_db_url)
    try:
        with engine.connect() as c:
            assert c.execute(sa.text("SELECT count(*) FROM assessment")).scalar() == 3
            assert "plan_step_status" not in sa.inspect(c).get_table_names()
    finally:
        engine.dispose()
    migrate.upgrade(empty_db_url, "0004")
