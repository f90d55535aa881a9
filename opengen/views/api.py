"""The JSON API used by the map and by partners."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, request, url_for

from .. import broadcasts, clock, events
from ..filters import parse_filters

bp = Blueprint("api", __name__, url_prefix="/api")


def _url(event_id: int) -> str:
    return url_for("events.show", event_id=event_id, _external=True)


@bp.get("/events")
def event_list():
    """List the public events matching the filters."""
    found = events.search(parse_filters(request.args))
    return jsonify({"count": len(found), "events": [events.to_api(e, _url(e.id)) for e in found]})


@bp.get("/events/markers")
def event_markers():
    """List compact map markers [id, lat, lon, family, kind] for the filters."""
    rows = events.markers(parse_filters(request.args))
    response = jsonify({"count": len(rows), "fields": ["id", "lat", "lon", "family", "kind"],
                        "markers": rows})
    response.cache_control.public = True
    response.cache_control.max_age = 60
    return response


@bp.get("/events/<int:event_id>")
def event_detail(event_id: int):
    """Return one public event."""
    event = events.get_public(event_id)
    if event is None:
        abort(404)
    return jsonify(events.to_api(event, _url(event.id)))


@bp.get("/broadcasts")
def broadcast_list():
    """List the current edition's morning broadcasts, with their live status."""
    now = clock.now()
    _, showings = broadcasts.current_showings(now)
    return jsonify({"broadcasts": [broadcasts.to_api(s.broadcast, now) for s in showings]})
