"""Absolute addresses of the site's pages, for feeds, the API and mails (behind a proxy too)."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app, request, url_for

from .events.serialise import EVENT_ID

_SENTINEL_ID = 987654321


def external_url(endpoint: str, **values) -> str:
    """An absolute URL, on PUBLIC_BASE_URL when the site sits behind a proxy that hides its name."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def event_url_template() -> str:
    """The absolute address of a session's page with EVENT_ID in place of its id (one url_for
    for a whole list)."""
    return external_url("events.show", event_id=_SENTINEL_ID).replace(str(_SENTINEL_ID), EVENT_ID)


def same_query_url(endpoint: str, **values) -> str:
    """The address of a page with the current request's query string carried over as it is.

    Never `url_for(endpoint, **request.args)`: `endpoint`, `_method`, `_anchor`, `_external`,
    `_scheme` or a path argument in the query string would become url_for's own arguments.
    """
    query = urlencode(list(request.args.items(multi=True)))
    return url_for(endpoint, **values) + (f"?{query}" if query else "")
