"""The home page: the map of the week's sessions, the filters and the accessible list."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from .. import events, maps
from ..filters import parse_filters

bp = Blueprint("map", __name__)


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and len(raw) < 7 else 1


@bp.get("/")
def index():
    """Show the map and the list of sessions matching the filters."""
    filters = parse_filters(request.args)
    listing = events.page(filters, _page_number(), current_app.config["LIST_PAGE_SIZE"])
    shell = maps.shell("events", tiles_url=current_app.config["TILES_URL"],
                       attribution=current_app.config["TILES_ATTRIBUTION"],
                       max_zoom=current_app.config["TILES_MAX_ZOOM"])
    return render_template("map/index.html", filters=filters, listing=listing, shell=shell,
                           edition=events.current_edition(), families=events.families())
