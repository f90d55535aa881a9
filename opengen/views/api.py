"""The JSON API used by the map and by partners."""
from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, request, url_for

from .. import broadcasts, clock, events
from ..filters import parse_filters, parse_paging, parse_place_query
from ..geocoding import find_place, place_to_api

bp = Blueprint("api", __name__, url_prefix="/api")
ONLINE_PREVIEW = 10  # online sessions listed apart from a search around a place


def _url(event_id: int) -> str:
    return url_for("events.show", event_id=event_id, _external=True)


def _area_to_api(area: events.Area) -> dict:
    data = place_to_api(area.place) if area.place is not None else {
        "lat": area.lat, "lon": area.lon, "label": None, "source": "position", "precision": "position"}
    return {**data, "radius_km": area.radius_km}


@bp.get("/events")
def event_list():
    """List the public events matching the filters, a page at a time (nearest first around a place)."""
    filters = parse_filters(request.args)
    limit, offset = parse_paging(request.args)
    found = events.window(filters, limit, offset, online_limit=min(limit, ONLINE_PREVIEW))
    body = {"count": found.total, "limit": limit, "offset": offset,
            "events": [events.to_api(e, _url(e.id), found.distances.get(e.id)) for e in found.items]}
    if found.area is not None:
        body["place"] = _area_to_api(found.area)
        body["online"] = {"count": found.online_total,
                          "events": [events.to_api(e, _url(e.id)) for e in found.online]}
    return jsonify(body)


@bp.get("/geocode")
def geocode():
    """Find the place a postal code, town or address names."""
    return jsonify(place_to_api(find_place(parse_place_query(request.args))))


@bp.get("/events/markers")
def event_markers():
    """List compact map markers [id, lat, lon, family, kind] for the filters."""
    response = Response(events.marker_payload(parse_filters(request.args)),
                        mimetype="application/json")
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
