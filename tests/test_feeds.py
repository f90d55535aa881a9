"""The calendar feeds as subscribers get them: right instants, every change, cheap polling."""
from __future__ import annotations

import dataclasses
import gzip
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import event as sa_event

from opengen.db import db, utcnow
from opengen.demo import ensure_edition, seed_broadcasts
from opengen.events.filters import EventFilters
from opengen.feeds import calendars
from opengen.models import Broadcast, EventFormat, EventKind, EventStatus

from .conftest import paris
from .test_ics import (
    content_lines,
    icalendar_events,
    instants,
    read_icalendar,
    vobject_events,
)

UTC = timezone.utc


def feed(client, path: str, **headers):
    """GET a feed; assert it is a calendar."""
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/calendar"
    assert response.mimetype_params == {"charset": "utf-8"}
    return response


def uids(body: bytes) -> set[str]:
    """The UIDs of the events of a calendar, checked to be the same for icalendar and vobject."""
    by_icalendar, by_vobject = set(icalendar_events(body)), set(vobject_events(body))
    assert by_icalendar == by_vobject
    return by_icalendar


def vevent_lines(body: bytes, uid: str) -> list[str]:
    """The unfolded content lines of one VEVENT."""
    lines = content_lines(body)
    start = lines.index(f"UID:{uid}") - 1
    return lines[start:lines.index("END:VEVENT", start)]


# --------------------------------------------------------------------------- instants

def test_every_session_starts_at_its_instant_in_winter_in_summer_and_overseas(client, make_event, make_venue):
    winter = make_event(start=paris(2021, 11, 29, 10))
    summer = make_event(start=paris(2022, 6, 15, 10))  # an edition moved to June: summer time
    reunion = make_venue(postcode="97400", city="Saint-Denis", timezone="Indian/Reunion",
                         lat=-20.8821, lon=55.4507)
    overseas = make_event(venue=reunion, start=datetime(2021, 11, 30, 6, tzinfo=UTC))  # 10:00 there
    db.session.commit()
    body = feed(client, "/calendar.ics").data
    expected = {
        winter.uid: datetime(2021, 11, 29, 9, tzinfo=UTC),
        summer.uid: datetime(2022, 6, 15, 8, tzinfo=UTC),
        overseas.uid: datetime(2021, 11, 30, 6, tzinfo=UTC),
    }
    for parser, found in instants(body).items():
        assert {uid: span[0] for uid, span in found.items()} == expected, parser
        assert all(end - start == timedelta(hours=1) for start, end in found.values()), parser
    times = [line for line in content_lines(body) if line.startswith(("DTSTART", "DTEND"))]
    assert len(times) == 6 + 2  # three sessions, and the two observances of the VTIMEZONE
    assert sum(line.startswith(("DTSTART;TZID=Europe/Paris:", "DTEND;TZID=Europe/Paris:"))
               for line in times) == 6
    assert "DTSTART;TZID=Europe/Paris:20220615T100000" in vevent_lines(body, summer.uid)


def test_the_time_zone_is_written_with_yearly_rules(client, make_event):
    make_event()
    db.session.commit()
    lines = content_lines(feed(client, "/calendar.ics").data)
    zone = lines[lines.index("BEGIN:VTIMEZONE"):lines.index("END:VTIMEZONE")]
    assert "TZID:Europe/Paris" in zone
    assert {"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"} <= set(zone)
    assert not [line for line in zone if line.startswith("RDATE")]


# --------------------------------------------------------------------------- what feeds hold

def test_feeds_hold_published_and_cancelled_sessions_never_pending_or_rejected(client, make_event):
    published = make_event(title="Atelier publié")
    cancelled = make_event(title="Atelier annulé", status=EventStatus.cancelled, sequence=1)
    pending = make_event(title="Atelier en attente", status=EventStatus.pending)
    rejected = make_event(title="Atelier refusé", status=EventStatus.rejected)
    db.session.commit()
    ids = ",".join(str(e.id) for e in (published, cancelled, pending, rejected))
    for path in ("/calendar.ics", f"/programme.ics?ids={ids}"):
        body = feed(client, path).data
        assert uids(body) == {published.uid, cancelled.uid}, path
        text = body.decode()
        assert "en attente" not in text and "refusé" not in text
        events = icalendar_events(body)
        assert str(events[published.uid]["STATUS"]) == "CONFIRMED"
        assert str(events[cancelled.uid]["STATUS"]) == "CANCELLED"
        assert str(events[cancelled.uid]["SUMMARY"]) == "Annulée : Atelier annulé"
        assert vobject_events(body)[cancelled.uid].status.value == "CANCELLED"
    assert client.get(f"/events/{pending.id}.ics").status_code == 404
    assert client.get(f"/events/{rejected.id}.ics").status_code == 404
    assert client.get("/events/999999.ics").status_code == 404
    one = feed(client, f"/events/{cancelled.id}.ics").data
    assert uids(one) == {cancelled.uid}
    assert "STATUS:CANCELLED" in vevent_lines(one, cancelled.uid)


def test_every_feed_reads_with_both_parsers_and_carries_the_required_properties(client, make_event):
    seed_broadcasts(ensure_edition())
    on_site = make_event(title="Atelier data", families=("data", "ai"), start=paris(2021, 11, 30, 14))
    online = make_event(title="Webinaire", format=EventFormat.online,
                        online_url="https://visio.example.org/x",
                        start=paris(2021, 12, 1, 18))
    db.session.commit()
    paths = {"/calendar.ics": 2, f"/events/{on_site.id}.ics": 1,
             f"/programme.ics?ids={on_site.id},{online.id}": 2, "/broadcasts.ics": 6}
    for path, count in paths.items():
        body = feed(client, path).data
        calendar = read_icalendar(body)
        assert calendar["VERSION"] == "2.0" and str(calendar["X-WR-CALNAME"]).strip()
        lines = content_lines(body)
        assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in lines
        assert [line for line in lines if line.startswith("TZID:")] == ["TZID:Europe/Paris"]
        assert len(uids(body)) == count, path
        for uid, event in icalendar_events(body).items():
            for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "STATUS", "SUMMARY",
                         "DESCRIPTION", "LOCATION", "URL", "CATEGORIES", "LAST-MODIFIED"):
                assert name in event, (path, uid, name)
            assert "TZID" in event["DTSTART"].params and "TZID" in event["DTEND"].params
    lines = vevent_lines(feed(client, "/calendar.ics").data, on_site.uid)
    assert "GEO:48.936200;2.357400" in lines
    assert "CATEGORIES:Data,Intelligence artificielle,Atelier d’initiation" in lines
    assert f"URL:http://localhost/events/{on_site.id}" in lines
    assert "LOCATION:Campus test\\, 1 rue de la République\\, 93200 Saint-Denis" in lines
    online_lines = vevent_lines(feed(client, "/calendar.ics").data, online.uid)
    assert "LOCATION:En ligne" in online_lines
    assert not [line for line in online_lines if line.startswith("GEO")]
    description = str(icalendar_events(feed(client, "/calendar.ics").data)[online.uid]["DESCRIPTION"])
    assert "https://visio.example.org/x" in description and f"/events/{online.id}" in description


def test_an_edit_raises_the_sequence_and_a_cancellation_keeps_the_uid(client, make_event):
    session = make_event(title="Atelier du lundi", start=paris(2021, 11, 29, 10))
    session.updated_at = utcnow() - timedelta(days=2)
    db.session.commit()
    first = feed(client, "/calendar.ics")
    assert "SEQUENCE:0" in vevent_lines(first.data, session.uid)

    session.start_at, session.end_at = paris(2021, 11, 29, 14), paris(2021, 11, 29, 15)
    session.sequence += 1
    session.updated_at = utcnow() - timedelta(days=1)
    db.session.commit()
    edited = feed(client, "/calendar.ics")
    assert edited.headers["ETag"] != first.headers["ETag"]
    assert edited.last_modified > first.last_modified
    assert "SEQUENCE:1" in vevent_lines(edited.data, session.uid)
    for parser, found in instants(edited.data).items():
        assert found[session.uid][0] == datetime(2021, 11, 29, 13, tzinfo=UTC), parser

    session.status, session.cancelled_at = EventStatus.cancelled, utcnow()
    session.sequence += 1
    session.updated_at = utcnow()
    db.session.commit()
    cancelled = feed(client, "/calendar.ics", **{"If-None-Match": edited.headers["ETag"]})
    lines = vevent_lines(cancelled.data, session.uid)
    assert {"SEQUENCE:2", "STATUS:CANCELLED", f"UID:{session.uid}"} <= set(lines)
    assert vobject_events(cancelled.data)[session.uid].sequence.value == "2"


def test_text_written_by_schools_is_escaped(client, make_event, make_school, make_venue):
    nasty = 'Atelier "code", HTML; C:\\dossier\nligne 2'
    school = make_school(name="École; virgule, et \\ barre")
    venue = make_venue(school=school, name="Salle A; B, C", address="1 rue\\2")
    session = make_event(title=nasty, description=nasty, school=school, venue=venue)
    db.session.commit()
    body = feed(client, "/calendar.ics").data
    lines = vevent_lines(body, session.uid)
    assert 'SUMMARY:Atelier "code"\\, HTML\\; C:\\\\dossier\\nligne 2' in lines
    assert "LOCATION:Salle A\\; B\\, C\\, 1 rue\\\\2\\, 93200 Saint-Denis" in lines
    assert str(icalendar_events(body)[session.uid]["SUMMARY"]) == nasty
    read = vobject_events(body)[session.uid]
    assert read.summary.value == nasty
    assert read.description.value.startswith(nasty + "\n\n")
    assert "École : École; virgule, et \\ barre" in read.description.value
    assert read.location.value == "Salle A; B, C, 1 rue\\2, 93200 Saint-Denis"


def test_a_session_the_calendar_format_cannot_hold_is_left_out_not_fatal(client, make_event):
    good = make_event()
    make_event(start=paris(2021, 11, 29, 10), duration=timedelta(0))  # ends when it starts
    db.session.commit()
    assert uids(feed(client, "/calendar.ics").data) == {good.uid}


def test_javascript_links_from_schools_stay_out_of_feeds(client, make_event):
    session = make_event(registration_url="javascript:alert(1)", format=EventFormat.both,
                         online_url="javascript:alert(2)")
    db.session.commit()
    assert "javascript:" not in feed(client, "/calendar.ics").data.decode()
    assert "javascript:" not in feed(client, f"/events/{session.id}.ics").data.decode()


# --------------------------------------------------------------------------- filters

# One query string per filter at least; a filter added to EventFilters needs a case here.
FILTER_CASES = {
    "day": "day=2021-11-30",
    "family": "family=data",
    "kind": "kind=career_talk",
    "format": "format=online",
    "school": "school={school}",
    "q": "q=93200",
    "lat": "lat=48.9362&lon=2.3574&radius_km=5",
    "lon": "lon=2.3574&lat=48.9362",
    "radius_km": "q=93200&radius_km=1",
    "edition": "edition=2021",
    # The API's changes since an instant; the calendar feed ignores it (and holds every change).
    "updated_since": "updated_since=2000-01-01T00:00:00Z",
    "territory": "territory=metropole",
    # The map's view: the on-site sessions inside it.
    "bbox": "bbox=2.0,48.5,2.8,49.2",
}


def test_every_filter_of_the_search_has_a_feed_case():
    assert {f.name for f in dataclasses.fields(EventFilters)} <= set(FILTER_CASES), \
        "add the new filter to FILTER_CASES so the feed is checked against the API"


def test_the_feed_of_a_search_lists_the_same_sessions_as_the_api(client, make_event, make_school):
    school = make_school()
    make_event(start=paris(2021, 11, 29, 10), families=("data",), kind=EventKind.career_talk)
    make_event(start=paris(2021, 11, 30, 10), families=("web-development",), format=EventFormat.online)
    make_event(start=paris(2021, 11, 30, 23, 30), families=("data",), school=school)  # late Paris evening
    make_event(start=paris(2021, 12, 1, 0, 30), families=("cloud",), format=EventFormat.both, school=school)
    make_event(start=paris(2021, 11, 30, 9), status=EventStatus.cancelled, families=("data",))
    make_event(start=paris(2021, 11, 30, 9), status=EventStatus.pending, families=("data",))
    db.session.commit()
    for name, query in FILTER_CASES.items():
        query = query.format(school=school.id)
        body = client.get(f"/api/events?{query}").get_json()
        # Around a place the API lists the online sessions apart; the feed holds both.
        api = {e["uid"] for e in body["events"] + body.get("online", {}).get("events", [])}
        assert api, name
        assert uids(feed(client, f"/calendar.ics?{query}").data) == api, name
    both = "day=2021-11-30&family=data"
    api = {e["uid"] for e in client.get(f"/api/events?{both}").get_json()["events"]}
    assert uids(feed(client, f"/calendar.ics?{both}").data) == api and len(api) == 2


@pytest.mark.parametrize("query, message", [
    ("family=unknown", "Famille de métiers inconnue : unknown."),
    ("day=30-11-2021", "Date invalide"), ("day=2021-02-30", "Date invalide"),
    ("day=9999-12-31", "Date invalide"), ("day=0001-01-01", "Date invalide"),
    ("kind=party", "Type de session inconnu : party."), ("format=paper", "Format inconnu"),
    ("school=abc", "Identifiant d’école invalide."), ("school=999999", "École inconnue : 999999."),
])
def test_a_bad_filter_is_refused_with_a_clear_message(client, query, message):
    response = client.get(f"/calendar.ics?{query}")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert message in response.get_data(as_text=True)


def test_a_search_feed_is_named_after_its_filters_and_keeps_its_uid(client, make_event):
    make_event(families=("data",), start=paris(2021, 11, 30, 10))
    db.session.commit()
    body = feed(client, "/calendar.ics?family=data&day=2021-11-30").data
    calendar = read_icalendar(body)
    assert str(calendar["X-WR-CALNAME"]) == "Open Gen · Data · mardi 30 novembre"
    same_search = feed(client, "/calendar.ics?day=2021-11-30&family=data").data
    assert calendar["UID"] == read_icalendar(same_search)["UID"]
    assert calendar["UID"] != read_icalendar(feed(client, "/calendar.ics?family=data").data)["UID"]


@pytest.mark.parametrize(("query", "name"), [
    ("q=93200&radius_km=30", "Open Gen · à 30 km de 93200"),
    ("q=93200&radius_km=2.5&format=onsite", "Open Gen · Sur place · à 2,5 km de 93200"),
])
def test_a_search_around_a_place_names_its_radius_the_french_way(client, make_event, query, name):
    make_event()
    db.session.commit()
    escaped = name.replace(",", "\\,")  # RFC 5545 TEXT
    assert f"NAME:{escaped}" in content_lines(feed(client, f"/calendar.ics?{query}").data)


def test_links_use_the_public_base_url_when_set(app, make_event):
    session = make_event()
    db.session.commit()
    app.config["PUBLIC_BASE_URL"] = "https://opengen.example.fr/"
    body = feed(app.test_client(), "/calendar.ics").data
    assert f"URL:https://opengen.example.fr/events/{session.id}" in vevent_lines(body, session.uid)


# --------------------------------------------------------------------------- polling

FEEDS = ("/calendar.ics", "/events/{id}.ics", "/programme.ics?ids={id}", "/broadcasts.ics")


@pytest.mark.parametrize("path", FEEDS)
def test_every_feed_answers_304_when_nothing_changed(client, make_event, path):
    seed_broadcasts(ensure_edition())
    session = make_event()
    db.session.commit()
    path = path.format(id=session.id)
    first = feed(client, path)
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('"') and parsedate_to_datetime(last_modified) <= datetime.now(UTC)
    assert "public" in first.headers["Cache-Control"] and "max-age=" in first.headers["Cache-Control"]
    again = feed(client, path)
    assert again.headers["ETag"] == etag and again.data == first.data  # same state, same bytes
    for headers in ({"If-None-Match": etag}, {"If-None-Match": f"W/{etag}"},
                    {"If-None-Match": f'"other", {etag}'}, {"If-None-Match": "*"},
                    {"If-Modified-Since": last_modified}):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 304, headers
        assert answer.data == b"" and answer.headers["ETag"]
    for headers in ({"If-None-Match": '"other"'},
                    {"If-None-Match": '"other"', "If-Modified-Since": last_modified},
                    {"If-Modified-Since": format_datetime(first.last_modified - timedelta(seconds=1),
                                                          usegmt=True)}):
        assert client.get(path, headers=headers).status_code == 200, headers


def test_gzip_clients_get_their_304_too(client, make_event):
    for hour in range(9, 18):
        make_event(start=paris(2021, 11, 29, hour))
    db.session.commit()
    zipped = client.get("/calendar.ics", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    etag = zipped.headers["ETag"]
    assert etag.endswith('-gz"')
    assert len(uids(gzip.decompress(zipped.data))) == 9
    answer = client.get("/calendar.ics", headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert answer.status_code == 304 and answer.headers["ETag"] == etag
    plain = client.get("/calendar.ics", headers={"If-None-Match": etag.replace("-gz", "")})
    assert plain.status_code == 304


def test_a_rejected_session_changes_the_validators_and_leaves_the_feed(client, make_event):
    kept, dropped = make_event(), make_event()
    kept.updated_at = dropped.updated_at = utcnow() - timedelta(days=1)
    db.session.commit()
    first = feed(client, "/calendar.ics")
    dropped.status, dropped.updated_at = EventStatus.rejected, utcnow()
    db.session.commit()
    conditional = client.get("/calendar.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert conditional.status_code == 200 and uids(conditional.data) == {kept.uid}
    since = client.get("/calendar.ics", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 200


def _statements(client, path: str, **headers) -> tuple[int, list[str]]:
    """The status of a GET and the SQL statements it ran."""
    statements = []

    def record(conn, cursor, statement, *args):
        if statement != "BEGIN":  # SQLite's transactions are begun by a statement of ours (db.py)
            statements.append(" ".join(statement.split()).lower())

    sa_event.listen(db.engine, "before_cursor_execute", record)
    try:
        status = client.get(path, headers=headers).status_code
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", record)
    # The data version (which edition is current is kept under it) is one primary-key read per
    # request, shared by everything kept: not counted, but never more than once.
    versions = [s for s in statements if s.startswith("select data_versions.version")]
    assert len(versions) <= 1, statements
    return status, [s for s in statements if s not in versions]


@pytest.mark.parametrize("path", ["/calendar.ics", "/events/{id}.ics", "/programme.ics?ids={id}"])
def test_a_conditional_request_costs_one_small_query(client, make_event, path):
    sessions = [make_event(start=paris(2021, 11, 29, hour)) for hour in range(9, 19)]
    db.session.commit()
    path = path.format(id=sessions[0].id)
    etag = feed(client, path).headers["ETag"]
    calendars._STATES.clear()  # as in another worker: the validators come from one query
    status, statements = _statements(client, path, **{"If-None-Match": etag})
    assert status == 304 and len(statements) == 1, statements
    assert statements[0].startswith("select coalesce(sum(") and "description" not in statements[0]
    # ...kept while the data version stays: the next poll reads nothing else.
    assert _statements(client, path, **{"If-None-Match": etag}) == (304, [])


# --------------------------------------------------------------------------- programme and broadcasts

def test_the_programme_feed_lists_the_chosen_sessions_still_public(client, make_event):
    chosen = [make_event(start=paris(2021, 11, 29, h)) for h in (10, 14)]
    cancelled = make_event(status=EventStatus.cancelled)
    rejected = make_event(status=EventStatus.rejected)
    other = make_event()
    db.session.commit()
    ids = ",".join(str(e.id) for e in (*chosen, cancelled, rejected)) + ",999999"
    response = feed(client, f"/programme.ics?ids={ids}")
    assert uids(response.data) == {chosen[0].uid, chosen[1].uid, cancelled.uid}
    assert other.uid not in response.data.decode()
    assert "attachment" in response.headers["Content-Disposition"]
    assert "TRANSP:OPAQUE" in vevent_lines(response.data, chosen[0].uid)  # the visitor plans to go


@pytest.mark.parametrize("query", ["", "ids=", "ids=abc", "ids=1,-2", "ids=1;2", "ids=0",
                                   "ids=" + ",".join(str(i) for i in range(1, 202))])
def test_a_bad_programme_is_refused_with_a_clear_message(client, query):
    response = client.get(f"/programme.ics?{query}")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "session" in text


def test_the_broadcasts_feed_holds_the_week_s_morning_shows(ctx, client):
    empty = feed(client, "/broadcasts.ics").data
    assert uids(empty) == set()
    assert read_icalendar(empty)["X-WR-CALNAME"] == "Open Gen : émissions du matin"
    seed_broadcasts(ensure_edition())
    db.session.commit()
    body = feed(client, "/broadcasts.ics").data
    shows = db.session.query(Broadcast).order_by(Broadcast.start_at).all()
    assert len(shows) == 6 and uids(body) == {b.uid for b in shows}
    for parser, found in instants(body).items():
        for show in shows:
            assert found[show.uid][0] == show.start_at.astimezone(UTC), parser
            assert found[show.uid][0].astimezone(paris(2021, 1, 1, 0).tzinfo).hour == 10
    lines = vevent_lines(body, shows[0].uid)
    assert "STATUS:CONFIRMED" in lines
    assert any(line.startswith("DESCRIPTION:") and "https://www.youtube.com/" in line for line in lines)
    shows[0].sequence, shows[0].updated_at = 1, utcnow() + timedelta(seconds=1)
    db.session.commit()
    assert "SEQUENCE:1" in vevent_lines(feed(client, "/broadcasts.ics").data, shows[0].uid)


# --------------------------------------------------------------------------- links on the pages

def test_the_home_page_offers_to_subscribe_to_the_current_search(client, make_event):
    make_event(families=("data",), start=paris(2021, 11, 30, 10))
    db.session.commit()
    html = client.get("/?family=data&day=2021-11-30").get_data(as_text=True)
    section = html[html.index('id="search-subscribe-heading"'):]
    webcal = _attribute(section, 'href="webcal://')
    assert urlsplit(webcal).netloc == "localhost" and urlsplit(webcal).path == "/calendar.ics"
    assert parse_qs(urlsplit(webcal).query) == {"family": ["data"], "day": ["2021-11-30"]}
    https = "http" + webcal.removeprefix("webcal")
    assert f'value="{https.replace("&", "&amp;")}"' in section
    google = _attribute(section, 'href="https://calendar.google.com/')
    assert parse_qs(urlsplit(google).query)["cid"] == [webcal]
    outlook = _attribute(section, 'href="https://outlook.live.com/')
    assert parse_qs(urlsplit(outlook).query) == {"url": [https],
                                                 "name": ["Open Gen · Data · mardi 30 novembre"]}
    assert len(uids(feed(client, https.removeprefix("http://localhost")).data)) == 1


def test_the_event_page_offers_to_add_the_session_to_a_calendar(client, make_event):
    session = make_event(title="Atelier & code", start=paris(2021, 11, 29, 10))
    cancelled = make_event(status=EventStatus.cancelled)
    db.session.commit()
    html = client.get(f"/events/{session.id}").get_data(as_text=True)
    assert f'href="/events/{session.id}.ics"' in html
    google = parse_qs(urlsplit(_attribute(html, 'href="https://calendar.google.com/')).query)
    assert google["dates"] == ["20211129T090000Z/20211129T100000Z"] and google["text"] == ["Atelier & code"]
    outlook = parse_qs(urlsplit(_attribute(html, 'href="https://outlook.live.com/')).query)
    assert outlook["startdt"] == ["2021-11-29T09:00:00Z"] and outlook["subject"] == ["Atelier & code"]
    assert uids(feed(client, f"/events/{session.id}.ics").data) == {session.uid}
    cancelled_page = client.get(f"/events/{cancelled.id}").get_data(as_text=True)
    assert f'href="/events/{cancelled.id}.ics"' not in cancelled_page


def _attribute(html: str, start: str) -> str:
    """The unescaped URL of the first href or value beginning with start."""
    at = html.index(start) + len(start.split('"')[0]) + 1
    return html[at:html.index('"', at)].replace("&amp;", "&")
