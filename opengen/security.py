"""Whom to trust: the reverse proxies' headers, CSRF on every POST, and the headers that keep
school-written text inert in browsers (Content-Security-Policy with a per-request script nonce,
HSTS over HTTPS, Referrer-Policy, Permissions-Policy, framing) and the session cookie's flags."""
from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping
from typing import TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

csrf = CSRFProtect()

View = TypeVar("View", bound=Callable)

# Sensors, camera and payment are never needed; the position only by our own "Autour de moi".
# Only features Chromium knows: an unknown one is reported as an error in every page's console.
PERMISSIONS_POLICY = ", ".join((
    "geolocation=(self)", "camera=()", "microphone=()", "payment=()", "usb=()", "magnetometer=()",
    "gyroscope=()", "accelerometer=()", "display-capture=()"))


def tile_origin(tiles_url: str) -> str:
    """The CSP source of the tile server named by a TILES_URL template ('' when it is ours)."""
    parts = urlsplit(tiles_url)
    if not parts.scheme or not parts.netloc:
        return ""  # a relative template: the tiles come from our own origin
    # Leaflet's {s} subdomain placeholder is a wildcard label; CSP allows it only leftmost.
    host = re.sub(r"^\{[^}]*\}", "*", parts.netloc)
    if "{" in host:
        return f"{parts.scheme}:"  # a placeholder CSP cannot express: allow the scheme
    return f"{parts.scheme}://{host}"


def content_security_policy(tiles_url: str, nonce: str | None,
                            overrides: Mapping[str, str] | None = None) -> str:
    """The Content-Security-Policy of a page: our own scripts, plus inline ones carrying the nonce."""
    directives = {
        "default-src": "'self'",
        "script-src": "'self'" + (f" 'nonce-{nonce}'" if nonce else ""),
        # 'unsafe-inline' for styles only: Leaflet positions tiles and markers with inline styles
        # (its marker icons are HTML with a style attribute) and the family colours are style
        # attributes. Styles cannot run code; scripts stay nonce-only.
        "style-src": "'self' 'unsafe-inline'",
        "img-src": " ".join(filter(None, ("'self'", "data:", tile_origin(tiles_url)))),
        "connect-src": "'self'",
        "font-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    directives.update(overrides or {})
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def policy(**directives: str) -> Callable[[View], View]:
    """Change CSP directives for one view, e.g. `@policy(frame_ancestors="*")` for an embed page."""
    def decorate(view: View) -> View:
        view.csp_overrides = {name.replace("_", "-"): value for name, value in directives.items()}
        return view
    return decorate


NONCE_KEY = "opengen.csp_nonce"  # kept in the WSGI environ: `g` may outlive a request (in tests)


def csp_nonce() -> str:
    """This request's script nonce, for the inline scripts of a page (a new one per request)."""
    return request.environ.setdefault(NONCE_KEY, secrets.token_urlsafe(18))


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, whose cookie is Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure when SESSION_COOKIE_SECURE says so, or when this request is HTTPS."""
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def private_pages(bp: Blueprint) -> None:
    """Keep a blueprint's pages, which carry secret links or personal data, out of caches and
    search engines, and never send their address on as a referrer."""

    @bp.after_request
    def _private(response: Response) -> Response:
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Robots-Tag"] = "noindex"
        return response


def _security_headers(response: Response) -> Response:
    view = current_app.view_functions.get(request.endpoint or "")
    overrides = getattr(view, "csp_overrides", {})
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(
        current_app.config["TILES_URL"], request.environ.get(NONCE_KEY), overrides))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    if "frame-ancestors" not in overrides:
        headers.setdefault("X-Frame-Options", "DENY")  # frame-ancestors for browsers without CSP
    max_age = int(current_app.config["HSTS_MAX_AGE"] or 0)
    if request.is_secure and max_age > 0:
        # Only over HTTPS (RFC 6797 7.2); behind a proxy, ProxyFix makes is_secure follow it.
        headers.setdefault("Strict-Transport-Security", f"max-age={max_age}")
    return response


def init_app(app: Flask) -> None:
    """Trust PROXY_COUNT proxies' headers, turn on CSRF for every POST, set defensive headers."""
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies:
        # Behind N reverse proxies every request comes from the proxy: read the client's address
        # (for rate limits), scheme and host (for absolute links) from the headers they add.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    csrf.init_app(app)
    app.session_interface = SessionInterface()
    app.after_request(_security_headers)
