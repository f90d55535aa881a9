"""One blueprint per user task."""
from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

from ..events.filters import MAX_ID
from . import (
    admin,
    api,
    broadcasts,
    desk,
    editions_admin,
    embed,
    events,
    exports,
    families,
    feeds,
    health,
    language,
    map,
    places,
    posters,
    programme,
    reminders,
    submit,
)

# In the order their pages appear in the menu, the staff's and the machines' last.
BLUEPRINTS = (map, events, broadcasts, families, api, places, exports, feeds, programme, reminders, submit,
              posters, embed, admin, desk, editions_admin, health, language)


class IdConverter(IntegerConverter):
    """`<int:...>` bounded to what the databases store: a larger id is a 404, not an overflow."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def register_blueprints(app: Flask) -> None:
    """Register every blueprint of the site and the API."""
    app.url_map.converters["int"] = IdConverter
    for module in BLUEPRINTS:
        app.register_blueprint(module.bp)
