"""Rate limits per client (Flask-Limiter): memory by default, Redis when RATELIMIT_STORAGE_URI says so."""
from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)

# One budget per client for the whole read-only API (API_RATE_LIMIT); preflights do not count.
api_limit = limiter.shared_limit(lambda: current_app.config["API_RATE_LIMIT"], scope="api",
                                 methods=["GET", "HEAD"])


def init_app(app: Flask) -> None:
    """Register the limiter and the page shown when a limit is reached."""
    limiter.init_app(app)

    @app.errorhandler(RateLimitExceeded)
    def _limited(error: RateLimitExceeded):
        # A view may have rendered its own answer (the form with what was typed); keep it.
        if error.response is not None:
            return error.response
        message = _("Trop de demandes en peu de temps. Merci de patienter avant de réessayer.")
        if request.path.startswith("/api/"):
            return jsonify({"error": message, "status": 429}), 429
        return render_template("error.html", code=429, message=message), 429
