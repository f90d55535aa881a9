"""A session moved after its publication remembers the start it had (schema.org previousStartDate)

Revision ID: 0007_previous_start
Revises: 0006_editions
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_previous_start"
down_revision = "0006_editions"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("previous_start_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("events") as batch:
        batch.drop_column("previous_start_at")
