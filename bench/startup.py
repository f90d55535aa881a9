"""How fast a process starts: `flask --app app routes` wall time, a gunicorn worker's time to its
first 200 on /healthz and an idle worker's RSS (from /proc), cold (no prepared gazetteer file) and
warm (the file prepared by an earlier process).

    .venv/bin/python bench/startup.py [--runs 3]
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))


def make_database(directory: Path) -> str:
    """An empty, migrated SQLite database for the served app (TESTING skips the gazetteer)."""
    from opengen import create_app
    from opengen.db import upgrade_schema

    url = f"sqlite:///{directory / 'events.db'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade_schema()
    return url


def environment(url: str, gazetteer_dir: Path) -> dict[str, str]:
    """The served app's environment: its database, offline geocoding, a gazetteer folder."""
    return {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "GEOCODER": "offline",
            "OPENGEN_GAZETTEER_DIR": str(gazetteer_dir)}


def flask_routes(env: dict[str, str]) -> float:
    """Wall time of `flask --app app routes`, in seconds."""
    started = time.perf_counter()
    subprocess.run([str(BIN / "flask"), "--app", "app", "routes"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def gunicorn_worker(env: dict[str, str]) -> tuple[float, float]:
    """Seconds from starting gunicorn (one worker) to the first 200 on /healthz, and the idle
    worker's RSS in MB."""
    port = free_port()
    started = time.perf_counter()
    master = subprocess.Popen([str(BIN / "gunicorn"), "-w", "1", "-b", f"127.0.0.1:{port}", "app:app"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if time.perf_counter() - started > 120 or master.poll() is not None:
                raise RuntimeError("gunicorn did not answer")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.02)
        ready = time.perf_counter() - started
        time.sleep(1.0)  # idle
        children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
        return ready, rss_mb(int(children[0]))
    finally:
        master.terminate()
        master.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="warm runs of each measure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="opengen-startup-") as tmp:
        tmp = Path(tmp)
        url = make_database(tmp)
        for what in ("flask", "gunicorn"):
            gazetteer_dir = tmp / f"gazetteer-{what}"  # empty: the first run prepares the file
            env = environment(url, gazetteer_dir)
            measure = flask_routes if what == "flask" else gunicorn_worker
            cold = measure(env)
            warm = [measure(env) for _ in range(args.runs)]
            if what == "flask":
                print(f"flask --app app routes: cold {cold:.2f} s, warm median "
                      f"{statistics.median(warm):.2f} s (min {min(warm):.2f})", flush=True)
            else:
                times = [w[0] for w in warm]
                print(f"gunicorn worker, first 200 on /healthz: cold {cold[0]:.2f} s, warm median "
                      f"{statistics.median(times):.2f} s (min {min(times):.2f})", flush=True)
                print(f"idle worker RSS: cold {cold[1]:.0f} MB, warm median "
                      f"{statistics.median(w[1] for w in warm):.0f} MB", flush=True)


if __name__ == "__main__":
    main()
