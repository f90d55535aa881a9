"""Events by venue carry their edition too, so that counting and ranking a circle's sessions
reads the index alone on SQLite (it read every session's row for its edition: 7,000 row reads
around Paris at 100k sessions)

Revision ID: 0014_venue_listing_edition
Revises: 0013_submission_locale
"""
from alembic import op

revision = "0014_venue_listing_edition"
down_revision = "0013_submission_locale"
branch_labels = None
depends_on = None

OLD = ["venue_id", "status", "format", "start_at"]


def upgrade():
    op.drop_index("ix_events_venue_listing", table_name="events")
    op.create_index("ix_events_venue_listing", "events", [*OLD, "edition_id"])


def downgrade():
    op.drop_index("ix_events_venue_listing", table_name="events")
    op.create_index("ix_events_venue_listing", "events", OLD)
