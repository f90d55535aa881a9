"""How fast a process starts: `flask --app app routes` wall time, a gunicorn worker's time to its
first 200 on /healthz and an idle worker's memory (RSS, PSS, USS from /proc; the goal is on RSS),
cold (no prepared gazetteer file) and warm (the file prepared by an earlier process).

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


def flask_routes(env: dict[str, str]) -> tuple[float, float]:
    """Wall time of `flask --app app routes` and the CPU time it used (user + system), in seconds:
    on a loaded machine the CPU time is the steadier figure."""
    started = time.perf_counter()
    process = subprocess.Popen([str(BIN / "flask"), "--app", "app", "routes"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"flask routes failed ({process.returncode})")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory_mb(pid: int) -> dict[str, float]:
    """A process's memory in MB: RSS (resident), PSS (shared pages split between the processes
    sharing them) and USS (its own pages only), from /proc/PID/smaps_rollup."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1].isdigit():
            fields[parts[0].rstrip(":")] = int(parts[1]) / 1024
    return {"rss": fields["Rss"], "pss": fields["Pss"],
            "uss": fields["Private_Clean"] + fields["Private_Dirty"]}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def gunicorn_worker(env: dict[str, str]) -> tuple[float, dict[str, float], dict[str, float], float]:
    """Seconds from starting gunicorn (one worker, gunicorn.conf.py: warmed, no preload) to the
    first 200 on /healthz; the idle worker's memory, then its memory once it has served `/`."""
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
            except (urllib.error.URLError, OSError):  # refused, reset or timed out while starting
                time.sleep(0.02)
        ready = time.perf_counter() - started
        worker = int(Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()[0])
        cpu = cpu_seconds(worker)
        time.sleep(1.0)  # idle
        idle = memory_mb(worker)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as response:
            response.read()
        return ready, idle, memory_mb(worker), cpu
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
                times, cpus = [w[0] for w in warm], [w[1] for w in warm]
                print(f"flask --app app routes: cold {cold[0]:.2f} s, warm median "
                      f"{statistics.median(times):.2f} s (min {min(times):.2f}); CPU cold {cold[1]:.2f} s, "
                      f"warm median {statistics.median(cpus):.2f} s", flush=True)
            else:
                times, cpus = [w[0] for w in warm], [w[3] for w in warm]
                print(f"gunicorn worker, first 200 on /healthz: cold {cold[0]:.2f} s, warm median "
                      f"{statistics.median(times):.2f} s (min {min(times):.2f}); the worker's CPU until then "
                      f"cold {cold[3]:.2f} s, warm median {statistics.median(cpus):.2f} s", flush=True)
                for label, index in (("idle worker", 1), ("worker after serving / (map shell drawn)", 2)):
                    print(f"{label}: " + ", ".join(
                        f"{kind.upper()} cold {cold[index][kind]:.0f} MB, warm median "
                        f"{statistics.median(w[index][kind] for w in warm):.0f} MB"
                        for kind in ("rss", "pss", "uss")), flush=True)


if __name__ == "__main__":
    main()
