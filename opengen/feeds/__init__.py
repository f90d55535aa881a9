"""Calendars: `ics` writes RFC 5545 from plain values (no Flask), `calendars` builds the feeds of
a search, a session, a shortlist and the broadcasts with their validators, `links` hands them to
calendar applications."""
