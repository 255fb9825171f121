"""workflow: manager ratings are released, plan steps tracked, blind spots marked discussed, home visits

Manager assessments submitted before this revision were visible to their subject at once, so they are
marked released at their submission time: nothing a person could already read disappears.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 00:52:39.009171
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "home_visit",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("previous_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_home_visit_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_home_visit")),
    )
    op.create_table(
        "plan_step_status",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("step_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(status = 'done') = (done_at IS NOT NULL)", name=op.f("ck_plan_step_status_done_has_time")
        ),
        sa.CheckConstraint(
            "status IN ('not started', 'in progress', 'done')", name=op.f("ck_plan_step_status_status")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_plan_step_status_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_step_status")),
        sa.UniqueConstraint(
            "user_id",
            "questionnaire_key",
            "step_id",
            name=op.f("uq_plan_step_status_user_id_questionnaire_key_step_id"),
        ),
    )
    op.create_table(
        "blind_spot_mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("self_rating_id", sa.Integer(), nullable=False),
        sa.Column("manager_rating_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_id"], ["user.id"], name=op.f("fk_blind_spot_mark_by_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["manager_rating_id"],
            ["assessment.id"],
            name=op.f("fk_blind_spot_mark_manager_rating_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["self_rating_id"],
            ["assessment.id"],
            name=op.f("fk_blind_spot_mark_self_rating_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blind_spot_mark")),
        sa.UniqueConstraint(
            "self_rating_id",
            "manager_rating_id",
            "area_id",
            name=op.f("uq_blind_spot_mark_self_rating_id_manager_rating_id_area_id"),
        ),
    )
    with op.batch_alter_table("blind_spot_mark", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_blind_spot_mark_manager_rating_id"), ["manager_rating_id"], unique=False
        )

    op.create_table(
        "plan_step_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("step_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('not started', 'in progress', 'done')", name=op.f("ck_plan_step_event_status")
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user.id"], name=op.f("fk_plan_step_event_actor_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_plan_step_event_assessment_id_assessment"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_plan_step_event_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_step_event")),
    )
    with op.batch_alter_table("plan_step_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_step_event_status_at"), ["status", "at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_plan_step_event_user_id_questionnaire_key_at"),
            ["user_id", "questionnaire_key", "at"],
            unique=False,
        )

    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("released_at", sa.DateTime(timezone=True), nullable=True))

    op.execute(
        "UPDATE assessment SET released_at = submitted_at WHERE kind = 'manager' AND status = 'submitted'"
    )


def downgrade() -> None:
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_column("released_at")

    with op.batch_alter_table("plan_step_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_step_event_user_id_questionnaire_key_at"))
        batch_op.drop_index(batch_op.f("ix_plan_step_event_status_at"))

    op.drop_table("plan_step_event")
    with op.batch_alter_table("blind_spot_mark", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_blind_spot_mark_manager_rating_id"))

    op.drop_table("blind_spot_mark")
    op.drop_table("plan_step_status")
    op.drop_table("home_visit")
