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


def test_init_db_gives_a_new_site_its_career_families(runner, ctx):
    from sqlalchemy import select

    from opengen.events.families import SLUGS
    from opengen.models import CareerFamily
    db.session.execute(CareerFamily.__table__.delete())
    db.session.commit()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    db.session.expire_all()
    assert set(db.session.scalars(select(CareerFamily.slug))) == set(SLUGS)


def test_the_editions_migration_goes_down_and_up_again(app, ctx):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect

    from opengen.db import MIGRATIONS_DIR
    db.session.commit()
    downgrade(directory=MIGRATIONS_DIR, revision="0005_data_version")
    assert "is_current" in {c["name"] for c in inspect(db.engine).get_columns("editions")}
    upgrade(directory=MIGRATIONS_DIR)
    columns = {c["name"] for c in inspect(db.engine).get_columns("editions")}
    assert {"submissions_open_on", "submissions_close_on", "published_on"} <= columns
    assert "is_current" not in columns


def test_the_previous_start_migration_keeps_the_data_version_triggers(app, ctx):
    """SQLite's batch mode would copy the events table and lose the triggers of 0005 on it."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect, text

    from opengen.db import MIGRATIONS_DIR

    def triggers() -> set[str]:
        if db.engine.dialect.name == "sqlite":
            return set(db.session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                               "AND tbl_name = 'events'")))
        return set(db.session.scalars(text("SELECT tgname FROM pg_trigger WHERE "
                                           "tgrelid = 'events'::regclass AND NOT tgisinternal")))

    before = triggers()
    assert before
    db.session.commit()
    downgrade(directory=MIGRATIONS_DIR, revision="0006_editions")
    db.session.remove()
    assert "previous_start_at" not in {c["name"] for c in inspect(db.engine).get_columns("events")}
    upgrade(directory=MIGRATIONS_DIR)
    db.session.remove()
    assert "previous_start_at" in {c["name"] for c in inspect(db.engine).get_columns("events")}
    assert triggers() == before
