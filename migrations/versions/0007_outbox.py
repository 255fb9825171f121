"""the transactional outbox and worker leases; unfinished ZIPs are handed to the outbox

Revision ID: 0006_outbox
Revises: 0006
Create Date: 2026-12-06 03:00:03.942141
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006_outbox"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "worker_lease",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("holder", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_worker_lease")),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('mail', 'webhook', 'cycle_opened', 'cycle_closed', 'assessment_submitted', "
            "'rating_released', 'warm_pdf', 'render_item', 'write_zip')",
            name=op.f("ck_outbox_kind"),
        ),
        sa.CheckConstraint(
            "state IN ('pending', 'running', 'done', 'failed', 'cancelled')", name=op.f("ck_outbox_state")
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["job.id"], name=op.f("fk_outbox_job_id_job"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("key", name=op.f("uq_outbox_key")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_job_id"), ["job_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_state_due_at"), ["state", "due_at"], unique=False)

    as_json = "::json" if op.get_bind().dialect.name == "postgresql" else ""
    # ZIPs that were working when the old queue held their tasks: their remaining work becomes outbox
    # rows, so the relay finishes them instead of leaving them "running" until someone edits the table.
    op.execute(
        "INSERT INTO outbox (kind, key, payload, state, attempts, max_attempts, due_at, job_id, created_at) "
        f"SELECT 'render_item', 'render_item:' || job_item.id, ('{{\"item_id\": ' || job_item.id || '}}'){as_json}, "
        "'pending', 0, 3, CURRENT_TIMESTAMP, job_item.job_id, CURRENT_TIMESTAMP "
        "FROM job_item JOIN job ON job.id = job_item.job_id "
        "WHERE job.state IN ('queued', 'running') AND job_item.state = 'pending'"
    )
    op.execute(
        "INSERT INTO outbox (kind, key, payload, state, attempts, max_attempts, due_at, job_id, created_at) "
        f"SELECT 'write_zip', 'write_zip:' || job.id, ('{{\"job_id\": ' || job.id || '}}'){as_json}, "
        "'pending', 0, 3, CURRENT_TIMESTAMP, job.id, CURRENT_TIMESTAMP "
        "FROM job WHERE job.state = 'zipping'"
    )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_state_due_at"))
        batch_op.drop_index(batch_op.f("ix_outbox_job_id"))

    op.drop_table("outbox")
    op.drop_table("worker_lease")
