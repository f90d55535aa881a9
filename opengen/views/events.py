"""The public page of one session."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from .. import editions, maps
from ..loaders import public_event_or_404
from ..places.directions import directions
from ..urls import external_url

bp = Blueprint("events", __name__, url_prefix="/events")


@bp.get("/<int:event_id>")
def show(event_id: int):
    """Show everything about one published or cancelled session."""
    event = public_event_or_404(event_id)
    shell = way = None
    venue = event.venue
    if venue is not None and venue.lat is not None:
        shell = maps.configured_shell(current_app.config, "venue", centre=(venue.lat, venue.lon), zoom=15)
        if event.format.value != "online":
            way = directions(venue.lat, venue.lon, ", ".join(p for p in (venue.name, venue.city) if p))
    return render_template("events/show.html", event=event, shell=shell, directions=way,
                           page_url=external_url("events.show", event_id=event.id),
                           archive=editions.is_archive(event.edition), current_year=editions.current_year())
