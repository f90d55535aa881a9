"""Calendar feeds read back right by two independent parsers, icalendar and vobject."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
import vobject.icalendar
from hypothesis import given, settings
from hypothesis import strategies as st

from opengen.feeds import ics, vtimezone
from opengen.feeds.ics import VTIMEZONE_YEARS, CalendarEntry, build_calendar

UTC = timezone.utc
PARIS = ZoneInfo("Europe/Paris")
STAMP = datetime(2021, 11, 20, 12, 0, tzinfo=UTC)
NASTY = (
    'Atelier "code", HTML; C:\\dossier\\fichier\n2e ligne\r\n3e ligne\r4e ligne'
    " – <script>alert('x')</script> & 🎉 👩\u200d💻 🇫🇷 été\tà Paris"
)


def make_entry(**overrides: object) -> CalendarEntry:
    """A valid entry for Monday 29 Nov 2021, 10:00-11:00 in Paris, with fields overridden."""
    start = overrides.pop("start", datetime(2021, 11, 29, 10, 0, tzinfo=PARIS))
    fields = {
        "uid": "event-1@opengen.test",
        "sequence": 0,
        "summary": "Portes ouvertes : développeur web",
        "description": "Atelier d'initiation au code.",
        "start": start,
        "end": start + timedelta(hours=1),
        "location": "12 rue de la Paix, 75002 Paris",
        "geo": (48.8691, 2.3319),
        "url": "https://opengen.test/evenements/1",
        "categories": ("Développement",),
        "status": "CONFIRMED",
        "last_modified": STAMP,
        "created": STAMP - timedelta(days=3),
    }
    fields.update(overrides)
    return CalendarEntry(**fields)


def build(entries: list[CalendarEntry], **options: object) -> bytes:
    """A calendar of entries with the usual name, UID and stamp."""
    arguments = {"name": "Open Gen 2021", "calendar_uid": "all@opengen.test", "stamp": STAMP}
    arguments.update(options)
    return build_calendar(entries, **arguments)


def read_icalendar(body: bytes) -> icalendar.Calendar:
    """The calendar as icalendar reads it."""
    return icalendar.Calendar.from_ical(body)


def read_vobject(body: bytes) -> vobject.base.Component:
    """The calendar as vobject reads it, from our own VTIMEZONE.

    vobject keeps the first VTIMEZONE it meets for each TZID for the life of the process, so a
    test parsing another program's Europe/Paris would decide how later ones are read: forget them.
    """
    registry = vars(vobject.icalendar)["__tzidMap"]
    for tzid in [tzid for tzid in registry if tzid != "UTC"]:
        del registry[tzid]
    return vobject.readOne(body.decode("utf-8"))


def icalendar_events(body: bytes) -> dict[str, icalendar.Event]:
    """The events icalendar reads, by UID."""
    return {str(event["UID"]): event for event in read_icalendar(body).walk("VEVENT")}


def vobject_events(body: bytes) -> dict[str, vobject.base.Component]:
    """The events vobject reads, by UID."""
    return {event.uid.value: event for event in getattr(read_vobject(body), "vevent_list", [])}


def instants(body: bytes) -> dict[str, dict[str, tuple[datetime, datetime]]]:
    """Each event's start and end in UTC, per parser, by UID; icalendar by zone name and by our VTIMEZONE."""
    own_zone = read_icalendar(body).walk("VTIMEZONE")[0].to_tz()

    def by_own_zone(prop: icalendar.prop.vDDDTypes) -> datetime:
        moment = prop.dt.replace(tzinfo=own_zone) if "TZID" in prop.params else prop.dt
        return moment.astimezone(UTC)

    icalendar_read = icalendar_events(body)
    return {
        "icalendar": {
            uid: (e.start.astimezone(UTC), e.end.astimezone(UTC)) for uid, e in icalendar_read.items()
        },
        "icalendar with our VTIMEZONE": {
            uid: (by_own_zone(e["DTSTART"]), by_own_zone(e["DTEND"])) for uid, e in icalendar_read.items()
        },
        "vobject": {
            uid: (e.dtstart.value.astimezone(UTC), e.dtend.value.astimezone(UTC))
            for uid, e in vobject_events(body).items()
        },
    }


def assert_read_back(entries: list[CalendarEntry], body: bytes) -> None:
    """Every parser puts every entry at its own start and end instants."""
    expected = {entry.uid: (entry.start.astimezone(UTC), entry.end.astimezone(UTC)) for entry in entries}
    for parser, found in instants(body).items():
        wrong = {uid: (found.get(uid), right) for uid, right in expected.items() if found.get(uid) != right}
        assert not wrong, f"{parser} reads (found, expected): {wrong}"


def around_changes(tzid: str, years: range) -> list[datetime]:
    """Instants every half hour from three hours before to three after each change of offset, and monthly."""
    zone = ZoneInfo(tzid)
    moment = datetime(years.start, 1, 1, 0, 7, tzinfo=UTC)
    found = []
    while moment.year < years.stop:
        if moment.day == 1 and moment.hour == 12:
            found.append(moment)
        later = moment + timedelta(hours=1)
        if later.astimezone(zone).utcoffset() != moment.astimezone(zone).utcoffset():
            found += [later + timedelta(minutes=30 * n) for n in range(-6, 7)]
        moment = later
    return found


def content_lines(body: bytes) -> list[str]:
    """The unfolded content lines of a calendar."""
    return body.decode("utf-8").replace("\r\n ", "").split("\r\n")[:-1]


def test_winter_session_starts_at_nine_utc() -> None:
    entry = make_entry(start=datetime(2021, 11, 29, 10, 0, tzinfo=PARIS))
    body = build([entry])
    assert "DTSTART;TZID=Europe/Paris:20211129T100000" in content_lines(body)
    assert "DTEND;TZID=Europe/Paris:20211129T110000" in content_lines(body)
    assert_read_back([entry], body)
    assert instants(body)["vobject"][entry.uid][0] == datetime(2021, 11, 29, 9, 0, tzinfo=UTC)


def test_summer_session_starts_at_eight_utc() -> None:
    entry = make_entry(start=datetime(2022, 6, 15, 10, 0, tzinfo=PARIS))
    body = build([entry])
    assert "DTSTART;TZID=Europe/Paris:20220615T100000" in content_lines(body)
    assert_read_back([entry], body)
    assert instants(body)["vobject"][entry.uid][0] == datetime(2022, 6, 15, 8, 0, tzinfo=UTC)


def test_times_given_in_another_zone_are_written_in_paris_time() -> None:
    entry = make_entry(start=datetime(2021, 11, 29, 5, 0, tzinfo=ZoneInfo("America/Cayenne")))
    body = build([entry])
    assert "DTSTART;TZID=Europe/Paris:20211129T090000" in content_lines(body)
    assert_read_back([entry], body)


@pytest.mark.parametrize(
    "night",
    [datetime(2021, 10, 30, 23, 0, tzinfo=UTC), datetime(2022, 3, 26, 23, 0, tzinfo=UTC)],
    ids=["clocks go back, last Sunday of October", "clocks go forward, last Sunday of March"],
)
def test_sessions_across_the_change_of_time_keep_their_instants(night: datetime) -> None:
    starts = [night + timedelta(minutes=15 * n) for n in range(20)]
    entries = [
        make_entry(uid=f"night-{n}", start=start, end=start + timedelta(minutes=45))
        for n, start in enumerate(starts)
    ]
    assert_read_back(entries, build(entries))


def test_repeated_hour_when_clocks_go_back_is_written_in_utc() -> None:
    first = make_entry(uid="first", start=datetime(2021, 10, 31, 0, 30, tzinfo=UTC))  # 02:30 CEST
    second = make_entry(uid="second", start=datetime(2021, 10, 31, 1, 30, tzinfo=UTC))  # 02:30 CET
    body = build([first, second])
    lines = content_lines(body)
    assert "DTSTART;TZID=Europe/Paris:20211031T023000" in lines
    assert "DTSTART:20211031T013000Z" in lines
    assert_read_back([first, second], body)


def test_vtimezone_uses_yearly_rules_like_mainstream_applications() -> None:
    lines = content_lines(build([make_entry()]))
    zone = lines[lines.index("BEGIN:VTIMEZONE") : lines.index("END:VTIMEZONE") + 1]
    assert "TZID:Europe/Paris" in zone
    assert zone.count("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU") == 1
    assert zone.count("RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU") == 1
    assert not [line for line in zone if line.startswith("RDATE")]
    daylight = zone[zone.index("BEGIN:DAYLIGHT") : zone.index("END:DAYLIGHT")]
    assert {"TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:CEST"} <= set(daylight)
    standard = zone[zone.index("BEGIN:STANDARD") : zone.index("END:STANDARD")]
    assert {"TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "TZNAME:CET"} <= set(standard)


@pytest.mark.parametrize(
    "tzid", ["Europe/Paris", "America/New_York", "Australia/Sydney", "America/Sao_Paulo"]
)
def test_vtimezone_gives_the_offsets_of_the_time_zone_database(tzid: str) -> None:
    own_zone = read_icalendar(build([], tzid=tzid)).walk("VTIMEZONE")[0].to_tz()
    zone = ZoneInfo(tzid)
    checked = 0
    for year in VTIMEZONE_YEARS[1:]:
        for month in range(1, 13):
            for hour in range(0, 24 * 31, 5):  # around every change of the month, hour by hour would be slow
                moment = datetime(year, month, 1, tzinfo=UTC) + timedelta(hours=hour)
                local = moment.astimezone(zone)
                if local.fold:
                    continue  # the second of a repeated local time: written in UTC, not through the VTIMEZONE
                assert local.replace(tzinfo=own_zone).astimezone(UTC) == moment, (tzid, moment)
                checked += 1
    assert checked > 40_000


@pytest.mark.parametrize(
    ("tzid", "rrules"),
    [
        ("America/New_York", {"FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU"}),
        ("Australia/Sydney", {"FREQ=YEARLY;BYMONTH=10;BYDAY=1SU", "FREQ=YEARLY;BYMONTH=4;BYDAY=1SU"}),
        ("America/Cayenne", set()),  # no daylight saving time
        ("Indian/Reunion", set()),
    ],
)
def test_other_time_zones_read_back_right(tzid: str, rrules: set[str]) -> None:
    starts = around_changes(tzid, range(2021, 2023))
    entries = [make_entry(uid=f"e{n}", start=start) for n, start in enumerate(starts)]
    body = build(entries, tzid=tzid)
    lines = content_lines(body)
    assert {line.removeprefix("RRULE:") for line in lines if line.startswith("RRULE:")} == rrules
    assert f"X-WR-TIMEZONE:{tzid}" in lines
    assert_read_back(entries, body)


def test_zone_that_changed_its_rules_gets_one_observance_per_change() -> None:
    # Sao Paulo kept daylight saving time until 2019.
    starts = around_changes("America/Sao_Paulo", range(2017, 2021))
    entries = [make_entry(uid=f"e{n}", start=start) for n, start in enumerate(starts)]
    body = build(entries, tzid="America/Sao_Paulo")
    lines = content_lines(body)
    assert not [line for line in lines if line.startswith(("RRULE", "RDATE"))]
    assert lines.count("BEGIN:DAYLIGHT") > 5
    assert_read_back(entries, body)


def test_times_outside_the_vtimezone_years_are_written_in_utc() -> None:
    early = make_entry(uid="early", start=datetime(VTIMEZONE_YEARS.start - 5, 7, 1, 10, 0, tzinfo=PARIS))
    late = make_entry(uid="late", start=datetime(VTIMEZONE_YEARS.stop + 2, 7, 1, 10, 0, tzinfo=PARIS))
    body = build([early, late])
    lines = content_lines(body)
    assert f"DTSTART:{VTIMEZONE_YEARS.start - 5}0701T080000Z" in lines
    assert f"DTSTART:{VTIMEZONE_YEARS.stop + 2}0701T080000Z" in lines
    assert_read_back([early, late], body)


def test_nasty_text_reads_back_identically() -> None:
    categories = ("Data, IA", "C;C++", "a\\b")
    entry = make_entry(summary=NASTY, description=NASTY * 3, location=NASTY, categories=categories)
    body = build([entry], name=NASTY, description=NASTY)
    expected = NASTY.replace("\r\n", "\n").replace("\r", "\n")
    ical = icalendar_events(body)[entry.uid]
    vob = vobject_events(body)[entry.uid]
    for read in (str(ical["SUMMARY"]), str(ical["LOCATION"]), vob.summary.value, vob.location.value):
        assert read == expected
    assert str(ical["DESCRIPTION"]) == vob.description.value == expected * 3
    assert tuple(ical.categories) == tuple(vob.categories.value) == categories
    # icalendar 7.3 leaves NAME and X- properties escaped (and writes them unescaped); vobject reads
    # them as the TEXT that RFC 7986 and RFC 5545 make them.
    assert str(read_icalendar(body)["DESCRIPTION"]) == expected
    calendar = read_vobject(body)
    assert calendar.contents["name"][0].value == calendar.x_wr_calname.value == expected
    assert calendar.description.value == calendar.x_wr_caldesc.value == expected


def test_text_is_escaped_as_rfc_5545_says() -> None:
    entry = make_entry(summary="a,b;c\\d\ne", location="<script>alert(1)</script>", categories=("x,y", "z"))
    lines = content_lines(build([entry]))
    assert "SUMMARY:a\\,b\\;c\\\\d\\ne" in lines
    assert "LOCATION:<script>alert(1)</script>" in lines
    assert "CATEGORIES:x\\,y,z" in lines


def test_control_characters_are_dropped_and_unicode_line_separators_become_line_breaks() -> None:
    entry = make_entry(summary="a\x00b\x07c\x1bd\x7fe", description="one\u2028two\u2029three\x85four\x0bfive")
    body = build([entry])
    assert "SUMMARY:abcde" in content_lines(body)
    assert "LOCATION:lone ? surrogate" in content_lines(build([make_entry(location="lone \ud800 surrogate")]))
    assert vobject_events(body)[entry.uid].description.value == "one\ntwo\nthree\nfourfive"
    assert str(icalendar_events(body)[entry.uid]["DESCRIPTION"]) == "one\ntwo\nthree\nfourfive"


def test_long_lines_fold_at_75_octets_without_breaking_characters_and_unfold_identically() -> None:
    description = "é" * 100 + "🎉" * 50 + "x" * 300 + "漢字" * 40
    entry = make_entry(description=description, summary="🎉 " * 60, url="https://opengen.test/" + "a" * 200)
    body = build([entry])
    physical = body.split(b"\r\n")
    assert max(len(line) for line in physical) == 75
    for line in physical:
        line.decode("utf-8")  # each line holds whole characters only
    assert f"DESCRIPTION:{description}" in content_lines(body)
    assert str(icalendar_events(body)[entry.uid]["DESCRIPTION"]) == description
    assert vobject_events(body)[entry.uid].description.value == description
    assert vobject_events(body)[entry.uid].summary.value == "🎉 " * 60
    assert str(icalendar_events(body)[entry.uid]["URL"]) == entry.url


@settings(max_examples=60, deadline=None)
@given(text=st.text(st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=300))
def test_any_printable_text_reads_back_identically(text: str) -> None:
    entry = make_entry(summary=text, description=text + "\n" + text)
    body = build([entry])
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    assert str(icalendar_events(body)[entry.uid]["SUMMARY"]) == text
    assert vobject_events(body)[entry.uid].description.value == text + "\n" + text


def test_event_properties_are_all_written() -> None:
    entry = make_entry(sequence=3, categories=("Développement", "Data"))
    body = build([entry])
    lines = content_lines(body)
    for line in [
        "UID:event-1@opengen.test",
        "DTSTAMP:20211120T120000Z",
        "SEQUENCE:3",
        "STATUS:CONFIRMED",
        "GEO:48.869100;2.331900",
        "URL:https://opengen.test/evenements/1",
        "CATEGORIES:Développement,Data",
        "TRANSP:TRANSPARENT",
        "CREATED:20211117T120000Z",
        "LAST-MODIFIED:20211120T120000Z",
    ]:
        assert line in lines
    event = icalendar_events(body)[entry.uid]
    assert (event["GEO"].latitude, event["GEO"].longitude) == (48.8691, 2.3319)
    assert event["SEQUENCE"] == 3
    assert event["LAST-MODIFIED"].dt == STAMP
    assert vobject_events(body)[entry.uid].geo.value == "48.869100;2.331900"


def test_optional_event_properties_are_left_out_when_empty() -> None:
    entry = make_entry(description="", location="", geo=None, url=None, categories=(), created=None)
    lines = content_lines(build([entry]))
    names = {line.split(":")[0].split(";")[0] for line in lines[lines.index("BEGIN:VEVENT") :]}
    assert not names & {"DESCRIPTION", "LOCATION", "GEO", "URL", "CATEGORIES", "CREATED"}
    assert {"UID", "DTSTAMP", "DTSTART", "SUMMARY", "LAST-MODIFIED"} <= names


def test_cancelled_session_keeps_its_uid_with_a_higher_sequence() -> None:
    entry = make_entry(sequence=0)
    cancelled = make_entry(sequence=1, status="CANCELLED")
    lines = content_lines(build([cancelled]))
    assert {"UID:event-1@opengen.test", "SEQUENCE:1", "STATUS:CANCELLED", "TRANSP:TRANSPARENT"} <= set(lines)
    assert "SEQUENCE:0" in content_lines(build([entry]))
    event = vobject_events(build([cancelled]))[entry.uid]
    assert (event.status.value, event.sequence.value) == ("CANCELLED", "1")


def test_busy_calendar_marks_time_opaque_except_cancelled_sessions() -> None:
    body = build([make_entry(uid="on"), make_entry(uid="off", status="CANCELLED")], busy=True)
    events = icalendar_events(body)
    assert str(events["on"]["TRANSP"]) == "OPAQUE"
    assert str(events["off"]["TRANSP"]) == "TRANSPARENT"


def test_calendar_properties_follow_rfc_7986() -> None:
    body = build([], description="Les portes ouvertes", url="https://opengen.test/agenda")
    lines = content_lines(body)
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "UID:all@opengen.test",
        "NAME:Open Gen 2021",
        "X-WR-CALNAME:Open Gen 2021",
        "DESCRIPTION:Les portes ouvertes",
        "X-WR-CALDESC:Les portes ouvertes",
        "URL:https://opengen.test/agenda",
        "X-WR-TIMEZONE:Europe/Paris",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
        "END:VCALENDAR",
    ]:
        assert line in lines
    assert [line for line in lines if line.startswith("PRODID:")]
    assert read_icalendar(body)["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert read_icalendar(body)["REFRESH-INTERVAL"].dt == timedelta(hours=1)


def test_calendar_description_is_left_out_when_not_given() -> None:
    names = {line.split(":")[0] for line in content_lines(build([]))}
    assert not names & {"DESCRIPTION", "X-WR-CALDESC", "URL"}


@pytest.mark.parametrize(
    ("refresh", "written"),
    [
        (timedelta(minutes=30), "PT30M"),
        (timedelta(days=1), "P1D"),
        (timedelta(days=1, hours=12), "P1DT12H"),
        (timedelta(hours=1, seconds=5), "PT1H0M5S"),
        (timedelta(seconds=90), "PT1M30S"),
    ],
)
def test_refresh_interval_is_an_rfc_5545_duration(refresh: timedelta, written: str) -> None:
    body = build([], refresh=refresh)
    assert f"REFRESH-INTERVAL;VALUE=DURATION:{written}" in content_lines(body)
    assert f"X-PUBLISHED-TTL:{written}" in content_lines(body)
    assert read_icalendar(body)["REFRESH-INTERVAL"].dt == refresh


def test_uids_are_stable_between_builds() -> None:
    entries = [make_entry(uid=f"event-{n}@opengen.test") for n in range(3)]
    first = build(entries)
    later = build(entries, stamp=STAMP + timedelta(hours=5))
    assert first != later  # DTSTAMP moved
    uids = [line for line in content_lines(first) if line.startswith("UID:")]
    assert uids == [line for line in content_lines(later) if line.startswith("UID:")]
    assert uids[0] == "UID:all@opengen.test"
    assert build(entries) == first


def test_empty_calendar_is_valid() -> None:
    body = build([])
    assert "BEGIN:VEVENT" not in body.decode()
    assert "BEGIN:VTIMEZONE" in body.decode()
    assert read_icalendar(body).walk("VEVENT") == []
    assert str(read_icalendar(body)["X-WR-CALNAME"]) == "Open Gen 2021"
    assert not hasattr(read_vobject(body), "vevent")
    assert read_vobject(body).vtimezone.tzid.value == "Europe/Paris"


def test_url_with_spaces_and_accents_is_percent_encoded() -> None:
    entry = make_entry(url="https://école.test/les sessions?q=été")
    assert entry.url == "https://%C3%A9cole.test/les%20sessions?q=%C3%A9t%C3%A9"
    assert f"URL:{entry.url}" in content_lines(build([entry]))


def test_ten_thousand_entries_are_written_in_one_pass(monkeypatch) -> None:
    """Each entry is written once and the zone worked out once per calendar; the time this takes
    (against icalendar's object model) is bench/ics_build.py's figure, not a test's."""
    first = datetime(2021, 11, 29, 9, 0, tzinfo=PARIS)
    entries = [
        make_entry(uid=f"event-{n}", start=first + timedelta(minutes=n), description=NASTY * 2)
        for n in range(10_000)
    ]
    calls = {"zone": 0, "entry": 0}
    vtimezone.zone_form.cache_clear()
    zone_form, vevent = vtimezone._transitions, ics.entry_part

    def counted(name, real):
        return lambda *args: calls.__setitem__(name, calls[name] + 1) or real(*args)

    monkeypatch.setattr(vtimezone, "_transitions", counted("zone", zone_form))
    monkeypatch.setattr(ics, "entry_part", counted("entry", vevent))
    body = build(entries)
    assert body.count(b"BEGIN:VEVENT") == 10_000
    assert body.count(b"BEGIN:VTIMEZONE") == 1
    assert calls == {"zone": 1, "entry": 10_000}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"start": datetime(2021, 11, 29, 10, 0)}, "start must be timezone-aware"),
        ({"end": datetime(2021, 11, 29, 8, 0, tzinfo=PARIS)}, "must be after start"),
        ({"end": datetime(2021, 11, 29, 10, 0, tzinfo=PARIS)}, "must be after start"),
        ({"last_modified": datetime(2021, 11, 29)}, "last_modified must be timezone-aware"),
        ({"created": "2021-11-29"}, "created must be a datetime"),
        ({"start": datetime(1, 1, 1, tzinfo=UTC)}, "start must be between"),
        ({"status": "DONE"}, "status must be one of"),
        ({"sequence": -1}, "sequence must be a non-negative integer"),
        ({"sequence": "1"}, "sequence must be a non-negative integer"),
        ({"uid": "  "}, "uid must be a non-empty string"),
        ({"geo": (91.0, 2.0)}, "geo must be a latitude"),
        ({"geo": (48.0, float("nan"))}, "geo must hold two finite numbers"),
        ({"geo": (48.0,)}, "geo must be a"),
        ({"url": "/evenements/1"}, "url must be absolute"),
        ({"summary": None}, "summary must be a string"),
        ({"categories": ["a"]}, "categories must be a tuple of strings"),
    ],
)
def test_bad_entry_is_refused_with_a_clear_error(overrides: dict, message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        make_entry(**overrides)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"tzid": "Europe/Atlantis"}, "unknown time zone"),
        ({"tzid": "../etc/passwd"}, "unknown time zone"),
        ({"refresh": timedelta(0)}, "refresh must be a positive"),
        ({"refresh": timedelta(seconds=1.5)}, "refresh must be a positive"),
        ({"name": ""}, "name must be a non-empty string"),
        ({"calendar_uid": " "}, "calendar_uid must be a non-empty string"),
        ({"stamp": datetime(2021, 11, 20)}, "stamp must be timezone-aware"),
        ({"url": "agenda.ics"}, "url must be absolute"),
    ],
)
def test_bad_calendar_options_are_refused_with_a_clear_error(options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build([make_entry()], **options)
