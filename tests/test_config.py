"""Configuration from defaults, then the environment."""
from __future__ import annotations

from opengen import create_app
from opengen.config import database_url


def test_postgres_urls_use_the_psycopg3_driver():
    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_environment_overrides_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("TILES_URL", "https://tiles.example.org/{z}/{x}/{y}.png")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("GEOCODER_TIMEOUT", "1.5")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.db")
    assert app.config["TILES_URL"].startswith("https://tiles.example.org")
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["GEOCODER_TIMEOUT"] == 1.5


def test_default_database_is_the_embedded_events_db(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("/events.db")


def test_without_secret_key_a_stable_instance_key_is_shared_by_processes(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    first = create_app({"SECRET_KEY": None}).config["SECRET_KEY"]
    second = create_app({"SECRET_KEY": None}).config["SECRET_KEY"]
    assert first and first == second and len(first) == 64
