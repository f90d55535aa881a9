"""Languages (French first, English), how a request's is chosen, and the date formats the templates use.

A visitor's language: the one they chose with the switch (remembered in a cookie), else the
best of their browser's Accept-Language, else French. Anything kept across requests that holds
text must have `locale_key()` in its key.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from babel.dates import format_time
from flask import Flask, Response, current_app, has_request_context, request
from flask import has_app_context
from flask_babel import Babel, format_date, get_locale, gettext, ngettext, refresh
from flask_babel import lazy_gettext as _l

from . import texts
from .texts import family_label  # one rule for the family names, Flask or not
from .broadcasts import showings
from .events.families import BY_SLUG
from .timezones import PARIS_NAME, local, paris

LOCALE_COOKIE = "langue"  # the visitor's explicit choice, for a year
LOCALE_COOKIE_AGE_S = 365 * 24 * 3600
EMBED_ENDPOINT = "embed.frame"
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}  # each in its own language, never translated

# Each language's way of writing an hour: « 14 h 00 » by the French typographic rules, « 2:00 PM »
# in English (a no-break space, which every mail client shows, rather than CLDR's narrow one); the
# locale's own short format for any other.
HOUR_PATTERNS = {"fr": "H 'h' mm", "en": "h:mm\u00a0a"}

ZONE_NAMES = {PARIS_NAME: "", "America/Guadeloupe": _l("heure de la Guadeloupe"),
              "America/Martinique": _l("heure de la Martinique"), "America/Cayenne": _l("heure de Guyane"),
              "Indian/Reunion": _l("heure de La Réunion"), "Indian/Mayotte": _l("heure de Mayotte"),
              "America/Miquelon": _l("heure de Saint-Pierre-et-Miquelon"),
              "America/St_Barthelemy": _l("heure de Saint-Barthélemy"),
              "America/Marigot": _l("heure de Saint-Martin")}


def languages() -> tuple[str, ...]:
    """Return the site's languages, the default first."""
    return tuple(current_app.config["LANGUAGES"])


def select_locale() -> str:
    """Choose the request's language: the visitor's choice, their browser's, else the default."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    offered = languages()
    if request.endpoint == EMBED_ENDPOINT:
        # A map embedded in a partner's page speaks the language its snippet asks for.
        asked = request.args.get("lang")
        return asked if asked in offered else default
    chosen = request.cookies.get(LOCALE_COOKIE)
    if chosen in offered:
        return chosen
    return request.accept_languages.best_match(offered, default=default)


def locale_key() -> str:
    """Return the current language, for the keys of results kept across requests."""
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def remember_locale(response: Response, code: str) -> Response:
    """Remember a visitor's chosen language in the response's cookie."""
    response.set_cookie(LOCALE_COOKIE, code, max_age=LOCALE_COOKIE_AGE_S, path="/", httponly=True,
                        samesite="Lax", secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response


def day_label(moment: date | datetime) -> str:
    """Format a day in the visitor's language, e.g. « lundi 29 novembre » (a datetime keeps its own zone)."""
    if isinstance(moment, datetime):
        moment = moment.date()
    return format_date(moment, "EEEE d MMMM")


def hour_label(moment: datetime, zone: str | None = None) -> str:
    """Format an hour in the visitor's language (« 14 h 00 », « 2:00 PM »), in the given zone (Paris by default)."""
    locale = get_locale()
    language = locale.language if locale is not None else "fr"
    pattern = HOUR_PATTERNS.get(language, "short")
    return format_time(local(moment, zone), pattern, locale=locale or "fr")


def upper_first(text: str) -> str:
    """Return a text with its first letter upper case and the rest as written (« Monday 29 November »)."""
    text = str(text)
    return text[:1].upper() + text[1:]


def zone_name(zone: str) -> str:
    """Return the readable name of a time zone (« heure de La Réunion »; empty for Paris)."""
    return str(ZONE_NAMES.get(zone, zone))


def family_name(slug: str) -> str:
    """Return the name of a career family from its slug in the visitor's language (the slug if unknown)."""
    family = BY_SLUG.get(slug)
    return family_label(family) if family is not None else str(slug)


# Answers that hold no words: files, the map's markers and cluster tiles (codes and numbers), the
# health check. Varying them by language would split browsers' and proxies' caches for nothing.
LANGUAGE_FREE_ENDPOINTS = frozenset({"static", "vendor.file", "api.event_markers", "api.event_clusters",
                                     "health.check"})


def _vary_on_language(response: Response) -> Response:
    # Pages, errors, calendars and posters read the language from these two headers.
    if request.endpoint not in LANGUAGE_FREE_ENDPOINTS:
        response.vary.update(("Accept-Language", "Cookie"))
    return response


def _warn_of_missing_catalogues(app: Flask) -> None:
    # Without its compiled catalogue a language silently shows French (French itself, English's
    # plural rule: « 0 sessions »): say so at start-up.
    folder = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")[0])
    for code in app.config["LANGUAGES"]:
        if not (folder / code / "LC_MESSAGES" / "messages.mo").exists():
            app.logger.warning("No compiled catalogue for %r in %s: run `make compile-translations`", code, folder)


def init_app(app: Flask) -> None:
    """Register Babel (with the language choice) and the date filters."""
    _warn_of_missing_catalogues(app)
    Babel(app, locale_selector=select_locale)  # the zone: BABEL_DEFAULT_TIMEZONE
    # Babel keeps the locale on the app context, which a request shares with an already active
    # one (a CLI command's, a test's): choose again for every request.
    app.before_request(refresh)
    # The pure modules (planner, shortlist) write their sentences through opengen.texts.
    texts.use(texts.Hooks(active=has_app_context, gettext=gettext, ngettext=ngettext, language=locale_key))
    app.after_request(_vary_on_language)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["language_names"] = LANGUAGE_NAMES
    app.jinja_env.filters["day_label"] = day_label
    # Jinja's own capitalize lowers the rest, which writes « Monday 29 november » in English.
    app.jinja_env.filters["capitalize"] = upper_first
    app.jinja_env.filters["hour_label"] = hour_label
    app.jinja_env.filters["paris"] = paris
    app.jinja_env.filters["localtime"] = local
    app.jinja_env.filters["iso"] = lambda moment: moment.isoformat()
    app.jinja_env.globals["zone_name"] = zone_name
    app.jinja_env.filters["family_label"] = family_label
    app.jinja_env.filters["broadcast_text"] = showings.broadcast_text
    app.jinja_env.globals["paris_zone"] = PARIS_NAME
