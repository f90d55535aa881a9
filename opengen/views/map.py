"""The home page: the map of the week's sessions, the filters, the search around a place, the list."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for

from .. import maps
from ..editions import current_edition
from ..events import queries
from ..events.filters import RADIUS_CHOICES, number_arg, page_number, parse_filters
from ..feeds import calendars
from ..places.lookup import PlaceNotFound

bp = Blueprint("map", __name__)


@bp.get("/")
def index():
    """Show the map and the list of sessions matching the filters, nearest first around a place."""
    filters = parse_filters(request.args)
    number, size = page_number(request.args), current_app.config["LIST_PAGE_SIZE"]
    place_error = None
    try:
        shown = filters
        listing = queries.page(shown, number, size)
    except PlaceNotFound as error:
        # The message goes next to the field, which keeps what was typed; the list ignores it.
        place_error = error.message
        shown = filters.without("q")
        listing = queries.page(shown, number, size)
    shell = maps.configured_shell(current_app.config, "events")
    radii = [number_arg(km) for km in sorted({*RADIUS_CHOICES, filters.radius_km})]
    return render_template("map/index.html", filters=filters, shown=shown, listing=listing,
                           place_error=place_error, radii=radii, radius=number_arg(filters.radius_km),
                           links=_place_links(shown, listing), shell=shell,
                           edition=current_edition(), families=queries.families(),
                           calendar_name=calendars.search_name(filters))


def _alternative_query(alternative: dict) -> str:
    label, postcode = alternative.get("label") or "", alternative.get("postcode")
    department = alternative.get("department")
    if postcode and postcode not in label and f"({department})" not in label:
        return f"{label} {postcode}"
    return label


def _place_links(shown, listing) -> dict:
    """URLs for the other places an ambiguous name may mean, and for the online sessions."""
    args = shown.to_args()
    if listing.area is None:
        return {"alternatives": [], "online": None}
    alternatives = [(a.get("label"), url_for("map.index", **{**args, "q": _alternative_query(a)}))
                    for a in listing.area.alternatives]
    online = {k: v for k, v in args.items() if k not in ("q", "lat", "lon", "radius_km")}
    return {"alternatives": alternatives, "online": url_for("map.index", **{**online, "format": "online"})}
