"""PostgreSQL: the venues' geography in a GiST index when PostGIS is installed (ST_DWithin picks a
circle's venues); events by venue with what a search filters on, for index-only scans

Installing the extension is the database administrator's act (CREATE EXTENSION postgis, which
needs a superuser): this migration only uses it when it is there. If it comes later, the next
`flask init-db` adds the index (opengen/places/spatial.py, ensure_geography_index). SQLite and
PostgreSQL without PostGIS: nothing changes for the venues (R*Tree, bounding box).

Revision ID: 0011_postgis
Revises: 0010_calendar_entries
"""
import sqlalchemy as sa
from alembic import op

revision = "0011_postgis"
down_revision = "0010_calendar_entries"
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    # A search joins the circle's venues to their sessions: with these columns in the index,
    # PostgreSQL reads no table row (ix_events_venue_listing lacks the id and the edition).
    op.execute("CREATE INDEX IF NOT EXISTS ix_events_venue_rank ON events (venue_id, start_at, id) "
               "INCLUDE (status, format, edition_id)")
    if bind.scalar(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")):
        op.execute("CREATE INDEX IF NOT EXISTS ix_venues_geography ON venues "
                   "USING gist ((geography(ST_MakePoint(lon, lat))))")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_venues_geography")
    op.execute("DROP INDEX IF EXISTS ix_events_venue_rank")
