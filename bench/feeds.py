"""/calendar.ics streamed from the kept calendar entries, and sent again from the file kept as it
was streamed, served by gunicorn (4 workers), at 10k and 100k sessions: time to the first byte
and to the last, bytes per session (plain and gzipped),
the RSS of the workers before and after they served the full feed, the first read after the
migration (every entry built once, for every process), and at 10k the full feed's throughput as
a share of /healthz's in the same run (wrk, 16 connections, gzip accepted and not).

Run: .venv/bin/python bench/feeds.py [counts...]   (SQLite databases are cached in BENCH_CACHE,
/tmp/opengen-bench by default, and brought up to the latest migration first)
"""
from __future__ import annotations

import gzip
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from _common import app_with_events

from opengen.db import db, upgrade_schema
from opengen.models import EventCalendarEntry

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKERS = 4


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(database_url: str, port: int, files: str, keep_files: bool = True) -> subprocess.Popen:
    """gunicorn as in production (sync workers, --preload), ready when /healthz answers; feed
    bodies kept as files in `files` (none kept: every request streams from the entries)."""
    env = {**os.environ, "DATABASE_URL": database_url, "GEOCODER": "offline", "SECRET_KEY": "bench",
           "TILES_URL": "http://tiles.invalid/{z}/{x}/{y}.png", "FLASK_FEED_FILES_DIR": files,
           "FLASK_FEED_FILES_MAX_MB": "512" if keep_files else "0"}
    env.pop("REDIS_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--preload", "--workers", str(WORKERS), "--bind",
         f"127.0.0.1:{port}", "--timeout", "300", "--log-level", "warning", "app:app"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200 and len(workers(process)) == WORKERS:
                return process
        except OSError:
            pass
        time.sleep(0.3)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def workers(master: subprocess.Popen) -> list[int]:
    found = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master.pid)], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def rss_mb(pids: list[int]) -> list[float]:
    sizes = []
    for pid in pids:
        with open(f"/proc/{pid}/status") as status:
            sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status.read()).group(1)) / 1024)
    return sizes


def fetch(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[float, float, bytes, dict]:
    """GET path on a fresh connection: seconds to the first byte of the body, to the last; the body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    first = response.read(1)
    first_byte = time.perf_counter() - started
    body = first + response.read()
    total = time.perf_counter() - started
    assert response.status == 200, (response.status, body[:300])
    connection.close()
    return first_byte, total, body, dict(response.getheaders())


def wrk(port: int, path: str, gzip_accepted: bool, seconds: int = 10) -> float:
    """Requests per second over `seconds` with 16 connections (wrk, 2 threads)."""
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--timeout", "30s"]
    if gzip_accepted:
        command += ["-H", "Accept-Encoding: gzip"]
    done = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                          check=True)
    if "Non-2xx" in done.stdout or "Socket errors" in done.stdout:  # a cut answer is no answer
        raise RuntimeError(done.stdout)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", done.stdout).group(1))


def throughput(port: int, case: str) -> None:
    """Print /healthz's rate and the full feed's (plain, gzip accepted) as a share of it, in one run."""
    health = wrk(port, "/healthz", gzip_accepted=True)
    plain = wrk(port, "/calendar.ics", gzip_accepted=False)
    zipped = wrk(port, "/calendar.ics", gzip_accepted=True)
    print(f"{'':>7} throughput, 16 connections, {case}: /healthz {health:.0f} req/s; full feed "
          f"{plain:.1f} req/s ({plain / health:.3f} of /healthz), gzip accepted {zipped:.1f} req/s "
          f"({zipped / health:.3f} of /healthz)", flush=True)


def main(counts: list[int]) -> None:
    """One block per size: the first read after the migration, then the steady state."""
    for count in counts:
        app = app_with_events(count)
        with app.app_context():
            upgrade_schema()
            # As just after migration 0010 on a database holding these sessions: no entry built.
            db.session.execute(EventCalendarEntry.__table__.update().values(body=None, built_version=None))
            db.session.commit()
            url = str(db.engine.url)
            db.engine.dispose()
        port = free_port()
        files = tempfile.mkdtemp(prefix="feed-files-")
        server = serve(url, port, files)
        try:
            pids = workers(server)
            idle = rss_mb(pids)
            first_byte, total, body, _ = fetch(port, "/calendar.ics")
            assert body.count(b"BEGIN:VEVENT") == count
            print(f"{count:>7} sessions  first read after the migration (builds and stores every entry): "
                  f"first byte {first_byte:.3f} s, last {total:.2f} s", flush=True)
            for gzipped in (False, True):
                headers = {"Accept-Encoding": "gzip"} if gzipped else {}
                streamed, kept = [], []
                for _ in range(WORKERS * 2):
                    shutil.rmtree(files, ignore_errors=True)  # streamed from the entries...
                    streamed.append(fetch(port, "/calendar.ics", headers))
                    kept.append(fetch(port, "/calendar.ics", headers))  # ...then sent from its file
                for what, timings in (("streamed from the entries", streamed), ("sent from its file", kept)):
                    first_bytes = sorted(t[0] for t in timings)
                    totals = sorted(t[1] for t in timings)
                    print(f"{'':>7} {'gzipped' if gzipped else 'plain':>7}, {what}, {len(timings)} reads: first "
                          f"byte median {first_bytes[len(first_bytes) // 2]:.3f} s (max {first_bytes[-1]:.3f}), "
                          f"last byte median {totals[len(totals) // 2]:.2f} s", flush=True)
                if gzipped:
                    packed = kept[-1][2]
                    assert kept[-1][3].get("Content-Encoding") == "gzip" and gzip.decompress(packed) == body
                else:
                    assert streamed[-1][2] == kept[-1][2] == body
            after = rss_mb(pids)
            vevents = body[body.index(b"BEGIN:VEVENT"):body.rindex(b"END:VEVENT")]
            print(f"{'':>7} {len(body) / 1e6:.1f} MB, {len(vevents) / count:.0f} bytes per session "
                  f"({len(packed) / count:.0f} gzipped)", flush=True)
            print(f"{'':>7} worker RSS MB, idle: {' '.join(f'{m:.0f}' for m in idle)}; after the full feed "
                  f"{WORKERS * 8 + 1} times: {' '.join(f'{m:.0f}' for m in after)} "
                  f"(largest growth {max(a - b for a, b in zip(after, idle)):+.0f} MB)", flush=True)
            if count <= 10_000:
                throughput(port, "files kept")
                server.terminate()
                server.wait(30)
                server = serve(url, port, files, keep_files=False)
                throughput(port, "no file kept: every request streams from the entries")
        finally:
            server.terminate()
            server.wait(30)
            shutil.rmtree(files, ignore_errors=True)


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [10_000, 100_000])
