"""Migration 0005 (jobs, stored files, notifications, set-password links) on a database that holds data."""

from __future__ import annotations

import sqlalchemy as sa

from competency import migrate
from competency.db import create_db_engine

NEW_TABLES = {"job", "job_item", "stored_file", "sent_notification", "mail_preference", "password_token"}


def test_0005_upgrades_a_populated_database_and_downgrades_without_losing_it(empty_db_url: str) -> None:
    migrate.upgrade(empty_db_url, "0001")
    engine = create_db_engine(empty_db_url)
    try:
        with engine.begin() as db:
            db.execute(
                sa.text(
                    'INSERT INTO "user" (id, email, name, password_hash, role, active, session_version, created_at) '
                    "VALUES (1, 'hana@example.org', 'Hana', '', 'hr', true, 1, CURRENT_TIMESTAMP)"
                )
            )
            db.execute(
                sa.text("INSERT INTO team (id, name, created_at) VALUES (1, 'Vision', CURRENT_TIMESTAMP)")
            )
            db.execute(
                sa.text(
                    "INSERT INTO cycle (id, name, questionnaire_key, team_id, audience, opens_at, due_at, created_by_id, created_at) "
                    "VALUES (1, 'Spring', 'ml-engineer', 1, 'everyone', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1, CURRENT_TIMESTAMP)"
                )
            )
        migrate.upgrade(empty_db_url)
        migrate.check(empty_db_url)
        inspector = sa.inspect(engine)
        assert set(inspector.get_table_names()) >= NEW_TABLES
        with engine.begin() as db:
            # Cycles opened before the upgrade remind 7 and 1 days ahead, like new ones.
            assert db.execute(sa.text("SELECT reminder_days FROM cycle WHERE id = 1")).scalar() == "7,1"
            db.execute(
                sa.text(
                    "INSERT INTO sent_notification (kind, user_id, object, sent_at) "
                    "VALUES ('invitation', 1, 'cycle:1', CURRENT_TIMESTAMP)"
                )
            )
            db.execute(
                sa.text(
                    "INSERT INTO job (kind, object_id, questionnaire_key, requested_by_id, state, total, done, failed, created_at) "
                    "VALUES ('cycle_zip', 1, 'ml-engineer', 1, 'running', 3, 0, 0, CURRENT_TIMESTAMP)"
                )
            )
        with engine.connect() as db:
            # At most once: the same notice cannot be claimed twice; progress cannot pass the total.
            for statement in (
                "INSERT INTO sent_notification (kind, user_id, object, sent_at) VALUES ('invitation', 1, 'cycle:1', CURRENT_TIMESTAMP)",
                "UPDATE job SET done = 4",
            ):
                try:
                    with db.begin():
                        db.execute(sa.text(statement))
                except sa.exc.IntegrityError:
                    pass
                else:
                    raise AssertionError(f"accepted: {statement}")
        engine.dispose()
        migrate.downgrade(empty_db_url, "0001")
        tables = set(sa.inspect(engine).get_table_names())
        assert not NEW_TABLES & tables
        with engine.connect() as db:
            assert db.execute(sa.text("SELECT name FROM cycle")).scalar() == "Spring"
    finally:
        engine.dispose()
