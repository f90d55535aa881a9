"""The public page of one session."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from .. import editions, maps
from ..loaders import public_event_or_404

bp = Blueprint("events", __name__, url_prefix="/events")


@bp.get("/<int:event_id>")
def show(event_id: int):
    """Show everything about one published or cancelled session."""
    event = public_event_or_404(event_id)
    shell = None
    if event.venue is not None and event.venue.lat is not None:
        shell = maps.configured_shell(current_app.config, "venue",
                                      centre=(event.venue.lat, event.venue.lon), zoom=15)
    return render_template("events/show.html", event=event, shell=shell,
                           archive=editions.is_archive(event.edition), current_year=editions.current_year())
