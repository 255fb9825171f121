"""The security migration (0003) upgrades and downgrades a populated database on every backend."""

from __future__ import annotations

import sqlalchemy as sa

from competency import migrate
from competency.db import create_db_engine


def test_0003_keeps_people_and_attempts_both_ways(empty_db_url: str) -> None:
    migrate.upgrade(empty_db_url, "0001")
    engine = create_db_engine(empty_db_url)
    try:
        with engine.begin() as c:
            c.execute(
                sa.text(
                    'INSERT INTO "user" (email, name, password_hash, role, active, session_version, created_at) '
                    "VALUES ('old@example.org', 'Old Timer', 'x', 'admin', true, 3, CURRENT_TIMESTAMP)"
                )
            )
            c.execute(
                sa.text(
                    "INSERT INTO login_attempt (at, email, remote_addr) "
                    "VALUES (CURRENT_TIMESTAMP, 'old@example.org', '192.0.2.1')"
                )
            )
        migrate.upgrade(empty_db_url)
        with engine.connect() as c:
            row = c.execute(
                sa.text('SELECT name, session_version, totp_secret, totp_enabled_at FROM "user"')
            ).one()
            assert tuple(row) == ("Old Timer", 3, None, None)
            assert c.execute(sa.text("SELECT device FROM login_attempt")).scalar() is None
            assert c.execute(sa.text("SELECT count(*) FROM user_session")).scalar() == 0
        migrate.check(empty_db_url)
        migrate.downgrade(empty_db_url, "0001")
        with engine.connect() as c:
            assert c.execute(sa.text('SELECT name FROM "user"')).scalar() == "Old Timer"
            assert c.execute(sa.text("SELECT count(*) FROM login_attempt")).scalar() == 1
            tables = set(sa.inspect(c).get_table_names())
        assert not {"user_session", "recovery_code"} & tables
    finally:
        engine.dispose()
