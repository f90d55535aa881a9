"""The map's data per view and its first view in Chromium, at 1k, 10k and 100k sessions (1M on
PostgreSQL when asked), beside the demo week (450 sessions).

For each database: the bytes of cluster tiles a view needs (plain and gzipped; the first view of
France and a few zoomed views, the largest of them), the time from navigation to the first
view's markers with the CPU slowed 4x (CDP Emulation.setCPUThrottlingRate; median of 3), and
the JS heap then (CDP Runtime.getHeapUsage after a garbage collection), and the server's time to
build the first view's tiles from the database (after a change of the data; kept afterwards).
"after html s" is the part of the first view after the page's HTML has arrived (scripts, tiles,
drawing): the map's own share; the rest is the home page's server time. The last columns are
ratios to the demo week's. Goal: 100k within 1.5x of the demo, at most 100 KB for any view.

Run: .venv/bin/python bench/map_payload.py [counts...]          (SQLite files cached in /tmp)
     BENCH_PG=postgresql://postgres@127.0.0.1:5432/bench1m .venv/bin/python bench/map_payload.py 1000000
"""
from __future__ import annotations

import os
import statistics
import sys
import time
import urllib.request

from _common import CACHE, app_with_events, served
from playwright.sync_api import sync_playwright

from opengen import create_app
from opengen.db import db, upgrade_schema
from opengen.demo import generate, sync_families
from opengen.versioned import forget_kept

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWS = [("France", 46.6, 2.5, 6), ("Ile-de-France", 48.86, 2.35, 9), ("Lyon", 45.76, 4.84, 12),
         ("Paris street", 48.857, 2.352, 16), ("Marseille", 43.30, 5.37, 11)]
CPU_SLOWDOWN = 4


def demo_app():
    """The demo week: `flask seed-demo`'s 450 sessions (its own seed and spread)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / "demo-week.db"
    fresh = not path.exists()
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "bench",
                      "GEOCODER": "offline", "TILES_URL": "http://tiles.invalid/{z}/{x}/{y}.png"})
    if fresh:
        with app.app_context():
            upgrade_schema()
            sync_families(db.session)
            generate()
            db.session.commit()
    return app


def size(url: str, gzip_ok: bool) -> int:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})
    with urllib.request.urlopen(request) as response:
        return len(response.read())


def view_bytes(browser, base: str) -> tuple[int, int, str, list[str]]:
    """The largest view's bytes of cluster tiles (plain, gzipped) and its name; the first view's tiles."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.route("http://tiles.invalid/**", lambda route: route.fulfill(status=204, body=""))
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/api/events/clusters/" in r.url else None)
    page.goto(base + "/")
    page.wait_for_function("() => document.body.dataset.markersLoaded !== undefined", timeout=300000)
    largest, first = (0, 0, ""), []
    for name, lat, lon, zoom in VIEWS:
        if name != "France":
            asked.clear()
            views = int(page.evaluate("() => document.body.dataset.mapViews"))
            page.evaluate(f"() => opengenMap.map.setView([{lat}, {lon}], {zoom}, {{animate: false}})")
            page.wait_for_function(f"() => +document.body.dataset.mapViews > {views}", timeout=300000)
        urls = sorted(set(asked))
        first = first or urls
        plain, packed = sum(size(u, False) for u in urls), sum(size(u, True) for u in urls)
        largest = max(largest, (plain, packed, name))
        asked.clear()
    page.close()
    return (*largest, first)


def first_view(browser, base: str) -> tuple[float, float, str]:
    """Seconds from navigation to the first view's markers (CPU slowed), MB of JS heap, sessions in view."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.route("http://tiles.invalid/**", lambda route: route.fulfill(status=204, body=""))
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    page.goto(base + "/")
    page.wait_for_function("() => document.body.dataset.markersLoaded !== undefined", timeout=300000)
    seconds, html = page.evaluate("""() => [performance.getEntriesByName('opengen:markers-loaded')[0].startTime / 1000,
                                            performance.getEntriesByType('navigation')[0].responseEnd / 1000]""")
    cdp.send("HeapProfiler.collectGarbage")
    heap = cdp.send("Runtime.getHeapUsage")["usedSize"] / 1e6
    loaded = page.evaluate("() => document.body.dataset.markersLoaded")
    page.close()
    return seconds, heap, loaded, html


def measure(browser, app) -> tuple:
    with served(app) as base:
        size(base + "/", False)  # warm-up: the page and the first view's tiles are built once
        plain, packed, name, tiles = view_bytes(browser, base)
        forget_kept()  # the first view's tiles built from the database, as after any change
        started = time.perf_counter()
        for url in tiles:
            size(url, True)
        cold = time.perf_counter() - started
        runs = [first_view(browser, base) for _ in range(3)]
    return (plain, packed, name, statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs),
            runs[0][2], cold, statistics.median(r[0] - r[3] for r in runs))


def main(counts: list[int]) -> None:
    print(f"{'sessions':>9} {'max view KB':>11} {'gz KB':>6} {'(view)':>14} {'first view s':>12} "
          f"{'after html s':>12} {'heap MB':>8} {'in view':>8} {'cold tiles ms':>13} {'time/demo':>9} "
          f"{'after html/demo':>15} {'heap/demo':>9}", flush=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        demo = None
        for count in [0] + counts:
            started = time.perf_counter()
            if count == 0:
                app = demo_app()
            elif os.environ.get("BENCH_PG"):
                app = app_with_events(count, os.environ["BENCH_PG"])
            else:
                app = app_with_events(count)
            figures = measure(browser, app)
            demo = demo or figures
            label = "demo 450" if count == 0 else str(count)
            plain, packed, name, seconds, heap, loaded, cold, after_html = figures
            print(f"{label:>9} {plain / 1024:>11.1f} {packed / 1024:>6.1f} {name:>14} {seconds:>12.2f} "
                  f"{after_html:>12.2f} {heap:>8.1f} {loaded:>8} {cold * 1000:>13.0f} {seconds / demo[3]:>9.2f} "
                  f"{after_html / demo[7]:>15.2f} {heap / demo[4]:>9.2f}"
                  f"   ({time.perf_counter() - started:.0f} s)", flush=True)
        browser.close()


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000, 100000])
