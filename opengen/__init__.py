"""Open Gen: the map and scheduler of the Grande École du Numérique's open days."""
from __future__ import annotations

from flask import Flask

from . import (
    assets,
    auth,
    backup,
    compression,
    cors,
    db,
    demo,
    errors,
    i18n,
    limits,
    security,
    templating,
)
from .broadcasts import cli
from .config import load_config
from .places import lookup, venues
from .reminders import cli as reminders_cli
from .submissions import imports, moderation
from .views import register_blueprints


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, commands, error pages."""
    app = Flask(__name__, template_folder="../templates", static_folder="../static",
                instance_relative_config=True)
    load_config(app, test_config)

    # The database, the language, the HTTP layer and the pages' helpers.
    db.init_app(app)
    backup.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    cors.init_app(app)
    compression.init_app(app)
    assets.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    # What each domain adds: geocoders, commands, sign-in, rate limits.
    demo.init_app(app)
    lookup.init_app(app)
    cli.init_app(app)
    auth.init_app(app)
    limits.init_app(app)
    venues.init_app(app)
    imports.init_app(app)
    moderation.init_app(app)
    reminders_cli.init_app(app)
    # The pages and the API.
    register_blueprints(app)
    return app
