"""Feeds streamed from the calendar entries kept per session version: the same bytes as a feed built
whole, entries that follow every change, a migration that leaves no session out."""
from __future__ import annotations

import gzip
import os
import shutil
from datetime import date, timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, update

from opengen import editions
from opengen.db import MIGRATIONS_DIR, db, utcnow
from opengen.editions import EditionDraft
from opengen.events.filters import parse_filters
from opengen.feeds import calendars, entries, ics
from opengen.feeds.calendars import FeedLinks
from opengen.models import CareerFamily, Event, EventCalendarEntry, EventFormat, EventKind, EventStatus
from opengen.urls import event_url_template, external_url

from .conftest import paris
from .test_feeds import FILTER_CASES, feed, uids, vevent_lines
from .test_ics import icalendar_events


def _whole(app, path: str) -> bytes:
    """The feed at path built whole from the sessions' rows, as a request to it would get it."""
    with app.test_request_context(path):
        from flask import request
        links = FeedLinks(event=event_url_template(), page=external_url("map.index"))
        if path.startswith("/calendar.ics"):
            made = calendars.search_feed(parse_filters(request.args), links)
        elif path.startswith("/programme.ics"):
            made = calendars.programme_feed([int(i) for i in request.args["ids"].split(",")], links)
        else:
            made = calendars.event_feed(int(path.split("/")[-1].removesuffix(".ics")), links)
        return made.whole()


def forget_feed_files(app) -> None:
    """Drop the feed bodies kept as files (this run's folder: FEED_FILES_DIR is set per test)."""
    shutil.rmtree(app.config["FEED_FILES_DIR"], ignore_errors=True)


@pytest.fixture(autouse=True)
def _own_feed_files(app, tmp_path):
    app.config["FEED_FILES_DIR"] = str(tmp_path / "feeds")


def _entry(event: Event) -> EventCalendarEntry:
    db.session.expire_all()
    return db.session.get(EventCalendarEntry, event.id)


def _fresh(event: Event) -> bool:
    row = _entry(event)
    return row is not None and row.body is not None and row.built_version == row.version


def _week(make_event, make_school):
    """A week of sessions touching every filter, a cancelled one, and some never public."""
    school = make_school(name="École du Week, Pôle ; « numérique »")
    made = [
        make_event(start=paris(2021, 11, 29, 10), families=("data",), kind=EventKind.career_talk),
        make_event(start=paris(2021, 11, 30, 10), families=("web-development",), format=EventFormat.online,
                   online_url="https://visio.example.org/salle?id=1,2;3"),
        make_event(start=paris(2021, 11, 30, 23, 30), families=("data",), school=school,
                   description="Une ligne\nune autre, avec des virgules ; et un très long texte " * 5),
        make_event(start=paris(2021, 12, 1, 0, 30), families=("cloud",), format=EventFormat.both, school=school),
        make_event(start=paris(2021, 11, 30, 9), status=EventStatus.cancelled, families=("data",)),
        make_event(start=paris(2021, 11, 30, 9), status=EventStatus.pending, families=("data",)),
        make_event(start=paris(2021, 11, 30, 9), status=EventStatus.rejected, families=("data",)),
    ]
    db.session.commit()
    return school, made


def test_the_streamed_feed_equals_the_feed_built_whole_for_every_filter(app, client, make_event, make_school):
    school, made = _week(make_event, make_school)
    paths = [f"/calendar.ics?{query.format(school=school.id)}" for query in FILTER_CASES.values()]
    paths += ["/calendar.ics", "/calendar.ics?day=2021-11-30&family=data", f"/events/{made[0].id}.ics",
              f"/events/{made[4].id}.ics", "/programme.ics?ids=" + ",".join(str(e.id) for e in made)]
    for path in paths:
        whole = _whole(app, path)
        assert uids(whole), path
        # Once while the entries are built (first read), once from the stored entries.
        # Streamed (while the entries are built, then from them), then sent from the kept file.
        forget_feed_files(app)
        streamed = feed(client, path)
        assert "Content-Length" not in streamed.headers and streamed.data == whole, path
        forget_feed_files(app)
        streamed = feed(client, path, **{"Accept-Encoding": "gzip"})
        assert "Content-Length" not in streamed.headers and gzip.decompress(streamed.data) == whole, path
        kept = feed(client, path)
        assert int(kept.headers["Content-Length"]) == len(whole) and kept.data == whole, path
        zipped = feed(client, path, **{"Accept-Encoding": "gzip"})
        assert zipped.headers["Content-Encoding"] == "gzip" and "Content-Length" in zipped.headers
        assert gzip.decompress(zipped.data) == whole, path
        assert zipped.headers["ETag"] == streamed.headers["ETag"] == kept.headers["ETag"][:-1] + '-gz"'
    assert all(_fresh(event) for event in made if event.is_visible)


def test_a_session_s_entry_is_built_once_per_version_and_shared(client, make_event, monkeypatch):
    sessions = [make_event(start=paris(2021, 11, 29, hour)) for hour in range(9, 14)]
    db.session.commit()
    built = []
    real = entries.entry_part
    monkeypatch.setattr(entries, "entry_part", lambda entry: built.append(entry.uid) or real(entry))
    first = feed(client, "/calendar.ics").data
    assert sorted(built) == sorted(s.uid for s in sessions)
    built.clear()
    assert feed(client, "/calendar.ics").data == first
    assert feed(client, "/calendar.ics?family=web-development").data.count(b"BEGIN:VEVENT") == 5
    assert built == []  # read from the database, by any process: nothing is built again
    sessions[2].title, sessions[2].sequence, sessions[2].updated_at = "Atelier renommé", 1, utcnow()
    db.session.commit()
    assert "SUMMARY:Atelier renommé" in vevent_lines(feed(client, "/calendar.ics").data, sessions[2].uid)
    assert built == [sessions[2].uid]


def _changed(client, event: Event, change) -> list[str]:
    """Apply change (to rows, committed), check the entry went stale, read the feed; its VEVENT lines."""
    assert feed(client, "/calendar.ics").data and _fresh(event)
    change()
    db.session.commit()
    assert not _fresh(event)
    lines = vevent_lines(feed(client, "/calendar.ics").data, event.uid)
    assert _fresh(event)
    return lines


def test_entries_follow_every_change_of_what_they_are_made_of(app, client, make_event):
    session = make_event(title="Atelier du lundi", families=("data",))
    other = make_event(title="Atelier voisin", venue=session.venue)
    db.session.commit()

    def edit():
        session.title, session.sequence, session.updated_at = "Atelier du mardi", 1, utcnow()
    assert "SUMMARY:Atelier du mardi" in _changed(client, session, edit)

    def move_venue():  # directly in the table: no event is touched
        session.venue.address, session.venue.lat, session.venue.lon = "2 place du Marché", 45.75, 4.85
    lines = _changed(client, session, move_venue)
    assert "GEO:45.750000;4.850000" in lines and any("2 place du Marché" in line for line in lines)
    assert "GEO:45.750000;4.850000" in vevent_lines(feed(client, "/calendar.ics").data, other.uid)

    def rename_school():
        session.school.name = "École renommée"
    assert any("École : École renommée" in line for line in _changed(client, session, rename_school))

    def change_families():
        session.families = [db.session.scalars(select(CareerFamily).filter_by(slug="cloud")).one()]
    categories = [line for line in _changed(client, session, change_families) if line.startswith("CATEGORIES")]
    assert categories == ["CATEGORIES:Cloud\\, réseaux et cybersécurité,Atelier d’initiation"] \
        or ("Cloud" in categories[0] and "Data" not in categories[0])

    def relabel_family():
        db.session.execute(update(CareerFamily).where(CareerFamily.slug == "cloud")
                           .values(label_fr="Cloud et sécurité"))
    assert "CATEGORIES:Cloud et sécurité,Atelier d’initiation" in _changed(client, session, relabel_family)

    def cancel():
        session.status, session.sequence, session.updated_at = EventStatus.cancelled, 2, utcnow()
    lines = _changed(client, session, cancel)
    assert {"STATUS:CANCELLED", "SEQUENCE:2", "SUMMARY:Annulée : Atelier du mardi", "TRANSP:TRANSPARENT"} <= set(lines)
    assert vevent_lines(_whole(app, "/calendar.ics"), session.uid) == lines


def test_an_edition_s_new_dates_leave_the_entries_and_the_feed_right(app, client, make_event):
    session = make_event(start=paris(2021, 11, 30, 10))
    db.session.commit()
    before = feed(client, "/calendar.ics").data
    assert _fresh(session)
    versions = (_entry(session).version, _entry(session).built_version)
    edition = editions.by_year(2021, published_only=False)
    draft = EditionDraft(name=edition.name, starts_on=date(2021, 11, 28), ends_on=date(2021, 12, 5),
                         timezone=edition.timezone)
    editions.update(edition, draft)
    db.session.commit()
    # The entries do not depend on the edition (the feed's scope does): nothing to rebuild.
    assert _fresh(session) and (_entry(session).version, _entry(session).built_version) == versions
    after = feed(client, "/calendar.ics").data
    assert after == _whole(app, "/calendar.ics") and uids(after) == uids(before) == {session.uid}


def test_an_entry_built_from_a_version_that_moved_meanwhile_is_not_stored(client, make_event):
    session = make_event(title="Avant")
    db.session.commit()
    version = _entry(session).version
    session.title, session.updated_at = "Après", utcnow()  # a change lands during the build
    db.session.commit()
    made = entries.writing()
    entries.build(db.session, {session.id: version}, made)
    row = _entry(session)
    assert row.version != version and row.built_version is None
    assert "SUMMARY:Après" in vevent_lines(feed(client, "/calendar.ics").data, session.uid)


def test_a_stale_entry_is_never_served(client, make_event):
    session = make_event(title="Vrai titre")
    db.session.commit()
    feed(client, "/calendar.ics")
    # A body that no longer matches its version (as after any change) is rebuilt, not sent.
    db.session.execute(update(EventCalendarEntry).values(body="BEGIN:VEVENT\r\nSUMMARY:Faux\r\n",
                                                         version=EventCalendarEntry.version + 1))
    db.session.commit()
    body = feed(client, "/calendar.ics").data
    assert b"Faux" not in body and "SUMMARY:Vrai titre" in vevent_lines(body, session.uid)
    # ...and an entry of another format (an older release) is rebuilt too.
    db.session.execute(update(EventCalendarEntry).values(body="BEGIN:VEVENT\r\nSUMMARY:Faux\r\n",
                                                         built_format="entries-0-fr"))
    db.session.commit()
    assert b"Faux" not in feed(client, "/calendar.ics").data


def test_a_migration_on_a_database_with_sessions_gives_each_its_entry(app, client, ctx, make_event, runner):
    sessions = [make_event(start=paris(2021, 11, 29, 9) + timedelta(hours=h)) for h in range(6)]
    sessions[1].status = EventStatus.cancelled
    ids = [s.id for s in sessions]
    db.session.commit()  # nothing read after it: PostgreSQL's DROP TRIGGER waits for readers
    downgrade(directory=MIGRATIONS_DIR, revision="0009_previous_start")
    db.session.remove()
    upgrade(directory=MIGRATIONS_DIR)
    db.session.remove()
    sessions = [db.session.get(Event, i) for i in ids]
    rows = db.session.scalars(select(EventCalendarEntry)).all()
    assert {row.event_id for row in rows} == {s.id for s in sessions}
    assert all(row.body is None for row in rows)  # built on first read, or by the command:
    result = runner.invoke(args=["feeds", "build-entries"])
    assert result.exit_code == 0 and "6 calendar entries built" in result.output, result.output
    assert all(_fresh(s) for s in sessions)
    assert feed(client, "/calendar.ics").data == _whole(app, "/calendar.ics")
    # The triggers came back with the table: a new session gets its row, a change marks it.
    late = make_event(start=paris(2021, 12, 1, 10))
    db.session.commit()
    assert _entry(late) is not None and not _fresh(late)
    assert late.uid in uids(feed(client, "/calendar.ics").data) and _fresh(late)


def test_a_session_the_calendar_cannot_hold_is_left_out_of_the_stream_too(app, client, make_event):
    good, bad = make_event(title="Correcte"), make_event(title="Finit avant de commencer")
    db.session.execute(update(Event).where(Event.id == bad.id).values(end_at=bad.start_at - timedelta(hours=1)))
    db.session.commit()
    body = feed(client, "/calendar.ics").data
    assert uids(body) == {good.uid} and body == _whole(app, "/calendar.ics")
    assert _entry(bad).body == "" and _fresh(bad)  # stored as nothing: not tried again each time


@pytest.mark.parametrize("prefix", ["DESCRIPTION:", "DESCRIPTION:" + "é" * 20, "DESCRIPTION:" + "x" * 73,
                                    "DESCRIPTION:" + "x" * 63, "DESCRIPTION:" + "ab" * 31 + "é"])
def test_the_page_link_continues_a_folded_description_as_folding_it_whole_would(prefix):
    """The link ending a description is written at send time; the lines must fold the same."""
    for url in ("https://a.example/events/1", "https://opengen.example.org/evenements/" + "9" * 90):
        line = ics._fold(prefix + ics._text(url))
        assert ics._fold(prefix) + ics._continued(ics._fold(prefix), ics._text(url)) == line


def test_the_entries_carry_what_calendar_apps_read(client, make_event):
    session = make_event(registration_url="https://inscription.example.org/1")
    db.session.commit()
    lines = vevent_lines(feed(client, "/calendar.ics").data, session.uid)
    names = {line.split(":")[0].split(";")[0] for line in lines}
    assert {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION", "GEO", "URL", "DESCRIPTION",
            "STATUS", "SEQUENCE", "LAST-MODIFIED", "TRANSP", "CATEGORIES"} <= names
    event = icalendar_events(feed(client, "/calendar.ics").data)[session.uid]
    # The session's page ends the description too: Google Calendar shows no URL property.
    assert str(event["DESCRIPTION"]).endswith(f"Plus d’informations : http://localhost/events/{session.id}")
    assert str(event["URL"]) == f"http://localhost/events/{session.id}"


def test_a_feed_file_is_kept_only_once_complete_and_the_folder_keeps_its_size(tmp_path):
    from opengen.feeds.files import FeedFiles

    files = FeedFiles(tmp_path, max_bytes=2500)
    left = files.kept_while_sent("a", iter([b"x" * 1000, b"y" * 1000]))
    assert next(left) == b"x" * 1000
    left.close()  # the client went away: nothing is kept, no part left behind
    assert files.found("a", False) is None and list(tmp_path.iterdir()) == []
    assert b"".join(files.kept_while_sent("a", iter([b"x" * 1000, b"y" * 1000]))) == b"x" * 1000 + b"y" * 1000
    path, size = files.found("a", False)
    assert size == 2000 and b"".join(files.read(path)) == b"x" * 1000 + b"y" * 1000
    assert gzip.decompress(b"".join(files.read(files.found("a", True)[0]))) == b"x" * 1000 + b"y" * 1000
    b"".join(files.kept_while_sent("b", iter([b"z" * 1000])))
    assert files.found("a", False) is not None  # used less than a minute ago: kept
    for name in os.listdir(tmp_path):
        os.utime(tmp_path / name, (1, 1))  # all unused for long
    os.utime(files.found("b", False)[0])  # ...but b, just read
    abandoned = tmp_path / ".part-left-by-a-killed-worker"
    abandoned.write_bytes(b"x")
    os.utime(abandoned, (1, 1))
    b"".join(files.kept_while_sent("c", iter([b"w" * 10])))
    assert files.found("a", False) is None  # the least used go first, until the folder fits
    assert files.found("b", False) is not None and files.found("c", False) is not None
    assert not abandoned.exists()


def test_two_searches_that_list_the_same_sessions_keep_their_own_name(client, make_event):
    from icalendar import Calendar

    make_event(title="Atelier")
    db.session.commit()
    current = Calendar.from_ical(client.get("/calendar.ics").data)
    named = Calendar.from_ical(client.get("/calendar.ics?edition=2021").data)  # the same sessions
    again = Calendar.from_ical(client.get("/calendar.ics").data)  # from the kept file, if any
    assert str(current["X-WR-CALNAME"]) == str(again["X-WR-CALNAME"]) == "Open Gen"
    assert str(named["X-WR-CALNAME"]) == "Open Gen 2021"
    assert str(named["UID"]) != str(current["UID"])
