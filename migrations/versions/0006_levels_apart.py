"""levels apart: specialism, readiness parts, new score and level reached, focus choices

Readiness changed meaning (DESIGN.md "Scoring"): the lower of everything the level expects and of what it
adds to the level before. Every submitted assessment is scored again from its answers and the snapshot it
was taken with, so stored results show the new numbers; the answers themselves are untouched.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 03:03:56.428178
"""

import json
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from competency import scoring
from competency.questionnaire import Questionnaire

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "focus_choice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("areas", sa.JSON(), nullable=False),
        sa.Column("chosen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_focus_choice_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_focus_choice")),
        sa.UniqueConstraint("assessment_id", name=op.f("uq_focus_choice_assessment_id")),
    )
    with op.batch_alter_table("area_score", schema=None) as batch_op:
        batch_op.add_column(sa.Column("new_score", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("reached", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))

    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("specialism", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True)
        )
        batch_op.add_column(sa.Column("readiness_all", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("readiness_new", sa.Float(), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f("ck_assessment_readiness_all_range"),
            "readiness_all IS NULL OR (readiness_all >= 0 AND readiness_all <= 100)",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_assessment_readiness_new_range"),
            "readiness_new IS NULL OR (readiness_new >= 0 AND readiness_new <= 100)",
        )
    rescore(op.get_bind())


def rescore(db: sa.engine.Connection) -> None:
    """Score every submitted assessment again with the rules of this release."""
    assessments = db.execute(
        sa.text(
            "SELECT a.id, a.target_level, v.id, v.definition FROM assessment a "
            "JOIN questionnaire_version v ON v.id = a.questionnaire_version_id WHERE a.status = 'submitted'"
        )
    ).all()
    if not assessments:
        return
    answers: dict[int, dict[str, int | None]] = defaultdict(dict)
    for assessment_id, item_id, value in db.execute(
        sa.text(
            "SELECT n.assessment_id, n.item_id, n.value FROM answer n "
            "JOIN assessment a ON a.id = n.assessment_id WHERE a.status = 'submitted'"
        )
    ):
        answers[assessment_id][item_id] = value
    parsed: dict[int, Questionnaire | None] = {}
    for assessment_id, level, version_id, definition in assessments:
        if version_id not in parsed:
            data = json.loads(definition) if isinstance(definition, str) else definition
            try:
                parsed[version_id] = Questionnaire.model_validate(data, context={"stored": True})
            except ValueError:
                # A snapshot this release cannot read keeps the numbers it was stored with.
                parsed[version_id] = None
        q = parsed[version_id]
        if q is None or level not in q.level_ids:
            continue  # nothing to score against: the stored numbers stay
        profile = scoring.score(q, answers[assessment_id], level)
        db.execute(
            sa.text(
                "UPDATE assessment SET readiness = :r, readiness_all = :ra, readiness_new = :rn WHERE id = :id"
            ),
            {
                "r": profile.readiness,
                "ra": profile.readiness_all,
                "rn": profile.readiness_new,
                "id": assessment_id,
            },
        )
        for area_id, result in profile.areas.items():
            db.execute(
                sa.text(
                    "UPDATE area_score SET score = :s, gap = :g, attainment = :a, new_score = :n, reached = :r "
                    "WHERE assessment_id = :id AND area_id = :area"
                ),
                {
                    "s": result.score,
                    "g": result.gap,
                    "a": result.attainment,
                    "n": result.new_score,
                    "r": result.reached,
                    "id": assessment_id,
                    "area": area_id,
                },
            )


def downgrade() -> None:
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_assessment_readiness_new_range"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_assessment_readiness_all_range"), type_="check")
        batch_op.drop_column("readiness_new")
        batch_op.drop_column("readiness_all")
        batch_op.drop_column("specialism")

    with op.batch_alter_table("area_score", schema=None) as batch_op:
        batch_op.drop_column("reached")
        batch_op.drop_column("new_score")

    op.drop_table("focus_choice")
