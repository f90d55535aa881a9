"""The spatial index of venues and great-circle distances in SQL.

SQLite: an R*Tree virtual table `venue_rtree(id, min_lat, max_lat, min_lon, max_lon)` kept in
sync with `venues` by triggers (migration 0004_spatial). Elsewhere (PostgreSQL), or when that
table is absent, a bounding box on the indexed `venues.lat`/`venues.lon` columns
(`ix_venues_lat_lon`). Either way the box only picks candidates: the exact haversine condition
decides, so the answer is the same as a brute-force haversine over every venue.
"""
from __future__ import annotations

import math
import sqlite3
import weakref

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

from ..db import add_migration_hooks
from .distance import EARTH_RADIUS_KM, bounding_box

RTREE = "venue_rtree"
# The R*Tree module's own storage tables, which Alembic must not try to manage.
RTREE_TABLES = frozenset({RTREE, f"{RTREE}_node", f"{RTREE}_parent", f"{RTREE}_rowid"})
DEGREE = math.pi / 180.0  # the very constant math.radians multiplies by

rtree = sa.table(RTREE, sa.column("id"), sa.column("min_lat"), sa.column("max_lat"),
                 sa.column("min_lon"), sa.column("max_lon"))

_has_rtree: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def has_rtree(engine: Engine) -> bool:
    """Tell whether this database has the venue R*Tree (checked once per engine)."""
    found = _has_rtree.get(engine)
    if found is None:
        found = engine.dialect.name == "sqlite" and sa.inspect(engine).has_table(RTREE)
        _has_rtree[engine] = found
    return found


def forget(engine: Engine) -> None:
    """Drop the cached has_rtree answer (after a migration created or removed the table)."""
    _has_rtree.pop(engine, None)


# A circle enters a statement as these bind parameters (circle_params gives their values), so
# that one statement serves every place: built and compiled once, not at each search.
_P = {name: sa.bindparam(name, type_=sa.Float) for name in
      ("p1", "lon0", "cos_p1", "term_limit", "min_lat", "max_lat", "min_lon", "max_lon")}


def circle_params(lat: float, lon: float, radius_km: float) -> dict[str, float]:
    """The values of the circle's bind parameters."""
    min_lat, min_lon, max_lat, max_lon = bounding_box(lat, lon, radius_km)
    p1 = lat * DEGREE
    return {"p1": p1, "lon0": lon, "cos_p1": math.cos(p1), "term_limit": term_limit(radius_km),
            "min_lat": min_lat, "max_lat": max_lat, "min_lon": min_lon, "max_lon": max_lon}


def in_box(venue_id: ColumnElement, lat_column: ColumnElement, lon_column: ColumnElement,
           use_rtree: bool) -> ColumnElement[bool]:
    """Condition keeping the venues inside the box around the circle (a superset of it)."""
    if use_rtree:
        # R*Tree boxes are 32-bit floats rounded outwards: an overlap test never loses a point.
        return venue_id.in_(sa.select(rtree.c.id).where(
            rtree.c.max_lat >= _P["min_lat"], rtree.c.min_lat <= _P["max_lat"],
            rtree.c.max_lon >= _P["min_lon"], rtree.c.min_lon <= _P["max_lon"]))
    return sa.and_(lat_column.between(_P["min_lat"], _P["max_lat"]),
                   lon_column.between(_P["min_lon"], _P["max_lon"]))


def haversine_term(lat_column: ColumnElement, lon_column: ColumnElement) -> ColumnElement[float]:
    """SQL for the haversine term a from the circle's centre (distance = 2 R asin(sqrt(a))),
    which grows with the distance."""
    half_dp = sa.func.sin((lat_column * DEGREE - _P["p1"]) / 2.0)
    half_dl = sa.func.sin(((lon_column - _P["lon0"]) * DEGREE) / 2.0)
    return half_dp * half_dp + _P["cos_p1"] * sa.func.cos(lat_column * DEGREE) * half_dl * half_dl


def within_term(term: ColumnElement[float]) -> ColumnElement[bool]:
    """Condition keeping what is inside the circle, given its haversine term."""
    return term <= _P["term_limit"]


def term_limit(radius_km: float) -> float:
    """The haversine term of a distance: a <= term_limit(r) exactly when distance <= r."""
    return math.sin(min(math.pi / 2, radius_km / (2 * EARTH_RADIUS_KM))) ** 2


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic hook: leave the R*Tree tables, which no model describes, out of comparisons."""
    return not (type_ == "table" and name in RTREE_TABLES)


def init_app(app: Flask) -> None:
    """Tell the migrations about the R*Tree: Alembic leaves its tables alone, an upgrade may add it."""
    add_migration_hooks(include=include_name, after_upgrade=forget)


def _math_functions(dbapi_connection, connection_record) -> None:
    # SQLite builds without SQLITE_ENABLE_MATH_FUNCTIONS lack sin/cos: supply them.
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    try:
        dbapi_connection.execute("SELECT sin(0.0), cos(0.0)").fetchone()
    except sqlite3.OperationalError:
        dbapi_connection.create_function("sin", 1, _nullable(math.sin), deterministic=True)
        dbapi_connection.create_function("cos", 1, _nullable(math.cos), deterministic=True)


def _nullable(function):
    return lambda x: None if x is None else function(x)


event.listen(Engine, "connect", _math_functions)
