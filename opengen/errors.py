"""Error pages: JSON under /api, French HTML pages elsewhere; never a bare 500.

The domain defines its errors (`checks.FieldError`, `lookup.PlaceNotFound`); this module only
translates them into answers.
"""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .checks import FieldError
from .db import db
from .places.lookup import PlaceNotFound


def wants_json() -> bool:
    """Tell whether the client is an API client."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _messages() -> dict[int, str]:
    return {
        400: _("La requête n’a pas pu être comprise."),
        403: _("Vous n’avez pas accès à cette page."),
        404: _("Cette page n’existe pas ou plus."),
        405: _("Cette action n’est pas possible ici."),
        413: _("Le fichier envoyé est trop gros."),
        429: _("Trop de demandes en peu de temps. Merci de patienter une minute avant de réessayer."),
        500: _("Une erreur est survenue de notre côté. L’équipe a été prévenue."),
    }


def _render(code: int, message: str):
    if wants_json():
        return jsonify({"error": message, "status": code}), code
    return render_template("error.html", code=code, message=message), code


def init_app(app: Flask) -> None:
    """Register the error handlers."""

    @app.errorhandler(FieldError)
    def _invalid(error: FieldError):
        if wants_json():
            return jsonify({"error": error.message, "field": error.field, "status": 400}), 400
        return _render(400, error.message)

    @app.errorhandler(PlaceNotFound)
    def _not_found(error: PlaceNotFound):
        if wants_json():
            return jsonify({"error": error.message, "field": error.field, "status": 404}), 404
        return _render(404, error.message)

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return _render(400, _("Le formulaire a expiré ou n’est pas valide. Rechargez la page et "
                              "renvoyez-le : vos informations n’ont pas été enregistrées."))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        code = error.code or 500
        return _render(code, _messages().get(code, error.description or ""))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("Unhandled error", exc_info=error)
        if app.config.get("TESTING") and app.config.get("PROPAGATE_ERRORS_IN_TESTS", True):
            raise error
        # A failed statement leaves PostgreSQL's transaction aborted; the error page queries too.
        db.session.rollback()
        return _render(500, _messages()[500])

