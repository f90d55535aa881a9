"""A session as schema.org `Event` JSON-LD, as search engines' event results read it, safe to embed.

The fields Google's event results use: name, start and end with their offset, eventStatus
(cancelled, or rescheduled with the previous start when a published session moved),
eventAttendanceMode, location (a Place with its PostalAddress and geo, a VirtualLocation, or both
for a mixed session), organizer, a free offer and isAccessibleForFree.
"""
from __future__ import annotations

import json

from markupsafe import Markup

from ..checks import web_url
from ..clock import is_past
from ..models import Event, EventFormat, EventStatus
from ..places.distance import is_coordinate
from .serialise import iso, zone_of

SCHEMA = "https://schema.org/"
MODES = {EventFormat.onsite: "OfflineEventAttendanceMode", EventFormat.online: "OnlineEventAttendanceMode",
         EventFormat.both: "MixedEventAttendanceMode"}
# Characters that could end the <script> element or open a comment, written as JSON escapes.
_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _status(event: Event) -> dict:
    if event.status == EventStatus.cancelled:
        return {"eventStatus": SCHEMA + "EventCancelled"}
    if event.previous_start_at is not None and event.previous_start_at != event.start_at:
        return {"eventStatus": SCHEMA + "EventRescheduled",
                "previousStartDate": iso(event.previous_start_at, zone_of(event))}
    return {"eventStatus": SCHEMA + "EventScheduled"}


def _place(venue) -> dict:
    address = {"@type": "PostalAddress", "streetAddress": venue.address or "",
               "postalCode": venue.postcode or "", "addressLocality": venue.city or "",
               "addressCountry": "FR"}
    place = {"@type": "Place", "name": venue.name, "address": address}
    if is_coordinate(venue.lat, venue.lon):
        place["geo"] = {"@type": "GeoCoordinates", "latitude": venue.lat, "longitude": venue.lon}
    return place


def _locations(event: Event, page_url: str) -> list[dict]:
    found = []
    if event.format != EventFormat.online and event.venue is not None:
        found.append(_place(event.venue))
    if event.format != EventFormat.onsite or not found:
        # A session online whose link is not given yet: its page tells how to follow it.
        found.append({"@type": "VirtualLocation", "url": web_url(event.online_url) or page_url})
    return found


def event_data(event: Event, page_url: str) -> dict:
    """Return a public session as a schema.org Event (a dict, for json.dumps)."""
    zone = zone_of(event)
    # As on the page: no registration link once the session is cancelled or over.
    open_ = event.status != EventStatus.cancelled and not is_past(event.end_at)
    registration = web_url(event.registration_url) if open_ else None
    locations = _locations(event, page_url)
    organizer = {"@type": "Organization", "name": event.school.name}
    if web_url(event.school.website):
        organizer["url"] = web_url(event.school.website)
    return {
        "@context": "https://schema.org", "@type": "Event",
        "name": event.title, "description": event.description,
        "startDate": iso(event.start_at, zone), "endDate": iso(event.end_at, zone),
        **_status(event),
        "eventAttendanceMode": SCHEMA + MODES[event.format],
        "location": locations[0] if len(locations) == 1 else locations,
        "organizer": organizer,
        "offers": {"@type": "Offer", "price": 0, "priceCurrency": "EUR",
                   "availability": SCHEMA + ("Discontinued" if event.status == EventStatus.cancelled else "InStock"),
                   "url": registration or page_url},
        "isAccessibleForFree": True,
        "url": page_url,
    }


def script_text(data: dict) -> Markup:
    """Return JSON for a <script type="application/ld+json">: `</script>`, `<!--` and `&` escaped."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for character, escaped in _UNSAFE.items():
        text = text.replace(character, escaped)
    return Markup(text)
