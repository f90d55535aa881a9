"""The spatial index of venues and great-circle distances in SQL.

Three ways to pick a circle's candidate venues, chosen per database by what it has (strategy()):
- "rtree" (SQLite): an R*Tree virtual table `venue_rtree(id, min_lat, max_lat, min_lon, max_lon)`
  kept in sync with `venues` by triggers (migration 0004_spatial);
- "postgis" (PostgreSQL with the postgis extension): `ST_DWithin` on the geography of each venue,
  served by the GiST expression index `ix_venues_geography` (migration 0011_postgis);
- "bbox" (anywhere else): a bounding box on the indexed `venues.lat`/`venues.lon` columns
  (`ix_venues_lat_lon`).
Whichever picks them, the candidates are a superset of the circle and the exact haversine
condition decides, and ranks by the same haversine term: every path gives the same answer as a
brute-force haversine over every venue, in the same order.
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
# How a circle's venues may be picked (see strategy()).
STRATEGIES = ("rtree", "postgis", "bbox")
GEOGRAPHY_INDEX = "ix_venues_geography"
# The index expression: queries must repeat it exactly for PostgreSQL to use the index.
GEOGRAPHY_SQL = "geography(ST_MakePoint(lon, lat))"
# Indexes of PostgreSQL only (migration 0011_postgis), which no model describes.
POSTGRESQL_INDEXES = frozenset({GEOGRAPHY_INDEX, "ix_events_venue_rank"})
# PostGIS's own table, created with the extension in the public schema.
POSTGIS_TABLES = frozenset({"spatial_ref_sys"})
# The R*Tree module's own storage tables, which Alembic must not try to manage.
RTREE_TABLES = frozenset({RTREE, f"{RTREE}_node", f"{RTREE}_parent", f"{RTREE}_rowid"})
DEGREE = math.pi / 180.0  # the very constant math.radians multiplies by

rtree = sa.table(RTREE, sa.column("id"), sa.column("min_lat"), sa.column("max_lat"),
                 sa.column("min_lon"), sa.column("max_lon"))

_strategy: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def strategy(engine: Engine) -> str:
    """Name how this database picks a circle's venues: "rtree", "postgis" or "bbox" (checked once per engine)."""
    found = _strategy.get(engine)
    if found is None:
        found = _detect(engine)
        _strategy[engine] = found
    return found


def _detect(engine: Engine) -> str:
    if engine.dialect.name == "sqlite":
        return "rtree" if sa.inspect(engine).has_table(RTREE) else "bbox"
    if engine.dialect.name == "postgresql" and has_geography_index(engine):
        return "postgis"
    return "bbox"


def has_geography_index(engine: Engine) -> bool:
    """Tell whether this PostgreSQL database has PostGIS and the venues' geography index."""
    with engine.connect() as connection:
        return connection.scalar(sa.text(
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'postgis') "
            "AND to_regclass(:index) IS NOT NULL"), {"index": GEOGRAPHY_INDEX})


def forget(engine: Engine) -> None:
    """Drop the cached strategy (after a migration created or removed an index)."""
    _strategy.pop(engine, None)


def ensure_geography_index(engine: Engine) -> None:
    """Create the venues' geography index if PostGIS is installed and the index is missing
    (the extension may come after migration 0011 ran); then forget the cached strategy."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            if connection.scalar(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")):
                connection.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {GEOGRAPHY_INDEX} "
                                           f"ON venues USING gist (({GEOGRAPHY_SQL}))"))
    forget(engine)


# A circle enters a statement as these bind parameters (circle_params gives their values), so
# that one statement serves every place: built and compiled once, not at each search.
_P = {name: sa.bindparam(name, type_=sa.Float) for name in
      ("p1", "lat0", "lon0", "cos_p1", "term_limit", "reach_m", "min_lat", "max_lat", "min_lon", "max_lon")}

# PostGIS's sphere (radius 6371008.77 m) is a hair smaller than ours: its distances are never
# longer than the haversine's. The margin absorbs rounding, so ST_DWithin keeps a superset.
REACH_MARGIN_M = 1.0


def circle_params(lat: float, lon: float, radius_km: float) -> dict[str, float]:
    """The values of the circle's bind parameters."""
    min_lat, min_lon, max_lat, max_lon = bounding_box(lat, lon, radius_km)
    p1 = lat * DEGREE
    return {"p1": p1, "lat0": lat, "lon0": lon, "cos_p1": math.cos(p1), "term_limit": term_limit(radius_km),
            "reach_m": radius_km * 1000.0 * (1 + 1e-6) + REACH_MARGIN_M,
            "min_lat": min_lat, "max_lat": max_lat, "min_lon": min_lon, "max_lon": max_lon}


def in_box(venue_id: ColumnElement, lat_column: ColumnElement, lon_column: ColumnElement,
           how: str) -> ColumnElement[bool]:
    """Condition keeping the venues inside the box around the circle (a superset of it), picked
    the strategy's way."""
    if how == "postgis":
        # The very expression of ix_venues_geography; spheroid off: cheaper, and a superset anyway.
        return sa.func.ST_DWithin(sa.func.geography(sa.func.ST_MakePoint(lon_column, lat_column)),
                                  sa.func.geography(sa.func.ST_MakePoint(_P["lon0"], _P["lat0"])),
                                  _P["reach_m"], False)
    if how == "rtree":
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
    """Alembic hook: leave the R*Tree and PostGIS tables and PostgreSQL's spatial indexes, which
    no model describes, out of comparisons."""
    if type_ == "table":
        return name not in RTREE_TABLES and name not in POSTGIS_TABLES
    return not (type_ == "index" and name in POSTGRESQL_INDEXES)


def init_app(app: Flask) -> None:
    """Tell the migrations about the spatial indexes: Alembic leaves them alone, an upgrade may add them."""
    add_migration_hooks(include=include_name, after_upgrade=ensure_geography_index)


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
