"""Search around a place at 10k and 100k events: the in-process query next to a brute-force NumPy
haversine over the same points, and the HTTP latency of /api/events?q=... under 16 concurrent
clients against gunicorn.

Query points: the 99 towns of the demo programme and 99 random points of metropolitan France,
radius 25 km (the default), first page of 20 (the API default). "nearest" is events.nearest(): the ranked ids and
distances of the page plus the total, from the index in memory (events/nearby.py), then from SQL
alone (the spatial index of the database). "window" adds what the API view needs: the 20 events
with their school, venue and families, and the first 10 online-only ones.

HTTP: each server starts cold. Answers are kept per process under the data version
(opengen/events/answers.py), or shared between the workers through Redis when REDIS_URL is set; the
figures say how many distinct searches each traffic holds, and "unique points" gives every
request its own point, so that it measures searches built from scratch only.

On PostgreSQL with PostGIS, SQL's "nearest" is also timed on the plain box path over the same data.

Run: .venv/bin/python bench/proximity.py [counts...]   (SQLite databases cached in
/tmp/opengen-bench-proximity; a PostgreSQL URL as DATABASE_URL runs the in-process part there)
"""
from __future__ import annotations

import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

os.environ.setdefault("BENCH_CACHE", "/tmp/opengen-bench-proximity")

import numpy as np  # noqa: E402
from _common import CACHE, app_with_events, percentile  # noqa: E402
from sqlalchemy import text  # noqa: E402

from opengen.data.demo_towns import TOWNS  # noqa: E402
from opengen.db import db, upgrade_schema  # noqa: E402
from opengen.versioned import forget_kept  # noqa: E402
from opengen.events import queries
from opengen.events.filters import EventFilters
from opengen.places import spatial
from opengen.places.distance import EARTH_RADIUS_KM

ROOT = Path(__file__).resolve().parent.parent
RADIUS_KM = 25.0
PAGE = 20  # the API's default page
CLIENTS = 16
REQUESTS_PER_CLIENT = 60
PARIS = (48.8566, 2.3522)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


def query_points(seed: int = 5) -> list[tuple[float, float]]:
    rng = random.Random(seed)
    towns = [(town[5], town[6]) for town in TOWNS]
    return towns + [(rng.uniform(42.5, 51.0), rng.uniform(-4.5, 7.8)) for _ in towns]


def stats_ms(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1000:6.2f} ms  p99 {percentile(samples, 99) * 1000:6.2f} ms"


def in_process(points: list[tuple[float, float]], repeat: int = 3) -> dict[str, list[float]]:
    """Time events.nearest and events.window at each point; check them against NumPy."""
    rows = db.session.execute(text(
        "SELECT e.id, v.lat, v.lon FROM events e JOIN venues v ON v.id = e.venue_id "
        "WHERE e.status IN ('published', 'cancelled') AND e.format != 'online' AND v.lat IS NOT NULL")).all()
    ids = np.array([r[0] for r in rows])
    lat_r = np.radians(np.array([r[1] for r in rows]))
    lon_r = np.radians(np.array([r[2] for r in rows]))

    def brute(lat: float, lon: float) -> tuple[np.ndarray, np.ndarray]:
        p1, l1 = np.radians(lat), np.radians(lon)
        a = np.sin((lat_r - p1) / 2) ** 2 + np.cos(p1) * np.cos(lat_r) * np.sin((lon_r - l1) / 2) ** 2
        km = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))
        inside = np.nonzero(km <= RADIUS_KM)[0]
        order = inside[np.argsort(km[inside], kind="stable")]
        return ids[order[:PAGE]], km[order]

    times: dict[str, list[float]] = {"nearest": [], "window": [], "numpy": [], "paris nearest": []}
    for lat, lon in points:
        filters = EventFilters(lat=lat, lon=lon, radius_km=RADIUS_KM)
        area = queries.locate(filters)
        full, total = queries.nearest(filters, area)
        _page, expected_km = brute(lat, lon)
        assert total == len(expected_km), (lat, lon, total, len(expected_km))
        assert np.allclose([km for _, km in full], expected_km), (lat, lon)
        for _ in range(repeat):
            started = time.perf_counter()
            queries.nearest(filters, area, PAGE)
            times["nearest"].append(time.perf_counter() - started)
            started = time.perf_counter()
            queries.window(filters, PAGE, 0, area=area, online_limit=10)
            times["window"].append(time.perf_counter() - started)
            db.session.expunge_all()
            started = time.perf_counter()
            brute(lat, lon)
            times["numpy"].append(time.perf_counter() - started)
    filters = EventFilters(lat=PARIS[0], lon=PARIS[1], radius_km=RADIUS_KM)
    area = queries.locate(filters)
    for _ in range(20):
        started = time.perf_counter()
        queries.nearest(filters, area, PAGE)
        times["paris nearest"].append(time.perf_counter() - started)
    times["paris total"] = [queries.nearest(filters, area, 1)[1]]
    return times


def serve(database_url: str, port: int, redis_url: str | None = None) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "GEOCODER": "offline", "SECRET_KEY": "bench",
           "TILES_URL": "http://tiles.invalid/{z}/{x}/{y}.png",
           # One load generator stands for many visitors: raise the API's per-client limit
           # (the counting is still paid).
           "API_RATE_LIMIT": "1000000 per minute"}
    env.pop("REDIS_URL", None)
    if redis_url:  # a fresh prefix: nothing kept from an earlier run
        env.update(REDIS_URL=redis_url, REDIS_KEPT_PREFIX=f"bench:{os.getpid()}:{time.time_ns()}:")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--preload", "--workers", "4", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "app:app"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/api/events?limit=1")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def load(port: int, paths: list[str], clients: int = CLIENTS) -> tuple[list[float], int]:
    """Clients each sending their share of the requests one after another; latencies in seconds.

    Client n starts n * len(paths) / clients into the list, so that concurrent clients ask for
    different things (and each path comes back about clients * requests / len(paths) times).
    The clients run in their own asyncio process (bench/_loadgen.py).
    """
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "_loadgen.py"), str(port), str(clients),
                           str(REQUESTS_PER_CLIENT)], input="\n".join(paths), capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed: {done.stdout[-500:]} {done.stderr[-2000:]}")
    latencies = json.loads(done.stdout)["latencies"]
    return latencies, len(latencies)


def main(counts: list[int]) -> None:
    points = query_points()
    for count in counts:
        url = os.environ.get("DATABASE_URL")
        app = app_with_events(count, url)
        with app.app_context():
            upgrade_schema()  # cached databases from before the spatial migration get it here
            if db.engine.dialect.name == "postgresql":
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                    connection.execute(text("VACUUM ANALYZE"))  # what autovacuum does in production
            print(f"\n{count} events ({db.engine.dialect.name}), {len(points)} query points, "
                  f"radius {RADIUS_KM:g} km, page {PAGE}", flush=True)
            how = spatial.strategy(db.engine)
            forget_kept()
            app.config["NEARBY_INDEX_BACKGROUND"] = False  # built here, timed, then used by every call
            started = time.perf_counter()
            queries.nearest(EventFilters(lat=PARIS[0], lon=PARIS[1]), queries.locate(
                EventFilters(lat=PARIS[0], lon=PARIS[1])), PAGE)
            print(f"  the index in memory (events/nearby.py), built once per data version and process: "
                  f"{(time.perf_counter() - started) * 1000:.0f} ms", flush=True)
            times = in_process(points)
            print(f"  events.nearest (memory index) {stats_ms(times['nearest'])}")
            print(f"  events.window (page for the API) {stats_ms(times['window'])}")
            print(f"  NumPy brute force, all points  {stats_ms(times['numpy'])}")
            print(f"  worst case, Paris ({times['paris total'][0]:.0f} sessions within 25 km): "
                  f"nearest {stats_ms(times['paris nearest'])}", flush=True)
            # SQL alone (NEARBY_INDEX off), as with rare filters or above nearby.MAX_SESSIONS.
            app.config["NEARBY_INDEX"] = False
            for path in (how, "bbox") if how == "postgis" else (how,):  # PostGIS, then plain PostgreSQL
                spatial._strategy[db.engine] = path
                sql = in_process(points)
                print(f"  events.nearest (SQL, {path}) {stats_ms(sql['nearest'])}; window "
                      f"{stats_ms(sql['window'])}; Paris {stats_ms(sql['paris nearest'])}", flush=True)
            spatial.forget(db.engine)
            app.config.update(NEARBY_INDEX=True, NEARBY_INDEX_BACKGROUND=True)
            database_url = app.config["SQLALCHEMY_DATABASE_URI"]
            db.engine.dispose()
        port = 18000 + count % 1000
        rng = random.Random(count)
        traffic = {
            # Each of the 99 towns about ten times, in an order that differs between clients.
            "q=<town>": [f"/api/events?q={quote(town[1])}" for town in TOWNS],
            "lat=&lon=": [f"/api/events?lat={lat:.4f}&lon={lon:.4f}" for lat, lon in points],
            # A different point for every request: nothing built before can be sent again.
            "unique points": [f"/api/events?lat={rng.uniform(42.5, 51.0):.5f}&lon={rng.uniform(-4.5, 7.8):.5f}"
                              for _ in range(CLIENTS * REQUESTS_PER_CLIENT)],
        }
        for kept in ("per process", "shared (Redis)"):
            server = serve(database_url, port, REDIS_URL if kept.startswith("shared") else None)
            try:
                print(f"  HTTP, gunicorn 4 workers, answers kept {kept}:", flush=True)
                # The floor of this harness: Python clients and gunicorn on the same two cores.
                latencies, sent = load(port, ["/healthz"], CLIENTS)
                print(f"    /healthz (one SELECT 1)              {CLIENTS:>2} clients, {sent:>4} requests: "
                      f"{stats_ms(latencies)}  ({sent / sum(latencies) * CLIENTS:.0f} req/s)", flush=True)
                for name, paths in traffic.items():
                    # The first pass builds what it asks for (once per worker, or once in all when
                    # shared); the second asks the same again, as visitors do between two changes.
                    passes = (("built", 1), ("built", CLIENTS)) if name == "unique points" else \
                        (("first pass", CLIENTS), ("again", CLIENTS))
                    for when, clients in passes:
                        latencies, sent = load(port, paths, clients)
                        print(f"    /api/events?{name:<14} {when:<10} {clients:>2} clients, {sent:>4} "
                              f"requests ({len(set(paths))} distinct): {stats_ms(latencies)}  "
                              f"({sent / sum(latencies) * clients:.0f} req/s)", flush=True)
            finally:
                server.terminate()
                server.wait(10)


if __name__ == "__main__":
    print(f"(databases cached in {CACHE}; {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} at start: the machine is shared)")
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000])
