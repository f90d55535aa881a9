"""/api/events.geojson and /api/events.csv of every session at 10k and 100k events, served by a
real gunicorn worker: time to first byte, total time, size, and the worker's peak memory.

The peak is the worker's peak resident set (VmHWM), reset before each export (Linux:
/proc/<pid>/clear_refs), and shown above the worker's memory just before the request: an export
read a page at a time must not need more memory for 100k sessions than for 10k.

Run: .venv/bin/python bench/exports.py [counts...]   (SQLite databases are cached in /tmp)
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from _common import app_with_events

from opengen.db import db, upgrade_schema

ROOT = Path(__file__).resolve().parent.parent
EXPORTS = (
    ("geojson", "/api/events.geojson?edition=2021", {}),
    ("csv", "/api/events.csv?edition=2021", {}),
    ("geojson gz", "/api/events.geojson?edition=2021", {"Accept-Encoding": "gzip"}),
    ("csv family", "/api/events.csv?edition=2021&family=data", {}),
    ("geojson 93200", "/api/events.geojson?edition=2021&q=93200&radius_km=200", {}),
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _kb(pid: int, field: str) -> int:
    """A memory figure of /proc/<pid>/status, in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def _worker(master: int) -> int:
    """The pid of the one worker of a gunicorn master."""
    for _ in range(100):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("no gunicorn worker")


def _get(url: str, headers: dict[str, str]) -> tuple[float, float, int]:
    """GET url reading the body in blocks (kept by nobody); return (first byte s, total s, bytes)."""
    started = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as response:
        first = response.read(1)
        ttfb = time.perf_counter() - started
        size = len(first)
        while block := response.read(256 * 1024):
            size += len(block)
    return ttfb, time.perf_counter() - started, size


def _wait(url: str) -> None:
    for _ in range(200):
        try:
            _get(url, {})
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not answer")


def main(counts: list[int]) -> None:
    """Print one line per export and size."""
    print(f"{'events':>8} {'export':<14} {'MB':>7} {'TTFB s':>7} {'total s':>8} "
          f"{'worker MB':>9} {'peak +MB':>8}")
    for count in counts:
        app = app_with_events(count)
        with app.app_context():
            upgrade_schema()  # a database cached by an older checkout lacks the newer columns
            url = str(db.engine.url)
        port = _free_port()
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "GEOCODER": "offline"}
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}", "--timeout", "300",
             "app:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait(base + "/api/events?limit=1")
            worker = _worker(server.pid)
            for name, path, headers in EXPORTS:
                _get(base + path + "&limit=10", headers)  # warm: imports, statements, the place
                Path(f"/proc/{worker}/clear_refs").write_text("5")  # reset the peak (VmHWM)
                before = _kb(worker, "VmRSS")
                ttfb, total, size = _get(base + path, headers)
                peak = _kb(worker, "VmHWM")
                print(f"{count:>8} {name:<14} {size / 1e6:>7.1f} {ttfb:>7.3f} "
                      f"{total:>8.2f} {before / 1024:>9.1f} {(peak - before) / 1024:>8.1f}", flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [10_000, 100_000])
