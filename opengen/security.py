"""Whom to trust: the reverse proxies' headers, CSRF on every POST, and the headers that keep
school-written text inert in browsers."""
from __future__ import annotations

from flask import Flask, Response, request
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
        if request.endpoint in FRAMEABLE_ENDPOINTS:
            allow_framing(response)
        else:
            response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return response


# The only pages other sites may show in a frame: the map to embed in a partner's page.
# Every other page refuses to be framed (clickjacking of the forms and staff pages).
FRAMEABLE_ENDPOINTS = frozenset({"embed.frame"})


def allow_framing(response: Response) -> Response:
    """Let any site frame this answer: frame-ancestors * in the CSP, and no X-Frame-Options."""
    response.headers.pop("X-Frame-Options", None)
    policy = response.headers.get("Content-Security-Policy")
    directives = [d.strip() for d in (policy or "").split(";")
                  if d.strip() and not d.strip().startswith("frame-ancestors")]
    response.headers["Content-Security-Policy"] = "; ".join([*directives, "frame-ancestors *"])
    return response
