"""A submission remembers the language the school proposed in, so the mails about it speak it

Revision ID: 0013_submission_locale
Revises: 0012_reminder_locale
"""
import sqlalchemy as sa
from alembic import op

revision = "0013_submission_locale"
# Also joins the two heads main has (0011 and 0012 both follow 0009); the lead may re-chain instead.
down_revision = "0012_reminder_locale"
branch_labels = None
depends_on = None


def upgrade():
    # NULL for the submissions made before: they were made in French, the default.
    op.add_column("submissions", sa.Column("locale", sa.String(8), nullable=True))


def downgrade():
    op.execute("ALTER TABLE submissions DROP COLUMN locale")
