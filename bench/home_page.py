"""The home page's throughput as a share of /healthz's, measured side by side in one run.

gunicorn with 4 workers on a database of N demo sessions, wrk with 16 connections and gzip
accepted, alternating /healthz and each page (two rounds each, the ratio of the sums). Pages:
the first visit `/`, a search around a town, a filter, page 2. The page is kept whole per data
version, search, language and minute (opengen/kept_pages.py): the first request of each builds it.

Run: .venv/bin/python bench/home_page.py [counts...]   (default 10000; needs `wrk`; SQLite
databases cached in /tmp/opengen-bench-home)
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

os.environ.setdefault("BENCH_CACHE", "/tmp/opengen-bench-home")

from _common import CACHE, app_with_events  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["/", "/?q=Lyon", "/?family=data", "/?page=2"]
SECONDS = 6


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wrk(url: str) -> float:
    """Requests per second wrk reaches on url (16 connections, gzip accepted)."""
    out = subprocess.run(["wrk", "-t2", "-c16", f"-d{SECONDS}s", "-H", "Accept-Encoding: gzip", url],
                         capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def serve(database: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "bench", "GEOCODER": "offline",
           "TILES_URL": "http://tiles.invalid/{z}/{x}/{y}.png"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "4", "-b", f"127.0.0.1:{port}",
                               "-c", "gunicorn.conf.py", "app:app"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(240):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
            return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def main(counts: list[int]) -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    for count in counts:
        app_with_events(count)
        port = free_port()
        server = serve(CACHE / f"events-{count}.db", port)
        try:
            base = f"http://127.0.0.1:{port}"
            print(f"{count} sessions, gunicorn 4 workers, wrk 16 connections, gzip accepted")
            for path in PAGES:
                urllib.request.urlopen(base + path).read()  # built once, as after any change
                healthz = page = 0.0
                for _ in range(2):
                    healthz += wrk(base + "/healthz")
                    page += wrk(base + path)
                print(f"  {path:16} {page / 2:8.1f} req/s   /healthz {healthz / 2:8.1f} req/s   "
                      f"ratio {page / healthz:.2f}", flush=True)
        finally:
            server.terminate()
            server.wait(30)


if __name__ == "__main__":
    main([int(n) for n in sys.argv[1:]] or [10000])
