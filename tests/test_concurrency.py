"""Fifty schools submitting at once to the app served by gunicorn (4 workers) on one SQLite file."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from opengen import create_app
from opengen.db import db, upgrade_schema
from opengen.demo import ensure_edition, sync_families

from .submit_fixtures import BEFORE_THE_WEEK

ROOT = Path(__file__).resolve().parent.parent
SUBMISSIONS = 50
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" (?:id="[^"]*" )?value="([^"]*)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn_sqlite(tmp_path):
    """gunicorn with four workers serving the app on a fresh SQLite file; yields (base URL, DB URL)."""
    url = f"sqlite:///{tmp_path / 'concurrent.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "setup"})
    with app.app_context():
        upgrade_schema()
        sync_families(db.session)
        ensure_edition()
        db.session.commit()
        db.engine.dispose()
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "concurrency-test-secret", "GEOCODER": "offline",
           "FLASK_RATELIMIT_ENABLED": "false", "TILES_URL": "http://tiles.invalid/{z}/{x}/{y}.png",
           "FLASK_FROZEN_NOW": BEFORE_THE_WEEK}  # while the test edition takes proposals
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "4", "--bind", f"127.0.0.1:{port}", "--timeout",
             "60", "app:app"], cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{base}/submit", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert server.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        yield base, url
        assert "Traceback" not in log.read_text(), log.read_text()[-3000:]
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def one_school(base: str, n: int) -> int:
    """Fill, check and confirm one submission like a browser; return the final status code."""
    with requests.Session() as browser:
        page = browser.get(f"{base}/submit", timeout=60).text
        day = 29 + n % 2
        form = {"csrf_token": CSRF.search(page).group(1), "school_name": f"École concurrente {n}",
                "contact_email": f"ecole{n}@example.org", "title": f"Atelier numéro {n} pour découvrir",
                "description": "Une heure pour découvrir le numérique, sans prérequis.", "kind": "workshop",
                "families": "data", "format": "onsite", "venue_name": f"Campus {n}",
                "address": f"{n} rue de la Paix", "postcode": "75002", "city": "Paris",
                "grid": f"2021-11-{day}T{9 + n % 9:02d}", "preview": "1"}
        confirmation = browser.post(f"{base}/submit", data=form, timeout=60)
        if confirmation.status_code != 200:
            return confirmation.status_code
        data = [(name, unescape(value)) for name, value in HIDDEN.findall(confirmation.text)]
        data += [("csrf_token", CSRF.search(confirmation.text).group(1)), ("confirm", "1")]
        saved = browser.post(f"{base}/submit", data=data, timeout=60, allow_redirects=False)
        return saved.status_code


@pytest.mark.slow
def test_fifty_simultaneous_submissions_all_land_once(gunicorn_sqlite):
    base, url = gunicorn_sqlite
    with ThreadPoolExecutor(max_workers=SUBMISSIONS) as pool:
        statuses = list(pool.map(lambda n: one_school(base, n), range(SUBMISSIONS)))
    assert statuses == [303] * SUBMISSIONS
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            counts = {table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                      for table in ("submissions", "events", "venues", "schools")}
            titles = conn.execute(text("SELECT count(DISTINCT title) FROM events")).scalar()
            journal = conn.execute(text("PRAGMA journal_mode")).scalar()
    finally:
        engine.dispose()
    assert counts == {"submissions": SUBMISSIONS, "events": SUBMISSIONS, "venues": SUBMISSIONS,
                      "schools": SUBMISSIONS}
    assert titles == SUBMISSIONS and journal == "wal"
