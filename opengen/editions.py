"""The Open Gen edition the site is about."""
from __future__ import annotations

from sqlalchemy import select

from .db import db
from .models import Edition


def current_edition() -> Edition | None:
    """Return the edition the site is about (the current one, else the latest)."""
    return db.session.scalars(
        select(Edition).order_by(Edition.is_current.desc(), Edition.starts_on.desc()).limit(1)
    ).first()
