"""`flask backup` and `flask restore`: a backup restored into a fresh database holds every row of
every table (SQLite's online backup, PostgreSQL's pg_dump and pg_restore)."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, inspect, text

from opengen import config, create_app
from opengen.db import db
from opengen.models import Submission

from .conftest import TEST_CONFIG, CommandRunner, _postgres_database


def every_row(url: str) -> dict[str, list[tuple]]:
    """Every table's rows, sorted, read through a separate engine."""
    engine = create_engine(config.database_url(url))
    try:
        with engine.connect() as connection:
            tables = [t for t in inspect(connection).get_table_names() if not t.startswith("venue_rtree")]
            return {table: sorted((tuple(map(repr, row)) for row in connection.execute(
                text(f'SELECT * FROM "{table}"'))), key=repr) for table in tables}
    finally:
        engine.dispose()


@pytest.fixture
def fresh_database(tmp_path):
    """The URL of a fresh, empty database of the same kind as the test run's."""
    admin_url = os.environ.get("TEST_DATABASE_URL")
    if admin_url:
        url, drop = _postgres_database(admin_url)
    else:
        url, drop = f"sqlite:///{tmp_path / 'restored.db'}", (lambda: None)
    yield url
    drop()


def test_a_backup_restored_into_a_fresh_database_holds_every_row(app, ctx, runner, make_event, fresh_database,
                                                                 database_url, tmp_path):
    event = make_event(title="Atelier « sauvegardé » <b>", families=["data", "web-development"])
    db.session.add(Submission(school=event.school, contact_email="a@example.org", token_hash="x" * 64))
    db.session.commit()
    path = tmp_path / "opengen.backup"
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    assert path.stat().st_size > 0

    restored_app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": fresh_database})
    result = CommandRunner(restored_app).invoke(args=["restore", str(path)])
    assert result.exit_code == 0, result.output
    with restored_app.app_context():
        db.engine.dispose()
    db.session.remove()
    original, restored = every_row(database_url), every_row(fresh_database)
    assert original.keys() == restored.keys() and "events" in original and "alembic_version" in original
    assert original == restored
    assert any("sauvegardé" in repr(row) for row in restored["events"])


def test_restore_refuses_a_missing_file(runner, tmp_path):
    result = runner.invoke(args=["restore", str(tmp_path / "absent.backup")])
    assert result.exit_code == 1 and "Restauration impossible" in result.output
