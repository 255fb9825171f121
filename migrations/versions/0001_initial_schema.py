"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 08:29:20.373854
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("remote_addr", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_attempt_email_at"), ["email", "at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_login_attempt_remote_addr_at"), ["remote_addr", "at"], unique=False
        )

    op.create_table(
        "questionnaire_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_questionnaire_version_version_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_version")),
        sa.UniqueConstraint("key", "version", name=op.f("uq_questionnaire_version_key_version")),
    )
    with op.batch_alter_table("questionnaire_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_questionnaire_version_key"), ["key"], unique=False)

    op.create_table(
        "team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team")),
        sa.UniqueConstraint("name", name=op.f("uq_team_name")),
    )
    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("default_level", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("session_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('member', 'hr', 'admin')", name=op.f("ck_user_role")),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_user_email_lower_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user")),
        sa.UniqueConstraint("email", name=op.f("uq_user_email")),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("object", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("remote_addr", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user.id"], name=op.f("fk_audit_event_actor_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_actor_id"), ["actor_id"], unique=False)

    op.create_table(
        "cycle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("questionnaire_key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("audience", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("audience IN ('everyone', 'members', 'managers')", name=op.f("ck_cycle_audience")),
        sa.CheckConstraint("due_at >= opens_at", name=op.f("ck_cycle_due_after_open")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_cycle_created_by_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_cycle_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cycle")),
    )
    with op.batch_alter_table("cycle", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cycle_questionnaire_key"), ["questionnaire_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_cycle_team_id"), ["team_id"], unique=False)

    op.create_table(
        "membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('member', 'manager')", name=op.f("ck_membership_role")),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_membership_team_id_team"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_membership_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership")),
        sa.UniqueConstraint("team_id", "user_id", name=op.f("uq_membership_team_id_user_id")),
    )
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_membership_team_id"), ["team_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_membership_user_id"), ["user_id"], unique=False)

    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("assessor_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("questionnaire_version_id", sa.Integer(), nullable=False),
        sa.Column("target_level", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=True),
        sa.Column("current_area", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("readiness", sa.Float(), nullable=True),
        sa.CheckConstraint(
            "(status = 'submitted') = (submitted_at IS NOT NULL)",
            name=op.f("ck_assessment_submitted_has_time"),
        ),
        sa.CheckConstraint(
            "kind = 'manager' OR assessor_id = subject_id", name=op.f("ck_assessment_self_is_own")
        ),
        sa.CheckConstraint("kind IN ('self', 'manager')", name=op.f("ck_assessment_kind")),
        sa.CheckConstraint("status IN ('draft', 'submitted')", name=op.f("ck_assessment_status")),
        sa.CheckConstraint(
            "readiness IS NULL OR (readiness >= 0 AND readiness <= 100)",
            name=op.f("ck_assessment_readiness_range"),
        ),
        sa.ForeignKeyConstraint(
            ["assessor_id"], ["user.id"], name=op.f("fk_assessment_assessor_id_user"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["cycle.id"], name=op.f("fk_assessment_cycle_id_cycle"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["questionnaire_version_id"],
            ["questionnaire_version.id"],
            name=op.f("fk_assessment_questionnaire_version_id_questionnaire_version"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["user.id"], name=op.f("fk_assessment_subject_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
    )
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessment_assessor_id"), ["assessor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessment_cycle_id"), ["cycle_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_assessment_questionnaire_version_id"), ["questionnaire_version_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_assessment_subject_id_kind_status_submitted_at"),
            ["subject_id", "kind", "status", "submitted_at"],
            unique=False,
        )

    op.create_table(
        "answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_answer_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer")),
        sa.UniqueConstraint("assessment_id", "item_id", name=op.f("uq_answer_assessment_id_item_id")),
    )
    op.create_table(
        "area_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_area_note_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area_note")),
        sa.UniqueConstraint("assessment_id", "area_id", name=op.f("uq_area_note_assessment_id_area_id")),
    )
    op.create_table(
        "area_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("gap", sa.Float(), nullable=True),
        sa.Column("attainment", sa.Float(), nullable=True),
        sa.CheckConstraint("(score IS NULL) = (gap IS NULL)", name=op.f("ck_area_score_gap_with_score")),
        sa.CheckConstraint(
            "attainment IS NULL OR (attainment >= 0 AND attainment <= 1)",
            name=op.f("ck_area_score_attainment_range"),
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_area_score_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area_score")),
        sa.UniqueConstraint("assessment_id", "area_id", name=op.f("uq_area_score_assessment_id_area_id")),
    )
    with op.batch_alter_table("area_score", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_area_score_area_id_assessment_id"), ["area_id", "assessment_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("area_score", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_area_score_area_id_assessment_id"))

    op.drop_table("area_score")
    op.drop_table("area_note")
    op.drop_table("answer")
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_subject_id_kind_status_submitted_at"))
        batch_op.drop_index(batch_op.f("ix_assessment_questionnaire_version_id"))
        batch_op.drop_index(batch_op.f("ix_assessment_cycle_id"))
        batch_op.drop_index(batch_op.f("ix_assessment_assessor_id"))

    op.drop_table("assessment")
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_user_id"))
        batch_op.drop_index(batch_op.f("ix_membership_team_id"))

    op.drop_table("membership")
    with op.batch_alter_table("cycle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cycle_team_id"))
        batch_op.drop_index(batch_op.f("ix_cycle_questionnaire_key"))

    op.drop_table("cycle")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_actor_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_action"))

    op.drop_table("audit_event")
    op.drop_table("user")
    op.drop_table("team")
    with op.batch_alter_table("questionnaire_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questionnaire_version_key"))

    op.drop_table("questionnaire_version")
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_attempt_remote_addr_at"))
        batch_op.drop_index(batch_op.f("ix_login_attempt_email_at"))

    op.drop_table("login_attempt")
