"""Moderation history entries may concern a whole submission (its edit link, its sessions).

Revision ID: 0003_submit
Revises: 0002_feeds
"""
from alembic import op
import sqlalchemy as sa


revision = "0003_submit"
down_revision = "0002_feeds"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("moderation_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submission_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_moderation_log_submission_id"), ["submission_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_moderation_log_submission_id_submissions"),
                                    "submissions", ["submission_id"], ["id"], ondelete="SET NULL")


def downgrade():
    with op.batch_alter_table("moderation_log", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_moderation_log_submission_id_submissions"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_moderation_log_submission_id"))
        batch_op.drop_column("submission_id")
