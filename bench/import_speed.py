"""Rows per second of the CSV import (`flask import-events`): 1,000 rows into 10k sessions.

The file is made from the demo data itself: most rows are new sessions of existing schools at
their own venues (an hour after one of theirs, so the duplicate check has candidates to weigh),
one in ten repeats an existing session and must be refused as a duplicate. The import is rolled
back at the end, so the cached database stays as it was.

    .venv/bin/python bench/import_speed.py [ROWS] [SESSIONS]
    DATABASE_URL=postgresql://... .venv/bin/python bench/import_speed.py  (an empty database)
"""
from __future__ import annotations

import csv
import hashlib
import io
import os
import sys
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from _common import app_with_events

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from opengen.db import db
from opengen.models import Event, EventFormat
from opengen.submissions.imports import COLUMNS, import_file

FROZEN_NOW = "2021-11-28T12:00"  # the week before the demo edition: it takes proposals
KIND_WORDS = {"workshop": "atelier", "career_talk": "metier", "testimony": "temoignage",
              "open_house": "portes_ouvertes", "info_session": "reunion"}


def _row(event: Event, shift: timedelta) -> dict[str, str]:
    zone = ZoneInfo(event.venue.timezone)
    start = (event.start_at + shift).astimezone(zone)
    end = (event.end_at + shift).astimezone(zone)
    return {"ecole": event.school.name, "site_web": "", "email_contact": "reseau@example.org",
            "titre": event.title, "description": event.description, "type": KIND_WORDS[event.kind.value],
            "familles": "|".join(f.slug for f in event.families), "publics": "", "accessibilite": "",
            "accessible_fauteuil": "non", "format": "sur_place", "lien_en_ligne": "", "places": "",
            "lien_inscription": "", "lieu": event.venue.name, "adresse": event.venue.address,
            "code_postal": event.venue.postcode or "", "ville": event.venue.city or "",
            "jour": start.strftime("%d/%m/%Y"), "debut": start.strftime("%H:%M"), "fin": end.strftime("%H:%M")}


def demo_csv(rows: int) -> bytes:
    """A CSV file of `rows` sessions taken from the database's own on-site sessions."""
    events = db.session.scalars(
        select(Event).options(selectinload(Event.venue), selectinload(Event.school), selectinload(Event.families))
        .where(Event.format == EventFormat.onsite, Event.venue_id.is_not(None))
        .order_by(Event.id).limit(rows)).all()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[c for c, _f, _h in COLUMNS], delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    for n, event in enumerate(events):
        writer.writerow(_row(event, timedelta(0) if n % 10 == 0 else timedelta(minutes=30)))
    return out.getvalue().encode()


def main(rows: int, sessions: int) -> None:
    app = app_with_events(sessions, os.environ.get("DATABASE_URL"))
    app.config["FROZEN_NOW"] = FROZEN_NOW
    with app.test_request_context():
        data = demo_csv(rows)
        started, cpu = time.perf_counter(), time.process_time()
        report = import_file(data, client_key="bench")
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        db.session.rollback()
        refused = [r for r in report.rejected if r.problems and r.problems[0][0] == "titre"]
        print(f"{db.engine.dialect.name}, {sessions} sessions: {rows} rows in {elapsed:.2f} s, "
              f"{rows / elapsed:.0f} rows/s; this process's CPU {cpu:.2f} s ({report.imported} imported, {len(refused)} duplicates refused, "
              f"{len(report.rejected) - len(refused)} other rejections) {report.file_error or ''}", flush=True)
        lines = ",".join(str(r.line) for r in refused)
        print(f"  refused lines' digest {hashlib.sha256(lines.encode()).hexdigest()[:12]}")
        for rejected in report.rejected[:3]:
            if rejected not in refused:
                print("   e.g.", rejected)


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*(args + [1000, 10_000][len(args):]))
