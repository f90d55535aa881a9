"""Reminders by e-mail: a visitor leaves an address on a session's page, confirms it, then gets a
reminder the day before and a message if the session changes time or place or is cancelled.

`subscriptions` (subscribe, confirm, unsubscribe), `changes` (the hooks the schools' and staff's
write paths call), `outbox` (the mails still to send, claimed atomically), `sending` (one run of
`flask send-reminders`), `forms`, `cli`.
"""
from .changes import session_cancelled, session_changed, venue_changed

__all__ = ["session_cancelled", "session_changed", "venue_changed"]
