"""The OpenAPI components: what the API's answers look like, built from the constants the code uses."""
from __future__ import annotations

from typing import get_args

from flask_babel import gettext as _

from ..broadcasts.showings import Status
from ..events.families import SLUGS
from ..events.filters import (
    DEFAULT_RADIUS_KM,
    FORMATS,
    MAX_ID,
    MAX_RADIUS_KM,
    MIN_RADIUS_KM,
)
from ..events.clusters import FIELDS as CLUSTER_FIELDS
from ..events.markers import FIELDS as MARKER_FIELDS
from ..models import EventFormat, EventKind, EventStatus
from ..places.names import MAX_PLACE_CHARS
from ..shortlist.selection import MAX_SESSIONS

PRECISIONS = ("housenumber", "street", "locality", "municipality", "approximate")
PLACE_SOURCES = ("ban", "nominatim", "gazetteer")
FIRST_EDITION, LAST_EDITION = 2000, 9999  # parse_edition reads a year of four digits from 2000


def ref(name: str) -> dict:
    """A reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str, **extra) -> dict:
    return {"type": [kind, "null"], **extra}


def _object(properties: dict, required: tuple[str, ...] | None = None) -> dict:
    return {"type": "object", "properties": properties,
            "required": list(properties if required is None else required)}


def _enum(values) -> dict:
    return {"type": "string", "enum": [getattr(v, "value", v) for v in values]}


def _venue() -> dict:
    return _object({
        "name": {"type": "string"}, "address": {"type": "string"},
        "postcode": _nullable("string"), "city": _nullable("string"),
        "lat": _nullable("number"), "lon": _nullable("number"), "timezone": {"type": "string"},
    })


def _event() -> dict:
    schema = _object({
        "id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        "uid": {"type": "string"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "kind": _enum(EventKind),
        "families": {"type": "array", "items": _enum(SLUGS)},
        "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"},
        "timezone": {"type": "string", "examples": ["Europe/Paris"]},
        "format": _enum(EventFormat),
        "status": _enum((EventStatus.published, EventStatus.cancelled)),
        "school": {"type": "string"},
        "school_id": {"type": "integer"},
        "network": _nullable("string"),
        "venue": {"oneOf": [_venue(), {"type": "null"}]},
        "online_url": _nullable("string"),
        "registration_url": _nullable("string"),
        "capacity": _nullable("integer"),
        "audience": {"type": "array", "items": {"type": "string"}},
        "accessibility": _nullable("string"),
        "wheelchair_accessible": _nullable("boolean"),
        "sequence": {"type": "integer"},
        "updated": {"type": "string", "format": "date-time"},
        "url": {"type": "string", "format": "uri"},
        "distance_km": {"type": "number", "minimum": 0,
                        "description": _("Autour d’un lieu seulement : distance du lieu à la session.")},
        "when": {"type": "string", "examples": ["lundi 29 novembre, 10 h 00 – 11 h 00"],
                 "description": _("Une session seule (/api/events/{event_id}, /api/events/marker) : "
                                  "le jour et l’horaire tels que la liste les écrit.")},
    }, required=("id", "uid", "title", "kind", "families", "start", "end", "format", "status",
                 "school", "venue", "url"))
    return schema


def _place() -> dict:
    return _object({
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "lon": {"type": "number", "minimum": -180, "maximum": 180},
        "label": _nullable("string"),
        "source": _enum(PLACE_SOURCES),
        "precision": _enum(PRECISIONS),
        "city": _nullable("string"), "postcode": _nullable("string"),
        "insee": _nullable("string"), "department": _nullable("string"),
        "ambiguous": {"type": "boolean"},
        "alternatives": {"type": "array", "items": {"type": "object"}},
        "note": {"type": "string"},
    }, required=("lat", "lon", "label", "source", "precision", "ambiguous", "alternatives"))


def _area() -> dict:
    place = _place()
    properties = {**place["properties"], "source": _enum((*PLACE_SOURCES, "position")),
                  "precision": _enum((*PRECISIONS, "position")),
                  "radius_km": {"type": "number", "minimum": MIN_RADIUS_KM, "maximum": MAX_RADIUS_KM}}
    return _object(properties, required=("lat", "lon", "source", "radius_km"))


def _event_page() -> dict:
    return _object({
        "count": {"type": "integer", "minimum": 0},
        "limit": {"type": "integer", "minimum": 1},
        "offset": {"type": "integer", "minimum": 0},
        "events": {"type": "array", "items": ref("Event")},
        "place": ref("Area"),
        "online": _object({"count": {"type": "integer", "minimum": 0},
                           "events": {"type": "array", "items": ref("Event")}}),
    }, required=("count", "limit", "offset", "events"))


def _rows(name: str, fields: list[str]) -> dict:
    """Compact rows: `fields` names the columns, `name` holds one array per row."""
    # Tuples (prefixItems) are read by too few tools yet: each item is the union of its types.
    return {"count": {"type": "integer", "minimum": 0},
            "fields": {"type": "array", "items": {"type": "string"}, "const": fields},
            name: {"type": "array", "items": {"type": "array", "minItems": len(fields), "maxItems": len(fields),
                                               "items": {"type": ["number", "string", "null"]}}}}


def _markers() -> dict:
    # [id, lat, lon, family position or null, kind]
    return _object(_rows("markers", MARKER_FIELDS))


def _clusters() -> dict:
    # [count, lat, lon, south, west, north, east, id, family position, kind]: id, family and kind
    # for a lone session, else null.
    return _object({
        "tile": {"type": "array", "items": {"type": "integer", "minimum": 0}, "minItems": 3, "maxItems": 3},
        "zoom": {"type": "integer", "minimum": 0,
                 "description": _("Le zoom de carte pour lequel les groupes sont faits (celui de la tuile + 2).")},
        "exact": {"type": "boolean", "description": _("Vrai au niveau de la rue : un repère par lieu.")},
        **_rows("clusters", CLUSTER_FIELDS)})


def _marker_sessions() -> dict:
    return _object({"count": {"type": "integer", "minimum": 0},
                    "events": {"type": "array", "items": ref("Event")}})


def _broadcast() -> dict:
    return _object({
        "id": {"type": "integer"}, "uid": {"type": "string"}, "title": {"type": "string"},
        "description": _nullable("string"),
        "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"},
        "timezone": {"type": "string"},
        "families": {"type": "array", "items": _enum(SLUGS)},
        "links": {"type": "array", "items": {"type": "object"}},
        "replay_url": _nullable("string"),
        "guests": {"type": "array", "items": _object({"name": {"type": "string"},
                                                       "role": {"type": "string"}})},
        "status": _enum(get_args(Status)),
        "sequence": {"type": "integer"},
        "updated": {"type": "string", "format": "date-time"},
    }, required=("id", "uid", "title", "start", "end", "status"))


def _programme() -> dict:
    return _object({
        "ids": {"type": "array", "items": {"type": "integer"}, "maxItems": MAX_SESSIONS},
        "missing": {"type": "array", "items": {"type": "integer"}},
        "speed_kmh": {"type": "number"},
        "detour_factor": {"type": "number"},
        "days": {"type": "array", "items": _object({
            "day": {"type": "string", "format": "date"},
            "events": {"type": "array", "items": ref("Event")}})},
        "warnings": {"type": "array", "items": _object({
            "type": _enum(("clash", "too_far")),
            "ids": {"type": "array", "items": {"type": "integer"}},
            "message": {"type": "string"}})},
        "ics": {"type": "string", "format": "uri"},
    }, required=("ids", "missing", "days", "warnings"))


def _error() -> dict:
    return _object({
        "error": {"type": "string", "description": _("Le message, en français ou dans la langue "
                                                       "demandée par Accept-Language (fr, en).")},
        "field": {"type": "string", "description": _("Le paramètre en cause.")},
        "status": {"type": "integer"},
    }, required=("error", "status"))


def _geojson() -> dict:
    return _object({
        "type": {"const": "FeatureCollection"},
        "features": {"type": "array", "items": _object({
            "type": {"const": "Feature"},
            "id": {"type": "integer"},
            "geometry": {"oneOf": [{"type": "null"}, _object({
                "type": {"const": "Point"},
                "coordinates": {"type": "array", "items": {"type": "number"},
                                "minItems": 2, "maxItems": 2}})]},
            "properties": {"type": "object"}}, required=("type", "geometry", "properties"))},
    }, required=("type", "features"))


def components() -> dict:
    """The reusable schemas of the document."""
    return {"schemas": {
        "Event": _event(), "Place": _place(), "Area": _area(), "EventPage": _event_page(),
        "Markers": _markers(), "Clusters": _clusters(), "MarkerSessions": _marker_sessions(),
        "Broadcast": _broadcast(), "Programme": _programme(),
        "Error": _error(), "FeatureCollection": _geojson(),
    }}


def filter_parameters() -> list[dict]:
    """The search filters of parse_filters, shared by the list, the map, the feeds and the exports."""
    def query(name: str, schema: dict, description: str, example=None) -> dict:
        parameter = {"name": name, "in": "query", "required": False, "schema": schema,
                     "description": description}
        if example is not None:
            parameter["example"] = example
        return parameter

    return [
        query("day", {"type": "string", "format": "date"}, _("Un jour (AAAA-MM-JJ)."), "2021-11-29"),
        query("family", _enum(SLUGS), _("Une famille de métiers."), "data"),
        query("kind", _enum(EventKind), _("Un type de session."), "workshop"),
        query("format", _enum(FORMATS), _("Sur place ou en ligne."), "onsite"),
        query("school", {"type": "integer", "minimum": 1, "maximum": MAX_ID},
              _("L’identifiant d’une école.")),
        query("q", {"type": "string", "maxLength": MAX_PLACE_CHARS},
              _("Un code postal, une commune ou une adresse : les sessions autour, les plus "
                "proches d’abord (404 si le lieu est inconnu)."), "93200"),
        query("lat", {"type": "number", "minimum": -90, "maximum": 90},
              _("Une position au lieu de q (avec lon)."), 48.9356),
        query("lon", {"type": "number", "minimum": -180, "maximum": 180},
              _("Une position au lieu de q (avec lat)."), 2.3539),
        query("radius_km", {"type": "number", "minimum": MIN_RADIUS_KM, "maximum": MAX_RADIUS_KM,
                            "default": DEFAULT_RADIUS_KM},
              _("Le rayon autour du lieu, en kilomètres."), 10),
        query("bbox", {"type": "string", "maxLength": 120,
                       "pattern": r"^-?[0-9.]+,-?[0-9.]+,-?[0-9.]+,-?[0-9.]+$"},
              _("Une zone ouest,sud,est,nord en degrés (la vue de la carte) : les sessions sur place "
                "dont le lieu y est."), "2.2,48.8,2.5,48.9"),
        edition_parameter(),
    ]


def edition_parameter() -> dict:
    """The edition's year; the current edition when absent."""
    return {"name": "edition", "in": "query", "required": False,
            "schema": {"type": "integer", "minimum": FIRST_EDITION, "maximum": LAST_EDITION},
            "description": _("L’année d’une édition publiée ; l’édition en cours par défaut "
                             "(400 pour une année inconnue)."), "example": 2021}
