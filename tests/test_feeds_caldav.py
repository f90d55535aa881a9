"""The app's feed, fetched over HTTP and loaded into a real CalDAV server (Radicale), then queried."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import caldav
import requests

from opengen.db import db, utcnow
from opengen.models import EventStatus

from .conftest import paris
from .radicale_server import calendar_objects, found_between

UTC = timezone.utc
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def import_feed(calendar: caldav.Calendar, body: bytes) -> None:
    """Store every session of the feed, replacing the object with the same UID."""
    for data in calendar_objects(body).values():
        calendar.add_event(data, increase_seqno=False)  # keep the feed's SEQUENCE


def test_sessions_from_the_feed_are_found_at_their_instants_and_follow_edits(calendar, make_event,
                                                                            live_server):
    winter = make_event(title="Atelier d’hiver", start=paris(2021, 11, 29, 10))
    summer = make_event(title="Atelier d’été", start=paris(2022, 6, 15, 10))
    evening = make_event(title="Atelier du soir", start=paris(2021, 12, 3, 18, 30))
    make_event(title="Atelier en attente", status=EventStatus.pending, start=paris(2021, 11, 29, 10))
    for session in (winter, summer, evening):
        session.updated_at = utcnow() - timedelta(days=2)
    db.session.commit()
    url = f"{live_server.url}/calendar.ics"

    first = requests.get(url, timeout=10)
    assert first.status_code == 200 and first.headers["Content-Type"] == "text/calendar; charset=utf-8"
    # requests asks for gzip: the conditional request with the gzip ETag gets its 304.
    assert first.headers.get("Content-Encoding") == "gzip"
    assert requests.get(url, headers={"If-None-Match": first.headers["ETag"]}, timeout=10).status_code == 304
    import_feed(calendar, first.content)

    expected = {winter.uid: datetime(2021, 11, 29, 9, tzinfo=UTC),
                summer.uid: datetime(2022, 6, 15, 8, tzinfo=UTC),
                evening.uid: datetime(2021, 12, 3, 17, 30, tzinfo=UTC)}
    assert set(found_between(calendar, datetime(2021, 1, 1, tzinfo=UTC),
                             datetime(2023, 1, 1, tzinfo=UTC))) == set(expected)
    for uid, start in expected.items():
        found = found_between(calendar, start, start + MINUTE)
        assert set(found) == {uid}
        assert found[uid].icalendar_component.start.astimezone(UTC) == start
        assert found[uid].vobject_instance.vevent.dtstart.value.astimezone(UTC) == start
        assert uid not in found_between(calendar, start - HOUR, start - HOUR + MINUTE)
        assert uid not in found_between(calendar, start + HOUR, start + HOUR + MINUTE)

    # The school moves its Monday session to the afternoon.
    winter.start_at, winter.end_at = paris(2021, 11, 29, 14), paris(2021, 11, 29, 15)
    winter.sequence += 1
    winter.updated_at = utcnow() - timedelta(days=1)
    db.session.commit()
    edited = requests.get(url, headers={"If-None-Match": first.headers["ETag"]}, timeout=10)
    assert edited.status_code == 200
    import_feed(calendar, edited.content)
    afternoon = datetime(2021, 11, 29, 13, tzinfo=UTC)
    assert winter.uid not in found_between(calendar, expected[winter.uid], expected[winter.uid] + MINUTE)
    moved = found_between(calendar, afternoon, afternoon + MINUTE)[winter.uid].icalendar_component
    assert moved["SEQUENCE"] == 1 and str(moved["STATUS"]) == "CONFIRMED"

    # Then cancels it: it stays in the feed, so the subscriber's copy is marked cancelled.
    winter.status, winter.cancelled_at = EventStatus.cancelled, utcnow()
    winter.sequence += 1
    winter.updated_at = utcnow()
    db.session.commit()
    cancelled = requests.get(url, headers={"If-None-Match": edited.headers["ETag"]}, timeout=10)
    assert cancelled.status_code == 200
    import_feed(calendar, cancelled.content)
    gone = found_between(calendar, afternoon, afternoon + MINUTE)[winter.uid]
    assert gone.icalendar_component["SEQUENCE"] == 2
    assert str(gone.icalendar_component["STATUS"]) == "CANCELLED"
    assert gone.vobject_instance.vevent.status.value == "CANCELLED"
    # The other sessions are untouched.
    untouched = found_between(calendar, expected[summer.uid], expected[summer.uid] + MINUTE)[summer.uid]
    assert untouched.icalendar_component["SEQUENCE"] == 0
