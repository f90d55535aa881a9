"""Schools as the proposals name them: found by name (case and spacing aside), created when new."""
from __future__ import annotations

from sqlalchemy import func, select

from ..db import db
from ..models import School


def name_key(name: str) -> str:
    """A school's name as names are compared: case and spacing aside."""
    return " ".join(name.split()).lower()


def find_school(name: str) -> School | None:
    """Return the school with this name (case and spacing aside), or None."""
    return db.session.scalars(
        select(School).where(func.lower(School.name) == name_key(name)).order_by(School.id)).first()


def find_schools(names: set[str]) -> dict[str, School]:
    """The schools with these names that exist, by name_key, in one query (as find_school picks)."""
    lowered = func.lower(School.name)
    found: dict[str, School] = {}
    # Keyed by the database's lower(), which find_school compares (SQLite's lowers ASCII only).
    for school, key in db.session.execute(select(School, lowered).where(
            lowered.in_({name_key(n) for n in names})).order_by(School.id)):
        found.setdefault(key, school)
    return found


def find_or_create_school(name: str, website: str | None = None, network: str | None = None, *,
                          known: dict[str, School] | None = None, flush: bool = True) -> School:
    """Return the school with this name, creating it if it is new (`known`: every existing school
    of these names by name_key, from find_schools, kept up to date, instead of a query)."""
    school = find_school(name) if known is None else known.get(name_key(name))
    if school is None:
        school = School(name=" ".join(name.split()), website=website, network=network)
        db.session.add(school)
        if known is not None:
            known[name_key(name)] = school
        if flush:
            db.session.flush()
    elif website and not school.website:
        school.website = website
    return school


def school_names(limit: int = 3000) -> list[str]:
    """Return the names of known schools, for the form's suggestions."""
    return list(db.session.scalars(select(School.name).order_by(School.name).limit(limit)))
