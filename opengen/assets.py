"""Leaflet and its plugins served by the app itself, from the xstatic packages: no CDN."""
from __future__ import annotations

import xstatic.pkg.leaflet as leaflet
import xstatic.pkg.leaflet_markercluster as markercluster
from flask import Blueprint, Flask, abort, send_from_directory

bp = Blueprint("vendor", __name__, url_prefix="/vendor")

PACKAGES = {"leaflet": leaflet.BASE_DIR, "markercluster": markercluster.BASE_DIR}
ONE_WEEK = 7 * 24 * 3600


@bp.get("/<package>/<path:filename>")
def file(package: str, filename: str):
    """Send one file of a vendored front-end package."""
    if package not in PACKAGES:
        abort(404)
    return send_from_directory(PACKAGES[package], filename, max_age=ONE_WEEK)


def init_app(app: Flask) -> None:
    """Register the vendor blueprint."""
    app.register_blueprint(bp)
