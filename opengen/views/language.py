"""The language switch: a plain link that works without JavaScript and is remembered."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, request, url_for

from ..i18n import languages, remember_locale

bp = Blueprint("language", __name__)


def return_path(target: str | None) -> str:
    """Return target if it is a path of this site (never another site's address), else the home page."""
    if (target and target.startswith("/") and not target.startswith("//") and "\\" not in target
            and not any(ord(c) < 32 for c in target)):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("map.index")


@bp.get("/langue/<code>")
def choose(code: str):
    """Switch the site to a language, remember it, and go back to the page the visitor was on."""
    if code not in languages():
        abort(404)
    response = redirect(return_path(request.args.get("next")), 303)
    response.headers["Cache-Control"] = "no-store"
    return remember_locale(response, code)
