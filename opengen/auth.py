"""GEN staff sessions (Flask-Login): who is logged in, and the guard on every /admin page."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager

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


def init_app(app: Flask) -> None:
    """Register the login manager."""
    login_manager.init_app(app)
