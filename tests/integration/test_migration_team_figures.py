"""Migration 0008 (published team figures) on a database that holds teams: nothing of theirs changes."""

from __future__ import annotations

import sqlalchemy as sa

from competency import migrate
from competency.db import create_db_engine


def test_0008_adds_team_figures_to_a_populated_database_and_downgrades_without_losing_it(
    empty_db_url: str,
) -> None:
    migrate.upgrade(empty_db_url, "0006_outbox")
    engine = create_db_engine(empty_db_url)
    try:
        with engine.begin() as db:
            db.execute(
                sa.text("INSERT INTO team (id, name, created_at) VALUES (1, 'Vision', CURRENT_TIMESTAMP)")
            )
        migrate.upgrade(empty_db_url)
        migrate.check(empty_db_url)
        with engine.begin() as db:
            db.execute(
                sa.text(
                    "INSERT INTO team_figures (team_id, questionnaire_key, published_at, contributors, "
                    "contributions, areas) VALUES (1, 'ml-engineer', CURRENT_TIMESTAMP, 5, '{}', '{}')"
                )
            )
            # Figures belong to their team: deleting it takes them along.
            assert db.execute(sa.text("SELECT count(*) FROM team_figures")).scalar() == 1
        engine.dispose()
        migrate.downgrade(empty_db_url, "0006_outbox")
        assert "team_figures" not in sa.inspect(engine).get_table_names()
        with engine.connect() as db:
            assert db.execute(sa.text("SELECT name FROM team")).scalar() == "Vision"
    finally:
        engine.dispose()
