"""Calendar feeds imported into a real CalDAV server (Radicale), found again by time range."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import caldav

from opengen.feeds.ics import CalendarEntry, build_calendar
from tests.radicale_server import calendar_objects, found_between
from tests.test_ics import PARIS, STAMP, make_entry

UTC = timezone.utc
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def entry_objects(entries: list[CalendarEntry]) -> dict[str, str]:
    """One CalDAV object per entry, by UID, cut from the calendar we build for them."""
    feed = build_calendar(entries, name="Open Gen", calendar_uid="all@opengen.test", stamp=STAMP)
    objects = calendar_objects(feed)
    assert list(objects) == [entry.uid for entry in entries]
    return objects


def import_entries(calendar: caldav.Calendar, entries: list[CalendarEntry]) -> None:
    """Store each entry as it is written, replacing an object with the same UID."""
    for uid, data in entry_objects(entries).items():
        assert f"\r\nUID:{uid}\r\n" in data
        calendar.add_event(data, increase_seqno=False)  # keep our SEQUENCE as it is


SESSIONS = [
    make_entry(uid="winter@opengen.test", start=datetime(2021, 11, 29, 10, 0, tzinfo=PARIS)),
    make_entry(uid="summer@opengen.test", start=datetime(2022, 6, 15, 10, 0, tzinfo=PARIS)),
    # 03:30 CEST, an hour after clocks went forward on the last Sunday of March.
    make_entry(uid="spring-night@opengen.test", start=datetime(2022, 3, 27, 1, 30, tzinfo=UTC)),
    # 02:30 CET, the second 02:30 of the night clocks went back on the last Sunday of October.
    make_entry(uid="autumn-night@opengen.test", start=datetime(2021, 10, 31, 1, 30, tzinfo=UTC)),
]


def test_imported_sessions_are_found_at_their_instants(calendar: caldav.Calendar) -> None:
    import_entries(calendar, SESSIONS)
    nine_utc = datetime(2021, 11, 29, 9, 0, tzinfo=UTC)  # 10:00 in Paris, winter time
    assert found_between(calendar, nine_utc, nine_utc + MINUTE).keys() == {"winter@opengen.test"}
    eight_utc = datetime(2022, 6, 15, 8, 0, tzinfo=UTC)  # 10:00 in Paris, summer time
    assert found_between(calendar, eight_utc, eight_utc + MINUTE).keys() == {"summer@opengen.test"}
    for session in SESSIONS:
        start = session.start.astimezone(UTC)
        found = found_between(calendar, start, start + MINUTE)
        assert session.uid in found, session.uid
        assert found[session.uid].icalendar_component.start.astimezone(UTC) == start
        assert found[session.uid].vobject_instance.vevent.dtstart.value.astimezone(UTC) == start
        # An hour off either way (the classic time zone mistake) finds nothing.
        assert session.uid not in found_between(calendar, start - HOUR, start - HOUR + MINUTE)
        assert session.uid not in found_between(calendar, start + HOUR, start + HOUR + MINUTE)


def test_edited_and_cancelled_sessions_replace_what_was_imported(calendar: caldav.Calendar) -> None:
    import_entries(calendar, SESSIONS)
    winter, summer = SESSIONS[0], SESSIONS[1]
    moved = make_entry(
        uid=winter.uid, sequence=1, summary="Portes ouvertes (nouvel horaire)", start=winter.start + 2 * HOUR
    )
    cancelled = make_entry(uid=summer.uid, sequence=1, status="CANCELLED", start=summer.start)
    import_entries(calendar, [moved, cancelled])

    assert len(calendar.search(event=True)) == len(SESSIONS)
    old_start = winter.start.astimezone(UTC)
    assert winter.uid not in found_between(calendar, old_start, old_start + MINUTE)
    new_start = moved.start.astimezone(UTC)
    event = found_between(calendar, new_start, new_start + MINUTE)[winter.uid].icalendar_component
    assert (event["SEQUENCE"], str(event["SUMMARY"])) == (1, "Portes ouvertes (nouvel horaire)")
    assert event.start.astimezone(UTC) == datetime(2021, 11, 29, 11, 0, tzinfo=UTC)

    summer_start = summer.start.astimezone(UTC)
    event = found_between(calendar, summer_start, summer_start + MINUTE)[summer.uid].icalendar_component
    assert (event["SEQUENCE"], str(event["STATUS"])) == (1, "CANCELLED")
