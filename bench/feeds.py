"""/calendar.ics at 1k, 10k and 100k events: build time and size, the full HTTP answer (cold:
built for the request; warm: the same state sent again), gzipped, and a conditional request
answered with 304.

Run: .venv/bin/python bench/feeds.py [counts...]   (SQLite databases are cached in /tmp, and
brought up to the latest migration first)
"""
from __future__ import annotations

import sys
import time
import urllib.error
import urllib.request

from _common import app_with_events, served, timed

from opengen.db import db, upgrade_schema
from opengen.events.filters import EventFilters
from opengen.feeds import calendars


def fetch(url: str, headers: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
    """GET url; return the status, the body and the headers (a 304 is an answer, not an error)."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read(), dict(error.headers)


def timed_cpu(function, repeat: int) -> tuple[float, object]:
    """The median CPU time of the process over `repeat` calls: what a build costs on a machine
    that other work does not slow down (wall time counts the waits for a busy CPU too)."""
    return timed(function, repeat, clock=time.process_time)


def main(counts: list[int]) -> None:
    """Print one line per size: cold builds (nothing kept from earlier requests), then warm ones."""
    print(f"{'events':>8} {'build s':>8} {'CPU s':>6} {'MB':>6} {'HTTP cold s':>11} {'HTTP warm s':>11} "
          f"{'gz warm s':>9} {'gz MB':>6} {'304 ms':>7} {'304 gz ms':>9}")
    for count in counts:
        app = app_with_events(count)
        with app.app_context():
            upgrade_schema()  # a database cached by an older checkout lacks the feeds' index
        repeat = 3 if count >= 100_000 else 5
        with app.test_request_context("/calendar.ics"):
            links = calendars.FeedLinks(event="http://bench.invalid/events/{id}", page="http://bench.invalid/")

            def build() -> bytes:
                calendars.forget_built_feeds()
                return calendars.search_feed(EventFilters(), links).body

            built, body = timed(build, repeat)
            cpu, _ = timed_cpu(build, repeat)
            assert body.count(b"BEGIN:VEVENT") == count
            db.session.remove()
        with served(app) as base:
            url = base + "/calendar.ics"

            def cold() -> tuple[int, bytes, dict[str, str]]:
                calendars.forget_built_feeds()
                return fetch(url, {})

            cold_time, (status, full, headers) = timed(cold, repeat)
            assert status == 200 and full.count(b"BEGIN:VEVENT") == count
            warm_time, _ = timed(lambda: fetch(url, {}), repeat)
            zipped, (status, packed, gz_headers) = timed(
                lambda: fetch(url, {"Accept-Encoding": "gzip"}), repeat)
            assert status == 200 and gz_headers.get("Content-Encoding") == "gzip"
            not_modified, (status, _, _) = timed(lambda: fetch(url, {"If-None-Match": headers["ETag"]}), 20)
            assert status == 304
            gz_not_modified, (status, _, _) = timed(
                lambda: fetch(url, {"Accept-Encoding": "gzip", "If-None-Match": gz_headers["ETag"]}), 20)
            assert status == 304
        print(f"{count:>8} {built:>8.3f} {cpu:>6.3f} {len(body) / 1e6:>6.1f} {cold_time:>11.3f} "
              f"{warm_time:>11.3f} "
              f"{zipped:>9.3f} {len(packed) / 1e6:>6.2f} {not_modified * 1000:>7.1f} "
              f"{gz_not_modified * 1000:>9.1f}", flush=True)


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [1_000, 10_000, 100_000])
