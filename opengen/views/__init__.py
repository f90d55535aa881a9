"""One blueprint per user task."""
from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Register every blueprint of the site and the API."""
    from . import api, broadcasts, events, families, map

    for module in (map, events, broadcasts, families, api):
        app.register_blueprint(module.bp)
