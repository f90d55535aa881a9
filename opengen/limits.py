"""Rate limits per client (Flask-Limiter): memory by default, Redis when RATELIMIT_STORAGE_URI says so."""
from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def init_app(app: Flask) -> None:
    """Register the limiter and the page shown when a limit is reached."""
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies:
        # Behind N reverse proxies every request comes from the proxy: read the client's address
        # (and scheme and host, for the edit links) from the headers they add.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    limiter.init_app(app)

    @app.errorhandler(RateLimitExceeded)
    def _limited(error: RateLimitExceeded):
        # A view may have rendered its own answer (the form with what was typed); keep it.
        if error.response is not None:
            return error.response
        return render_template("error.html", code=429, message=_(
            "Trop de demandes en peu de temps. Merci de patienter avant de réessayer.")), 429
