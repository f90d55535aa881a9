"""How a session's time reads everywhere (list, popup, session page): « lundi 29 novembre, 9 h 00 –
10 h 00 », the year only when it is not the current one, the zone only when it is not the visitor's."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _

from .. import clock
from ..i18n import day_label, hour_label, zone_name
from ..timezones import PARIS_NAME, local


def when_text(start_at: datetime, end_at: datetime, zone: str | None,
              visitor_zone: str = PARIS_NAME, with_day: bool = True) -> str:
    """Return the day and the time range of a session in its venue's zone, as read by a visitor."""
    zone = zone or PARIS_NAME
    start = local(start_at, zone)
    hours = f"{hour_label(start_at, zone)} – {hour_label(end_at, zone)}"
    text = hours
    if with_day:
        text = f"{day_text(start.date())}, {hours}"
    if zone != visitor_zone:
        text = _("%(when)s (%(zone)s)", when=text, zone=zone_name(zone))
    return text


def day_text(day: date) -> str:
    """Return how a day reads in headings (« lundi 29 novembre »), with its year when not this one."""
    text = day_label(day)
    return text if day.year == clock.now().year else f"{text} {day.year}"
