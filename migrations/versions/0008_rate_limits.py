"""Rate-limit counters in the database, so that every worker sees them (and Redis may be down);
a confirmed submission's key, so that a resent form is saved once

Revision ID: 0008_rate_limits
Revises: 0007_reminders
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_rate_limits"
down_revision = "0007_reminders"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limits")),
    )
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("once_key", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(batch.f("uq_submissions_once_key"), ["once_key"])


def downgrade():
    with op.batch_alter_table("submissions") as batch:
        batch.drop_constraint(batch.f("uq_submissions_once_key"), type_="unique")
        batch.drop_column("once_key")
    op.drop_table("rate_limits")
