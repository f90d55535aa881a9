"""Editions year after year: when schools may submit and when an edition is published; the
current edition is no longer a flag but follows from the dates (opengen/editions.py)

Editions also count as public data: the data version moves when one is added or changed, so
that kept answers (which edition is current, an archive's numbers) are rebuilt.

Revision ID: 0006_editions
Revises: 0005_data_version
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_editions"
down_revision = "0005_data_version"
branch_labels = None
depends_on = None

# The same triggers as 0005, on one more table.
SQLITE_TRIGGER = """
    CREATE TRIGGER data_version_editions_{op} AFTER {OP} ON editions
    BEGIN
        INSERT INTO data_versions (name, version) VALUES ('public', abs(random() % 1000000000000))
        ON CONFLICT (name) DO UPDATE SET version = version + 1;
    END"""
POSTGRES_TRIGGER = """
    CREATE CONSTRAINT TRIGGER data_version_editions AFTER INSERT OR UPDATE OR DELETE ON editions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION opengen_bump_data_version()"""
OPERATIONS = ("INSERT", "UPDATE", "DELETE")


def upgrade():
    with op.batch_alter_table("editions") as batch:
        batch.add_column(sa.Column("submissions_open_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("submissions_close_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("published_on", sa.Date(), nullable=True))
        batch.drop_column("is_current")
    if op.get_bind().dialect.name == "sqlite":
        for operation in OPERATIONS:
            op.execute(SQLITE_TRIGGER.format(op=operation.lower(), OP=operation))
    else:
        op.execute(POSTGRES_TRIGGER)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for operation in OPERATIONS:
            op.execute(f"DROP TRIGGER IF EXISTS data_version_editions_{operation.lower()}")
    else:
        op.execute("DROP TRIGGER IF EXISTS data_version_editions ON editions")
    with op.batch_alter_table("editions") as batch:
        batch.add_column(sa.Column("is_current", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.drop_column("published_on")
        batch.drop_column("submissions_close_on")
        batch.drop_column("submissions_open_on")
