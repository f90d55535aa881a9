"""A health check for load balancers and process managers in front of several app processes."""
from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..db import db

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def check():
    """Say whether this process can reach its database (200), or not (503)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        log.error("health check: database unreachable: %r", error)
        return jsonify({"status": "unavailable"}), 503
    return jsonify({"status": "ok"})
