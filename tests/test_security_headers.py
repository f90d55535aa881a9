"""The headers every answer carries (CSP with a per-request nonce, HSTS over HTTPS only, referrer,
permissions, framing), the session cookie's flags, and the cancel form refusing a missing token."""
from __future__ import annotations

import re

import pytest

from opengen import create_app
from opengen.db import db
from opengen.models import Event, EventStatus
from opengen.security import content_security_policy, policy, tile_origin

from .conftest import TEST_CONFIG, csrf_token
from .submit_fixtures import submit

HTTPS_PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


def directives(response) -> dict[str, str]:
    policy_header = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy_header.split(";"))


def header_nonce(response) -> str | None:
    match = re.search(r"'nonce-([^']+)'", directives(response)["script-src"])
    return match.group(1) if match else None


@pytest.fixture
def answers(client, make_event, ctx):
    """One answer of each kind: HTML page, JSON, calendar, static file, vendored script, 404."""
    event = make_event(families=["data"])
    db.session.commit()
    urls = {"html": "/", "session page": f"/events/{event.id}", "json": "/api/events",
            "ics": "/calendar.ics", "static": "/static/css/site.css",
            "vendor": "/vendor/leaflet/leaflet.js", "not found": "/nowhere", "redirect": "/emissions"}
    found = {}
    for kind, url in urls.items():
        with client.get(url) as response:
            response.get_data()  # read (and close) file bodies now
            found[kind] = response
    return found


def test_every_kind_of_answer_carries_the_security_headers(answers):
    assert answers["json"].mimetype == "application/json" and answers["ics"].mimetype == "text/calendar"
    assert answers["not found"].status_code == 404 and answers["redirect"].status_code == 301
    for kind, response in answers.items():
        found = directives(response)
        assert found["default-src"] == "'self'", kind
        assert found["script-src"].startswith("'self'") and "unsafe" not in found["script-src"], kind
        assert found["object-src"] == "'none'" and found["base-uri"] == "'self'", kind
        assert found["form-action"] == "'self'" and found["frame-ancestors"] == "'none'", kind
        assert found["img-src"] == "'self' data: http://tiles.invalid", kind
        assert response.headers["X-Content-Type-Options"] == "nosniff", kind
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", kind
        assert response.headers["X-Frame-Options"] == "DENY", kind
        permissions = response.headers["Permissions-Policy"]
        assert "geolocation=(self)" in permissions and "camera=()" in permissions, kind
        assert "microphone=()" in permissions, kind
        assert "Strict-Transport-Security" not in response.headers, kind  # plain HTTP


def test_pages_private_to_a_school_keep_their_stricter_referrer_policy(client):
    response = client.get("/submit")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Content-Security-Policy" in response.headers


def test_the_nonce_is_new_for_each_request_and_is_the_one_of_the_inline_scripts(answers, client):
    first, second = answers["html"], client.get("/")
    nonces = [header_nonce(first), header_nonce(second)]
    assert all(nonces) and nonces[0] != nonces[1] and len(nonces[0]) >= 22
    for response, nonce in ((first, nonces[0]), (second, nonces[1]), (answers["session page"], None)):
        page = response.get_data(as_text=True)
        nonce = nonce or header_nonce(response)
        inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
        assert inline, "the map page has folium's inline script"
        assert all(f'nonce="{nonce}"' in attributes for attributes in inline)
    # Pages without an inline script carry no nonce at all.
    assert header_nonce(answers["json"]) is None and header_nonce(answers["not found"]) is None


def test_hsts_only_over_https_through_a_trusted_proxy(app, database_url):
    assert "Strict-Transport-Security" not in app.test_client().get("/healthz").headers
    # Without PROXY_COUNT the forwarded scheme is not trusted: anyone can send that header.
    untrusted = app.test_client().get("/healthz", headers=HTTPS_PROXY)
    assert "Strict-Transport-Security" not in untrusted.headers
    proxied = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, "PROXY_COUNT": 1})
    client = proxied.test_client()
    assert client.get("/healthz", headers=HTTPS_PROXY).headers["Strict-Transport-Security"] == "max-age=31536000"
    with client.get("/static/css/site.css", headers=HTTPS_PROXY) as static:
        assert static.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/healthz", headers={"X-Forwarded-Proto": "http"}).headers
    with proxied.app_context():
        db.engine.dispose()


def session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, "the form page stores its CSRF token in the session"
    return cookies[0]


def test_the_session_cookie_is_lax_httponly_and_secure_over_https(app, database_url):
    plain = session_cookie(app.test_client().get("/submit"))
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain
    proxied = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, "PROXY_COUNT": 1})
    secure = session_cookie(proxied.test_client().get("/submit", headers=HTTPS_PROXY))
    assert "Secure" in secure and "SameSite=Lax" in secure and "HttpOnly" in secure
    public = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url,
                         "PUBLIC_BASE_URL": "https://opengen.example.org"})
    assert "Secure" in session_cookie(public.test_client().get("/submit"))
    for other in (proxied, public):
        with other.app_context():
            db.engine.dispose()


def test_secure_cookies_follow_public_base_url_unless_told_otherwise(monkeypatch):
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://opengen.example.org")
    assert create_app({"SECRET_KEY": "x"}).config["SESSION_COOKIE_SECURE"] is True
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "0")
    assert create_app({"SECRET_KEY": "x"}).config["SESSION_COOKIE_SECURE"] is False
    monkeypatch.setenv("PUBLIC_BASE_URL", "http://localhost:5000")
    monkeypatch.delenv("SESSION_COOKIE_SECURE")
    assert create_app({"SECRET_KEY": "x"}).config["SESSION_COOKIE_SECURE"] is False
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "yes")
    assert create_app({"SECRET_KEY": "x"}).config["SESSION_COOKIE_SECURE"] is True


def test_the_tile_server_is_the_only_outside_image_source():
    assert tile_origin("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png") == "https://*.tile.openstreetmap.org"
    assert tile_origin("https://tiles.example.org:8443/osm/{z}/{x}/{y}.png") == "https://tiles.example.org:8443"
    assert tile_origin("/tiles/{z}/{x}/{y}.png") == ""
    assert tile_origin("https://tiles-{s}.example.org/{z}/{x}/{y}.png") == "https:"
    found = content_security_policy("https://tile.openstreetmap.org/{z}/{x}/{y}.png", None)
    assert "img-src 'self' data: https://tile.openstreetmap.org;" in found
    assert "script-src 'self';" in found


def test_a_view_may_change_its_policy_for_framing(app):
    @policy(frame_ancestors="*")
    def embedded():
        return "<p>carte</p>"

    app.add_url_rule("/test-embed", view_func=embedded)
    response = app.test_client().get("/test-embed")
    assert directives(response)["frame-ancestors"] == "*"
    assert "X-Frame-Options" not in response.headers
    assert directives(response)["object-src"] == "'none'"  # the rest of the policy holds


def test_cancelling_without_a_csrf_token_is_refused_like_the_other_forms(ctx, client, fake_ban):
    path = submit(client)
    event = db.session.scalars(db.select(Event).order_by(Event.id)).first()
    url = f"{path}/events/{event.id}/cancel"
    response = client.post(url, data={"confirm": "1"})
    assert response.status_code == 400
    assert "Le formulaire a expiré ou n’est pas valide" in response.get_data(as_text=True)
    response = client.post(url, data={"confirm": "1", "csrf_token": "forged"})
    assert response.status_code == 400
    db.session.expire_all()
    assert event.status == EventStatus.pending and event.cancelled_at is None
    page = client.get(url).get_data(as_text=True)
    assert client.post(url, data={"confirm": "1", "csrf_token": csrf_token(page)}).status_code == 303
