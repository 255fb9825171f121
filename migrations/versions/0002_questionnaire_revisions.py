"""Questionnaire revisions: a text-only change under the same version is stored as a new revision.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("questionnaire_version", schema=None) as batch_op:
        # Every stored snapshot so far is the first (and only) revision of its version.
        batch_op.add_column(sa.Column("revision", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(
            sa.Column("structure_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.drop_constraint(op.f("uq_questionnaire_version_key_version"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_questionnaire_version_key_version_revision"), ["key", "version", "revision"]
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_questionnaire_version_revision_positive"), "revision >= 1"
        )


def downgrade() -> None:
    # Later revisions of a version cannot fit the old (key, version) constraint; keep their results on
    # the first revision of the same version, which scores alike.
    op.execute(
        """
        UPDATE assessment SET questionnaire_version_id = (
            SELECT qv1.id FROM questionnaire_version AS qv1, questionnaire_version AS later
            WHERE later.id = assessment.questionnaire_version_id
              AND qv1.key = later.key AND qv1.version = later.version AND qv1.revision = 1
        )
        WHERE questionnaire_version_id IN (SELECT id FROM questionnaire_version WHERE revision > 1)
        """
    )
    op.execute("DELETE FROM questionnaire_version WHERE revision > 1")
    with op.batch_alter_table("questionnaire_version", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_questionnaire_version_revision_positive"), type_="check")
        batch_op.drop_constraint(op.f("uq_questionnaire_version_key_version_revision"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_questionnaire_version_key_version"), ["key", "version"]
        )
        batch_op.drop_column("structure_hash")
        batch_op.drop_column("revision")
