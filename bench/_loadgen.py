"""A load generator for the HTTP benchmarks: N concurrent clients in one asyncio process.

Each client sends its share of the requests one after another on a fresh connection per
request (gunicorn's sync workers close it anyway) and times each from connect to last byte.
One process and no threads, so that the generator costs far less CPU than the server it loads:
16 threads of http.client took as much CPU as the app and set the floor of the measure.

Run as: python bench/_loadgen.py PORT CLIENTS REQUESTS_PER_CLIENT < paths (one per line);
prints the latencies in seconds as JSON, exits 1 if a response was not 200.
"""
from __future__ import annotations

import asyncio
import json
import sys
import time


async def request(port: int, path: str) -> int:
    """Send one GET, read the whole answer; return its status."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
                     .encode())
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = None
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length is None:
            await reader.read()
        else:
            await reader.readexactly(length)
        return status
    finally:
        writer.close()


async def run(port: int, paths: list[str], clients: int, per_client: int) -> tuple[list[float], list]:
    latencies: list[float] = []
    failures: list = []

    async def client(n: int) -> None:
        for k in range(per_client):
            path = paths[(n * len(paths) // clients + k) % len(paths)]
            started = time.perf_counter()
            status = await request(port, path)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                failures.append((path, status))

    await asyncio.gather(*(client(n) for n in range(clients)))
    return latencies, failures


def main() -> int:
    port, clients, per_client = (int(a) for a in sys.argv[1:4])
    paths = [line.strip() for line in sys.stdin if line.strip()]
    latencies, failures = asyncio.run(run(port, paths, clients, per_client))
    print(json.dumps({"latencies": latencies, "failures": failures[:5]}))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
