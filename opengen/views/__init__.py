"""One blueprint per user task."""
from __future__ import annotations

from flask import Flask, current_app, url_for
from werkzeug.routing import IntegerConverter

from ..events import EVENT_ID
from ..filters import MAX_ID

_SENTINEL_ID = 987654321


class IdConverter(IntegerConverter):
    """`<int:...>` bounded to what the databases store: a larger id is a 404, not an overflow."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


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


def register_blueprints(app: Flask) -> None:
    """Register every blueprint of the site and the API."""
    app.url_map.converters["int"] = IdConverter
    from . import admin, api, broadcasts, events, families, feeds, health, map, programme, submit

    for module in (map, events, broadcasts, families, api, feeds, programme, submit, admin, health):
        app.register_blueprint(module.bp)
