"""Each session's calendar entry (its VEVENT lines) kept in the database, per version of what it is made of

A row per event holds a `version` that triggers bump on every change to what the entry is made
of: the event itself, its venue, its school, its career families and their labels. The entry's
body is rebuilt when its `built_version` differs (feeds/entries.py), and written back only if
the version is still the one it was built from, so a change made during a build is never hidden.

Existing events get a row here with no body: their entries are built on the first read of a
feed that holds them (or by `flask feeds build-entries`), once, for every process.

Versions start at a random number, so that an id used again (SQLite reuses the highest id after
a delete) never meets the version of the entry of the event that had it before.

Revision ID: 0010_calendar_entries
Revises: 0009_previous_start
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_calendar_entries"
down_revision = "0009_previous_start"
branch_labels = None
depends_on = None

SQLITE_START = "abs(random() % 1000000000000)"
POSTGRES_START = "(random() * 1e12)::bigint"

BUMP = "UPDATE calendar_entries SET version = version + 1 WHERE event_id"
EVENT_ROW = ("INSERT INTO calendar_entries (event_id, version) VALUES (NEW.id, {start}) "
             "ON CONFLICT (event_id) DO UPDATE SET version = calendar_entries.version + 1")

# (trigger name, event, table, statement) for SQLite; PostgreSQL runs the same statements.
SQLITE_TRIGGERS = (
    ("events_insert", "INSERT", "events", EVENT_ROW.format(start=SQLITE_START)),
    ("events_update", "UPDATE", "events", EVENT_ROW.format(start=SQLITE_START)),
    ("events_delete", "DELETE", "events", "DELETE FROM calendar_entries WHERE event_id = OLD.id"),
    ("venues_update", "UPDATE", "venues", f"{BUMP} IN (SELECT id FROM events WHERE venue_id = NEW.id)"),
    ("schools_update", "UPDATE", "schools", f"{BUMP} IN (SELECT id FROM events WHERE school_id = NEW.id)"),
    ("event_families_insert", "INSERT", "event_families", f"{BUMP} = NEW.event_id"),
    ("event_families_delete", "DELETE", "event_families", f"{BUMP} = OLD.event_id"),
    ("career_families_update", "UPDATE", "career_families",
     f"{BUMP} IN (SELECT event_id FROM event_families WHERE family_id = NEW.id)"),
)

POSTGRES_FUNCTION = f"""
    CREATE OR REPLACE FUNCTION opengen_calendar_entries_stale() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_TABLE_NAME = 'events' THEN
            {EVENT_ROW.format(start=POSTGRES_START)};
        ELSIF TG_TABLE_NAME = 'venues' THEN
            {BUMP} IN (SELECT id FROM events WHERE venue_id = NEW.id);
        ELSIF TG_TABLE_NAME = 'schools' THEN
            {BUMP} IN (SELECT id FROM events WHERE school_id = NEW.id);
        ELSIF TG_TABLE_NAME = 'event_families' AND TG_OP = 'DELETE' THEN
            {BUMP} = OLD.event_id;
        ELSIF TG_TABLE_NAME = 'event_families' THEN
            {BUMP} = NEW.event_id;
        ELSIF TG_TABLE_NAME = 'career_families' THEN
            {BUMP} IN (SELECT event_id FROM event_families WHERE family_id = NEW.id);
        END IF;
        RETURN NULL;
    END $$"""

# (table, events) for PostgreSQL; an event's row goes with it through the foreign key's cascade.
POSTGRES_TRIGGERS = (
    ("events", "INSERT OR UPDATE"),
    ("venues", "UPDATE"),
    ("schools", "UPDATE"),
    ("event_families", "INSERT OR DELETE"),
    ("career_families", "UPDATE"),
)


def upgrade():
    op.create_table(
        "calendar_entries",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("built_version", sa.BigInteger(), nullable=True),
        sa.Column("built_format", sa.String(length=40), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_calendar_entries_event_id_events"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_calendar_entries")),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    start = SQLITE_START if sqlite else POSTGRES_START
    op.execute(f"INSERT INTO calendar_entries (event_id, version) SELECT id, {start} FROM events")
    if sqlite:
        for name, operation, table, statement in SQLITE_TRIGGERS:
            op.execute(f"CREATE TRIGGER calendar_entries_{name} AFTER {operation} ON {table} "
                       f"BEGIN {statement}; END")
    else:
        op.execute(POSTGRES_FUNCTION)
        for table, operations in POSTGRES_TRIGGERS:
            op.execute(f"CREATE TRIGGER calendar_entries_{table} AFTER {operations} ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION opengen_calendar_entries_stale()")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name, *_ in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS calendar_entries_{name}")
    else:
        for table, _ in POSTGRES_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS calendar_entries_{table} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS opengen_calendar_entries_stale()")
    op.drop_table("calendar_entries")
