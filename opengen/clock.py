"""The site's idea of "now": the real time, or the instant set in FROZEN_NOW for tests and demos."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import current_app, has_app_context
from flask_babel import gettext as _

from .timezones import PARIS


def parse_instant(value: datetime | str) -> datetime:
    """Return an aware UTC datetime from an aware datetime or an ISO 8601 string.

    A value without offset is read as Paris wall time (handy for `FLASK_FROZEN_NOW=2021-11-29T10:30`).
    Raises ValueError, in the request's language (French by default), on anything else.
    """
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(_("Instant invalide : « %(value)s » (format attendu : AAAA-MM-JJTHH:MM, avec ou "
                               "sans décalage horaire).", value=value)) from None
    if not isinstance(value, datetime):
        raise ValueError(_("Instant invalide : %(value)s.", value=repr(value)))
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=PARIS)
    return value.astimezone(timezone.utc)


def now() -> datetime:
    """Return the current instant as an aware UTC datetime (FROZEN_NOW when the app sets one)."""
    frozen = current_app.config.get("FROZEN_NOW") if has_app_context() else None
    if frozen:
        return parse_instant(frozen)
    return datetime.now(timezone.utc)


def is_past(moment: datetime) -> bool:
    """Tell whether an instant has passed (a session has ended once its end is past)."""
    return moment <= now()
