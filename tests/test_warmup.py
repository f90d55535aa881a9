"""Workers warm up before their first request, and start even when the database is missing."""
from __future__ import annotations

from opengen import create_app
from opengen.warmup import warm

from .conftest import TEST_CONFIG


def test_a_worker_warms_up_on_a_working_database(app, make_event):
    make_event()
    assert warm(app) is True


def test_a_worker_starts_even_without_its_database(tmp_path, caplog):
    broken = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/x.db",
                         "PROPAGATE_EXCEPTIONS": False, "TESTING": False})
    assert warm(broken) is False
