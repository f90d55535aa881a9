"""Places suggested as a visitor types, answered from the shipped gazetteer."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..places.lookup import suggest_places

bp = Blueprint("places", __name__, url_prefix="/api/places")
SUGGESTIONS_MAX_AGE = 3600  # the gazetteer changes only with a release


@bp.get("/suggest")
def suggestions():
    """List the communes a typed text may mean: by name, postal code, or despite a typo."""
    q = request.args.get("q", "")
    response = jsonify({"q": q, "suggestions": suggest_places(q)})
    response.cache_control.public = True
    response.cache_control.max_age = SUGGESTIONS_MAX_AGE
    return response
