"""Redis and PostgreSQL taken away: saving a submission, importing a CSV and logging in still work
(limits counted in the database meanwhile), and dropped database connections cost no error."""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import requests
from sqlalchemy import create_engine, func, select, text

from opengen import config
from opengen.db import db
from opengen.limits import limiter
from opengen.models import Submission

from .conftest import csrf_token
from .submit_fixtures import submit, valid_form
from .test_imports import csv_bytes
from .test_limits import free_port


class OwnRedis:
    """A redis-server of our own on a free port (never the machine's), started and killed at will."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> OwnRedis:
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--save", "",
                                         "--appendonly", "no", "--bind", "127.0.0.1"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                if redis.Redis.from_url(self.url).ping():
                    return self
            except redis.RedisError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def keys(self) -> list[bytes]:
        return redis.Redis.from_url(self.url).keys("*LIMITER*")


@pytest.fixture
def own_redis():
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = OwnRedis()
    yield server
    server.kill()


@pytest.fixture
def limited_with_redis(app, own_redis, fake_ban):
    """The app with REDIS_URL pointing at our own Redis, and its limits on."""
    app.config.update(REDIS_URL=own_redis.url, RATELIMIT_STORAGE_URI=own_redis.url, RATELIMIT_ENABLED=True,
                      SUBMIT_RATE_LIMIT="3 per hour", LOGIN_RATE_LIMIT="3 per 5 minutes")
    limiter.init_app(app)
    yield app
    with app.app_context():
        limiter.reset()


def try_password(client) -> int:
    token = csrf_token(client.get("/admin/login").get_data(as_text=True))
    return client.post("/admin/login", data={"csrf_token": token, "email": "x@example.org",
                                             "password": "nope-nope-nope"}).status_code


def import_csv(client) -> int:
    token = csrf_token(client.get("/submit/import").get_data(as_text=True))
    return client.post("/submit/import", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(csv_bytes([{"debut": "10:00"}])), "s.csv")}).status_code


def submissions() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Submission))


def test_with_redis_gone_from_the_start_writes_work_and_limits_hold(ctx, client, limited_with_redis):
    # REDIS_URL names our server, which is not running.
    assert re.match("/submit/edit/", submit(client, valid_form()))
    # The limits are still counted (in the database): three imports an hour, three passwords.
    assert [import_csv(client) for _ in range(4)] == [200, 200, 200, 429]
    assert [try_password(client) for _ in range(4)] == [422, 422, 422, 429]
    assert submissions() == 2  # the form's and the first import's (the same rows again are duplicates)


def test_with_redis_stopped_during_the_run_nothing_fails(ctx, client, own_redis, limited_with_redis):
    own_redis.start()
    assert try_password(client) == 422
    assert re.match("/submit/edit/", submit(client, valid_form()))
    assert own_redis.keys(), "the counters should be in Redis while it runs"
    own_redis.kill()
    assert re.match("/submit/edit/", submit(client, valid_form(title="Pendant la panne")))
    assert import_csv(client) == 200
    statuses = [try_password(client) for _ in range(4)]
    assert 500 not in statuses and statuses[-1] == 429
    assert submissions() == 3


# --- PostgreSQL connections dropped ---------------------------------------------------------

postgres_only = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL")


@postgres_only
def test_connections_cut_by_the_server_cost_no_failed_request(app, ctx, live_server, make_event, database_url):
    make_event(title="Atelier toujours là")
    db.session.commit()
    pages = ("/api/events", "/", "/healthz", "/api/events?family=data")

    def fetch(path: str) -> int:
        return requests.get(f"{live_server.url}{path}", timeout=30).status_code

    with ThreadPoolExecutor(max_workers=4) as pool:  # several pooled connections
        assert set(pool.map(fetch, pages * 3)) == {200}
    assert len(cut_connections(database_url)) >= 2
    assert [fetch(path) for path in pages * 3] == [200] * 12
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert set(pool.map(fetch, pages * 3)) == {200}


def cut_connections(database_url: str, pids: list[int] | None = None) -> list[int]:
    """End the database's other connections from the server's side (all, or those of `pids`),
    as a restart or an administrator would; return once their processes have closed them."""
    admin = create_engine(config.database_url(database_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            cut = [pid for pid in connection.scalars(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"))
                if pids is None or pid in pids]
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM unnest(CAST(:pids AS int[])) AS pid"),
                               {"pids": cut})
            # pg_terminate_backend only asks: each process then says so on its socket and exits.
            deadline = time.monotonic() + 10
            while connection.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(:pids)"),
                                    {"pids": cut}) and time.monotonic() < deadline:
                time.sleep(0.01)
    finally:
        admin.dispose()
    return cut


@postgres_only
def test_a_pooled_connection_closed_by_the_server_is_replaced_without_a_ping(app, ctx, database_url, monkeypatch):
    engine = db.engine
    assert engine.pool._pre_ping is False  # no SELECT 1 before each use: the socket tells
    pings = []
    monkeypatch.setattr(engine.dialect, "do_ping", lambda connection: pings.append(connection) or True)
    engine.dispose()

    def backend() -> int:
        with engine.connect() as connection:
            return connection.scalar(text("SELECT pg_backend_pid()"))

    first = backend()
    assert backend() == first, "a live pooled connection is used again, not replaced"
    assert cut_connections(database_url, [first]) == [first]
    replaced = backend()
    assert replaced != first
    assert backend() == replaced
    assert pings == []
