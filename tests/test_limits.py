"""Rate limits hold whatever the number of processes serving the site (counters in the database),
and what reaches the online address service is limited per client and in total."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from opengen.limits import limiter

from .conftest import csrf_token
from .submit_fixtures import use_geocoder

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Served:
    """The app served by gunicorn in its own process, as `make run` does (no Redis)."""

    def __init__(self, database_url: str, log: Path, workers: int = 1, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        environment = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "limits-test-secret",
                       "GEOCODER": "offline", "TILES_URL": "http://tiles.invalid/{z}/{x}/{y}.png", **env}
        environment.pop("REDIS_URL", None)
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
                 "app:app"], cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT)

    def wait(self) -> Served:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{self.url}/admin/login", timeout=5).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def try_password(browser: requests.Session, base: str) -> int:
    token = csrf_token(browser.get(f"{base}/admin/login", timeout=10).text)
    return browser.post(f"{base}/admin/login", timeout=10, data={
        "csrf_token": token, "email": "x@example.org", "password": "nope-nope-nope"}).status_code


def test_the_login_limit_holds_across_two_server_processes_on_one_database(app, database_url, tmp_path):
    servers = [Served(database_url, tmp_path / f"gunicorn{n}.log", LOGIN_RATE_LIMIT="3 per 5 minutes")
               for n in range(2)]
    try:
        for server in servers:
            server.wait()
        browser = requests.Session()  # one client, its attempts spread over both processes
        statuses = [try_password(browser, servers[n % 2].url) for n in range(8)]
    finally:
        for server in servers:
            server.stop()
    assert statuses == [422, 422, 422, 429, 429, 429, 429, 429]
    for server in servers:
        assert "Traceback" not in server.log.read_text()


def test_database_counters_count_per_window_and_key(app, ctx):
    from opengen.limits import DatabaseStorage

    storage = DatabaseStorage()
    storage.app = app
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("k") == 3 and storage.get("other") == 0
    assert time.time() + 55 < storage.get_expiry("k") <= time.time() + 60
    assert storage.incr("short", 1) == 1
    time.sleep(1.1)
    assert storage.get("short") == 0
    assert storage.incr("short", 1) == 1  # a new window starts from one
    assert storage.incr("x" * 500, 60) == 1 and storage.get("x" * 500) == 1  # long keys are hashed
    storage.clear("k")
    assert storage.get("k") == 0
    assert storage.check() and storage.reset() >= 1


# --- the online address service's budget ---------------------------------------------------

TOWNS = ["Montreuil", "Lyon", "Saint-Denis", "Paris", "Pointe-à-Pitre", "Amiens", "Toulouse"]


@pytest.fixture
def budgeted(app, fake_ban):
    """Rate limits on, with small geocoding budgets; yields the loopback BAN."""
    use_geocoder(app, GEOCODER="ban", GEOCODER_BAN_DOMAIN=fake_ban.domain, GEOCODER_BAN_SCHEME="http",
                 GEOCODER_CLIENT_BUDGET="3 per minute", GEOCODER_SITE_BUDGET="5 per minute")
    app.config.update(RATELIMIT_ENABLED=True)
    limiter.init_app(app)
    limiter.reset()
    yield fake_ban
    limiter.reset()


def outbound(ban) -> int:
    return sum(1 for _, path, _ in ban.requests if path == "/search")


def test_one_client_cannot_drain_the_address_service_and_gets_gazetteer_answers(app, client, budgeted):
    answers = [client.get("/api/geocode", query_string={"q": town}) for town in TOWNS]
    assert [a.status_code for a in answers] == [200] * len(TOWNS)
    assert outbound(budgeted) == 3
    assert [a.get_json()["source"] for a in answers[3:]] == ["gazetteer"] * (len(TOWNS) - 3)
    # Answers the cache holds stay free: asked again, they cost no call and come back as before.
    again = client.get("/api/geocode", query_string={"q": "Montreuil"})
    assert again.get_json()["source"] == answers[0].get_json()["source"] and outbound(budgeted) == 3
    # The list and the map searches spend the same budget, and still answer.
    assert client.get("/api/events", query_string={"q": "Nantes"}).status_code == 200
    assert client.get("/", query_string={"q": "Bordeaux"}).status_code == 200
    assert outbound(budgeted) == 3


def test_the_site_budget_caps_every_client_together(app, budgeted):
    for n in range(3):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{n + 1}"
        for town in TOWNS[2 * n:2 * n + 2] + [f"{TOWNS[n]} centre"]:
            assert client.get("/api/geocode", query_string={"q": town}).status_code in (200, 404)
    assert outbound(budgeted) == 5
