"""Rules on what people type that forms, the CSV import, the broadcast desk and display share.

No Flask: the domain raises `FieldError`, the forms turn it into a message next to the field and
the error pages into a 400.
"""
from __future__ import annotations

from urllib.parse import urlsplit


class FieldError(ValueError):
    """A value that cannot be accepted; carries the field it belongs to and a message for people."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def web_url(value: object) -> str | None:
    """Return the value stripped if it is a complete http(s) address, else None.

    Complete means a host with a dot in it (``https://ecole.fr``, not ``https://ecole``) and no
    white space or control character anywhere: school-written links must never run script, and a
    typo'd address is better refused when typed than shown as a dead link.
    """
    if not isinstance(value, str):
        return None
    url = value.strip()
    if not url or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        return None
    host = parts.hostname or ""
    if parts.scheme.lower() not in ("http", "https") or "." not in host.strip("."):
        return None
    return url
