"""The home page (the current edition's map, filters, search around a place and list), and the
earlier editions, each readable as it was at /editions/<year>."""
from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, abort, current_app, render_template, request, url_for

from .. import editions, maps
from ..events import comparison, queries
from ..events.filters import RADIUS_CHOICES, number_arg, page_number, parse_filters
from ..feeds import calendars
from ..places.lookup import PlaceNotFound, ask_if_ambiguous

bp = Blueprint("map", __name__)


@bp.get("/")
def index():
    """Show the map and the list of sessions matching the filters, nearest first around a place."""
    filters = parse_filters(request.args)
    edition = (editions.by_year(filters.edition) if filters.edition is not None
               else editions.current_edition())
    return _map_page(filters, edition)


@bp.get("/editions")
def editions_index():
    """List the editions, the current one first, each with its main figures."""
    return render_template("editions/index.html", summaries=comparison.summaries(editions.published()),
                           current_year=editions.current_year())


@bp.get("/editions/<int:year>")
def edition(year: int):
    """Show an edition's map, list and numbers (an archive once it is over)."""
    found = editions.by_year(year)
    if found is None:
        abort(404)
    filters = replace(parse_filters(request.args), edition=year)
    return _map_page(filters, found, summary=comparison.summaries([found])[0])


def _map_page(filters, edition, summary=None):
    number, size = page_number(request.args), current_app.config["LIST_PAGE_SIZE"]
    place_error, place_choices = None, []
    try:
        shown = filters
        ask_if_ambiguous(filters.q)  # "Saint-Denis": which one, before any is searched around
        listing = queries.page(shown, number, size, upcoming_first=True)
    except PlaceNotFound as error:
        # The message goes next to the field, which keeps what was typed; the list ignores it.
        place_error, place_choices = error.message, error.choices
        shown = filters.without("q")
        listing = queries.page(shown, number, size, upcoming_first=True)
    shell = maps.configured_shell(current_app.config, "events")
    radii = [number_arg(km) for km in sorted({*RADIUS_CHOICES, filters.radius_km})]
    over = edition is not None and editions.is_over(edition)
    return render_template("map/index.html", filters=filters, shown=shown, listing=listing,
                           place_error=place_error, place_choices=place_choices,
                           radii=radii, radius=number_arg(filters.radius_km),
                           links=_place_links(shown, listing), shell=shell,
                           edition=edition, edition_over=over, summary=summary,
                           archive=edition is not None and editions.is_archive(edition),
                           current_edition_year=editions.current_year(),
                           families=queries.families(), calendar_name=calendars.search_name(filters))


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
