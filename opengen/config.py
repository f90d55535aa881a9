"""Configuration: defaults, then the environment, then the test overrides."""
from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext as _l

from .timezones import PARIS_NAME

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = {
    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{PROJECT_ROOT / 'events.db'}",
    "TILES_URL": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    "TILES_ATTRIBUTION": _l("&copy; les contributeurs d’OpenStreetMap"),  # in the visitor's language
    "TILES_MAX_ZOOM": 19,
    "GEOCODER": "ban",
    "GEOCODER_BAN_DOMAIN": "api-adresse.data.gouv.fr",
    "GEOCODER_BAN_SCHEME": "https",
    "GEOCODER_NOMINATIM_DOMAIN": "nominatim.openstreetmap.org",
    "GEOCODER_NOMINATIM_SCHEME": "https",
    "GEOCODER_TIMEOUT": 2.0,
    "GEOCODER_MIN_INTERVAL": None,
    "GEOCODER_BREAKER_COOLDOWN": 60.0,
    "GEOCODER_USER_AGENT": "opengen-map/1.0",
    "REDIS_URL": None,
    "REDIS_KEPT_PREFIX": "opengen:kept:",  # where results shared between processes go in Redis
    "BABEL_DEFAULT_LOCALE": "fr",
    "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),  # compiled by `make`
    "LANGUAGES": ("fr", "en"),  # the catalogues the site offers (translations/), the default first
    "BABEL_DEFAULT_TIMEZONE": PARIS_NAME,
    "LIST_PAGE_SIZE": 50,
    "FROZEN_NOW": None,
    "OPEN_GEN_WEEK_START": None,  # an ISO date to move one year's week off the last Monday of November
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_FROM": "opengen@localhost",
    "PUBLIC_BASE_URL": None,
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "SUBMIT_RATE_LIMIT": "10 per hour",
    "PREVIEW_RATE_LIMIT": "60 per hour",
    "LOGIN_RATE_LIMIT": "10 per 5 minutes",
    "REMINDER_RATE_LIMIT": "10 per hour",
    "PRIVACY_CONTACT": None,  # who visitors write to about their data (MAIL_FROM when unset)
    # What reaches the online address service, per client and for the whole site (cache and
    # gazetteer answers are free); over budget, searches are answered from the gazetteer.
    "GEOCODER_CLIENT_BUDGET": "30 per minute",
    "GEOCODER_SITE_BUDGET": None,  # 20 per second for the BAN, 1 per second for Nominatim
    "RATELIMIT_SWALLOW_ERRORS": True,  # a counter that cannot be written never fails the request
    # The session cookie (CSRF tokens, staff sign-in): never sent by cross-site subrequests or
    # posts, never read by scripts; Secure over HTTPS (None: when PUBLIC_BASE_URL is https).
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SECURE": None,
    "HSTS_MAX_AGE": 365 * 24 * 3600,  # Strict-Transport-Security over HTTPS; 0 sends none
    "API_RATE_LIMIT": "600 per minute",  # per client, over the whole read-only API
    "NEARBY_INDEX": True,  # rank a circle's sessions in memory (events/nearby.py); off: in SQL only
    "NEARBY_INDEX_BACKGROUND": True,  # build those indexes in a thread (SQL ranks meanwhile)
}

# Environment variables read without a prefix, as deployment tools set them.
ENV_KEYS = ("SECRET_KEY", "TILES_URL", "TILES_ATTRIBUTION", "GEOCODER", "GEOCODER_BAN_DOMAIN",
            "GEOCODER_BAN_SCHEME", "GEOCODER_NOMINATIM_DOMAIN", "GEOCODER_NOMINATIM_SCHEME",
            "GEOCODER_USER_AGENT", "REDIS_URL", "REDIS_KEPT_PREFIX", "MAIL_SERVER", "MAIL_FROM", "PUBLIC_BASE_URL",
            "RATELIMIT_STORAGE_URI", "OPEN_GEN_WEEK_START", "SUBMIT_RATE_LIMIT", "PREVIEW_RATE_LIMIT",
            "LOGIN_RATE_LIMIT", "REMINDER_RATE_LIMIT", "PRIVACY_CONTACT", "GEOCODER_CLIENT_BUDGET",
            "GEOCODER_SITE_BUDGET", "API_RATE_LIMIT")
ENV_FLOATS = ("GEOCODER_TIMEOUT", "GEOCODER_BREAKER_COOLDOWN", "GEOCODER_MIN_INTERVAL")
ENV_INTS = ("MAIL_PORT", "TILES_MAX_ZOOM", "PROXY_COUNT", "HSTS_MAX_AGE")
ENV_BOOLS = ("SESSION_COOKIE_SECURE", "NEARBY_INDEX")


def env_flag(raw: str) -> bool:
    """Read a yes/no environment variable (1, true, yes, on: yes)."""
    return raw.strip().lower() in ("1", "true", "yes", "on")


def database_url(raw: str) -> str:
    """Normalise a DATABASE_URL so SQLAlchemy uses the psycopg 3 driver for PostgreSQL."""
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


def _instance_secret(app: Flask) -> str:
    # A per-machine key kept in instance/ so development restarts keep sessions and CSRF tokens.
    # Several processes serving one site must share SECRET_KEY through the environment.
    path = Path(app.instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: when several workers start at once, exactly one writes the key.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    for _ in range(50):
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.01)
    raise RuntimeError(f"empty secret key file: {path}")


def load_config(app: Flask, test_config: dict | None = None) -> None:
    """Fill app.config from defaults, the environment, then test_config."""
    app.config.from_mapping(DEFAULTS)
    for keys, convert in ((ENV_KEYS, str), (ENV_FLOATS, float), (ENV_INTS, int), (ENV_BOOLS, env_flag)):
        for key in keys:
            if os.environ.get(key):
                app.config[key] = convert(os.environ[key])
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    app.config.from_prefixed_env()
    if test_config:
        app.config.from_mapping(test_config)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app)
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = str(app.config.get("PUBLIC_BASE_URL") or "").startswith("https://")
    # Counters every worker sees: the database, or Redis (counting in the database while it is down).
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "database://")
    app.config.setdefault("GEOCODER_REDIS_URL", app.config.get("REDIS_URL"))
