"""Helpers shared by the benchmark scripts: a database of N demo events, a served app, timing."""
from __future__ import annotations

import logging
import os
import statistics
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from werkzeug.serving import make_server  # noqa: E402

from opengen import create_app  # noqa: E402
from opengen.db import db, upgrade_schema  # noqa: E402
from opengen.demo import generate  # noqa: E402
from opengen.demo import sync_families  # noqa: E402
from opengen.feeds.calendars import build_stale_entries  # noqa: E402

logging.getLogger("werkzeug").setLevel(logging.WARNING)
logging.getLogger("alembic").setLevel(logging.WARNING)

CACHE = Path(os.environ.get("BENCH_CACHE", Path(tempfile.gettempdir()) / "opengen-bench"))


def app_with_events(count: int, url: str | None = None):
    """Return an app whose database holds `count` published demo events (SQLite files are cached)."""
    if url is None:
        CACHE.mkdir(parents=True, exist_ok=True)
        path = CACHE / f"events-{count}.db"
        url = f"sqlite:///{path}"
        fresh = not path.exists()
    else:
        fresh = True
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "GEOCODER": "offline",
                      "TILES_URL": "http://tiles.invalid/{z}/{x}/{y}.png"})
    with app.app_context():
        upgrade_schema()  # a cached file made before the latest migration gets it
    if fresh:
        with app.app_context():
            sync_families(db.session)
            started = time.perf_counter()
            generate(count, seed=7, spread_km=25.0)
            db.session.commit()
            print(f"  (generated {count} events in {time.perf_counter() - started:.1f} s)", flush=True)
            # As `flask feeds build-entries` after a bulk load: feeds then start from the stored
            # entries (bench/feeds.py times the first read without them on its own).
            started = time.perf_counter()
            built = build_stale_entries()
            db.session.commit()
            print(f"  (built {built} calendar entries in {time.perf_counter() - started:.1f} s)", flush=True)
    return app


@contextmanager
def served(app):
    """Serve the app on a free loopback port in a background thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def timed(function, repeat: int = 5, clock=time.perf_counter) -> tuple[float, object]:
    """Return the median time of `repeat` calls (seconds, wall time unless another clock is
    given) and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = clock()
        result = function()
        times.append(clock() - started)
    return statistics.median(times), result


def percentile(values: list[float], q: float) -> float:
    """Return the q-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]
