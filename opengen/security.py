"""Whom to trust: the reverse proxies' headers, CSRF on every POST, and the headers that keep
school-written text inert in browsers."""
from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    """Trust PROXY_COUNT proxies' headers, turn on CSRF for every POST, set defensive headers."""
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies:
        # Behind N reverse proxies every request comes from the proxy: read the client's address
        # (for rate limits), scheme and host (for absolute links) from the headers they add.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    csrf.init_app(app)

    @app.after_request
    def _headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return response
