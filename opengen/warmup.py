"""Warm a fresh worker before it takes requests: its first searches otherwise pay for building
and compiling their statements (a tenth of a second or more at 100k events), and would be ranked
in SQL until the index of events/nearby.py is built."""
from __future__ import annotations

import logging

from flask import Flask

from .events import nearby

log = logging.getLogger(__name__)

# Searches by position (a place name could send the online geocoder a request at every start)
# and the list without a place: they build the ranking statements and the detail queries. A
# page's size is part of what a statement is built for: the default one is what visitors ask.
WARM_PATHS = ("/api/events?lat=48.8566&lon=2.3522", "/api/events?lat=45.76&lon=4.84",
              "/api/events?limit=1")


def warm(app: Flask) -> bool:
    """Send a few searches through the app in process; tell whether they all answered 200.

    Never raises: a worker must start even when the database is not there yet.
    """
    client = app.test_client()
    ok = True
    for path in WARM_PATHS:
        try:
            status = client.get(path).status_code
        except Exception as error:  # noqa: BLE001 - any failure only means a cold start
            log.warning("warm-up %s failed: %r", path, error)
            return False
        ok = ok and status == 200
    nearby.wait()  # the searches' index in memory, started by the first of them
    return ok
