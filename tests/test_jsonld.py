"""Each session page carries schema.org Event JSON-LD, read back with extruct as search engines do."""
from __future__ import annotations

import extruct
import pytest

from opengen.db import db
from opengen.models import EventFormat, EventStatus
from opengen.submissions.operations import EventDetails, cancel_event, edit_event
from tests.conftest import paris

SCHEMA = "https://schema.org/"


def jsonld(client, event_id: int) -> dict:
    """The one JSON-LD object of a session's page."""
    response = client.get(f"/events/{event_id}")
    assert response.status_code == 200
    found = extruct.extract(response.get_data(as_text=True), base_url=f"http://localhost/events/{event_id}",
                            syntaxes=["json-ld"])["json-ld"]
    assert len(found) == 1
    return found[0]


def details_of(event, **changes) -> EventDetails:
    values = dict(title=event.title, description=event.description, kind=event.kind,
                  families=tuple(f.slug for f in event.families), format=event.format,
                  online_url=event.online_url, registration_url=event.registration_url)
    values.update(changes)
    return EventDetails(**values)


def test_a_published_session(client, make_event, make_school, make_venue):
    school = make_school(name="École Exemple", website="https://ecole.example.org")
    venue = make_venue(school=school, name="Campus Pleyel", address="12 rue Ampère", postcode="93200",
                       city="Saint-Denis", lat=48.92, lon=2.35)
    event = make_event(title="Atelier data", description="Découvrir la donnée.", venue=venue,
                       school=school, start=paris(2021, 11, 30, 14),
                       registration_url="https://inscription.example.org/data")
    db.session.commit()
    data = jsonld(client, event.id)
    assert data["@context"] in ("https://schema.org", "http://schema.org")
    assert data["@type"] == "Event"
    assert data["name"] == "Atelier data" and data["description"] == "Découvrir la donnée."
    assert data["startDate"] == "2021-11-30T14:00:00+01:00"
    assert data["endDate"] == "2021-11-30T15:00:00+01:00"
    assert data["eventStatus"] == SCHEMA + "EventScheduled" and "previousStartDate" not in data
    assert data["eventAttendanceMode"] == SCHEMA + "OfflineEventAttendanceMode"
    assert data["location"] == {
        "@type": "Place", "name": "Campus Pleyel",
        "address": {"@type": "PostalAddress", "streetAddress": "12 rue Ampère", "postalCode": "93200",
                    "addressLocality": "Saint-Denis", "addressCountry": "FR"},
        "geo": {"@type": "GeoCoordinates", "latitude": 48.92, "longitude": 2.35}}
    assert data["organizer"] == {"@type": "Organization", "name": "École Exemple",
                                 "url": "https://ecole.example.org"}
    assert data["offers"] == {"@type": "Offer", "price": 0, "priceCurrency": "EUR",
                              "availability": SCHEMA + "InStock",
                              "url": "https://inscription.example.org/data"}
    assert data["isAccessibleForFree"] is True
    assert data["url"] == f"http://localhost/events/{event.id}"


def test_a_cancelled_session(client, make_event):
    event = make_event(start=paris(2021, 11, 30, 10))
    cancel_event(event, "ecole@example.org")
    db.session.commit()
    assert event.status == EventStatus.cancelled
    data = jsonld(client, event.id)
    assert data["eventStatus"] == SCHEMA + "EventCancelled"
    assert data["offers"]["availability"] == SCHEMA + "Discontinued"
    assert data["startDate"] == "2021-11-30T10:00:00+01:00"


def test_a_session_moved_after_publication_is_rescheduled(client, make_event):
    event = make_event(start=paris(2021, 11, 30, 10))
    db.session.commit()
    edit_event(event, details_of(event), paris(2021, 12, 1, 15), paris(2021, 12, 1, 16))
    db.session.commit()
    data = jsonld(client, event.id)
    assert data["eventStatus"] == SCHEMA + "EventRescheduled"
    assert data["previousStartDate"] == "2021-11-30T10:00:00+01:00"
    assert data["startDate"] == "2021-12-01T15:00:00+01:00"
    # A change of text alone does not move it again.
    edit_event(event, details_of(event, title="Nouveau titre"), event.start_at, event.end_at)
    db.session.commit()
    assert jsonld(client, event.id)["previousStartDate"] == "2021-11-30T10:00:00+01:00"


def test_a_pending_session_moved_before_publication_is_simply_scheduled(client, make_event):
    event = make_event(status=EventStatus.pending, start=paris(2021, 11, 30, 10))
    edit_event(event, details_of(event), paris(2021, 12, 1, 15), paris(2021, 12, 1, 16))
    event.status = EventStatus.published
    db.session.commit()
    assert jsonld(client, event.id)["eventStatus"] == SCHEMA + "EventScheduled"


def test_an_online_session(client, make_event):
    event = make_event(format=EventFormat.online, online_url="https://visio.example.org/gen",
                       start=paris(2021, 12, 2, 9))
    db.session.commit()
    data = jsonld(client, event.id)
    assert data["eventAttendanceMode"] == SCHEMA + "OnlineEventAttendanceMode"
    assert data["location"] == {"@type": "VirtualLocation", "url": "https://visio.example.org/gen"}
    assert data["offers"]["url"] == f"http://localhost/events/{event.id}"  # no registration link


def test_a_mixed_session_has_both_locations(client, make_event):
    event = make_event(format=EventFormat.both, online_url="https://visio.example.org/gen")
    db.session.commit()
    data = jsonld(client, event.id)
    assert data["eventAttendanceMode"] == SCHEMA + "MixedEventAttendanceMode"
    assert [place["@type"] for place in data["location"]] == ["Place", "VirtualLocation"]


@pytest.mark.parametrize("title", ["</script><script>alert(1)</script>", "<!--<script>", "a & b"])
def test_a_hostile_title_stays_inert(client, make_event, title):
    event = make_event(title=title, description="</SCRIPT><img src=x onerror=alert(2)>")
    db.session.commit()
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    script = html.split('<script type="application/ld+json"', 1)[1].split("</script>", 1)[0]
    assert "<" not in script.split(">", 1)[1] and "&" not in script.split(">", 1)[1]
    data = jsonld(client, event.id)
    assert data["name"] == title  # read back whole by a JSON-LD reader
    assert data["description"] == "</SCRIPT><img src=x onerror=alert(2)>"
    assert "<script>alert(1)" not in html


def test_a_school_link_that_is_not_a_web_address_is_left_out(client, make_event, make_school):
    school = make_school(website="javascript:alert(1)")
    event = make_event(school=school, registration_url="javascript:alert(2)")
    db.session.commit()
    data = jsonld(client, event.id)
    assert "url" not in data["organizer"]
    assert data["offers"]["url"] == f"http://localhost/events/{event.id}"


def test_an_ended_session_offers_no_registration(app, client, make_event):
    event = make_event(start=paris(2021, 11, 29, 10), registration_url="https://inscription.example.org/x")
    db.session.commit()
    assert jsonld(client, event.id)["offers"]["url"] == "https://inscription.example.org/x"
    app.config["FROZEN_NOW"] = "2021-11-29T12:00"
    assert jsonld(client, event.id)["offers"]["url"] == f"http://localhost/events/{event.id}"
