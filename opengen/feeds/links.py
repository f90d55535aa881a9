"""Links that hand a session or a feed to calendar applications: webcal, Google Calendar, Outlook.

Plain values in, URLs out; no Flask, no request to those services (they are only links).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlencode

GOOGLE_RENDER = "https://calendar.google.com/calendar/render"
OUTLOOK_SUBSCRIBE = "https://outlook.live.com/calendar/0/addfromweb"
OUTLOOK_COMPOSE = "https://outlook.live.com/calendar/0/deeplink/compose"
# Calendar services cut long links; the full text is on the session page anyway.
MAX_DETAILS = 600


@dataclass(frozen=True)
class SubscribeLinks:
    """Ways to subscribe to one feed: its https address, webcal, and the two big web calendars."""

    https: str
    webcal: str
    google: str
    outlook: str


@dataclass(frozen=True)
class AddLinks:
    """Ways to add one session to a calendar: the .ics file and the two big web calendars."""

    ics: str
    google: str
    outlook: str


def webcal_url(feed_url: str) -> str:
    """Return the webcal:// form of an http(s) feed address, which calendar apps open themselves."""
    scheme, sep, rest = feed_url.partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        raise ValueError(f"a feed address is http or https, not {feed_url!r}")
    return "webcal://" + rest


def subscribe_links(feed_url: str, name: str) -> SubscribeLinks:
    """Return the subscription links of a feed served at feed_url (absolute http(s) URL)."""
    webcal = webcal_url(feed_url)
    return SubscribeLinks(
        https=feed_url,
        webcal=webcal,
        google=f"{GOOGLE_RENDER}?{urlencode({'cid': webcal})}",
        outlook=f"{OUTLOOK_SUBSCRIBE}?{urlencode({'url': feed_url, 'name': name})}",
    )


def add_links(*, ics_url: str, title: str, start: datetime, end: datetime, details: str,
              location: str) -> AddLinks:
    """Return the links that add one session (aware start and end) to a calendar."""
    if start.utcoffset() is None or end.utcoffset() is None:
        raise ValueError("start and end must be timezone-aware")
    details = _shorten(details, MAX_DETAILS)
    start_utc, end_utc = start.astimezone(timezone.utc), end.astimezone(timezone.utc)
    google = urlencode({
        "action": "TEMPLATE", "text": title,
        "dates": f"{start_utc:%Y%m%dT%H%M%SZ}/{end_utc:%Y%m%dT%H%M%SZ}",
        "details": details, "location": location,
    })
    outlook = urlencode({
        "path": "/calendar/action/compose", "rru": "addevent", "subject": title,
        "startdt": f"{start_utc:%Y-%m-%dT%H:%M:%SZ}", "enddt": f"{end_utc:%Y-%m-%dT%H:%M:%SZ}",
        "body": details, "location": location,
    })
    return AddLinks(ics=ics_url, google=f"{GOOGLE_RENDER}?{google}",
                    outlook=f"{OUTLOOK_COMPOSE}?{outlook}")


def _shorten(text: str, limit: int) -> str:
    """Text cut at a word boundary to at most limit characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip() + "…"
