"""/admin/numbers figures and the CSV of published sessions at 1k, 10k and 100k events: the time
to compute them (median wall time) and the CSV size.

Run: .venv/bin/python bench/admin_numbers.py [counts...]   (SQLite databases are cached in /tmp)
"""
from __future__ import annotations

import sys

from _common import app_with_events, timed

from opengen.db import db, upgrade_schema
from opengen.editions import current_edition
from opengen.events import stats


def main(counts: list[int]) -> None:
    """Print the cost of the numbers and the CSV for each database size."""
    for count in counts:
        app = app_with_events(count)
        with app.app_context():
            upgrade_schema()
            edition = current_edition()
            seconds, numbers = timed(lambda: stats.numbers(edition), repeat=3)
            csv_seconds, body = timed(lambda: stats.published_csv(edition), repeat=3)
            print(f"{count:>7} events: numbers {seconds * 1000:7.0f} ms ({numbers.published} published, "
                  f"{numbers.schools} schools, {numbers.towns} towns); CSV {csv_seconds * 1000:7.0f} ms, "
                  f"{len(body.encode()) / 1e6:.1f} MB", flush=True)
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [1000, 10000, 100000])
