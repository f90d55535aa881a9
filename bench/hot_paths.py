"""Each hot path's throughput as a share of /healthz's, measured side by side in one run, and the
other figures of issue 13: a search never asked before (p99), the start of a command and of a
worker, the import's rows per second, a worker's RSS idle and after serving the full feed.

Serving: gunicorn with 4 sync workers (no --preload: each worker starts as in production) on a
database of N demo sessions. Throughput: wrk, 16 connections, 2 threads, gzip accepted, the same
duration for every path, /healthz measured before and after the paths (the base is their mean,
so that a change of the machine's load during the run shows as a gap between the two). Every
path is warmed first (what a process keeps between two changes of the data is built once).
First-time searches: wrk again (its --latency percentiles), each request around a point of its
own drawn by a Lua script, beside /healthz's latency under the same 16 connections. (An earlier
version timed them with a Python load generator, which took as much CPU as a worker on these two
cores and added it to every latency.)

Goals (issue 13), printed beside each figure: `/` >= 0.2, markers >= 0.5, `/calendar.ics` >=
0.1 of /healthz at 10k; a first-time search p99 < 50 ms at 100k with 16 clients; a command and a
worker ready in < 2 s, a worker under 80 MB idle; 1,000 rows imported into 10k in < 2 s.

The start and import figures come from bench/startup.py and bench/import_speed.py, run here as
they are (their own lines are printed), so that each figure has one script that measures it.

Run: .venv/bin/python bench/hot_paths.py [counts...]   (default 10000 100000; SQLite databases
cached in /tmp/opengen-bench-hot; DATABASE_URL=postgresql://... runs on PostgreSQL, an empty
database that each count fills again)
"""
from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("BENCH_CACHE", "/tmp/opengen-bench-hot")

from _common import CACHE, app_with_events, percentile  # noqa: E402

from opengen.db import db, upgrade_schema  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CONNECTIONS = 16
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
PATHS = {  # name: (path, goal as a share of /healthz)
    "/": ("/", 0.2),
    "markers": ("/api/events/markers", 0.5),
    "/calendar.ics": ("/calendar.ics", 0.1),
}


def serve(database_url: str, port: int, workers: int = 4) -> subprocess.Popen:
    """Start gunicorn on the database; return once every worker has answered."""
    env = {**os.environ, "DATABASE_URL": database_url, "GEOCODER": "offline", "SECRET_KEY": "bench",
           "TILES_URL": "http://tiles.invalid/{z}/{x}/{y}.png",
           # One client here stands for many: the limit is raised, its counting is still paid.
           "API_RATE_LIMIT": "1000000 per minute"}
    env.pop("REDIS_URL", None)
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--timeout", "300", "--log-level", "warning", "app:app"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 300
    while len(worker_pids(process)) < workers or not answers(port, "/healthz"):
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise RuntimeError("gunicorn did not start")
        time.sleep(0.3)
    # Each worker loads the app on its own: ask enough times that all have answered once.
    for _ in range(8 * workers):
        answers(port, "/healthz")
    return process


def answers(port: int, path: str, timeout: float = 300) -> bool:
    """Send one GET (gzip accepted); tell whether it came back 200."""
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
        response = connection.getresponse()
        response.read()
        return response.status == 200
    except OSError:
        return False


def worker_pids(master: subprocess.Popen) -> list[int]:
    """The gunicorn workers' process ids."""
    try:
        return [int(p) for p in Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()]
    except OSError:
        return []


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def wrk(port: int, path: str) -> float:
    """Requests per second of `path` under wrk (16 connections, gzip accepted); fail on any error."""
    done = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--timeout", "60s",
         "-H", "Accept-Encoding: gzip", f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, check=True)
    if "Non-2xx" in done.stdout or re.search(r"Socket errors:.*(read|write|timeout) [1-9]", done.stdout):
        raise RuntimeError(f"wrk saw errors on {path}:\n{done.stdout}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", done.stdout).group(1))


# wrk asks every request for a point of its own (uniform over metropolitan France, 5 decimals:
# no two alike), each thread from its own seed: searches never asked before, as visitors type them.
UNIQUE_POINTS_LUA = """
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
function init(args)
  math.randomseed(7919 * (id + 1) + tonumber(args[1] or 0))
end
function request()
  local lat = 42.5 + math.random() * 8.5
  local lon = -4.5 + math.random() * 12.3
  return wrk.format("GET", string.format("/api/events?lat=%.5f&lon=%.5f", lat, lon))
end
"""


def wrk_latency(port: int, path: str, script: str | None = None, seed: int = 0) -> tuple[float, float, int]:
    """Median and p99 latency (seconds) and the number of requests of `path` under wrk (16
    connections, the same duration as the rates); fail on any error."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--timeout", "60s", "--latency"]
    with tempfile.TemporaryDirectory() as folder:
        if script is not None:
            Path(folder, "script.lua").write_text(script)
            command += ["-s", str(Path(folder, "script.lua"))]
        command += [f"http://127.0.0.1:{port}{path}", "--", str(seed)]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out or re.search(r"Socket errors:.*(read|write|timeout) [1-9]", out):
        raise RuntimeError(f"wrk saw errors on {path}:\n{out}")
    scale = {"us": 1e-6, "ms": 1e-3, "s": 1.0}
    found = {q: float(v) * scale[unit] for q, v, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)$", out, re.M)}
    return found["50"], found["99"], int(re.search(r"(\d+) requests in", out).group(1))


def verdict(ok: bool) -> str:
    return "meets the goal" if ok else "MISSES the goal"


def throughput(port: int) -> None:
    """Print each path's rate beside /healthz's, measured in the same run."""
    for _name, (path, _goal) in PATHS.items():  # warm: what the workers keep is built here
        for _ in range(8):
            if not answers(port, path):
                raise RuntimeError(f"{path} did not answer 200")
    # /healthz right before and after each path: the machine is shared, and its load drifts
    # within a run; each path is compared with the base measured around it.
    base = wrk(port, "/healthz")
    for name, (path, goal) in PATHS.items():
        rate = wrk(port, path)
        after = wrk(port, "/healthz")
        around = (base + after) / 2
        share = rate / around
        print(f"  {name:<15} {rate:8.1f} req/s, /healthz around it {base:.0f} and {after:.0f} req/s: "
              f"{share:.3f} of /healthz (goal >= {goal}: {verdict(share >= goal)})", flush=True)
        base = after


def searches(port: int, count: int) -> None:
    """Print the p99 of first-time searches under wrk, beside /healthz's under the same 16 connections."""
    median, p99, sent = wrk_latency(port, "/healthz")
    print(f"  /healthz, wrk {CONNECTIONS} connections (the harness's floor right now): median "
          f"{median * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms ({sent} requests)", flush=True)
    median, p99, sent = wrk_latency(port, "/", UNIQUE_POINTS_LUA, seed=count)
    print(f"  first-time search (/api/events?lat=&lon=, a point of its own for every request), wrk "
          f"{CONNECTIONS} connections, {sent} requests: median {median * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms "
          f"(goal < 50 ms: {verdict(p99 < 0.050)})", flush=True)


def memory(master: subprocess.Popen, port: int, idle: list[float]) -> None:
    """Print the workers' RSS idle, before the feed, and after each has served it (gzip accepted)."""
    pids = worker_pids(master)
    # The searches before have filled each worker's kept answers (up to 32 MB, answers.py): the
    # feed's own cost is the difference from here.
    before = [rss_mb(pid) for pid in pids]
    started = time.perf_counter()
    # Four at a time, twice as many as workers: each worker very likely serves the feed.
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "_loadgen.py"), str(port), "4", "2"],
                          input="/calendar.ics", capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"feed requests failed: {done.stdout[-500:]}")
    feed = json.loads(done.stdout)["latencies"]
    served = [rss_mb(pid) for pid in pids]
    print(f"  worker RSS idle (just started): {', '.join(f'{m:.0f}' for m in idle)} MB; before the feed "
          f"(after the searches, their answers kept): {', '.join(f'{m:.0f}' for m in before)} MB; after serving "
          f"/calendar.ics 8 times: {', '.join(f'{m:.0f}' for m in served)} MB "
          f"(feed: median {percentile(feed, 50):.2f} s, slowest {max(feed):.2f} s, "
          f"{time.perf_counter() - started:.1f} s for all)", flush=True)


def other_benches() -> None:
    """Run the start and import benches as they are and print their lines."""
    for script, args in (("startup.py", ["--runs", "2"]), ("import_speed.py", ["1000", "10000"])):
        # Their own databases (import_speed would fill DATABASE_URL's again): SQLite, cached.
        env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        env["BENCH_CACHE"] = str(CACHE)
        done = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=1800)
        lines = [line for line in done.stdout.splitlines() if line.strip()]
        print(f"  bench/{script} {' '.join(args)} (SQLite):" + ("" if done.returncode == 0 else
                                                           f" FAILED ({done.stderr.strip()[-300:]})"))
        for line in lines:
            print(f"    {line}", flush=True)


def main(counts: list[int]) -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed (apt-get install wrk)")
    for count in counts:
        app = app_with_events(count, os.environ.get("DATABASE_URL"))
        with app.app_context():
            upgrade_schema()
            database_url = app.config["SQLALCHEMY_DATABASE_URI"]
            dialect = db.engine.dialect.name
            db.engine.dispose()
        print(f"\n{count} sessions ({dialect}), gunicorn 4 workers, wrk {CONNECTIONS} connections, "
              f"{SECONDS} s per path, gzip accepted; load average {os.getloadavg()[0]:.1f} at start", flush=True)
        port = 18500 + count % 1000
        master = serve(database_url, port)
        idle = [rss_mb(pid) for pid in worker_pids(master)]
        try:
            if count <= 10_000:
                throughput(port)
            searches(port, count)
            if count >= 100_000:
                memory(master, port, idle)
        finally:
            master.terminate()
            master.wait(30)
    other_benches()


if __name__ == "__main__":
    print(f"(databases cached in {CACHE}; {os.cpu_count()} CPUs; the machine is shared, so ratios "
          f"measured in the same run are what to compare)")
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000])
