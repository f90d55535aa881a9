"""CSRF protection and the headers that keep school-written text inert in browsers."""
from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    """Turn on CSRF for every POST and set defensive headers on every response."""
    csrf.init_app(app)

    @app.after_request
    def _headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return response
