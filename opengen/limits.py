"""Rate limits per client (Flask-Limiter): memory by default, Redis when RATELIMIT_STORAGE_URI says so."""
from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def init_app(app: Flask) -> None:
    """Register the limiter and the page shown when a limit is reached."""
    limiter.init_app(app)

    @app.errorhandler(RateLimitExceeded)
    def _limited(error: RateLimitExceeded):
        # A view may have rendered its own answer (the form with what was typed); keep it.
        if error.response is not None:
            return error.response
        return render_template("error.html", code=429, message=_(
            "Trop de demandes en peu de temps. Merci de patienter avant de réessayer.")), 429
