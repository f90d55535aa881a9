"""A data version bumped by triggers on every change to the public sessions and their details

Results built from the events (the map's markers, search answers, feeds' bodies) are kept per
process and keyed by this counter, so checking that they are still right is one primary-key
read instead of an aggregate over every event.

SQLite: row triggers upsert the counter in the writing transaction. PostgreSQL: deferred
constraint triggers bump it once per transaction, at commit, so that the row lock on the
counter is taken last and held only for the commit (no deadlock with the transaction's other
locks). Either way the new version becomes visible with the data, never before it.

The counter starts at a random number (again if its row is ever deleted), so
that a database created again under the same address never repeats the versions, and so the
kept results, of the one before.

Revision ID: 0005_data_version
Revises: 0004_spatial
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_data_version"
down_revision = "0004_spatial"
branch_labels = None
depends_on = None

# Everything a public answer about sessions is made of.
TRACKED = ("events", "venues", "schools", "event_families", "career_families")
OPERATIONS = ("INSERT", "UPDATE", "DELETE")
NAME = "public"

SQLITE_TRIGGER = """
    CREATE TRIGGER data_version_{table}_{op} AFTER {OP} ON {table}
    BEGIN
        INSERT INTO data_versions (name, version) VALUES ('{name}', abs(random() % 1000000000000))
        ON CONFLICT (name) DO UPDATE SET version = version + 1;
    END"""

POSTGRES_FUNCTION = """
    CREATE OR REPLACE FUNCTION opengen_bump_data_version() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF current_setting('opengen.data_version_bumped', true) IS DISTINCT FROM 'on' THEN
            PERFORM set_config('opengen.data_version_bumped', 'on', true);
            INSERT INTO data_versions (name, version) VALUES ('{name}', (random() * 1e12)::bigint)
            ON CONFLICT (name) DO UPDATE SET version = data_versions.version + 1;
        END IF;
        RETURN NULL;
    END $$"""

POSTGRES_TRIGGER = """
    CREATE CONSTRAINT TRIGGER data_version_{table} AFTER INSERT OR UPDATE OR DELETE ON {table}
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION opengen_bump_data_version()"""


def upgrade():
    op.create_table(
        "data_versions",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_data_versions")),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    start = "abs(random() % 1000000000000)" if sqlite else "(random() * 1e12)::bigint"
    op.execute(f"INSERT INTO data_versions (name, version) VALUES ('{NAME}', {start})")
    if sqlite:
        for table in TRACKED:
            for operation in OPERATIONS:
                op.execute(SQLITE_TRIGGER.format(table=table, op=operation.lower(), OP=operation,
                                                 name=NAME))
    else:
        op.execute(POSTGRES_FUNCTION.format(name=NAME))
        for table in TRACKED:
            op.execute(POSTGRES_TRIGGER.format(table=table))


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for table in TRACKED:
            for operation in OPERATIONS:
                op.execute(f"DROP TRIGGER IF EXISTS data_version_{table}_{operation.lower()}")
    else:
        for table in TRACKED:
            op.execute(f"DROP TRIGGER IF EXISTS data_version_{table} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS opengen_bump_data_version()")
    op.drop_table("data_versions")
