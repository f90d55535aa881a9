"""Map payload at 1k, 10k and 100k events: page size, markers JSON size, the markers endpoint's
time when built ("cold") and when kept for an unchanged database ("kept"), and Chromium's time
until every marker is clustered on screen.

Run: .venv/bin/python bench/map_payload.py [counts...]   (SQLite databases are cached in /tmp)
"""
from __future__ import annotations

import gzip
import sys
import time
import urllib.request

from _common import app_with_events, served, timed
from playwright.sync_api import sync_playwright

from opengen.versioned import forget_kept

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def fetch(url: str, gzip_ok: bool = False) -> bytes:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})
    with urllib.request.urlopen(request) as response:
        return response.read()


def browser_time(browser, base: str) -> tuple[float, str]:
    page = browser.new_page()
    page.route("http://tiles.invalid/**", lambda route: route.fulfill(status=204, body=""))
    started = time.perf_counter()
    page.goto(base + "/")
    page.wait_for_function("document.body.dataset.markersLoaded !== undefined", timeout=120000)
    page.wait_for_selector(".marker-cluster")
    elapsed = time.perf_counter() - started
    loaded = page.evaluate("document.body.dataset.markersLoaded")
    page.close()
    return elapsed, loaded


def main(counts: list[int]) -> None:
    print(f"{'events':>8} {'page KB':>8} {'page gz KB':>10} {'markers KB':>10} {'markers gz KB':>13} "
          f"{'cold ms':>8} {'kept ms':>8} {'chromium s':>10} {'on map':>7}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for count in counts:
            app = app_with_events(count)
            with served(app) as base:
                fetch(base + "/api/events/markers")  # warm-up
                page = fetch(base + "/")
                page_gz = fetch(base + "/", gzip_ok=True)
                def cold():
                    forget_kept()
                    return fetch(base + "/api/events/markers")

                cold_seconds, _ = timed(cold, repeat=3)
                seconds, markers = timed(lambda: fetch(base + "/api/events/markers"), repeat=5)
                markers_gz = fetch(base + "/api/events/markers", gzip_ok=True)
                assert gzip.decompress(markers_gz) == markers
                runs = [browser_time(browser, base) for _ in range(3)]
                chromium = sorted(r[0] for r in runs)[1]
                print(f"{count:>8} {len(page) / 1024:>8.1f} {len(page_gz) / 1024:>10.1f} "
                      f"{len(markers) / 1024:>10.1f} {len(markers_gz) / 1024:>13.1f} "
                      f"{cold_seconds * 1000:>8.0f} {seconds * 1000:>8.0f} {chromium:>10.2f} {runs[0][1]:>7}", flush=True)
        browser.close()


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000, 100000])
