"""GEN staff sessions (Flask-Login): who is logged in, and the guard on every /admin page."""
from __future__ import annotations

from flask import Blueprint, Flask, Response, request
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user

from .db import db
from .models import AdminUser

login_manager = LoginManager()
login_manager.login_view = "admin.login"
login_manager.login_message = _l("Connectez-vous pour accéder à la modération.")
login_manager.login_message_category = "error"
login_manager.session_protection = "strong"


@login_manager.user_loader
def _load(user_id: str) -> AdminUser | None:
    if not user_id.isdigit():
        return None
    admin = db.session.get(AdminUser, int(user_id))
    return admin if admin is not None and admin.is_active else None


def staff_only(bp: Blueprint, public: set[str] = frozenset()) -> None:
    """Keep every page of the blueprint (but the `public` endpoints) for logged-in staff, and out
    of caches and search engines."""

    @bp.before_request
    def _staff_only():
        if request.endpoint not in public and not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None

    @bp.after_request
    def _private(response: Response) -> Response:
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex"
        return response


def init_app(app: Flask) -> None:
    """Register the login manager."""
    login_manager.init_app(app)
