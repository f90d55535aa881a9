"""A reminder subscription remembers the language the visitor asked in, so its mails speak it

Revision ID: 0012_reminder_locale
Revises: 0011_postgis
"""
import sqlalchemy as sa
from alembic import op

revision = "0012_reminder_locale"
down_revision = "0011_postgis"
branch_labels = None
depends_on = None


def upgrade():
    # NULL for the subscriptions made before: they were made in French, the default.
    op.add_column("reminder_subscriptions", sa.Column("locale", sa.String(8), nullable=True))


def downgrade():
    op.execute("ALTER TABLE reminder_subscriptions DROP COLUMN locale")
