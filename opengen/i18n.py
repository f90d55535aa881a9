"""Translations (French first) and the date formats the templates use."""
from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_time
from flask import Flask
from flask_babel import Babel, format_date, get_locale

from .timezones import PARIS_NAME, local, paris

HOUR_PATTERN = "H 'h' mm"  # « 14 h 00 », as the French typographic rules write hours

ZONE_NAMES = {PARIS_NAME: "", "America/Guadeloupe": "heure de la Guadeloupe",
              "America/Martinique": "heure de la Martinique", "America/Cayenne": "heure de Guyane",
              "Indian/Reunion": "heure de La Réunion", "Indian/Mayotte": "heure de Mayotte",
              "America/Miquelon": "heure de Saint-Pierre-et-Miquelon",
              "America/St_Barthelemy": "heure de Saint-Barthélemy",
              "America/Marigot": "heure de Saint-Martin"}


def day_label(moment: date | datetime) -> str:
    """Format a day the French way, e.g. « lundi 29 novembre » (a datetime keeps its own zone)."""
    if isinstance(moment, datetime):
        moment = moment.date()
    return format_date(moment, "EEEE d MMMM")


def hour_label(moment: datetime, zone: str | None = None) -> str:
    """Format an hour the French way, e.g. « 14 h 00 », in the given zone (Paris by default)."""
    return format_time(local(moment, zone), HOUR_PATTERN, locale="fr")


def zone_name(zone: str) -> str:
    """Return the readable name of a time zone (« heure de La Réunion »; empty for Paris)."""
    return ZONE_NAMES.get(zone, zone)


def init_app(app: Flask) -> None:
    """Register Babel and the date filters."""
    Babel(app)  # the locale and the zone: BABEL_DEFAULT_LOCALE and BABEL_DEFAULT_TIMEZONE
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["day_label"] = day_label
    app.jinja_env.filters["hour_label"] = hour_label
    app.jinja_env.filters["paris"] = paris
    app.jinja_env.filters["localtime"] = local
    app.jinja_env.filters["iso"] = lambda moment: moment.isoformat()
    app.jinja_env.globals["zone_name"] = zone_name
    app.jinja_env.globals["paris_zone"] = PARIS_NAME
