"""The home page's weight on a phone: bytes transferred by kind (html, css, js, json, font, image),
request count and the time until the first markers are drawn (`document.body.dataset.markersLoaded`),
unthrottled and on Chrome DevTools' "Fast 3G" profile; map tiles are blocked and left out.

A fresh browser context per run (empty cache; the last line: a second visit from the cache), Chromium 360x740 with is_mobile and touch; bytes
are what went over the wire (Chrome's encodedDataLength: headers and compressed bodies).

    .venv/bin/python bench/page_weight.py [SESSIONS ...]   (default 450, about the demo week)
"""
from __future__ import annotations

import statistics
import sys
import time
import urllib.request
from collections import Counter
from urllib.parse import urlsplit

from _common import app_with_events, served
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"]
PHONE = dict(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
             device_scale_factor=2, locale="fr-FR", timezone_id="Europe/Paris")
# Chrome DevTools' "Fast 3G" preset (front_end/core/sdk/NetworkManager.ts).
FAST_3G = {"offline": False, "latency": 150 * 3.75, "downloadThroughput": 1.6 * 1000 * 1000 / 8 * 0.9,
           "uploadThroughput": 750 * 1000 / 8 * 0.9}
GOAL_BYTES = 120 * 1024
GOAL_FAST_3G_S = 2.0
RUNS = 3


def kind_of(mime: str, url: str) -> str:
    """The kind a response is counted under."""
    mime = (mime or "").lower()
    for kind, marks in (("html", ("text/html",)), ("css", ("text/css",)),
                        ("js", ("javascript", "ecmascript")), ("json", ("json",)),
                        ("font", ("font", "woff")), ("image", ("image/",))):
        if any(mark in mime for mark in marks):
            return kind
    return "other: " + (mime or urlsplit(url).path)


def load(browser, url: str, throttle: dict | None, repeat: bool = False) -> tuple[Counter, int, float]:
    """Open the home page once (with `repeat`, a second time in the same context, from its cache);
    return bytes by kind, the request count and seconds to first markers."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    # Tiles blocked by Chrome itself: Playwright's page.route would also turn the HTTP cache off.
    cdp.send("Network.setBlockedURLs", {"urls": ["*tiles.invalid*"]})
    if repeat:
        page.goto(url, wait_until="load")
        page.wait_for_timeout(300)
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": not repeat})
    if throttle:
        cdp.send("Network.emulateNetworkConditions", throttle)
    responses: dict[str, tuple[str, str]] = {}
    sizes: Counter = Counter()
    requests: set[str] = set()
    from_cache: set[str] = set()

    def received(event: dict) -> None:
        response = event["response"]
        if "tiles.invalid" not in response["url"]:
            responses[event["requestId"]] = (response.get("mimeType", ""), response["url"])

    def finished(event: dict) -> None:
        found = responses.get(event["requestId"])
        if found is not None:
            sizes[kind_of(*found)] += int(event["encodedDataLength"])
            if event["requestId"] not in from_cache:
                requests.add(event["requestId"])

    cdp.on("Network.responseReceived", received)
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.requestServedFromCache", lambda event: from_cache.add(event["requestId"]))
    started = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_function("() => document.body && document.body.dataset.markersLoaded !== undefined",
                           timeout=120_000)
    first_markers = time.perf_counter() - started
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)  # late requests (markers JSON already counted; anything after load)
    context.close()
    return sizes, len(requests), first_markers


def report(browser, url: str, label: str, throttle: dict | None, repeat: bool = False) -> None:
    """Print the median of RUNS loads for one network profile."""
    runs = [load(browser, url, throttle, repeat) for _ in range(RUNS)]
    sizes, count, _ = runs[-1]
    total = sum(sizes.values())
    seconds = statistics.median(run[2] for run in runs)
    kinds = ", ".join(f"{kind} {size / 1024:.1f}" for kind, size in sorted(sizes.items(), key=lambda i: -i[1]))
    print(f"  {label}: {total / 1024:.1f} KB in {count} requests over the network ({kinds} KB); first markers "
          f"median {seconds:.2f} s (runs {', '.join(f'{r[2]:.2f}' for r in runs)})", flush=True)
    if repeat:
        return
    if throttle is None:
        print(f"    goal < {GOAL_BYTES // 1024} KB before tiles: {'met' if total < GOAL_BYTES else 'NOT met'}")
    else:
        print(f"    goal first markers < {GOAL_FAST_3G_S:.0f} s on Fast 3G: "
              f"{'met' if seconds < GOAL_FAST_3G_S else 'NOT met'}")


def main(counts: list[int]) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(args=ARGS, executable_path=CHROMIUM)
        for count in counts:
            app = app_with_events(count)
            with served(app) as base:
                urllib.request.urlopen(base + "/").read()  # a served worker is warm (gunicorn.conf.py)
                print(f"home page, phone 360x740, {count} sessions:", flush=True)
                report(browser, base + "/", "unthrottled", None)
                report(browser, base + "/", "Fast 3G", FAST_3G)
                # What fingerprinted, immutable files save: a second visit asks only for the data.
                report(browser, base + "/", "Fast 3G, second visit (browser cache)", FAST_3G, repeat=True)
        browser.close()


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [450])
