"""A session moved after its publication remembers the start it had (schema.org previousStartDate)

Revision ID: 0009_previous_start
Revises: 0008_rate_limits
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_previous_start"
down_revision = "0008_rate_limits"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, never a batch: SQLite's batch mode copies the table and would drop the
# data-version triggers of 0005 on it.

def upgrade():
    op.add_column("events", sa.Column("previous_start_at", sa.DateTime(), nullable=True))


def downgrade():
    op.execute("ALTER TABLE events DROP COLUMN previous_start_at")
