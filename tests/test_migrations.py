"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from opengen.db import Base, db
from opengen.places.spatial import include_name


def test_models_and_migrations_agree(ctx, app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                                 "include_name": include_name})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_init_db_is_idempotent(runner):
    for _ in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        assert "schéma à jour" in result.output
