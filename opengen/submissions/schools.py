"""Schools as the proposals name them: found by name (case and spacing aside), created when new."""
from __future__ import annotations

from sqlalchemy import func, select

from ..db import db
from ..models import School


def find_school(name: str) -> School | None:
    """Return the school with this name (case and spacing aside), or None."""
    wanted = " ".join(name.split()).lower()
    return db.session.scalars(
        select(School).where(func.lower(School.name) == wanted).order_by(School.id)).first()


def find_or_create_school(name: str, website: str | None = None, network: str | None = None) -> School:
    """Return the school with this name, creating it if it is new."""
    school = find_school(name)
    if school is None:
        school = School(name=" ".join(name.split()), website=website, network=network)
        db.session.add(school)
        db.session.flush()
    elif website and not school.website:
        school.website = website
    return school


def school_names(limit: int = 3000) -> list[str]:
    """Return the names of known schools, for the form's suggestions."""
    return list(db.session.scalars(select(School.name).order_by(School.name).limit(limit)))
