"""One blueprint per user task."""
from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Register every blueprint of the site and the API."""
    from . import admin, api, broadcasts, events, families, feeds, map, programme, submit

    for module in (map, events, broadcasts, families, api, feeds, programme, submit, admin):
        app.register_blueprint(module.bp)
