"""A real Radicale CalDAV server on the loopback interface, for tests: no authentication, storage in a folder.

Use the context manager `running_radicale(folder)`, or the `radicale_url` fixture it backs (a plugin
of tests/conftest.py, so every test may ask for it):

    def test_something(radicale_url):
        with caldav.DAVClient(url=radicale_url, username="tester", password="any") as client:
            ...

With authentication off Radicale accepts any user name and password; its default rights let a
user work under /<user>/, so pass a user name to the client.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import caldav
import pytest

START_TIMEOUT = 15.0  # seconds; Radicale usually answers within half a second


@contextmanager
def running_radicale(folder: Path) -> Iterator[str]:
    """Run Radicale on 127.0.0.1 at a free port, storing under folder; yield its base URL, then stop it."""
    folder.mkdir(parents=True, exist_ok=True)
    for _ in range(3):  # another process may take the free port before Radicale binds it
        port = _free_port()
        config = folder / "radicale.conf"
        config.write_text(
            "[server]\n"
            f"hosts = 127.0.0.1:{port}\n"
            "[auth]\n"
            "type = none\n"
            "delay = 0\n"  # Radicale pauses a second after each refused login by default
            "[storage]\n"
            f"filesystem_folder = {folder / 'collections'}\n"
            "[web]\n"
            "type = none\n"
            "[logging]\n"
            "level = warning\n",
            encoding="utf-8",
        )
        log_path = folder / "radicale.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "radicale", "--config", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            url = f"http://127.0.0.1:{port}/"
            if _wait_until_ready(url, process):
                yield url
                return
        finally:
            _stop(process)
        if "Address already in use" not in log_path.read_text(encoding="utf-8", errors="replace"):
            break
    log_text = log_path.read_text(encoding="utf-8", errors="replace")
    raise RuntimeError(f"Radicale did not start; its log:\n{log_text}")


@pytest.fixture
def radicale_url(tmp_path: Path) -> Iterator[str]:
    """The base URL of a fresh Radicale server, stopped after the test."""
    with running_radicale(tmp_path / "radicale") as url:
        yield url


@pytest.fixture
def calendar(radicale_url: str):
    """A fresh Radicale calendar for the user tester."""
    with caldav.DAVClient(url=radicale_url, username="tester", password="any") as client:
        yield client.principal().make_calendar(name="Open Gen")


def calendar_objects(body: bytes) -> dict[str, str]:
    """One CalDAV object per VEVENT of a feed, by UID, each with the feed's VTIMEZONE.

    RFC 4791 wants one UID per calendar object resource and no METHOD, so the feed is cut apart
    as text, keeping our own serialisation rather than a parser's rewrite of it.
    """
    head, *events = body.decode("utf-8").split("BEGIN:VEVENT\r\n")
    head = head.replace("METHOD:PUBLISH\r\n", "")
    events[-1] = events[-1].removesuffix("END:VCALENDAR\r\n")
    objects = {}
    for event in events:
        lines = event.replace("\r\n ", "").split("\r\n")  # unfolded
        uid = next(line[4:] for line in lines if line.startswith("UID:"))
        objects[uid] = f"{head}BEGIN:VEVENT\r\n{event}END:VCALENDAR\r\n"
    return objects


def found_between(calendar: caldav.Calendar, start: datetime, end: datetime) -> dict[str, caldav.Event]:
    """The events Radicale itself finds in [start, end) (given in UTC), by UID."""
    found = calendar.search(start=start, end=end, event=True, post_filter=False)
    return {str(event.icalendar_component["UID"]): event for event in found}


def _free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_ready(url: str, process: subprocess.Popen) -> bool:
    """Whether Radicale answers HTTP at url before it exits or the time-out passes."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return True
        except urllib.error.HTTPError as error:  # any HTTP answer means it is serving
            error.close()
            return True
        except OSError:  # refused while it starts
            time.sleep(0.05)
    return False


def _stop(process: subprocess.Popen) -> None:
    """Stop the server process and reap it."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
