"""Print how long 10,000 entries take to serialise: build_calendar beside icalendar's object model.

Why feeds/ics.py writes content lines itself: the same calendar through icalendar's objects takes
several times longer. icalendar is a test requirement (the tests parse our output with it).
"""

import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import icalendar  # noqa: E402

from opengen.feeds.ics import CalendarEntry, build_calendar  # noqa: E402
from opengen.timezones import PARIS  # noqa: E402

COUNT = 10_000
STAMP = datetime(2021, 11, 20, 12, tzinfo=timezone.utc)
DESCRIPTION = (
    "Découvrez la formation « Développeur web et web mobile » : atelier d'initiation au code, "
    "rencontre avec l'équipe pédagogique et d'anciens apprenants.\n"
    "Sans prérequis académique ; ouvert à toutes et à tous, en particulier aux femmes, aux "
    "habitants des quartiers prioritaires et des zones rurales."
)


def entries(count: int) -> list[CalendarEntry]:
    """Entries like the seed week's sessions, one every ten minutes from Monday 29 Nov 2021."""
    first = datetime(2021, 11, 29, 9, tzinfo=PARIS)
    return [
        CalendarEntry(
            uid=f"event-{n}@opengen.example",
            sequence=n % 3,
            summary=f"Portes ouvertes n°{n} : développeur·se web, data & IA",
            description=DESCRIPTION,
            start=first + timedelta(minutes=10 * n),
            end=first + timedelta(minutes=10 * n + 60),
            location=f"{n} rue de la République, 69002 Lyon",
            geo=(45.76 + n / 1e5, 4.83 + n / 1e5),
            url=f"https://opengen.example/evenements/{n}",
            categories=("Développement", "Data, IA"),
            status="CANCELLED" if n % 50 == 0 else "CONFIRMED",
            last_modified=STAMP,
            created=STAMP,
        )
        for n in range(count)
    ]


def ours(batch: list[CalendarEntry]) -> bytes:
    """The calendar as the feeds build it."""
    return build_calendar(batch, name="Open Gen 2021", calendar_uid="all@opengen.example", stamp=STAMP)


def through_icalendar(batch: list[CalendarEntry]) -> bytes:
    """The same calendar through icalendar's object model (same properties, zone added by it)."""
    calendar = icalendar.Calendar()
    for name, value in (("prodid", "-//Grande Ecole du Numerique//Open Gen//FR"), ("version", "2.0"),
                        ("calscale", "GREGORIAN"), ("method", "PUBLISH"),
                        ("x-wr-calname", "Open Gen 2021"), ("uid", "all@opengen.example")):
        calendar.add(name, value)
    for entry in batch:
        event = icalendar.Event()
        event.add("uid", entry.uid)
        event.add("sequence", entry.sequence)
        event.add("dtstamp", STAMP)
        event.add("summary", entry.summary)
        event.add("description", entry.description)
        event.add("dtstart", entry.start)
        event.add("dtend", entry.end)
        event.add("location", entry.location)
        event.add("geo", entry.geo)
        event.add("url", entry.url)
        event.add("categories", list(entry.categories))
        event.add("status", entry.status)
        event.add("last-modified", entry.last_modified)
        event.add("created", entry.created)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def timed(build, batch: list[CalendarEntry], repeat: int) -> tuple[list[float], bytes]:
    """The times of repeat builds, and the last body."""
    timings = []
    for _ in range(repeat):
        began = time.perf_counter()
        body = build(batch)
        timings.append(time.perf_counter() - began)
    return timings, body


def main() -> None:
    """Build the calendar both ways and print the timings side by side."""
    batch = entries(COUNT)
    fast, body = timed(ours, batch, 5)
    slow, reference = timed(through_icalendar, batch, 2)
    assert body.count(b"BEGIN:VEVENT") == reference.count(b"BEGIN:VEVENT") == COUNT
    print(f"{COUNT:,} entries  build_calendar: first {fast[0]:.3f} s, then best {min(fast[1:]):.3f} s "
          f"({len(body) / 1e6:.1f} MB)  |  icalendar: best {min(slow):.3f} s "
          f"({len(reference) / 1e6:.1f} MB)  |  {min(slow) / min(fast[1:]):.1f}x faster")


if __name__ == "__main__":
    main()
