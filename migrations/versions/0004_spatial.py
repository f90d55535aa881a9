"""Spatial index of venues: an R*Tree kept in sync by triggers (SQLite only); covering indexes
of events by venue and by format (both databases)

On PostgreSQL no R*Tree: proximity queries use a bounding box on the existing
ix_venues_lat_lon index. Careful: a later batch migration that rebuilds `venues` on SQLite
drops these triggers; recreate them there (tests/test_spatial.py checks they exist at head).

Revision ID: 0004_spatial
Revises: 0003_submit
"""
from alembic import op

revision = "0004_spatial"
down_revision = "0003_submit"
branch_labels = None
depends_on = None

TRIGGERS = {
    "venue_rtree_insert": """
        CREATE TRIGGER venue_rtree_insert AFTER INSERT ON venues
        WHEN NEW.lat IS NOT NULL AND NEW.lon IS NOT NULL
        BEGIN
            INSERT INTO venue_rtree (id, min_lat, max_lat, min_lon, max_lon)
            VALUES (NEW.id, NEW.lat, NEW.lat, NEW.lon, NEW.lon);
        END""",
    "venue_rtree_update": """
        CREATE TRIGGER venue_rtree_update AFTER UPDATE OF id, lat, lon ON venues
        BEGIN
            DELETE FROM venue_rtree WHERE id = OLD.id;
            INSERT INTO venue_rtree (id, min_lat, max_lat, min_lon, max_lon)
            SELECT NEW.id, NEW.lat, NEW.lat, NEW.lon, NEW.lon
            WHERE NEW.lat IS NOT NULL AND NEW.lon IS NOT NULL;
        END""",
    "venue_rtree_delete": """
        CREATE TRIGGER venue_rtree_delete AFTER DELETE ON venues
        BEGIN
            DELETE FROM venue_rtree WHERE id = OLD.id;
        END""",
}


def upgrade():
    op.create_index("ix_events_venue_listing", "events", ["venue_id", "status", "format", "start_at"])
    op.create_index("ix_events_format_status_start", "events", ["format", "status", "start_at", "id"])
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("CREATE VIRTUAL TABLE IF NOT EXISTS venue_rtree "
               "USING rtree(id, min_lat, max_lat, min_lon, max_lon)")
    for sql in TRIGGERS.values():
        op.execute(sql)
    op.execute("INSERT INTO venue_rtree (id, min_lat, max_lat, min_lon, max_lon) "
               "SELECT id, lat, lat, lon, lon FROM venues WHERE lat IS NOT NULL AND lon IS NOT NULL")


def downgrade():
    op.drop_index("ix_events_format_status_start", table_name="events")
    op.drop_index("ix_events_venue_listing", table_name="events")
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS venue_rtree")
